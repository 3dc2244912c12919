/**
 * Errors a user can act on. The CLI prints `message` on one line and exits non-zero; any other
 * error is a bug and is printed with a hint to rerun with `--verbose` for the stack.
 */
export class FeaturelensError extends Error {
  override name = "FeaturelensError";
}

/** A dataset or data file that cannot be read as asked: names the file and the problem. */
export class DataError extends FeaturelensError {
  override name = "DataError";
  /** The file or folder at fault, when there is one. */
  readonly file: string | undefined;
  constructor(message: string, file?: string) {
    super(file === undefined ? message : `${file}: ${message}`);
    this.file = file;
  }
}

/** A command-line argument or option value that is not allowed. */
export class UsageError extends FeaturelensError {
  override name = "UsageError";
}

/** True for errors whose message is meant for the user as it stands. */
export function isUserError(err: unknown): err is FeaturelensError {
  return err instanceof FeaturelensError;
}

/** A model file or graph that cannot be used as asked: names the model and the problem. */
export class ModelError extends FeaturelensError {
  override name = "ModelError";
}

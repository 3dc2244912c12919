import { Command, CommanderError } from "commander";
import { FEATURELENS_VERSION } from "../util/version.js";
import sharp from "sharp";
import { isUserError } from "../util/errors.js";

/**
 * The commands in the order `--help` lists them, each loaded only when needed: a command's module
 * brings its dependencies (DuckDB, onnxruntime, Vega, USearch …), and importing all of them for
 * every command cost ~0.5 s of start-up.
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<(program: Command) => unknown>]> = [
  ["demo", async () => (await import("./commands/demo.js")).registerDemo],
  ["dataset", async () => (await import("./commands/dataset.js")).registerDataset],
  ["layers", async () => (await import("./commands/layers.js")).registerLayers],
  ["predict", async () => (await import("./commands/predict.js")).registerPredict],
  ["evaluate", async () => (await import("./commands/evaluate.js")).registerEvaluate],
  ["extract", async () => (await import("./commands/extract.js")).registerExtract],
  ["inspect", async () => (await import("./commands/inspect.js")).registerInspect],
  ["train", async () => (await import("./commands/train.js")).registerTrain],
  ["transfer", async () => (await import("./commands/transfer.js")).registerTransfer],
  ["embed", async () => (await import("./commands/embed.js")).registerEmbed],
  ["neighbors", async () => (await import("./commands/neighbors.js")).registerNeighbors],
  ["diagnose", async () => (await import("./commands/diagnose.js")).registerDiagnose],
  ["shift", async () => (await import("./commands/shift.js")).registerShift],
  ["analyze", async () => (await import("./commands/analyze.js")).registerAnalyze],
  ["assemble", async () => (await import("./commands/assemble.js")).registerAssemble],
  ["runs", async () => (await import("./commands/runs.js")).registerRuns],
  ["samples", async () => (await import("./commands/samples.js")).registerSamples],
  ["label-issues", async () => (await import("./commands/labelIssues.js")).registerLabelIssues],
  ["export", async () => (await import("./commands/export.js")).registerExport],
  ["plot", async () => (await import("./commands/plot.js")).registerPlot],
  ["report", async () => (await import("./commands/report.js")).registerReport],
  ["compare", async () => (await import("./commands/compare.js")).registerCompare],
  ["serve", async () => (await import("./commands/serve.js")).registerServe],
];

/** The command a command line names (its first word that is not an option), if it is one of ours. */
export function commandOf(argv: readonly string[]): string | undefined {
  const word = argv.slice(2).find((a) => !a.startsWith("-"));
  return COMMANDS.some(([name]) => name === word) ? word : undefined;
}

/** The `featurelens` program with every command registered, or only `only` (what one command line needs). */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command("featurelens")
    .description("See what an image classifier has learned.")
    .version(FEATURELENS_VERSION, "-V, --version")
    .option("--verbose", "print stack traces on errors")
    .showHelpAfterError("(add --help for usage)")
    .addHelpText("after", "\nStart with:\n  featurelens demo\n  featurelens dataset --data sample:train --grid samples.png");
  const wanted = COMMANDS.filter(([name]) => only === undefined || name === only);
  const registers = await Promise.all(wanted.map(([, load]) => load()));
  for (const register of registers) register(program);
  return program;
}

/** Runs the CLI; returns the exit code. Errors print one line (a stack only with --verbose). */
export async function main(argv: string[]): Promise<number> {
  // Only the named command is loaded; help, a version or an unknown word load them all.
  const program = await buildProgram(commandOf(argv));
  program.exitOverride();
  // The CLI decodes each image once: sharp's operation cache only costs time here (10–20% measured).
  sharp.cache(false);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander has printed it
    const verbose = argv.includes("--verbose");
    if (isUserError(err)) {
      process.stderr.write(`featurelens: error: ${err.message}\n`);
      if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
    } else {
      const e = err as Error;
      process.stderr.write(`featurelens: unexpected error: ${e?.message ?? String(err)}\n`);
      process.stderr.write(verbose && e?.stack ? `${e.stack}\n` : "(run again with --verbose for the stack trace)\n");
    }
    return 1;
  }
}

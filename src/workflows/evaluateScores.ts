import { evaluate, type Evaluation } from "../analysis/metrics/index.js";
import type { LoadOptions } from "../data/load.js";
import { writeEvaluation } from "../report/evaluation.js";
import { UsageError } from "../util/errors.js";
import { inputsFromNpy, inputsFromParquet, inputsFromRun, toProbabilities } from "./evaluateInputs.js";

/**
 * `featurelens evaluate`: every metric of saved labels and probabilities, a predictions table, or
 * a run (see evaluateInputs.ts), with the charts written to a folder when asked.
 */

export interface EvaluateScoresOptions {
  /** Exactly one source: a run, labels with probabilities, or a predictions table. */
  run?: string;
  workspace?: string;
  data?: string;
  load?: Omit<LoadOptions, "onProgress" | "onNotice">;
  labels?: string;
  probs?: string;
  predictions?: string;
  /** The scores are logits: softmax (sigmoid for one column) first. */
  logits?: boolean;
  classes?: string[];
  bins?: number;
  threshold?: number;
  topK?: number[];
  /** Folder for report.json and the charts. */
  out?: string;
  batchSize?: number;
  threads?: number;
  onProgress?: (label: string, done: number, total: number | undefined) => void;
}

export interface EvaluateScoresResult {
  evaluation: Evaluation;
  classes: string[];
  k: number;
  title: string;
  /** Files written to `out`. */
  written: string[];
}

export async function evaluateScores(o: EvaluateScoresOptions): Promise<EvaluateScoresResult> {
  const given = [o.run && "--run", (o.labels || o.probs) && "--labels/--probs", o.predictions && "--predictions"].filter(Boolean);
  if (given.length !== 1) {
    throw new UsageError(given.length ? `give one of ${given.join(", ")}, not several` : "say what to evaluate: --run RUN, --labels L.npy --probs P.npy, or --predictions P.parquet");
  }
  if (!o.run && o.data) throw new UsageError("--data goes with --run (which model to score on which images)");
  if ((o.labels || o.probs) && !(o.labels && o.probs)) throw new UsageError("--labels and --probs go together: true classes (N) and probabilities (N×K)");
  const got = o.run
    ? await inputsFromRun({
        ...(o.workspace ? { workspace: o.workspace } : {}), run: o.run, ...(o.data ? { data: o.data } : {}), ...(o.load ? { load: o.load } : {}),
        ...(o.batchSize ? { batchSize: o.batchSize } : {}), ...(o.threads ? { threads: o.threads } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      })
    : o.predictions
      ? await inputsFromParquet(o.predictions)
      : inputsFromNpy(o.labels!, o.probs!);
  const k = got.columns === 1 ? 2 : got.columns;
  const classes = o.classes ?? got.classes ?? Array.from({ length: k }, (_, i) => String(i));
  if (classes.length !== k) {
    throw new UsageError(`--classes names ${classes.length} classes but the probabilities have ${got.columns === 1 ? "one column (a binary model: 2 classes)" : `${k} columns`}`);
  }
  const probs = o.logits ? toProbabilities(got.probs, got.columns) : got.probs;
  const evaluation = evaluate(got.labels, probs, k, {
    curves: true, ...(o.bins ? { bins: o.bins } : {}), ...(o.threshold !== undefined ? { threshold: o.threshold } : {}), ...(o.topK ? { topK: o.topK } : {}),
    ...(o.onProgress ? { onProgress: (d: number, t: number) => o.onProgress!("curves", d, t) } : {}),
  });
  const written = o.out ? await writeEvaluation(o.out, evaluation, classes, got.title) : [];
  return { evaluation, classes, k, title: got.title, written };
}

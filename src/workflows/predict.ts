import { sourceIndices } from "../data/dataset.js";
import { writeNpy } from "../data/npy.js";
import type { Shard } from "../data/shard.js";
import { alignLabels, classNamesFor } from "../nn/classes.js";
import { type InferOptions, predictProbabilities } from "../nn/infer.js";
import { writePredictionsPart } from "../store/parts.js";
import { predictionsTable } from "../store/predictions.js";
import { UsageError } from "../util/errors.js";
import type { AnalyzedData } from "./analyze.js";
import { type ModelFile, outputKind, partInfo, shardImages, splitOfSpec } from "./shardedInput.js";

/**
 * `featurelens predict`: class probabilities for every image (or for shard i/n of them) as N×K
 * float32 .npy, or as a predictions table in Parquet — the columns of a run's predictions.parquet,
 * with the part's provenance in the file's metadata (store/parts.ts), so `assemble` takes it.
 */

export interface PredictFileOptions {
  opened: ModelFile;
  /** The whole dataset (after --only and --limit) and how it was chosen. */
  data: AnalyzedData;
  /** .npy or .parquet (.parquet with a shard). */
  out: string;
  /** Also write the images' labels (int32 .npy). */
  labelsOut?: string;
  /** Predict only this strided part of the dataset. */
  shard?: Shard;
  infer?: InferOptions;
}

export interface PredictFileResult {
  out: string;
  /** Images predicted (the shard's when sharded) and classes. */
  n: number;
  k: number;
  /** Labelled images among them, and how many the arg-max got right. */
  labelled: number;
  correct: number;
  shard?: Shard;
}

/** Checks the output names before any work: `--out` (.npy or .parquet; .parquet with a shard) and `--labels-out` (.npy). */
export function checkPredictOutputs(o: Pick<PredictFileOptions, "out" | "labelsOut" | "shard">): "npy" | "parquet" {
  if (o.labelsOut !== undefined && !o.labelsOut.endsWith(".npy")) throw new UsageError(`--labels-out must end in .npy, got '${o.labelsOut}'`);
  return outputKind(o.out, ["npy", "parquet"], o.shard);
}

/**
 * Predicts and writes the file; returns what was written and the accuracy's counts.
 * @example
 * await predictToFile({ opened, data: { dataset, spec: "sample:test", seed: 0 }, out: "p-1.parquet", shard: { index: 1, count: 4 } })
 * // { out: "p-1.parquet", n: 250, k: 10, labelled: 250, correct: 203, shard: { index: 1, count: 4 } }
 */
export async function predictToFile(o: PredictFileOptions): Promise<PredictFileResult> {
  const kind = checkPredictOutputs(o);
  const ds = shardImages(o.data.dataset, o.shard);
  const probs = await predictProbabilities(o.opened, ds, o.infer);
  const [n, k] = probs.dims;
  // The labels read in the model's classes: by name where the names say (a folder of 3 of its classes), else by index.
  const labels = alignLabels(ds.classes, ds.labels, classNamesFor(o.opened.model, ds, k), ds.name);
  const table = predictionsTable({ probabilities: probs.data, k, labels, index: sourceIndices(ds), split: o.data.split ?? splitOfSpec(o.data.spec) });
  if (kind === "npy") writeNpy(o.out, { dtype: "float32", shape: [n, k], data: probs.data });
  else await writePredictionsPart(o.out, table, await partInfo("predictions", o.opened, o.data, o.shard));
  if (o.labelsOut) writeNpy(o.labelsOut, { dtype: "int32", shape: [n], data: labels });
  let labelled = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    if (table.label[i] < 0) continue;
    labelled++;
    if (table.predicted[i] === table.label[i]) correct++;
  }
  return { out: o.out, n, k, labelled, correct, ...(o.shard ? { shard: o.shard } : {}) };
}

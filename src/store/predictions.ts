import { predictionColumns } from "../analysis/metrics/predictions.js";
import { writeParquet } from "./parquet.js";
import type { PredictionsTable } from "./predictionsSchema.js";
import { scanPredictions } from "./query.js";

export { PREDICTION_COLUMNS } from "./predictionsSchema.js";
export type { PredictionsTable } from "./predictionsSchema.js";

/** What `predictionsTable` is made from. */
export interface PredictionsInput {
  /** N×K row-major probabilities. */
  probabilities: Float32Array;
  k: number;
  /** N labels, −1 for unlabelled images. */
  labels: Int32Array;
  /** Each row's index in the original dataset (default 0..N−1). */
  index?: Int32Array;
  /** One split for all rows, or one per row. */
  split: string | readonly string[];
}

/**
 * A predictions table from probabilities and labels: predicted class, confidence, margin and loss
 * come from `predictionColumns` (analysis/metrics/predictions.ts).
 * @example
 * predictionsTable({ probabilities: new Float32Array([0.9, 0.1, 0.3, 0.7]), k: 2, labels: new Int32Array([0, -1]), split: "test" })
 * // { n: 2, k: 2, index: Int32Array [0, 1], split: "test", label: Int32Array [0, -1], predicted: Int32Array [0, 1],
 * //   confidence: Float32Array [0.9, 0.7], margin: Float32Array [0.8, 0.4], loss: Float32Array [0.1054, NaN], probabilities: ... }
 */
export function predictionsTable(input: PredictionsInput): PredictionsTable {
  const { probabilities, k, labels } = input;
  const n = labels.length;
  const cols = predictionColumns(probabilities, k, labels);
  const index = input.index ?? Int32Array.from({ length: n }, (_, i) => i);
  if (index.length !== n) throw new RangeError(`index has ${index.length} entries, expected one per label (${n})`);
  const split = typeof input.split === "string" ? input.split : [...input.split];
  if (typeof split !== "string" && split.length !== n) throw new RangeError(`split has ${split.length} entries, expected one per label (${n})`);
  return { n, k, index, split, label: labels, ...cols, probabilities };
}

/**
 * Writes a predictions table as Parquet with exactly the columns of PREDICTION_COLUMNS, in that order,
 * atomically (temp file, then rename); the loss of an unlabelled image is written as NULL.
 * 1,000,000 rows × 10 classes take 2–5 s (BENCHMARKS.md, "Predictions table and queries").
 * @example await writePredictions("runs/a/predictions.parquet", predictionsTable({ probabilities, k: 10, labels, split: "test" }))
 */
export async function writePredictions(path: string, table: PredictionsTable): Promise<void> {
  const { n, k } = table;
  const lengths: [string, number, number][] = [
    ["index", table.index.length, n], ["label", table.label.length, n], ["predicted", table.predicted.length, n],
    ["confidence", table.confidence.length, n], ["margin", table.margin.length, n], ["loss", table.loss.length, n],
    ["probabilities", table.probabilities.length, n * k], ["split", typeof table.split === "string" ? n : table.split.length, n],
  ];
  for (const [name, got, want] of lengths) {
    if (got !== want) throw new RangeError(`predictions table column '${name}' has ${got} values, expected ${want} (n = ${n}, k = ${k})`);
  }
  const split = typeof table.split === "string" ? new Array<string>(n).fill(table.split) : table.split;
  await writeParquet(path, n, [
    { name: "index", type: "INTEGER", values: table.index },
    { name: "split", type: "VARCHAR", values: split },
    { name: "label", type: "INTEGER", values: table.label },
    { name: "predicted", type: "INTEGER", values: table.predicted },
    { name: "confidence", type: "FLOAT", values: table.confidence },
    { name: "margin", type: "FLOAT", values: table.margin },
    { name: "loss", type: "FLOAT", values: table.loss, nanAsNull: true },
    { name: "probabilities", type: "FLOAT[]", values: table.probabilities, width: k },
  ]);
}

/**
 * Reads a predictions table: one file, or several part files (e.g. from `extract --shard i/n`) read
 * as one table, ordered by index. Throws a DataError naming the file when it is missing, lacks a
 * column or has one of the wrong type (e.g. "column 'index' is BIGINT, expected INTEGER").
 * @example
 * const t = await readPredictions(["part-0.parquet", "part-1.parquet"]) // { n: 1000000, k: 10, index: Int32Array [0, 1, ...], split: "test", ... }
 */
export async function readPredictions(pathOrPaths: string | readonly string[]): Promise<PredictionsTable> {
  return scanPredictions(typeof pathOrPaths === "string" ? [pathOrPaths] : pathOrPaths);
}

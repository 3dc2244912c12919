/**
 * The predictions table: one row per image of a run (or of one of its domains), stored as
 * `predictions.parquet`. The CLI's `export`, the server and the web app use these column names.
 */

/** The columns of `predictions.parquet`, in their order, with their DuckDB types. */
export const PREDICTION_COLUMNS = [
  { name: "index", type: "INTEGER" },
  { name: "split", type: "VARCHAR" },
  { name: "label", type: "INTEGER" },
  { name: "predicted", type: "INTEGER" },
  { name: "confidence", type: "FLOAT" },
  { name: "margin", type: "FLOAT" },
  { name: "loss", type: "FLOAT" },
  { name: "probabilities", type: "FLOAT[]" },
] as const;

/** A predictions table in memory: N rows as typed columns, `probabilities` row-major N×K. */
export interface PredictionsTable {
  n: number;
  k: number;
  /** The image's index in the original dataset (kept through --limit and subsets). */
  index: Int32Array;
  /** One split ("test", "train", "val", ...) for every row, or one per row. */
  split: string | string[];
  /** True class, −1 for an unlabelled image. */
  label: Int32Array;
  /** Arg-max class (ties: the lowest class index, as `numpy.argmax`). */
  predicted: Int32Array;
  /** Top-1 probability. */
  confidence: Float32Array;
  /** Top-1 minus top-2 probability. */
  margin: Float32Array;
  /** −ln p(label), clipped as the log-loss metric clips it; NaN (NULL in the file) when unlabelled. */
  loss: Float32Array;
  /** N×K row-major probabilities. */
  probabilities: Float32Array;
}

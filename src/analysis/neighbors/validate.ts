import { DataError, UsageError } from "../../util/errors.js";
import type { Metric, Points } from "./types.js";

/** Input checks shared by every kNN path. Browser-safe. Each throws one error naming the problem and the fix. */

const METRICS: readonly Metric[] = ["l2", "l1", "cosine"];
const SHOW_ROWS = 10;

/** Checks shape, length and finiteness of `points`; `what` names them in messages ("points", "queries"). */
export function checkPoints(points: Points, what: string): void {
  const { n, d, data } = points;
  if (!(data instanceof Float32Array)) {
    throw new DataError(`${what}.data must be a Float32Array (got ${describe(data)}); convert with Float32Array.from(values)`);
  }
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(d) || d < 1) {
    throw new DataError(`${what} must have n ≥ 1 rows and d ≥ 1 columns (got n=${n}, d=${d})`);
  }
  if (data.length !== n * d) {
    throw new DataError(`${what}.data has ${data.length} values, but n×d = ${n}×${d} = ${n * d}; pass the matching n and d`);
  }
  const bad: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let t = i * d, end = t + d; t < end; t++) {
      if (!Number.isFinite(data[t])) {
        bad.push(i);
        break;
      }
    }
  }
  if (bad.length > 0) {
    const shown = bad.slice(0, SHOW_ROWS).join(", ") + (bad.length > SHOW_ROWS ? `, … (${bad.length} rows)` : "");
    throw new DataError(`${what} contain NaN or ±Infinity in row${bad.length > 1 ? "s" : ""} ${shown}; drop or impute those rows first`);
  }
}

/** Checks that k is an integer in 1 … `available` (the number of candidate neighbours per row). */
export function checkK(k: number, available: number, what: string): void {
  if (!Number.isInteger(k) || k < 1) throw new UsageError(`k must be a positive integer (got ${k})`);
  if (available < 1) throw new DataError(`${what} has no other point to be a neighbour; it needs at least 2 rows`);
  if (k > available) {
    throw new UsageError(`k = ${k} is too large for ${what}: the largest valid k is ${available}`);
  }
}

/** Checks that queries and reference points have the same number of columns. */
export function checkSameDims(reference: Points, queries: Points): void {
  if (reference.d !== queries.d) {
    throw new DataError(
      `queries have d = ${queries.d} columns but the reference points have d = ${reference.d}; ` +
        "compute both with the same feature layer (and the same PCA, if any)",
    );
  }
}

export function checkMetric(metric: string): asserts metric is Metric {
  if (!METRICS.includes(metric as Metric)) {
    throw new UsageError(`unknown metric '${metric}' (allowed: ${METRICS.join(", ")})`);
  }
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  return (x as object).constructor?.name ?? typeof x;
}

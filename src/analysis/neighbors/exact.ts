import { knnRows, makeScratch, QUERY_TILE, rowNorms, type KernelJob } from "./kernel.js";
import type { KnnGraph, Metric, Points } from "./types.js";
import { checkK, checkMetric, checkPoints, checkSameDims } from "./validate.js";

/**
 * Exact k-nearest neighbours on one thread, by blocked brute force (every query against every
 * reference point; see kernel.ts). Browser-safe; `knn` in ./knn.ts adds worker threads and the
 * approximate path for Node.
 */

export interface ExactOptions {
  metric?: Metric;
  /** Called after each block of rows with (rows done, total rows). */
  onProgress?: (done: number, total: number) => void;
}

/** Rows between progress reports on one thread. */
export const PROGRESS_ROWS = 4 * QUERY_TILE;

/**
 * The k nearest other points of every point, exactly.
 * @example exactKnn({ n: 3, d: 1, data: new Float32Array([0, 1, 3]) }, 1).indices // Int32Array [1, 0, 1]
 */
export function exactKnn(points: Points, k: number, options: ExactOptions = {}): KnnGraph {
  const metric = options.metric ?? "l2";
  checkMetric(metric);
  checkPoints(points, "points");
  checkK(k, points.n - 1, "points");
  const job = makeJob(points, null, k, metric, allocate(points.n, k));
  runRows(job, points.n, options.onProgress);
  return { n: points.n, k, metric, indices: job.outIdx, distances: job.outDist };
}

/** The k nearest reference points of each query point, exactly (no self-exclusion). */
export function exactKnnQuery(reference: Points, queries: Points, k: number, options: ExactOptions = {}): KnnGraph {
  const metric = options.metric ?? "l2";
  checkMetric(metric);
  checkQueryInput(reference, queries, k);
  const job = makeJob(reference, queries, k, metric, allocate(queries.n, k));
  runRows(job, queries.n, options.onProgress);
  return { n: queries.n, k, metric, indices: job.outIdx, distances: job.outDist };
}

export function checkQueryInput(reference: Points, queries: Points, k: number): void {
  checkPoints(reference, "reference points");
  checkPoints(queries, "queries");
  checkSameDims(reference, queries);
  checkK(k, reference.n, "the reference points");
}

/** Output arrays for `rows` × k, optionally on shared memory (for worker threads). */
export function allocate(rows: number, k: number, shared = false): { outIdx: Int32Array; outDist: Float32Array } {
  const bytes = rows * k * 4;
  const make = () => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return { outIdx: new Int32Array(make()), outDist: new Float32Array(make()) };
}

/** A kernel job; `queries` null means the reference points query themselves (self excluded). */
export function makeJob(
  reference: Points,
  queries: Points | null,
  k: number,
  metric: Metric,
  out: { outIdx: Int32Array; outDist: Float32Array },
): KernelJob {
  const refNorms = rowNorms(reference.data, reference.n, reference.d, metric);
  const q = queries ?? reference;
  return {
    metric,
    k,
    d: reference.d,
    ref: reference.data,
    nRef: reference.n,
    refNorms,
    queries: q.data,
    queryNorms: queries ? rowNorms(q.data, q.n, q.d, metric) : refNorms,
    self: queries === null,
    ...out,
  };
}

function runRows(job: KernelJob, rows: number, onProgress?: (done: number, total: number) => void): void {
  const scratch = makeScratch(job);
  for (let s = 0; s < rows; s += PROGRESS_ROWS) {
    const e = Math.min(rows, s + PROGRESS_ROWS);
    knnRows(job, s, e, scratch);
    onProgress?.(e, rows);
  }
}

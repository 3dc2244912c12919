import { availableParallelism } from "node:os";
import type { DenseBackend } from "../dense/backend.js";
import { UsageError } from "../../util/errors.js";
import { approxKnn } from "./approx.js";
import { checkQueryInput, exactKnn, exactKnnQuery } from "../neighbors/exact.js";
import { parallelKnn } from "./knnParallel.js";
import type { KnnGraph, Metric, Points } from "../neighbors/types.js";
import { checkK, checkMetric, checkPoints } from "../neighbors/validate.js";

/** How neighbours are found: exact brute force, an HNSW graph, or chosen by problem size. */
export type KnnMethod = "auto" | "exact" | "approx";

/** Options of `knn` and `knnQuery`; defaults in KNN_DEFAULTS. */
export interface KnnOptions {
  metric?: Metric;
  /** "auto": exact unless queries × reference points × d exceeds `approxAbove` (and the metric is not l1). */
  method?: KnnMethod;
  /**
   * Exact l2 and cosine kNN by this dense backend — on Node, engine/dense's onnxruntime one, which
   * the caller passes in (workflows/dense.ts); analysis/ knows no ONNX. Without it, and always for
   * l1, the WebAssembly kernel on worker threads.
   */
  dense?: DenseBackend;
  /** Threads for both paths (worker threads for exact, native threads for approx). */
  threads?: number;
  /** Seeds the approximate index (exact results do not depend on it). */
  seed?: number;
  /**
   * Work (query rows × reference rows × d) above which "auto" switches to approximate; default
   * `approxAbove` of KNN_DEFAULTS, or its `denseApproxAbove` when a dense backend is given.
   */
  approxAbove?: number;
  /** Called with (rows done, total rows) as the exact path goes (approximate: once, at the end). */
  onProgress?: (done: number, total: number) => void;
  /** Stops the exact path's worker threads; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export const KNN_DEFAULTS = {
  metric: "l2" as Metric,
  method: "auto" as KnnMethod,
  threads: availableParallelism(),
  seed: 0,
  // ~10 s of exact search on 2 cores here (≈ 25,000 points of d = 50 against each other).
  approxAbove: 3e10,
  // With a dense backend (onnxruntime): ≈ 70,000 points of d = 50 against each other. Measured at
  // k = 90 on 2 cores (bench/knn-ort.ts; BENCHMARKS.md, "Exact kNN through onnxruntime", medians
  // of 5): exact took 7.4 s against HNSW's 10.1 s on Fashion-MNIST PCA-50 at 70,000, and 0.54×,
  // 0.60×, 0.53× of HNSW's time on clustered 50-D data at 40,000, 100,000, 150,000 (HNSW's recall
  // falling to 0.90); exact, whose recall is 1, up to 70,000 points, where HNSW was as fast in
  // other runs (6.0 s against 6.2 s), and HNSW beyond, whose time grows as N log N, not N².
  denseApproxAbove: 2.5e11,
};

/** Below this much work (rows × rows × d) one thread beats starting workers or an onnxruntime session. */
const THREADS_ABOVE = 2e8;

/**
 * The k nearest other points of every point (a point is not its own neighbour; its duplicates are).
 * @example (await knn({ n: 3, d: 1, data: new Float32Array([0, 1, 3]) }, 1)).indices // Int32Array [1, 0, 1]
 */
export async function knn(points: Points, k: number, options: KnnOptions = {}): Promise<KnnGraph> {
  const o = resolve(options);
  checkPoints(points, "points");
  checkK(k, points.n - 1, "points");
  return run(points, null, k, o);
}

/** The k nearest reference points of each query point (for placing new points, the neighbours view). */
export async function knnQuery(reference: Points, queries: Points, k: number, options: KnnOptions = {}): Promise<KnnGraph> {
  const o = resolve(options);
  checkQueryInput(reference, queries, k);
  return run(reference, queries, k, o);
}

type Resolved = Required<Omit<KnnOptions, "onProgress" | "signal" | "dense">> & Pick<KnnOptions, "onProgress" | "signal" | "dense">;

function resolve(options: KnnOptions): Resolved {
  const approxAbove = options.dense ? KNN_DEFAULTS.denseApproxAbove : KNN_DEFAULTS.approxAbove;
  const o = { ...KNN_DEFAULTS, approxAbove, ...stripUndefined(options) };
  checkMetric(o.metric);
  if (!["auto", "exact", "approx"].includes(o.method)) {
    throw new UsageError(`unknown kNN method '${o.method}' (allowed: auto, exact, approx)`);
  }
  if (!Number.isInteger(o.threads) || o.threads < 1) throw new UsageError(`threads must be a positive integer (got ${o.threads})`);
  return o;
}

/** Whether `knn()` with method "auto" and these options goes approximate for `rows` queries among `reference` points of d features. */
export function autoGoesApprox(rows: number, reference: number, d: number, options: Pick<KnnOptions, "metric" | "dense" | "approxAbove"> = {}): boolean {
  const above = options.approxAbove ?? (options.dense ? KNN_DEFAULTS.denseApproxAbove : KNN_DEFAULTS.approxAbove);
  return (options.metric ?? KNN_DEFAULTS.metric) !== "l1" && rows * reference * d > above;
}

async function run(reference: Points, queries: Points | null, k: number, o: Resolved): Promise<KnnGraph> {
  const rows = (queries ?? reference).n;
  const work = rows * reference.n * reference.d;
  const approx = o.method === "approx" || (o.method === "auto" && autoGoesApprox(rows, reference.n, reference.d, o));
  if (approx) {
    const g = approxKnn(reference, queries, k, { metric: o.metric, threads: o.threads, seed: o.seed });
    o.onProgress?.(rows, rows);
    return g;
  }
  if (o.dense && o.metric !== "l1" && work > THREADS_ABOVE) {
    return o.dense.knn({ reference, ...(queries ? { queries } : {}), k, metric: o.metric, onProgress: o.onProgress, signal: o.signal });
  }
  if (o.threads > 1 && work > THREADS_ABOVE) {
    return parallelKnn(reference, queries, k, { metric: o.metric, threads: o.threads, onProgress: o.onProgress, signal: o.signal });
  }
  o.signal?.throwIfAborted();
  const single = { metric: o.metric, onProgress: o.onProgress };
  return queries ? exactKnnQuery(reference, queries, k, single) : exactKnn(reference, k, single);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

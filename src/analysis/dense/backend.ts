import type { KnnGraph, Points } from "../neighbors/types.js";

/**
 * The dense-product seam: what analysis/ needs from a linear-algebra engine, as plain typed arrays
 * in and out. analysis/ code takes a `DenseBackend` as a parameter and never imports an engine;
 * the browser (and any caller that passes nothing) gets `jsBackend` (./jsBackend.ts), Node passes
 * the onnxruntime backend (src/engine/dense/), whose MatMul and TopK run on MLAS (AVX2/AVX-512).
 * Browser-safe: no Node and no ONNX imports here.
 */

/** A row-major float32 matrix: entry (i, j) is data[i·cols + j]. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** Options of `DenseBackend.matmul`. */
export interface MatmulOptions {
  /** Use Aᵀ in place of A (A is stored cols×rows of the product's left factor), e.g. XᵀX. */
  transA?: boolean;
  /** Use Bᵀ in place of B, e.g. A·Bᵀ for all pairwise dot products of two row sets. */
  transB?: boolean;
}

/** Metrics a dense backend answers; l1 is not a product and stays on the kNN kernel. */
export type DenseMetric = "l2" | "cosine";

/** One exact kNN problem for `DenseBackend.knn`. */
export interface DenseKnnRequest {
  /** The points searched. */
  reference: Points;
  /** The points whose neighbours are wanted; omitted: the reference points themselves, each excluding itself. */
  queries?: Points;
  k: number;
  metric: DenseMetric;
  /** Called with (query rows done, total query rows) as blocks finish. */
  onProgress?: (done: number, total: number) => void;
  /** Stops between blocks; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * A dense linear-algebra engine. Every implementation returns the same answers:
 * - `matmul`: float32 A·B (with optional transposes); backends sum in different orders and
 *   precisions, so they agree to float32 rounding, not bit for bit.
 * - `knn`: the exact k nearest neighbours, as `KnnGraph` (nearest first, ties to the lower index,
 *   distances Euclidean — not squared — or 1 − cosine similarity, recomputed in float64), bit-equal
 *   across backends and runs.
 */
export interface DenseBackend {
  /** For messages and benchmarks: "js", "onnxruntime". */
  readonly name: string;
  /** C = op(A)·op(B) where op is identity or transpose; throws RangeError when inner sizes differ. */
  matmul(a: Matrix, b: Matrix, options?: MatmulOptions): Promise<Matrix>;
  /** Exact kNN, blocked; see DenseKnnRequest. Input errors are FeaturelensErrors naming the fix. */
  knn(request: DenseKnnRequest): Promise<KnnGraph>;
}

/** The shape of op(A)·op(B): [rows, inner, cols]; throws RangeError when the inner sizes differ. */
export function productShape(a: Matrix, b: Matrix, options: MatmulOptions = {}): [number, number, number] {
  const [m, ka] = options.transA ? [a.cols, a.rows] : [a.rows, a.cols];
  const [kb, n] = options.transB ? [b.cols, b.rows] : [b.rows, b.cols];
  if (ka !== kb) {
    throw new RangeError(`matmul: inner sizes differ (${m}×${ka} times ${kb}×${n}, transA=${!!options.transA}, transB=${!!options.transB})`);
  }
  for (const [x, what] of [[a, "a"], [b, "b"]] as const) {
    if (x.data.length !== x.rows * x.cols) throw new RangeError(`matmul: ${what}.data has ${x.data.length} values, expected ${x.rows}×${x.cols}`);
  }
  return [m, ka, n];
}

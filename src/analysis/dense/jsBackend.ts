import { exactKnn, exactKnnQuery } from "../neighbors/exact.js";
import type { KnnGraph } from "../neighbors/types.js";
import { productShape, type DenseBackend, type DenseKnnRequest, type Matrix, type MatmulOptions } from "./backend.js";

/**
 * The JavaScript dense backend: matmul as a blocked triple loop (float64 accumulation, rounded to
 * float32 once), kNN on the WebAssembly SIMD kernel of ../neighbors/. Runs anywhere, on one thread;
 * the browser uses it, and analysis/ code falls back to it when no backend is passed.
 * @example (await jsBackend.matmul({ rows: 1, cols: 2, data: new Float32Array([1, 2]) }, { rows: 2, cols: 1, data: new Float32Array([3, 4]) })).data // Float32Array [11]
 */
export const jsBackend: DenseBackend = {
  name: "js",
  matmul: async (a, b, options) => matmulJs(a, b, options),
  knn: async (request) => knnJs(request),
};

/** Rows of op(B) per block, so a block of B stays in cache while every row of A passes it. */
const B_BLOCK = 256;

/** C = op(A)·op(B), synchronously. */
export function matmulJs(a: Matrix, b: Matrix, options: MatmulOptions = {}): Matrix {
  const [m, kk, n] = productShape(a, b, options);
  // Work on row-major op(A) (m×kk) and op(B)ᵀ (n×kk), so every entry is one contiguous dot product.
  const at = options.transA ? transpose(a) : a.data;
  const bt = options.transB ? b.data : transpose(b);
  const out = new Float32Array(m * n);
  for (let j0 = 0; j0 < n; j0 += B_BLOCK) {
    const j1 = Math.min(n, j0 + B_BLOCK);
    for (let i = 0; i < m; i++) {
      const p = i * kk;
      for (let j = j0; j < j1; j++) {
        const q = j * kk;
        let s = 0;
        for (let t = 0; t < kk; t++) s += at[p + t] * bt[q + t];
        out[i * n + j] = s;
      }
    }
  }
  return { rows: m, cols: n, data: out };
}

function transpose(x: Matrix): Float32Array {
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) out[j * x.rows + i] = x.data[i * x.cols + j];
  return out;
}

function knnJs(r: DenseKnnRequest): KnnGraph {
  r.signal?.throwIfAborted();
  const options = { metric: r.metric, onProgress: r.onProgress };
  return r.queries ? exactKnnQuery(r.reference, r.queries, r.k, options) : exactKnn(r.reference, r.k, options);
}

/**
 * PCA with its passes over the data run as dense products by a {@link DenseBackend} (browser-safe:
 * the backend is passed in; on Node, engine/dense's onnxruntime backend runs them as Gemm graphs on
 * MLAS, with AVX2/AVX-512, where the WebAssembly kernel of passes.ts has 4 float32 lanes). The
 * solvers and their steps are those of `pca()` (steps.ts); only the passes differ: the data are
 * centred block by block into float32 (rows, or for the N×N Gram matrix features), each block's
 * product is one backend matmul, and blocks' products are summed in float64. The result equals
 * `pca()`'s up to float32 rounding (components within 1e-4 up to sign where the eigenvalues are
 * apart; tested in dense.test.ts).
 */
import type { DenseBackend, Matrix } from "../../dense/backend.js";
import type { Points } from "../../neighbors/types.js";
import type { PcaModel, PcaOptions } from "./options.js";
import type { Pass } from "./passes.js";
import { pcaSteps } from "./steps.js";

/** Values per block of centred rows handed to the backend (16 MB of float32): big enough for its kernels. */
const BLOCK_VALUES = 2 ** 22;
/**
 * Up to this many values (1 GiB of float32) the data are centred once, into one float32 copy that
 * every pass reads (JavaScript passes over the data cost more than the products); above it, block
 * by block into one reused buffer.
 */
const CENTRE_ONCE_VALUES = 2 ** 28;

/** Options of {@link pcaDense} beyond PCA's own. */
export interface PcaDenseOptions extends PcaOptions {
  /** Values per block of centred data (default 2²², 16 MB of float32); tests make it small. */
  blockValues?: number;
  /** Centre the data once into a float32 copy up to this many values (default 2²⁸); tests make it 0. */
  centreOnceValues?: number;
}

/**
 * PCA as `pca()`, its products computed by `backend`.
 * @example await pcaDense(points, { components: 50 }, jsBackend) // { model, projected } as pca(points, { components: 50 })
 */
export async function pcaDense(points: Points, options: PcaDenseOptions, backend: DenseBackend): Promise<{ model: PcaModel; projected: Points }> {
  const blockValues = options.blockValues ?? BLOCK_VALUES;
  const once = points.n * points.d <= (options.centreOnceValues ?? CENTRE_ONCE_VALUES);
  const steps = pcaSteps(points, options);
  let centred: RowSource | undefined; // every pass of one fit centres on the same mean
  let step = steps.next();
  while (!step.done) {
    centred ??= rowSource(points, step.value.mean, once);
    step = steps.next(await densePass(points, step.value, backend, blockValues, centred));
  }
  const { model, projections } = step.value;
  return { model, projected: { n: points.n, d: model.components, data: Float32Array.from(projections) } };
}

/** One pass (see passes.ts for what each kind returns) as backend products. @internal */
export async function densePass(points: Points, pass: Pass, backend: DenseBackend, blockValues = BLOCK_VALUES, centred = rowSource(points, pass.mean, false)): Promise<Float64Array> {
  const { n, d } = points;
  if (pass.kind === "gram" && n < d) return gramByFeatures(points, pass.mean, backend, blockValues);
  const rows = Math.max(1, Math.min(n, Math.floor(blockValues / d)));
  const length = pass.kind === "gram" ? d * d : pass.kind === "timesXt" ? pass.l * d : pass.l * n;
  const out = new Float64Array(length);
  const v = pass.kind === "gram" ? null : toFloat32(pass.v, pass.l, pass.kind === "timesXt" ? n : d);
  for (let r0 = 0; r0 < n; r0 += rows) {
    const r1 = Math.min(n, r0 + rows);
    const block = centred(r0, r1);
    if (pass.kind === "gram") {
      addInto(out, 0, await backend.matmul(block, block, { transA: true })); // Xcᵀ·Xc
    } else if (pass.kind === "timesX") {
      // (Xc·Vᵀ)ᵀ as l vectors of length N: V (l×D) · blockᵀ = l × rows.
      const c = await backend.matmul(v!, block, { transB: true });
      for (let i = 0; i < pass.l; i++) for (let r = 0; r < r1 - r0; r++) out[i * n + r0 + r] = c.data[i * (r1 - r0) + r];
    } else if (pass.kind === "timesXt") {
      // Xcᵀ·Y summed over blocks: Y's block (l × rows) · block (rows × D).
      const y = new Float32Array(pass.l * (r1 - r0));
      for (let i = 0; i < pass.l; i++) for (let r = r0; r < r1; r++) y[i * (r1 - r0) + r - r0] = pass.v[i * n + r];
      addInto(out, 0, await backend.matmul({ rows: pass.l, cols: r1 - r0, data: y }, block));
    } else {
      const c = await backend.matmul(block, v!, { transB: true }); // rows × l
      for (let t = 0; t < c.data.length; t++) out[r0 * pass.l + t] = c.data[t];
    }
  }
  return out;
}

/** Xc·Xcᵀ (N×N) summed over blocks of features, each block N × w. */
async function gramByFeatures(points: Points, mean: Float64Array, backend: DenseBackend, blockValues: number): Promise<Float64Array> {
  const { n, d, data } = points;
  const w = Math.max(1, Math.min(d, Math.floor(blockValues / n)));
  const out = new Float64Array(n * n);
  for (let c0 = 0; c0 < d; c0 += w) {
    const c1 = Math.min(d, c0 + w);
    const block = new Float32Array(n * (c1 - c0));
    for (let r = 0; r < n; r++) for (let j = c0; j < c1; j++) block[r * (c1 - c0) + j - c0] = data[r * d + j] - mean[j];
    const m = { rows: n, cols: c1 - c0, data: block };
    addInto(out, 0, await backend.matmul(m, m, { transB: true }));
  }
  return out;
}

/** Rows r0..r1 of the data less the mean, as a float32 matrix (valid until the next call). */
type RowSource = (r0: number, r1: number) => Matrix;

/** Centred rows: views of one centred copy of all the data (`once`), or blocks centred on demand into one buffer. */
function rowSource(points: Points, mean: Float64Array, once: boolean): RowSource {
  const { n, d } = points;
  if (once) {
    const all = new Float32Array(n * d);
    centre(points, mean, 0, n, all);
    return (r0, r1) => ({ rows: r1 - r0, cols: d, data: all.subarray(r0 * d, r1 * d) });
  }
  let buffer = new Float32Array(0);
  return (r0, r1) => {
    if (buffer.length < (r1 - r0) * d) buffer = new Float32Array((r1 - r0) * d);
    const block = buffer.subarray(0, (r1 - r0) * d);
    centre(points, mean, r0, r1, block);
    return { rows: r1 - r0, cols: d, data: block };
  };
}

function centre(points: Points, mean: Float64Array, r0: number, r1: number, out: Float32Array): void {
  const { d, data } = points;
  for (let r = r0; r < r1; r++) {
    const o = r * d;
    const b = (r - r0) * d;
    for (let j = 0; j < d; j++) out[b + j] = data[o + j] - mean[j];
  }
}

function toFloat32(v: Float64Array, rows: number, cols: number): Matrix {
  return { rows, cols, data: Float32Array.from(v.subarray(0, rows * cols)) };
}

function addInto(out: Float64Array, off: number, c: Matrix): void {
  const src = c.data;
  for (let i = 0; i < src.length; i++) out[off + i] += src[i];
}

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

/** Options of {@link pcaDense} beyond PCA's own. */
export interface PcaDenseOptions extends PcaOptions {
  /** Values per block of centred data (default 2²², 16 MB of float32); tests make it small. */
  blockValues?: number;
}

/**
 * From this many features on, the centred data are held in two column panels [X₁ X₂], so that the
 * D×D Gram matrix is three products (X₁ᵀX₁, X₁ᵀX₂, X₂ᵀX₂: its upper triangle) instead of one
 * with both triangles: 3/4 of the multiply-adds.
 */
const PANELS_FROM = 256;

/**
 * PCA as `pca()`, its products computed by `backend`.
 * @example await pcaDense(points, { components: 50 }, jsBackend) // { model, projected } as pca(points, { components: 50 })
 */
export async function pcaDense(points: Points, options: PcaDenseOptions, backend: DenseBackend): Promise<{ model: PcaModel; projected: Points }> {
  const blockValues = options.blockValues ?? BLOCK_VALUES;
  const steps = pcaSteps(points, options);
  let centred: RowSource | undefined; // every pass of one fit centres on the same mean
  let step = steps.next();
  while (!step.done) {
    centred ??= rowSource(points, step.value.mean);
    step = steps.next(await densePass(points, step.value, backend, blockValues, centred));
  }
  const { model, projections } = step.value;
  return { model, projected: { n: points.n, d: model.components, data: Float32Array.from(projections) } };
}

/** One pass (see passes.ts for what each kind returns) as backend products. @internal */
export async function densePass(points: Points, pass: Pass, backend: DenseBackend, blockValues = BLOCK_VALUES, centred = rowSource(points, pass.mean)): Promise<Float64Array> {
  const { n, d } = points;
  if (pass.kind === "gram" && n < d) return gramByFeatures(points, pass.mean, backend, blockValues);
  const rows = Math.max(1, Math.min(n, Math.floor(blockValues / d)));
  const length = pass.kind === "gram" ? d * d : pass.kind === "timesXt" ? pass.l * d : pass.l * n;
  const out = new Float64Array(length);
  const panels = panelsOf(d);
  // V's columns of each panel (l × width), for the passes with l vectors of length D.
  const vs = pass.kind === "timesX" || pass.kind === "project" ? panels.map((p) => columns(pass.v, pass.l, d, p)) : [];
  for (let r0 = 0; r0 < n; r0 += rows) {
    const r1 = Math.min(n, r0 + rows);
    const block = centred(r0, r1); // one rows × width matrix per panel
    if (pass.kind === "gram") {
      // Xcᵀ·Xc, its upper triangle of panels (solvers.ts symmetrizes from the upper triangle).
      for (let p = 0; p < panels.length; p++) {
        for (let q = p; q < panels.length; q++) addBlock(out, d, panels[p].start, panels[q].start, await backend.matmul(block[p], block[q], { transA: true }));
      }
    } else if (pass.kind === "timesX") {
      // (Xc·Vᵀ)ᵀ as l vectors of length N: Σ over panels of V_p (l × w) · block_pᵀ = l × rows.
      const c = await sumOver(panels.length, (p) => backend.matmul(vs[p], block[p], { transB: true }));
      for (let i = 0; i < pass.l; i++) for (let r = 0; r < r1 - r0; r++) out[i * n + r0 + r] = c[i * (r1 - r0) + r];
    } else if (pass.kind === "timesXt") {
      // Xcᵀ·Y summed over blocks: Y's block (l × rows) · block_p (rows × w), panel by panel.
      const y = new Float32Array(pass.l * (r1 - r0));
      for (let i = 0; i < pass.l; i++) for (let r = r0; r < r1; r++) y[i * (r1 - r0) + r - r0] = pass.v[i * n + r];
      for (let p = 0; p < panels.length; p++) addBlock(out, d, 0, panels[p].start, await backend.matmul({ rows: pass.l, cols: r1 - r0, data: y }, block[p]));
    } else {
      const c = await sumOver(panels.length, (p) => backend.matmul(block[p], vs[p], { transB: true })); // rows × l
      out.set(c, r0 * pass.l);
    }
  }
  return out;
}

/** The column panels of D features: one, or two halves from PANELS_FROM features on. */
function panelsOf(d: number): { start: number; width: number }[] {
  if (d < PANELS_FROM) return [{ start: 0, width: d }];
  const half = Math.ceil(d / 2);
  return [{ start: 0, width: half }, { start: half, width: d - half }];
}

/** Columns [start, start + width) of l row-major vectors of length d, as float32 (l × width). */
function columns(v: Float64Array, l: number, d: number, panel: { start: number; width: number }): Matrix {
  const { start, width } = panel;
  const out = new Float32Array(l * width);
  for (let i = 0; i < l; i++) for (let j = 0; j < width; j++) out[i * width + j] = v[i * d + start + j];
  return { rows: l, cols: width, data: out };
}

/** The sum of `count` products, in float64. */
async function sumOver(count: number, product: (p: number) => Promise<Matrix>): Promise<Float64Array> {
  let sum: Float64Array | undefined;
  for (let p = 0; p < count; p++) {
    const c = (await product(p)).data;
    sum ??= new Float64Array(c.length);
    for (let i = 0; i < c.length; i++) sum[i] += c[i];
  }
  return sum!;
}

/** out[(r0 + i)·stride + c0 + j] += c[i, j]. */
function addBlock(out: Float64Array, stride: number, r0: number, c0: number, c: Matrix): void {
  for (let i = 0; i < c.rows; i++) {
    const o = (r0 + i) * stride + c0;
    const s = i * c.cols;
    for (let j = 0; j < c.cols; j++) out[o + j] += c.data[s + j];
  }
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

/** Rows r0..r1 of the data less the mean: one float32 matrix per column panel (valid until the next call). */
type RowSource = (r0: number, r1: number) => Matrix[];

/**
 * Centred rows in panels, each block centred on demand into one reused buffer per panel. Not one
 * centred copy of all the data that every pass reads: on the 2-core VM of BENCHMARKS.md the first
 * touch of fresh memory costs ~2.7 ms a MB (page faults), so a 220 MB copy took 0.6 s where
 * centring each block again for each pass takes 0.09 s a pass (PCA-50 of 70,000 × 784: 2.4 s →
 * 1.4 s in a fresh process).
 */
function rowSource(points: Points, mean: Float64Array): RowSource {
  const panels = panelsOf(points.d);
  const buffers = panels.map(() => new Float32Array(0));
  return (r0, r1) =>
    panels.map((p, t) => {
      if (buffers[t].length < (r1 - r0) * p.width) buffers[t] = new Float32Array((r1 - r0) * p.width);
      return { rows: r1 - r0, cols: p.width, data: centre(points, mean, r0, r1, p, buffers[t].subarray(0, (r1 - r0) * p.width)) };
    });
}

/** Columns of `panel` of rows r0..r1, less the mean, into `out` (rows × width); returns `out`. */
function centre(points: Points, mean: Float64Array, r0: number, r1: number, panel: { start: number; width: number }, out: Float32Array): Float32Array {
  const { d, data } = points;
  const { start, width } = panel;
  for (let r = r0; r < r1; r++) {
    const o = r * d + start;
    const b = (r - r0) * width;
    for (let j = 0; j < width; j++) out[b + j] = data[o + j] - mean[start + j];
  }
  return out;
}

function addInto(out: Float64Array, off: number, c: Matrix): void {
  const src = c.data;
  for (let i = 0; i < src.length; i++) out[off + i] += src[i];
}

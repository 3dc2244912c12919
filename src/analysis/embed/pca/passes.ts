/**
 * PCA's passes over the data (browser-safe): the column means and total variance, and the products
 * with the centred data that the solvers (solvers.ts) ask for as `Pass`es. Each pass splits into
 * independent units (blocks of rows, or of features for the N×N Gram matrix) so that threads can
 * share it (analysis/node/pcaThreads.ts); the hot loop is the dot-product kernel of pcaKernel.ts.
 */
import type { Points } from "../../neighbors/types.js";
import { workspace } from "../pcaKernel.js";

/** Rows per block when streaming over the data (a block of 784 features is ~800 KB in float64). */
const BLOCK_ROWS = 128;

/** Per-feature means (float64). @internal */
export function columnMeans(points: Points): Float64Array {
  const { n, d, data } = points;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) mean[j] += data[o + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  return mean;
}


/** Σ over all values of (x − mean)² — N − 1 times the total variance. */
export function sumOfSquares(points: Points, mean: Float64Array): number {
  const { n, d, data } = points;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const v = data[o + j] - mean[j];
      total += v * v;
    }
  }
  return total;
}


/** Rows r0..r1 centred into `out` from `off`, row-major with row stride `stride`. */
function centreRows(points: Points, mean: Float64Array, r0: number, r1: number, out: Float64Array, off: number, stride: number): void {
  const { d, data } = points;
  for (let r = r0; r < r1; r++) {
    const base = r * d;
    const o = off + (r - r0) * stride;
    for (let j = 0; j < d; j++) out[o + j] = data[base + j] - mean[j];
  }
}

/** Rows r0..r1 centred and transposed into `out` from `off`: D vectors of stride `stride`. */
function centreRowsTransposed(points: Points, mean: Float64Array, r0: number, r1: number, out: Float64Array, off: number, stride: number): void {
  const { d, data } = points;
  for (let r = r0; r < r1; r++) {
    const base = r * d;
    const o = off + r - r0;
    for (let j = 0; j < d; j++) out[o + j * stride] = data[base + j] - mean[j];
  }
  if ((r1 - r0) % 2 === 1 && r1 - r0 < stride) for (let j = 0; j < d; j++) out[off + j * stride + r1 - r0] = 0; // the SIMD kernel reads pairs
}


/** x rounded up to an even number (the SIMD kernel reads pairs of doubles). @internal */
export const even = (x: number): number => x + (x & 1);

/**
 * One pass over the data, as the solvers ask for it; a pass splits into independent units (blocks
 * of rows, or of features for the N×N Gram matrix) so that threads can share it (pcaThreads.ts).
 * - gram: Xcᵀ·Xc (D×D, N ≥ D) or Xc·Xcᵀ (N×N), upper triangle; units add up.
 * - timesX: Xc·V for V l vectors of length D → l vectors of length N; each unit writes its rows.
 * - timesXt: Xcᵀ·V for V l vectors of length N → l vectors of length D; units add up.
 * - project: Xc·Vᵀ for V l vectors of length D → row-major N×l; each unit writes its rows.
 * @internal
 */
export type Pass = { kind: "gram"; mean: Float64Array; mixed: boolean } | { kind: "timesX" | "timesXt" | "project"; mean: Float64Array; v: Float64Array; l: number };

/** Units of a pass, its output length, and whether the units' outputs add up. @internal */
export function passShape(points: Points, pass: Pass): { units: number; length: number; summed: boolean } {
  const { n, d } = points;
  const blocks = Math.ceil(n / BLOCK_ROWS);
  if (pass.kind === "gram") {
    return n >= d ? { units: blocks, length: d * d, summed: true } : { units: Math.ceil(d / featureChunk(n, d)), length: n * n, summed: true };
  }
  const length = pass.kind === "timesXt" ? pass.l * d : pass.l * n;
  return { units: blocks, length, summed: pass.kind === "timesXt" };
}

/**
 * Runs the units that `next()` hands out (until it returns one ≥ the pass's units) into `out`:
 * added to for passes whose units add up, else written row by row. @internal
 */
export function runPass(points: Points, pass: Pass, out: Float64Array, next: () => number): void {
  if (pass.kind === "gram" && points.n >= points.d) gramByRows(points, pass.mean, pass.mixed, out, next);
  else if (pass.kind === "gram") gramByFeatures(points, pass.mean, out, next);
  else if (pass.kind === "timesX") timesX(points, pass.mean, pass.v, pass.l, out, next);
  else if (pass.kind === "timesXt") timesXt(points, pass.mean, pass.v, pass.l, out, next);
  else project(points, pass.mean, pass.v, pass.l, out, next);
}


/** A pass on this thread. */
export function runHere(points: Points, pass: Pass): Float64Array {
  const out = new Float64Array(passShape(points, pass).length);
  let unit = 0;
  runPass(points, pass, out, () => unit++);
  return out;
}

/** Features per unit of the N×N Gram matrix: at most ~16 MB of centred values at a time. */
function featureChunk(n: number, d: number): number {
  return Math.min(even(d), Math.max(2, Math.floor(2 ** 21 / n) & ~1));
}

function addInto(out: Float64Array, from: Float64Array, off: number): void {
  for (let i = 0; i < out.length; i++) out[i] += from[off + i];
}

function gramByRows(points: Points, mean: Float64Array, mixed: boolean, out: Float64Array, next: () => number): void {
  const { n, d } = points;
  const b = BLOCK_ROWS;
  const units = Math.ceil(n / b);
  const ws = workspace(d * b + d * d);
  const gOff = d * b;
  if (mixed && ws.f32 !== null) {
    const f32 = ws.f32;
    const gOff32 = (d * b) / 2; // float32 block, then the float64 Gram matrix
    for (let u = next(); u < units; u = next()) {
      const [r0, r1] = [u * b, Math.min(n, u * b + b)];
      const { data } = points;
      for (let r = r0; r < r1; r++) {
        const base = r * d;
        for (let j = 0; j < d; j++) f32[j * b + r - r0] = data[base + j] - mean[j];
      }
      const len = (r1 - r0 + 3) & ~3;
      for (let j = 0; j < d; j++) f32.fill(0, j * b + r1 - r0, j * b + len);
      ws.dots32(0, b, d, 0, b, d, len, gOff32, d, true);
    }
    addInto(out, ws.f64, gOff32);
    return;
  }
  for (let u = next(); u < units; u = next()) {
    const [r0, r1] = [u * b, Math.min(n, u * b + b)];
    centreRowsTransposed(points, mean, r0, r1, ws.f64, 0, b);
    ws.dots(0, b, d, 0, b, d, even(r1 - r0), gOff, d, true);
  }
  addInto(out, ws.f64, gOff);
}

function gramByFeatures(points: Points, mean: Float64Array, out: Float64Array, next: () => number): void {
  const { n, d, data } = points;
  const w = featureChunk(n, d);
  const units = Math.ceil(d / w);
  const ws = workspace(n * w + n * n);
  const gOff = n * w;
  for (let u = next(); u < units; u = next()) {
    const [c0, c1] = [u * w, Math.min(d, u * w + w)];
    for (let r = 0; r < n; r++) {
      for (let j = c0; j < c1; j++) ws.f64[r * w + j - c0] = data[r * d + j] - mean[j];
      if (c1 - c0 < w) ws.f64[r * w + c1 - c0] = 0;
    }
    ws.dots(0, w, n, 0, w, n, even(c1 - c0), gOff, n, true);
  }
  addInto(out, ws.f64, gOff);
}


function timesX(points: Points, mean: Float64Array, kv: Float64Array, l: number, out: Float64Array, next: () => number): void {
  const { n, d } = points;
  const dp = even(d);
  const b = BLOCK_ROWS;
  const units = Math.ceil(n / b);
  const ws = workspace(l * dp + b * dp + l * b);
  const [blockOff, outOff] = [l * dp, l * dp + b * dp];
  for (let c = 0; c < l; c++) ws.f64.set(kv.subarray(c * d, c * d + d), c * dp);
  for (let u = next(); u < units; u = next()) {
    const [r0, r1] = [u * b, Math.min(n, u * b + b)];
    centreRows(points, mean, r0, r1, ws.f64, blockOff, dp);
    ws.f64.fill(0, outOff, outOff + l * b);
    ws.dots(0, dp, l, blockOff, dp, r1 - r0, dp, outOff, b, false);
    for (let c = 0; c < l; c++) out.set(ws.f64.subarray(outOff + c * b, outOff + c * b + r1 - r0), c * n + r0);
  }
}

function timesXt(points: Points, mean: Float64Array, yv: Float64Array, l: number, out: Float64Array, next: () => number): void {
  const { n, d } = points;
  const b = BLOCK_ROWS;
  const units = Math.ceil(n / b);
  const ws = workspace(l * b + d * b + l * d);
  const [blockOff, outOff] = [l * b, l * b + d * b];
  for (let u = next(); u < units; u = next()) {
    const [r0, r1] = [u * b, Math.min(n, u * b + b)];
    for (let c = 0; c < l; c++) {
      ws.f64.set(yv.subarray(c * n + r0, c * n + r1), c * b);
      if (r1 - r0 < b) ws.f64[c * b + r1 - r0] = 0;
    }
    centreRowsTransposed(points, mean, r0, r1, ws.f64, blockOff, b);
    ws.dots(0, b, l, blockOff, b, d, even(r1 - r0), outOff, d, false);
  }
  addInto(out, ws.f64, outOff);
}

function project(points: Points, mean: Float64Array, basis: Float64Array, k: number, out: Float64Array, next: () => number): void {
  const { n, d } = points;
  const dp = even(d);
  const b = BLOCK_ROWS;
  const units = Math.ceil(n / b);
  const ws = workspace(k * dp + b * dp + b * k);
  const [blockOff, outOff] = [k * dp, k * dp + b * dp];
  for (let c = 0; c < k; c++) ws.f64.set(basis.subarray(c * d, c * d + d), c * dp);
  for (let u = next(); u < units; u = next()) {
    const [r0, r1] = [u * b, Math.min(n, u * b + b)];
    centreRows(points, mean, r0, r1, ws.f64, blockOff, dp);
    ws.f64.fill(0, outOff, outOff + b * k);
    ws.dots(blockOff, dp, r1 - r0, 0, dp, k, dp, outOff, k, false);
    out.set(ws.f64.subarray(outOff, outOff + (r1 - r0) * k), r0 * k);
  }
}


/** Steps of the solvers: each yields the passes it needs and receives their outputs. */
export type Steps<T> = Generator<Pass, T, Float64Array>;

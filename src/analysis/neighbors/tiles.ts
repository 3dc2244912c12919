/**
 * Tile kernels: all pairwise dot products (or L1 distances) between a block of query rows and a
 * block of reference rows, written to `out[i·nb + j]`. A 2×4 register micro-tile reuses each loaded
 * value 2–4 times, which is what makes blocking pay in scalar JavaScript (the same idea as
 * Goto & van de Geijn 2008, "Anatomy of high-performance matrix multiplication", §4, without SIMD).
 * Every entry sums over the d columns in the same order whichever path computes it, so results do
 * not depend on how rows are split into tiles or threads. Browser-safe.
 */

/** out[i·nb + j] = a_{a0+i} · b_{b0+j} for i < na, j < nb; rows have d columns. */
export function dotTile(a: Float32Array, a0: number, na: number, b: Float32Array, b0: number, nb: number, d: number, out: Float64Array): void {
  const nb4 = nb - (nb % 4);
  let i = 0;
  for (; i + 1 < na; i += 2) {
    const p0 = (a0 + i) * d;
    const p1 = p0 + d;
    const o0 = i * nb;
    const o1 = o0 + nb;
    let j = 0;
    for (; j < nb4; j += 4) {
      const q0 = (b0 + j) * d;
      const q1 = q0 + d;
      const q2 = q1 + d;
      const q3 = q2 + d;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let t = 0; t < d; t++) {
        const x0 = a[p0 + t];
        const x1 = a[p1 + t];
        const y0 = b[q0 + t];
        const y1 = b[q1 + t];
        const y2 = b[q2 + t];
        const y3 = b[q3 + t];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      out[o0 + j] = s00; out[o0 + j + 1] = s01; out[o0 + j + 2] = s02; out[o0 + j + 3] = s03;
      out[o1 + j] = s10; out[o1 + j + 1] = s11; out[o1 + j + 2] = s12; out[o1 + j + 3] = s13;
    }
    for (; j < nb; j++) {
      out[o0 + j] = dot(a, p0, b, (b0 + j) * d, d);
      out[o1 + j] = dot(a, p1, b, (b0 + j) * d, d);
    }
  }
  for (; i < na; i++) {
    for (let j = 0; j < nb; j++) out[i * nb + j] = dot(a, (a0 + i) * d, b, (b0 + j) * d, d);
  }
}

/** out[i·nb + j] = Σ_t |a_{a0+i,t} − b_{b0+j,t}|, with the same 2×4 micro-tile as dotTile. */
export function l1Tile(a: Float32Array, a0: number, na: number, b: Float32Array, b0: number, nb: number, d: number, out: Float64Array): void {
  const nb4 = nb - (nb % 4);
  let i = 0;
  for (; i + 1 < na; i += 2) {
    const p0 = (a0 + i) * d;
    const p1 = p0 + d;
    const o0 = i * nb;
    const o1 = o0 + nb;
    let j = 0;
    for (; j < nb4; j += 4) {
      const q0 = (b0 + j) * d;
      const q1 = q0 + d;
      const q2 = q1 + d;
      const q3 = q2 + d;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let t = 0; t < d; t++) {
        const x0 = a[p0 + t];
        const x1 = a[p1 + t];
        const y0 = b[q0 + t];
        const y1 = b[q1 + t];
        const y2 = b[q2 + t];
        const y3 = b[q3 + t];
        s00 += Math.abs(x0 - y0); s01 += Math.abs(x0 - y1); s02 += Math.abs(x0 - y2); s03 += Math.abs(x0 - y3);
        s10 += Math.abs(x1 - y0); s11 += Math.abs(x1 - y1); s12 += Math.abs(x1 - y2); s13 += Math.abs(x1 - y3);
      }
      out[o0 + j] = s00; out[o0 + j + 1] = s01; out[o0 + j + 2] = s02; out[o0 + j + 3] = s03;
      out[o1 + j] = s10; out[o1 + j + 1] = s11; out[o1 + j + 2] = s12; out[o1 + j + 3] = s13;
    }
    for (; j < nb; j++) {
      out[o0 + j] = l1(a, p0, b, (b0 + j) * d, d);
      out[o1 + j] = l1(a, p1, b, (b0 + j) * d, d);
    }
  }
  for (; i < na; i++) {
    for (let j = 0; j < nb; j++) out[i * nb + j] = l1(a, (a0 + i) * d, b, (b0 + j) * d, d);
  }
}

import type { Metric } from "./types.js";

/**
 * The exact kNN's distance between row a[p … p+d) and row b[q … q+d), in float64 with the sums in
 * coordinate order: l2 √Σ(a − b)², l1 Σ|a − b|, cosine 1 − a·b·aInv·bInv clamped to [0, 2] (aInv,
 * bInv: inverse norms, 0 for a zero row). Every path that reports exact distances measures with it.
 */
export function pairDistance(metric: Metric, a: Float32Array, p: number, b: Float32Array, q: number, d: number, aInv = 0, bInv = 0): number {
  if (metric === "l2") return Math.sqrt(sqL2(a, p, b, q, d));
  if (metric === "l1") return l1(a, p, b, q, d);
  return cosineDistance(dot(a, p, b, q, d), aInv, bInv);
}

/** 1 − a·b·aInv·bInv clamped to [0, 2], from the dot product a·b (see pairDistance). */
export function cosineDistance(dotProduct: number, aInv: number, bInv: number): number {
  return Math.min(2, Math.max(0, 1 - dotProduct * aInv * bInv));
}

/** a[p … p+d) · b[q … q+d). */
export function dot(a: Float32Array, p: number, b: Float32Array, q: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) s += a[p + t] * b[q + t];
  return s;
}

/** Σ_t |a[p+t] − b[q+t]|. */
export function l1(a: Float32Array, p: number, b: Float32Array, q: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) s += Math.abs(a[p + t] - b[q + t]);
  return s;
}

/** Σ_t (a[p+t] − b[q+t])², computed directly (no cancellation). */
export function sqL2(a: Float32Array, p: number, b: Float32Array, q: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const z = a[p + t] - b[q + t];
    s += z * z;
  }
  return s;
}

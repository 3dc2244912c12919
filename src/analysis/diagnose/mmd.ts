/**
 * The maximum mean discrepancy between two samples of feature vectors (Gretton et al. 2012, "A
 * Kernel Two-Sample Test", JMLR 13): the unbiased estimate MMD²_u (their eq. 3) with a Gaussian
 * kernel whose width is the median distance between the pooled points (their §8), and a
 * permutation test of "both samples come from one distribution". Browser-safe, plain typed arrays.
 *
 * Cost: the (m + n)² kernel matrix once (float32, 64 MB at 2,000 + 2,000 points), then each
 * permutation sums the smaller sample's block only — O(min(m, n)²) — using the kernel matrix's row
 * sums for the rest.
 */
import { DataError } from "../../util/errors.js";
import { createRng } from "../../util/rng.js";
import type { Points } from "../neighbors/types.js";

/** 200 permutations put the smallest possible p-value at 1/201 ≈ 0.005. */
export const MMD_DEFAULTS = { permutations: 200, seed: 0 } as const;

export interface MmdOptions {
  /** Permutations of the pooled sample (default 200). */
  permutations?: number;
  /** Seeds the permutations. */
  seed?: number;
  /** The Gaussian kernel's width σ in k(a, b) = exp(−‖a − b‖² / 2σ²); default: the median distance between the pooled points. */
  bandwidth?: number;
  /** Called after each permutation with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

export interface MmdResult {
  /** MMD²_u, Gretton et al. 2012 eq. 3 (it can be slightly negative when the samples agree). */
  mmd2: number;
  /** (1 + permutations with MMD²_u ≥ the observed) / (1 + permutations). */
  pValue: number;
  bandwidth: number;
  permutations: number;
  m: number;
  n: number;
  /** Mean and standard deviation of MMD²_u over the permutations (its null distribution). */
  nullMean: number;
  nullSd: number;
}

/**
 * MMD²_u of x and y with a Gaussian kernel of width `bandwidth` (Gretton et al. 2012, eq. 3):
 * 1/(m(m−1)) Σ_{i≠j} k(x_i, x_j) + 1/(n(n−1)) Σ_{i≠j} k(y_i, y_j) − 2/(mn) Σ_{i,j} k(x_i, y_j).
 * @example mmd2Unbiased({ n: 2, d: 1, data: Float32Array.of(0, 1) }, { n: 2, d: 1, data: Float32Array.of(2, 3) }, 1) // 0.7689
 */
export function mmd2Unbiased(x: Points, y: Points, bandwidth: number): number {
  const z = pool(x, y);
  const k = kernelMatrix(squaredDistances(z), z.n, bandwidth);
  const sums = rowSums(k, z.n);
  return statistic(k, z.n, sums, Int32Array.from({ length: z.n }, (_, i) => i), x.n, y.n);
}

/**
 * The kernel two-sample test: MMD²_u of x and y and its permutation p-value.
 * @example
 * // 150 draws of a 5-D standard normal against 150 shifted by 0.75 in every coordinate
 * mmdTest(gaussianPoints(150, 5, 4), gaussianPoints(150, 5, 5, 0.75), { permutations: 200, seed: 0 })
 * // { mmd2: 0.1472, pValue: 0.004975 (1/201), bandwidth: 3.19, permutations: 200, m: 150, n: 150, nullMean: -0.00016, nullSd: 0.0027 }
 */
export function mmdTest(x: Points, y: Points, options: MmdOptions = {}): MmdResult {
  const permutations = options.permutations ?? MMD_DEFAULTS.permutations;
  if (!Number.isInteger(permutations) || permutations < 1) throw new RangeError(`permutations must be a positive integer, got ${permutations}`);
  const z = pool(x, y);
  const N = z.n;
  const sq = squaredDistances(z);
  const bandwidth = options.bandwidth ?? Math.sqrt(medianOffDiagonal(sq, N));
  if (!(bandwidth > 0)) throw new DataError(`the pooled ${N} points all coincide (median distance ${bandwidth}); a two-sample test needs points that differ`);
  const k = kernelMatrix(sq, N, bandwidth);
  const sums = rowSums(k, N);
  const order = Int32Array.from({ length: N }, (_, i) => i);
  const mmd2 = statistic(k, N, sums, order, x.n, y.n);
  const rng = createRng(options.seed ?? MMD_DEFAULTS.seed);
  let above = 0;
  let s1 = 0;
  let s2 = 0;
  for (let b = 0; b < permutations; b++) {
    for (let i = N - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    const v = statistic(k, N, sums, order, x.n, y.n);
    if (v >= mmd2) above++;
    s1 += v;
    s2 += v * v;
    options.onProgress?.(b + 1, permutations);
  }
  const nullMean = s1 / permutations;
  return { mmd2, pValue: (1 + above) / (1 + permutations), bandwidth, permutations, m: x.n, n: y.n, nullMean, nullSd: Math.sqrt(Math.max(0, s2 / permutations - nullMean ** 2)) };
}

/**
 * Holm's step-down adjustment of several p-values (Holm 1979): the i-th smallest is multiplied by
 * (m − i + 1), kept monotone and capped at 1. NaN stays NaN and is not counted.
 * @example holm([0.01, 0.04, 0.03]) // [0.03, 0.06, 0.06]
 */
export function holm(p: readonly number[]): number[] {
  const idx = p.map((v, i) => [v, i] as const).filter(([v]) => Number.isFinite(v)).sort((a, b) => a[0] - b[0]);
  const out = p.map(() => NaN);
  let running = 0;
  idx.forEach(([v, i], r) => {
    running = Math.max(running, Math.min(1, (idx.length - r) * v));
    out[i] = running;
  });
  return out;
}

/**
 * The median of the distances between distinct points, from the N×N squared distances (the median
 * of an even count is the mean of the middle two, as numpy's). Returned squared.
 */
export function medianOffDiagonal(sq: Float32Array, n: number): number {
  const m = (n * (n - 1)) / 2;
  if (m < 1) throw new DataError(`a median distance needs at least 2 points, got ${n}`);
  const v = new Float64Array(m);
  let t = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) v[t++] = sq[i * n + j];
  // The median of distances is the square root of the median of squared distances only for an odd count; for an even one average the distances.
  const hi = select(v, m >> 1);
  if (m % 2 === 1) return hi;
  let lo = -Infinity;
  for (let i = 0; i < m >> 1; i++) if (v[i] > lo) lo = v[i];
  return ((Math.sqrt(lo) + Math.sqrt(hi)) / 2) ** 2;
}

/** x's rows then y's rows, checked. */
function pool(x: Points, y: Points): Points {
  for (const [p, what] of [[x, "x"], [y, "y"]] as const) {
    if (p.data.length !== p.n * p.d) throw new DataError(`${what} must hold N·D = ${p.n}·${p.d} values, got ${p.data.length}`);
    if (p.n < 2) throw new DataError(`a two-sample test needs at least 2 points in each sample; ${what} has ${p.n}`);
  }
  if (x.d !== y.d) throw new DataError(`the two samples have ${x.d} and ${y.d} features; compare features of the same layer`);
  const data = new Float32Array((x.n + y.n) * x.d);
  data.set(x.data);
  data.set(y.data, x.data.length);
  return { n: x.n + y.n, d: x.d, data };
}

/** N×N squared Euclidean distances, symmetric, 0 on the diagonal. */
function squaredDistances(z: Points): Float32Array {
  const { n, d, data } = z;
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) {
        const v = data[i * d + c] - data[j * d + c];
        s += v * v;
      }
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** exp(−d² / 2σ²) in place of the squared distances. */
function kernelMatrix(sq: Float32Array, n: number, bandwidth: number): Float32Array {
  const g = 1 / (2 * bandwidth * bandwidth);
  for (let i = 0; i < n * n; i++) sq[i] = Math.exp(-sq[i] * g);
  return sq;
}

/** Σ_{j≠i} k_ij per row, in float64. */
function rowSums(k: Float32Array, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) if (j !== i) s += k[i * n + j];
    out[i] = s;
  }
  return out;
}

/**
 * MMD²_u when rows order[0..m) are x and the rest y. Only the smaller group's block is summed: with
 * S the within-sum of a group g, its row sums R_g = S + (the cross sum), and the total T of
 * off-diagonal entries, the other two sums follow.
 */
function statistic(k: Float32Array, N: number, sums: Float64Array, order: Int32Array, m: number, n: number): number {
  const a = m <= n ? m : n;
  // The smaller group's rows in ascending order: each row is then read left to right, which the cache rewards (3× faster at 2,000 + 2,000).
  const group = (m <= n ? order.subarray(0, m) : order.subarray(m, m + n)).slice().sort();
  let within = 0;
  let rows = 0;
  for (let p = 0; p < a; p++) {
    const i = group[p];
    rows += sums[i];
    const o = i * N;
    let s = 0;
    for (let q = p + 1; q < a; q++) s += k[o + group[q]];
    within += s;
  }
  within *= 2;
  let total = 0;
  for (let i = 0; i < N; i++) total += sums[i];
  const cross = rows - within;
  const other = total - within - 2 * cross;
  const [xx, yy] = m <= n ? [within, other] : [other, within];
  return xx / (m * (m - 1)) + yy / (n * (n - 1)) - (2 * cross) / (m * n);
}

/** The value of rank `r` (0-based) of `v`, found by Hoare's selection (Hoare 1961, FIND); reorders v so that v[0..r) ≤ v[r]. */
function select(v: Float64Array, r: number): number {
  let lo = 0;
  let hi = v.length - 1;
  while (lo < hi) {
    const pivot = v[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        const t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        j--;
      }
    }
    if (r <= j) hi = j;
    else if (r >= i) lo = i;
    else break;
  }
  return v[r];
}

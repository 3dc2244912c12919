/**
 * PCA's solvers (browser-safe), as generators that yield the passes over the data they need
 * (passes.ts) and get each pass's output back, so that any runner — this thread, worker threads, a
 * dense-product backend — can run the passes:
 * - exact: the eigendecomposition of the D×D covariance (or, when D > N, of the N×N Gram matrix),
 *   Householder tridiagonalisation + implicit QL (Wilkinson & Reinsch 1971, via JAMA's tred2/tql2);
 * - randomized: the randomized SVD of Halko, Martinsson & Tropp 2011 (Alg. 4.4 with re-orthonormalised
 *   power iterations, then Alg. 5.1), as scikit-learn's `randomized_svd`. When the smaller of N, D
 *   is small enough that one Gram matrix costs fewer multiply-adds than the 2q + 2 passes over the data,
 *   the same iteration runs on the Gram matrix (the same subspaces, the same Rayleigh–Ritz step).
 */
import { createRng } from "../../../util/rng.js";
import type { Points } from "../../neighbors/types.js";
import { crossDots, eigSymmetric, orthonormalize } from "../linalg.js";
import { workspace } from "../pcaKernel.js";
import type { Checked } from "./options.js";
import { even, type Pass, type Steps } from "./passes.js";

/**
 * From this many multiply-adds (N·D²/2, N ≥ D) on, the D×D Gram matrix is summed in float32 within
 * blocks of 128 rows (each SIMD lane adds 32 products) and in float64 across blocks: ~1e-7 relative
 * per entry — the precision of float32 input; scikit-learn computes in float32 throughout for it —
 * with the kernel running ~1.9× faster (measured). Smaller problems are summed in float64 throughout.
 */
const MIXED_PRECISION_WORK = 2 ** 28;
/** The largest Gram matrix (side) the randomized solver builds instead of passing over the data. */
const MAX_GRAM = 4096;

/** What a solver finds. @internal */
export interface Solved {
  /** Squared singular values of the centred data, largest first (at least k). */
  values: Float64Array;
  /** k right singular vectors, row-major k×D (rows may be zero where the singular value is). */
  vectors: Float64Array;
}

function symmetrize(g: Float64Array, m: number): Float64Array {
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) g[j * m + i] = g[i * m + j];
  return g;
}

/** The Gram matrix of the smaller side, full symmetric. */
function* gram(points: Points, mean: Float64Array): Steps<{ g: Float64Array; m: number }> {
  const { n, d } = points;
  const m = Math.min(n, d);
  const mixed = n >= d && (n * d * d) / 2 >= MIXED_PRECISION_WORK;
  return { g: symmetrize(yield { kind: "gram", mean, mixed }, m), m };
}

/** Exact: all eigenpairs of the smaller Gram matrix; the top k mapped to D-space. */
export function* exactPca(points: Points, mean: Float64Array, k: number): Steps<Solved> {
  const { g, m } = yield* gram(points, mean);
  const { values, vectors } = eigSymmetric(g, m); // ascending, vector j at vectors[j·m …]
  const top = new Float64Array(m);
  const chosen = new Float64Array(k * m);
  for (let c = 0; c < m; c++) top[c] = values[m - 1 - c];
  for (let c = 0; c < k; c++) chosen.set(vectors.subarray((m - 1 - c) * m, (m - c) * m), c * m);
  if (m === points.d) return { values: top, vectors: chosen };
  // Right singular vectors Xcᵀ·u / s from the left ones (zero where s is).
  const v = yield { kind: "timesXt", mean, v: chosen, l: k };
  const d = points.d;
  for (let c = 0; c < k; c++) {
    const s = Math.sqrt(Math.max(top[c], 0));
    for (let j = 0; j < d; j++) v[c * d + j] *= s > 0 ? 1 / s : 0;
  }
  return { values: top, vectors: v };
}


/** Halko, Martinsson & Tropp 2011, Alg. 4.4 (power iterations, re-orthonormalised) + Alg. 5.1. */
export function* randomizedPca(points: Points, mean: Float64Array, opts: Checked): Steps<Solved> {
  const { n, d } = points;
  const k = opts.components;
  const m = Math.min(n, d);
  const l = Math.min(k + opts.oversamples, m);
  const q = opts.powerIterations;
  // As scikit-learn, the range finder works on M = Xc (N ≥ D) or M = Xcᵀ; Ω has M's column count.
  const side = n >= d ? d : n;
  const omega = gaussian(side * l, opts.seed);
  const gramCost = (m * m * Math.max(n, d)) / 2;
  const passCost = (2 * q + 2) * n * d * l;
  if (m <= MAX_GRAM && gramCost <= passCost) return yield* randomizedOnGram(points, mean, omega, l, q, k);
  return yield* randomizedByPasses(points, mean, omega, l, q, k);
}

/**
 * The range finder on the Gram matrix A (MᵀM, side × side): K = orth(A^q Ω), then the Rayleigh–Ritz
 * step of `randomized_svd` (B = QᵀM with Q = orth(M·K)) written in A alone: with A·K = P and
 * RᵀR = KᵀAK, BBᵀ = R⁻ᵀ PᵀP R⁻¹.
 */
function* randomizedOnGram(points: Points, mean: Float64Array, omega: Float64Array, l: number, q: number, k: number): Steps<Solved> {
  const { g, m } = yield* gram(points, mean);
  const times = gramTimes(g, m, l);
  let kv = omega;
  orthonormalize(kv, l, m);
  for (let it = 0; it < q; it++) {
    kv = times(kv);
    orthonormalize(kv, l, m);
  }
  const p = times(kv);
  const m1 = smallGram(kv, p, l, m);
  const m2 = smallGram(p, p, l, m);
  // R⁻¹ = E Λ^(-1/2) over the eigenpairs of M1 = KᵀAK that are not numerically zero.
  const e1 = eigSymmetric(m1, l);
  const lmax = Math.max(e1.values[l - 1], 0);
  const keep: number[] = [];
  for (let i = l - 1; i >= 0; i--) if (e1.values[i] > lmax * 1e-13 && e1.values[i] > 0) keep.push(i);
  const r = keep.length;
  const rinv = new Float64Array(l * r); // l×r row-major
  keep.forEach((idx, c) => {
    const s = 1 / Math.sqrt(e1.values[idx]);
    for (let i = 0; i < l; i++) rinv[i * r + c] = e1.vectors[idx * l + i] * s;
  });
  const t = congruence(m2, rinv, l, r);
  const e2 = eigSymmetric(t, r);
  const values = new Float64Array(Math.max(k, r));
  const coeff = new Float64Array(l * k); // K- or P-space coefficients, l×k row-major
  for (let c = 0; c < Math.min(k, r); c++) {
    const idx = r - 1 - c;
    values[c] = Math.max(e2.values[idx], 0);
    for (let i = 0; i < l; i++) {
      let s = 0;
      for (let j = 0; j < r; j++) s += rinv[i * r + j] * e2.vectors[idx * r + j];
      coeff[i * k + c] = s;
    }
  }
  if (m === points.d) {
    // V = P R⁻¹ Û S⁻¹ in D-space.
    for (let c = 0; c < k; c++) {
      const s = Math.sqrt(values[c]);
      for (let i = 0; i < l; i++) coeff[i * k + c] = s > 0 ? coeff[i * k + c] / s : 0;
    }
    return { values, vectors: combine(p, coeff, l, k, m) };
  }
  // M = Xcᵀ: the components are Q Û with Q = M K R⁻¹, i.e. Xcᵀ (K R⁻¹ Û).
  const left = combine(kv, coeff, l, k, m);
  return { values, vectors: yield { kind: "timesXt", mean, v: left, l: k } };
}

/** `randomized_svd` by passes over the data, for when the Gram matrix would cost more. */
function* randomizedByPasses(points: Points, mean: Float64Array, omega: Float64Array, l: number, q: number, k: number): Steps<Solved> {
  const { n, d } = points;
  const tall = n >= d; // M = Xc (N×D) when tall, else M = Xcᵀ
  const mTimes = (v: Float64Array): Pass => ({ kind: tall ? "timesX" : "timesXt", mean, v, l });
  const mtTimes = (v: Float64Array): Pass => ({ kind: tall ? "timesXt" : "timesX", mean, v, l });
  const rows = tall ? n : d;
  const cols = tall ? d : n;
  let kv = omega;
  orthonormalize(kv, l, cols);
  for (let it = 0; it < q; it++) {
    const y = yield mTimes(kv);
    orthonormalize(y, l, rows);
    kv = yield mtTimes(y);
    orthonormalize(kv, l, cols);
  }
  const qv = yield mTimes(kv);
  orthonormalize(qv, l, rows);
  const bt = yield mtTimes(qv); // Bᵀ = Mᵀ Q: l vectors of length cols
  const e = eigSymmetric(smallGram(bt, bt, l, cols), l);
  const values = new Float64Array(Math.max(k, l));
  const coeff = new Float64Array(l * k);
  for (let c = 0; c < k; c++) {
    const idx = l - 1 - c;
    values[c] = Math.max(e.values[idx], 0);
    const s = Math.sqrt(values[c]);
    for (let i = 0; i < l; i++) coeff[i * k + c] = tall ? (s > 0 ? e.vectors[idx * l + i] / s : 0) : e.vectors[idx * l + i];
  }
  // Tall: V = Bᵀ Û S⁻¹. Wide: the components are M's left vectors Q Û.
  return { values, vectors: tall ? combine(bt, coeff, l, k, d) : combine(qv, coeff, l, k, d) };
}

/** Multiplies l vectors of length m by the symmetric m×m matrix g (held once in a workspace). */
function gramTimes(g: Float64Array, m: number, l: number): (kv: Float64Array) => Float64Array {
  const mp = even(m);
  const ws = workspace(m * mp + 2 * l * mp);
  const [kOff, outOff] = [m * mp, m * mp + l * mp];
  for (let i = 0; i < m; i++) ws.f64.set(g.subarray(i * m, i * m + m), i * mp);
  return (kv) => {
    for (let c = 0; c < l; c++) ws.f64.set(kv.subarray(c * m, c * m + m), kOff + c * mp);
    ws.f64.fill(0, outOff, outOff + l * mp);
    ws.dots(kOff, mp, l, 0, mp, m, mp, outOff, mp, false);
    const out = new Float64Array(l * m);
    for (let c = 0; c < l; c++) out.set(ws.f64.subarray(outOff + c * mp, outOff + c * mp + m), c * m);
    return out;
  };
}

/** l×l matrix of dot products between two sets of l vectors of length m. */
function smallGram(a: Float64Array, b: Float64Array, l: number, m: number): Float64Array {
  const out = new Float64Array(l * l);
  crossDots(a, 0, m, l, b, 0, m, l, m, out, 0, l, false);
  return out;
}

/** Rᵀ S R for S l×l and R l×r, both row-major. */
function congruence(s: Float64Array, r: Float64Array, l: number, rc: number): Float64Array {
  const sr = new Float64Array(l * rc);
  for (let i = 0; i < l; i++) for (let t = 0; t < l; t++) for (let c = 0; c < rc; c++) sr[i * rc + c] += s[i * l + t] * r[t * rc + c];
  const out = new Float64Array(rc * rc);
  for (let i = 0; i < l; i++) for (let a = 0; a < rc; a++) for (let c = 0; c < rc; c++) out[a * rc + c] += r[i * rc + a] * sr[i * rc + c];
  return out;
}

/** k vectors Σ_i vecs_i · coeff[i, c] from l vectors of length m. */
function combine(vecs: Float64Array, coeff: Float64Array, l: number, k: number, m: number): Float64Array {
  const out = new Float64Array(k * m);
  for (let c = 0; c < k; c++) {
    const o = c * m;
    for (let i = 0; i < l; i++) {
      const w = coeff[i * k + c];
      if (w === 0) continue;
      const v = i * m;
      for (let j = 0; j < m; j++) out[o + j] += w * vecs[v + j];
    }
  }
  return out;
}

/** Standard normal values (Box–Muller 1958) from a seeded generator. */
function gaussian(count: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const u = 1 - rng.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * rng.next();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}


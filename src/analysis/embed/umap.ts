import { findABParams } from "umap-js/dist/umap.js";
import { UsageError } from "../../util/errors.js";
import { createRng, type Rng } from "../../util/rng.js";
import type { KnnGraph, Points } from "../neighbors/types.js";
import { createPowTable, type PowTable, powFromTable } from "./powTable.js";

/**
 * UMAP (McInnes, Healy & Melville 2018) as umap-js 1.4 computes it, on typed arrays: fed
 * featurelens' own kNN graph, with the fuzzy simplicial set and the layout optimisation here (same
 * algorithm, schedule and defaults as umap-js, whose sparse matrices and arrays of arrays took
 * minutes at 70,000 points); umap-js only fits the curve's a and b. Seeded: the same seed gives
 * the same map. Browser-safe.
 */

export interface UmapOptions {
  dims?: 2 | 3;
  /** Neighbours per point, the point itself included, as umap-learn counts them (default 15). */
  nNeighbors?: number;
  minDist?: number;
  /** Default: umap-js's choice (500 below 10,000 points, else 200). */
  nEpochs?: number;
  seed?: number;
  /** The points' kNN graph with at least nNeighbors − 1 neighbours per point (self excluded, as featurelens' knn gives it). */
  knn: KnnGraph;
  /** Called every 10 epochs with (epoch, total); return false to stop and keep the map so far. */
  onProgress?: (epoch: number, total: number) => boolean | void;
  /** d^b from a table (default) or as Math.exp(b·Math.log(d)), the slower form kept for comparison. */
  tablePow?: boolean;
}

export const UMAP_DEFAULTS = { dims: 2 as 2 | 3, nNeighbors: 15, minDist: 0.1, seed: 0, tablePow: true };

/**
 * A UMAP map of `points`, row-major N×dims.
 * @example (await umap(points, { knn: await knn(points, 14) })).embedding.length // 2·N
 */
export async function umap(points: Points, options: UmapOptions): Promise<{ embedding: Float32Array; epochs: number; stoppedEarly: boolean }> {
  const o = { ...UMAP_DEFAULTS, ...options };
  const k = o.nNeighbors;
  if (!Number.isInteger(k) || k < 2) throw new UsageError(`nNeighbors must be an integer ≥ 2, got ${k}`);
  if (points.n <= k) throw new UsageError(`UMAP with ${k} neighbours needs more than ${k} points, got ${points.n}; use fewer neighbours`);
  if (o.knn.n !== points.n || o.knn.k < k - 1) throw new UsageError(`the kNN graph must have ${points.n} rows of at least ${k - 1} neighbours, got ${o.knn.n} × ${o.knn.k}`);
  const rng = createRng(o.seed);
  const n = points.n;
  const total = o.nEpochs ?? defaultEpochs(n);
  const layout = createLayout(fuzzySimplicialSet(o.knn, k), n, o.dims, total, o.minDist, rng, o.tablePow);
  let epoch = 0;
  let stoppedEarly = false;
  while (epoch < total) {
    optimizeEpoch(layout, epoch);
    epoch++;
    if (epoch % 10 === 0 && o.onProgress?.(epoch, total) === false) {
      stoppedEarly = true;
      break;
    }
    // Let other work (progress bars, aborts) run now and then.
    if (epoch % 50 === 0) await new Promise((r) => setTimeout(r, 0));
  }
  return { embedding: Float32Array.from(layout.y), epochs: epoch, stoppedEarly };
}

/** umap-js's epochs by size: 500 up to 2,500 points, 400, 300, then 200 above 7,500. */
function defaultEpochs(n: number): number {
  return n <= 2500 ? 500 : n <= 5000 ? 400 : n <= 7500 ? 300 : 200;
}

/** umap-learn's tolerances of the σ search. */
const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;

/** A symmetric sparse graph as an edge list (each undirected edge both ways). */
interface EdgeList {
  rows: Int32Array;
  cols: Int32Array;
  weights: Float64Array;
}

/**
 * UMAP's fuzzy simplicial set (umap-learn `fuzzy_simplicial_set`, as umap-js computes it): per
 * point the distance ρ to its nearest neighbour and σ such that Σ_j exp(−(d_ij − ρ_i)/σ_i) =
 * log2(k) over its k − 1 neighbours (the point itself counts as the first), then the fuzzy union
 * w = a + aᵀ − a∘aᵀ. Typed arrays throughout, where umap-js's sparse matrices of Maps took 19 s for
 * 30,000 points.
 */
export function fuzzySimplicialSet(knn: KnnGraph, k: number): EdgeList {
  const n = knn.n;
  const m = k - 1; // neighbours per row, self excluded
  const target = Math.log2(k);
  const strengths = new Float64Array(n * m);
  let meanAll = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) meanAll += knn.distances[i * knn.k + j] / k;
  meanAll /= n;
  for (let i = 0; i < n; i++) {
    const d = knn.distances.subarray(i * knn.k, i * knn.k + m);
    let rho = 0;
    for (let j = 0; j < m; j++) {
      if (d[j] > 0) {
        rho = d[j];
        break;
      }
    }
    let lo = 0;
    let hi = Infinity;
    let sigma = 1;
    for (let step = 0; step < 64; step++) {
      let psum = 0;
      for (let j = 0; j < m; j++) psum += d[j] - rho > 0 ? Math.exp(-(d[j] - rho) / sigma) : 1;
      if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) break;
      if (psum > target) {
        hi = sigma;
        sigma = (lo + hi) / 2;
      } else {
        lo = sigma;
        sigma = hi === Infinity ? sigma * 2 : (lo + hi) / 2;
      }
    }
    let mean = 0;
    for (let j = 0; j < m; j++) mean += d[j] / k; // umap-js averages over all k, the self-distance 0 included
    sigma = Math.max(sigma, MIN_K_DIST_SCALE * (rho > 0 ? mean : meanAll));
    for (let j = 0; j < m; j++) strengths[i * m + j] = d[j] - rho <= 0 ? 1 : Math.exp(-(d[j] - rho) / sigma);
  }
  // Fuzzy union: a pair stored both ways is taken once (from the lower row) with a + b − ab; a
  // pair stored one way gets a; either way both directions are listed.
  const strengthOf = (i: number, j: number): number => {
    for (let c = 0; c < m; c++) if (knn.indices[i * knn.k + c] === j) return strengths[i * m + c];
    return 0;
  };
  const rows: number[] = [];
  const cols: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < m; c++) {
      const j = knn.indices[i * knn.k + c];
      const a = strengths[i * m + c];
      const b = strengthOf(j, i);
      if (b > 0 && j < i) continue;
      const w = a + b - a * b;
      if (!(w > 0)) continue;
      rows.push(i, j);
      cols.push(j, i);
      weights.push(w, w);
    }
  }
  return { rows: Int32Array.from(rows), cols: Int32Array.from(cols), weights: Float64Array.from(weights) };
}

/** The edge list, schedule and initial map of the layout optimisation, as typed arrays. */
interface Layout {
  n: number;
  dims: number;
  y: Float64Array;
  head: Int32Array;
  tail: Int32Array;
  epochsPerSample: Float64Array;
  nextSample: Float64Array;
  epochsPerNegative: Float64Array;
  nextNegative: Float64Array;
  a: number;
  b: number;
  gamma: number;
  initialAlpha: number;
  nEpochs: number;
  /** State of the negative-sample generator, seeded from the caller's seed. */
  random: Int32Array;
  /** The table for d^b, or null for Math.exp(b·Math.log(d)). */
  pow: PowTable | null;
}

/** UMAP's default negative samples per positive one (umap-learn and umap-js). */
const NEGATIVE_SAMPLE_RATE = 5;
const CLIP = 4;

/**
 * umap-js's `initializeSimplicialSetEmbedding` and `prepareForOptimizationLoop`: edges lighter
 * than max/nEpochs dropped, each edge sampled every max/w epochs, a random start in [−10, 10]^dims,
 * the curve 1 / (1 + a·d^2b) fitted to min_dist (umap-js's findABParams).
 */
function createLayout(g: EdgeList, n: number, dims: number, nEpochs: number, minDist: number, rng: Rng, tablePow: boolean): Layout {
  let max = 0;
  for (const w of g.weights) max = Math.max(max, w);
  const keep: number[] = [];
  for (let e = 0; e < g.weights.length; e++) if (g.weights[e] >= max / nEpochs) keep.push(e);
  const epochsPerSample = Float64Array.from(keep, (e) => max / g.weights[e]);
  const epochsPerNegative = epochsPerSample.map((e) => e / NEGATIVE_SAMPLE_RATE);
  const { a, b } = findABParams(1, minDist);
  return {
    n,
    dims,
    y: Float64Array.from({ length: n * dims }, () => rng.next() * 20 - 10),
    head: Int32Array.from(keep, (e) => g.cols[e]),
    tail: Int32Array.from(keep, (e) => g.rows[e]),
    epochsPerSample,
    nextSample: Float64Array.from(epochsPerSample),
    epochsPerNegative,
    nextNegative: Float64Array.from(epochsPerNegative),
    a,
    b,
    gamma: 1,
    initialAlpha: 1,
    nEpochs,
    // Tausworthe states must exceed 1, 7 and 15 (their low bits are dropped).
    random: Int32Array.from({ length: 3 }, () => 16 + Math.floor(rng.next() * 0x7fff_fff0)),
    pow: tablePow ? createPowTable(b) : null,
  };
}

const clip = (x: number): number => (x > CLIP ? CLIP : x < -CLIP ? -CLIP : x);

/**
 * One epoch of UMAP's stochastic layout optimisation, umap-js's `optimizeLayoutStep` (itself
 * umap-learn's `optimize_layout_euclidean`) on typed arrays: each edge sampled on its schedule
 * pulls its two ends together, then pushes its head from random points. d^b comes from a table
 * (powTable.ts, within 1e-8 of Math.pow) and the generator's state lives in locals for the epoch;
 * nothing is allocated in the loop.
 */
function optimizeEpoch(l: Layout, epoch: number): void {
  const { y, dims, head, tail, epochsPerSample, nextSample, epochsPerNegative, nextNegative, a, b, gamma, n, pow } = l;
  const alpha = l.initialAlpha * (1 - epoch / l.nEpochs);
  const three = dims === 3;
  const random = l.random;
  let s0 = random[0];
  let s1 = random[1];
  let s2 = random[2];
  for (let e = 0; e < head.length; e++) {
    if (nextSample[e] > epoch) continue;
    const j = head[e] * dims;
    const k = tail[e] * dims;
    const dx = y[j] - y[k];
    const dy = y[j + 1] - y[k + 1];
    const dz = three ? y[j + 2] - y[k + 2] : 0;
    const d2 = dx * dx + dy * dy + dz * dz;
    let coeff = 0;
    if (d2 > 0) {
      const pb = pow !== null ? powFromTable(pow, d2) : Math.exp(b * Math.log(d2)); // d2^(b−1) = d2^b / d2
      coeff = (-2 * a * b * (pb / d2)) / (a * pb + 1);
    }
    let g = clip(coeff * dx) * alpha;
    y[j] += g;
    y[k] -= g;
    g = clip(coeff * dy) * alpha;
    y[j + 1] += g;
    y[k + 1] -= g;
    if (three) {
      g = clip(coeff * dz) * alpha;
      y[j + 2] += g;
      y[k + 2] -= g;
    }
    nextSample[e] += epochsPerSample[e];
    // umap-learn's int(): no negative count when the negative schedule is ahead.
    const negatives = Math.max(0, Math.floor((epoch - nextNegative[e]) / epochsPerNegative[e]));
    for (let t = 0; t < negatives; t++) {
      // umap-learn's tau_rand_int (a combined Tausworthe generator, L'Ecuyer 1996): below 2^31.
      s0 = (((s0 & 4294967294) << 12) & 0xffffffff) ^ ((((s0 << 13) & 0xffffffff) ^ s0) >>> 19);
      s1 = (((s1 & 4294967288) << 4) & 0xffffffff) ^ ((((s1 << 2) & 0xffffffff) ^ s1) >>> 25);
      s2 = (((s2 & 4294967280) << 17) & 0xffffffff) ^ ((((s2 << 3) & 0xffffffff) ^ s2) >>> 11);
      const o = (((s0 ^ s1 ^ s2) & 0x7fffffff) % n) * dims;
      const qx = y[j] - y[o];
      const qy = y[j + 1] - y[o + 1];
      const qz = three ? y[j + 2] - y[o + 2] : 0;
      const q2 = qx * qx + qy * qy + qz * qz;
      if (q2 > 0) {
        const push = (2 * gamma * b) / ((0.001 + q2) * (a * (pow !== null ? powFromTable(pow, q2) : Math.exp(b * Math.log(q2))) + 1));
        y[j] += clip(push * qx) * alpha;
        y[j + 1] += clip(push * qy) * alpha;
        if (three) y[j + 2] += clip(push * qz) * alpha;
      } else if (j !== o) {
        for (let c = 0; c < dims; c++) y[j + c] += CLIP * alpha;
      }
    }
    nextNegative[e] += negatives * epochsPerNegative[e];
  }
  random[0] = s0;
  random[1] = s1;
  random[2] = s2;
}

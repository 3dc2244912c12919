/**
 * How faithful a 2-D/3-D map is to the feature space it was made from: trustworthiness, k-NN
 * preservation, leave-one-out k-NN accuracy of the labels in the map, and silhouettes.
 * Browser-safe, plain typed arrays. Neighbour lists can come precomputed (a KnnGraph from
 * src/analysis/neighbors, any metric); given points instead, the few neighbours needed in a
 * low-dimensional map are found here by brute force (O(N²·dims) for all rows).
 */
import { DataError, UsageError } from "../../util/errors.js";
import { createRng } from "../../util/rng.js";
import type { KnnGraph, Points } from "../neighbors/types.js";
import { mapKnn } from "./mapKnn.js";

/** Defaults of the options below: k = 5 for trustworthiness (scikit-learn's n_neighbors), 10 for the others. */
export const QUALITY_DEFAULTS = { trustworthinessK: 5, k: 10, seed: 0 } as const;

export interface TrustworthinessOptions {
  /** Neighbours in the map, 1 ≤ k < N / 2 (default 5). */
  k?: number;
  /** Estimate from this many seeded random rows instead of all N (for large N; see trustworthiness). */
  sample?: number;
  seed?: number;
}

export interface NeighborOptions {
  /** Neighbours per point (default 10). */
  k?: number;
}

export interface SilhouetteOptions {
  /** Compute on this many seeded random rows only, as scikit-learn's silhouette_score(sample_size). */
  sample?: number;
  seed?: number;
}

export interface Silhouette {
  /** Rows used, ascending (all 0..N−1 unless sampled). */
  indices: Int32Array;
  /** Silhouette of each row used, as silhouette_samples (0 for a class with one member). */
  samples: Float64Array;
  /** Mean of `samples`, as silhouette_score. */
  score: number;
  /** Mean silhouette per class 0..max label (NaN for a class absent from the rows used). */
  perClass: Float64Array;
}

/**
 * Trustworthiness (Venna & Kaski 2001, eq. 2), as scikit-learn 1.2's `trustworthiness`:
 * 1 − 2/(N k (2N − 3k − 1)) · Σ_i Σ_{j ∈ map kNN(i)} max(0, r(i, j) − k), where r(i, j) is the rank
 * of j among i's neighbours in the input space (1 = nearest; Euclidean). 1 means no point is a map
 * neighbour that is not also near in the input.
 *
 * Cost: each row computes its distance to all N input points (O(N·D) time, O(N) memory; no N×N
 * matrix), so O(N²·D) in all — fine to N ≈ 20k at D = 50. A distance stops once it passes the
 * farthest map neighbour's, which prunes most of that work. With `sample: m` only m seeded random rows
 * are ranked and the sum is scaled by N/m (an unbiased estimate; its standard error shrinks as
 * 1/√m, ~0.002 at m = 1000 for typical maps). Ties in input distance count in the neighbour's favour.
 * @example
 * const x = { n: 6, d: 2, data: new Float32Array([0, 0, 1, 0, 0, 1, 5, 5, 6, 5, 5, 6]) };
 * trustworthiness(x, { n: 6, d: 1, data: new Float32Array([0, 1, 2, 10, 11, 12]) }, { k: 2 }) // 1, as sklearn.manifold.trustworthiness
 */
export function trustworthiness(input: Points, map: Points | KnnGraph, options: TrustworthinessOptions = {}): number {
  const { k = QUALITY_DEFAULTS.trustworthinessK, sample, seed = QUALITY_DEFAULTS.seed } = options;
  const n = input.n;
  checkPoints(input, "input");
  checkSameRows(n, map, "map");
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) {
    throw new UsageError(`trustworthiness: k must be an integer with 1 ≤ k < N/2 = ${n / 2}, got ${k}`);
  }
  const rows = sampleRows(n, sample, seed, "trustworthiness");
  const neighbors = mapNeighbors(map, k, rows, "map");
  const { d, data } = input;
  const thresholds = new Float64Array(k);
  const below = new Int32Array(k + 1);
  let penalty = 0;
  for (let t = 0; t < rows.length; t++) {
    const i = rows[t];
    for (let c = 0; c < k; c++) thresholds[c] = squaredDistance(data, d, i, neighbors[t * k + c], d);
    thresholds.sort();
    // below[p] = how many points lie strictly closer than thresholds[p] … counted by binning. Only
    // points within the largest threshold count, so a distance stops once its partial sum passes
    // it (most do within the first dimensions, the more so for PCA-ordered features).
    below.fill(0);
    const limit = thresholds[k - 1];
    for (let m = 0; m < n; m++) {
      if (m === i) continue;
      const s2 = squaredDistance(data, d, i, m, limit);
      if (s2 <= limit) below[upperBound(thresholds, s2)]++;
    }
    let closer = 0;
    for (let c = 0; c < k; c++) {
      closer += below[c];
      const rank = closer + 1; // rank of the map neighbour at thresholds[c]
      if (rank > k) penalty += rank - k;
    }
  }
  const total = (penalty * n) / rows.length;
  return 1 - (total * 2) / (n * k * (2 * n - 3 * k - 1));
}

/**
 * Mean fraction of each point's k nearest input-space neighbours that are also among its k nearest
 * map neighbours (1 = every neighbourhood kept). Both graphs need at least k neighbours per point.
 * @example knnPreservation(graph, graph) // 1
 */
export function knnPreservation(input: KnnGraph, map: KnnGraph, options: NeighborOptions = {}): number {
  const { k = QUALITY_DEFAULTS.k } = options;
  const n = input.n;
  checkSameRows(n, map, "map graph");
  checkK(k, Math.min(input.k, map.k), "knnPreservation", "the graphs' k");
  const stamp = new Int32Array(n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) stamp[input.indices[i * input.k + c]] = i + 1;
    for (let c = 0; c < k; c++) if (stamp[map.indices[i * map.k + c]] === i + 1) kept++;
  }
  return kept / (n * k);
}

/**
 * Leave-one-out k-NN classification accuracy of `labels` in the map: each point is given the
 * majority label of its k nearest map neighbours (itself excluded); a tie between labels goes to the
 * tied label whose nearest member comes first in the neighbour list (scikit-learn's
 * KNeighborsClassifier would take the smallest label instead).
 * @example
 * const line = { n: 6, d: 1, data: new Float32Array([0, 1, 2, 10, 11, 20]) };
 * knnAccuracy(line, Int32Array.from([0, 0, 1, 1, 1, 2]), { k: 2 }) // 0.6667 (points 2 and 5 are outvoted)
 */
export function knnAccuracy(map: Points | KnnGraph, labels: Int32Array, options: NeighborOptions = {}): number {
  const { k = QUALITY_DEFAULTS.k } = options;
  const n = map.n;
  const classes = checkLabels(labels, n);
  if ("k" in map) checkK(k, map.k, "knnAccuracy", "the graph's k");
  else checkK(k, n - 1, "knnAccuracy", "N − 1");
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const neighbors = mapNeighbors(map, k, all, "map");
  const votes = new Int32Array(classes);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    votes.fill(0);
    let best = -1;
    let bestVotes = 0;
    for (let c = 0; c < k; c++) {
      const label = labels[neighbors[i * k + c]];
      // Strictly more votes wins, so among tied labels the one seen first (nearest) stays ahead.
      if (++votes[label] > bestVotes) {
        bestVotes = votes[label];
        best = label;
      }
    }
    if (best === labels[i]) correct++;
  }
  return correct / n;
}

/**
 * Silhouettes (Rousseeuw 1987), Euclidean, as scikit-learn 1.2's silhouette_samples and
 * silhouette_score: s(i) = (b − a) / max(a, b) with a the mean distance to the other members of
 * i's class and b the smallest mean distance to another class; 0 for a class of one. O(N²·D);
 * `sample: m` computes them within m seeded random rows only (scikit-learn's sample_size).
 * @example silhouette(x, Int32Array.from([0, 0, 0, 1, 1, 1])).score // 0.8398 (x as in trustworthiness), as silhouette_score
 */
export function silhouette(points: Points, labels: Int32Array, options: SilhouetteOptions = {}): Silhouette {
  const { sample, seed = QUALITY_DEFAULTS.seed } = options;
  checkPoints(points, "points");
  const classes = checkLabels(labels, points.n);
  const indices = sampleRows(points.n, sample, seed, "silhouette");
  const m = indices.length;
  const counts = new Int32Array(classes);
  for (let t = 0; t < m; t++) counts[labels[indices[t]]]++;
  const present = counts.filter((c) => c > 0).length;
  if (present < 2 || present > m - 1) {
    throw new DataError(`silhouette needs 2..${m - 1} distinct labels among the ${m} points, got ${present}; it compares at least two classes`);
  }
  const { d, data } = points;
  // Row t's summed distances to each class; each pair's distance is computed once, for both rows.
  const sums = new Float64Array(m * classes);
  for (let t = 0; t < m; t++) {
    const a = indices[t] * d;
    const lt = labels[indices[t]];
    for (let u = t + 1; u < m; u++) {
      const j = indices[u];
      const b = j * d;
      let s0 = 0;
      let s1 = 0;
      let c = 0;
      for (; c + 1 < d; c += 2) {
        const v0 = data[a + c] - data[b + c];
        const v1 = data[a + c + 1] - data[b + c + 1];
        s0 += v0 * v0;
        s1 += v1 * v1;
      }
      if (c < d) {
        const v = data[a + c] - data[b + c];
        s0 += v * v;
      }
      const dist = Math.sqrt(s0 + s1);
      sums[t * classes + labels[j]] += dist;
      sums[u * classes + lt] += dist;
    }
  }
  const samples = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    const own = labels[indices[t]];
    if (counts[own] === 1) continue; // silhouette 0
    const a = sums[t * classes + own] / (counts[own] - 1);
    let b = Infinity;
    for (let c = 0; c < classes; c++) if (c !== own && counts[c] > 0) b = Math.min(b, sums[t * classes + c] / counts[c]);
    const denom = Math.max(a, b);
    samples[t] = denom > 0 ? (b - a) / denom : 0;
  }
  const perClass = new Float64Array(classes);
  for (let t = 0; t < m; t++) perClass[labels[indices[t]]] += samples[t];
  for (let c = 0; c < classes; c++) perClass[c] = counts[c] > 0 ? perClass[c] / counts[c] : NaN;
  const score = samples.reduce((s, v) => s + v, 0) / m;
  return { indices, samples, score, perClass };
}

/** ‖x_i − x_j‖², or some partial sum above `stop` as soon as one passes it (checked every 8 dimensions). */
function squaredDistance(data: Float32Array, d: number, i: number, j: number, stop: number): number {
  const a = i * d;
  const b = j * d;
  let s = 0;
  let c = 0;
  while (c < d) {
    const end = Math.min(d, c + 8);
    for (; c < end; c++) {
      const v = data[a + c] - data[b + c];
      s += v * v;
    }
    if (s > stop) return s;
  }
  return s;
}

/** Squared Euclidean distances from row i to every row, into `out`. */
function squaredDistances(data: Float32Array, d: number, n: number, i: number, out: Float64Array): void {
  const o = i * d;
  for (let m = 0; m < n; m++) {
    const p = m * d;
    let s = 0;
    for (let c = 0; c < d; c++) {
      const v = data[o + c] - data[p + c];
      s += v * v;
    }
    out[m] = s;
  }
}

/** The number of sorted values ≤ x. */
function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The k nearest map neighbours of each of `rows` (row-major rows.length × k): the first k of a
 * graph's lists, or found in the map's points (Euclidean, ties by index): on a grid for 1 to 3
 * dimensions (mapKnn.ts), by brute force above.
 */
function mapNeighbors(map: Points | KnnGraph, k: number, rows: Int32Array, what: string): Int32Array {
  const out = new Int32Array(rows.length * k);
  if ("k" in map) {
    checkK(k, map.k, what, "the graph's k");
    for (let t = 0; t < rows.length; t++) out.set(map.indices.subarray(rows[t] * map.k, rows[t] * map.k + k), t * k);
    return out;
  }
  checkPoints(map, what);
  if (map.d <= 3) return mapKnn(map, k, rows).indices;
  const { n, d, data } = map;
  const dist = new Float64Array(n);
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  for (let t = 0; t < rows.length; t++) {
    const i = rows[t];
    squaredDistances(data, d, n, i, dist);
    bestD.fill(Infinity);
    bestI.fill(-1);
    for (let j = 0; j < n; j++) {
      if (j === i || dist[j] >= bestD[k - 1]) continue;
      let p = k - 1; // insertion into the sorted k best; equal distances keep the smaller index first
      while (p > 0 && bestD[p - 1] > dist[j]) {
        bestD[p] = bestD[p - 1];
        bestI[p] = bestI[p - 1];
        p--;
      }
      bestD[p] = dist[j];
      bestI[p] = j;
    }
    out.set(bestI, t * k);
  }
  return out;
}

/** All rows, or `sample` distinct seeded random ones (partial Fisher–Yates), ascending. */
function sampleRows(n: number, sample: number | undefined, seed: number, what: string): Int32Array {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  if (sample === undefined || sample >= n) return all;
  if (!Number.isInteger(sample) || sample < 1) throw new UsageError(`${what}: sample must be a positive integer, got ${sample}`);
  const rng = createRng(seed);
  for (let i = 0; i < sample; i++) {
    const j = i + rng.int(n - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, sample).sort();
}

function checkPoints(p: Points, what: string): void {
  if (p.data.length !== p.n * p.d) throw new DataError(`${what} must hold N·D = ${p.n}·${p.d} values (row-major), got ${p.data.length}`);
}

function checkSameRows(n: number, other: Points | KnnGraph, what: string): void {
  if (other.n !== n) throw new DataError(`the ${what} has ${other.n} points but the input has ${n}; both must describe the same points in the same order`);
}

function checkK(k: number, most: number, fn: string, limit: string): void {
  if (!Number.isInteger(k) || k < 1 || k > most) throw new UsageError(`${fn}: k must be an integer in 1..${most} (${limit}), got ${k}`);
}

/** Throws unless there is one non-negative integer label per point; returns max label + 1. */
function checkLabels(labels: Int32Array, n: number): number {
  if (labels.length !== n) throw new DataError(`labels has ${labels.length} entries for ${n} points; pass one label per point`);
  let max = -1;
  for (let i = 0; i < n; i++) {
    if (labels[i] < 0) throw new DataError(`labels must be classes 0, 1, …; index ${i} holds ${labels[i]}`);
    if (labels[i] > max) max = labels[i];
  }
  return max + 1;
}

/**
 * t-SNE input affinities on a kNN graph: Gaussian conditional probabilities p_{j|i} with a per-point
 * precision β_i calibrated to a perplexity (van der Maaten & Hinton 2008, §2), restricted to the
 * k = min(N − 1, ⌊3·perplexity⌋) nearest neighbours (van der Maaten 2014, §4.1), then symmetrised
 * p_ij = (p_{j|i} + p_{i|j}) / 2N. Browser-safe.
 */
import { DataError, UsageError } from "../../../util/errors.js";
import type { KnnGraph } from "../../neighbors/types.js";
import type { SparseAffinities } from "./types.js";

/** Entropy tolerance and step cap of the β search, as scikit-learn's `_binary_search_perplexity`. */
export const PERPLEXITY_TOLERANCE = 1e-5;
export const PERPLEXITY_MAX_STEPS = 100;

/** Row-normalised (not symmetric) affinities: row i holds p_{j|i} over its k neighbours, Σ_j = 1. */
export interface ConditionalAffinities extends SparseAffinities {
  /** The calibrated precision β_i = 1 / (2σ_i²) of each row, for squared distances. */
  betas: Float64Array;
}

/**
 * The number of neighbours t-SNE uses for a perplexity: min(N − 1, ⌊3·perplexity⌋).
 * Throws a UsageError when N is too small for the perplexity (N must be at least 3·perplexity + 1),
 * naming the largest perplexity that fits.
 * @example neighboursFor(30, 1000) // 90
 */
export function neighboursFor(perplexity: number, n: number): number {
  if (!(Number.isFinite(perplexity) && perplexity > 0)) {
    throw new UsageError(`perplexity must be a positive number, got ${perplexity}`);
  }
  if (n < 3 * perplexity + 1) {
    const largest = (n - 1) / 3;
    throw new UsageError(
      `perplexity ${perplexity} needs at least ${Math.ceil(3 * perplexity + 1)} points (3·perplexity + 1), got ${n}; ` +
        (largest > 0 ? `use a perplexity of at most ${formatPerplexity(largest)} ((N − 1) / 3)` : "t-SNE needs at least 2 points"),
    );
  }
  return Math.min(n - 1, Math.floor(3 * perplexity));
}

/**
 * p_{j|i} ∝ exp(−β_i d_ij²) over each row of the kNN graph, β_i found by bisection so that the row's
 * entropy is log(perplexity) (as scikit-learn's `_binary_search_perplexity`: squared distances,
 * tolerance 1e-5 nats, at most 100 steps). Distances of any metric are squared, as openTSNE does.
 * Uses the first min(k, ⌊3·perplexity⌋) neighbours of each row; the graph may be a query graph
 * (rows: new points, columns: reference points). The caller checks that there are enough points.
 * @example conditionalAffinities(graph, 30).vals // N×90 probabilities, each row sums to 1
 */
export function conditionalAffinities(knn: KnnGraph, perplexity: number): ConditionalAffinities {
  checkGraph(knn);
  if (!(Number.isFinite(perplexity) && perplexity > 0)) {
    throw new UsageError(`perplexity must be a positive number, got ${perplexity}`);
  }
  const k = Math.min(knn.k, Math.max(1, Math.floor(3 * perplexity)));
  const n = knn.n;
  const rowPtr = new Int32Array(n + 1);
  const cols = new Int32Array(n * k);
  const vals = new Float64Array(n * k);
  const betas = new Float64Array(n);
  const d2 = new Float64Array(k);
  const target = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
    rowPtr[i + 1] = (i + 1) * k;
    const from = i * knn.k;
    let min = Infinity;
    for (let j = 0; j < k; j++) {
      const d = knn.distances[from + j];
      d2[j] = d * d;
      if (d2[j] < min) min = d2[j];
      cols[i * k + j] = knn.indices[from + j];
    }
    // Shifting by the smallest distance leaves p and the entropy unchanged and avoids underflow.
    for (let j = 0; j < k; j++) d2[j] -= min;
    betas[i] = calibrateRow(d2, k, target, vals, i * k);
  }
  return { n, rowPtr, cols, vals, betas };
}

/**
 * The β of one row whose entropy is within PERPLEXITY_TOLERANCE of the target (scikit-learn's
 * `_binary_search_perplexity` criterion): Newton steps on H(β) (dH/dβ = −β·Var_p(d²)), kept
 * inside the bracket the signs have established, else a bisection step as scikit-learn's. Newton
 * needs ~5 steps where bisection from β = 1 needs ~30. Writes the row's probabilities at
 * out[offset …] and returns β.
 */
function calibrateRow(d2: Float64Array, k: number, target: number, out: Float64Array, offset: number): number {
  let beta = 1;
  let lo = 0;
  let hi = Infinity;
  let sum = 0;
  for (let step = 0; step < PERPLEXITY_MAX_STEPS; step++) {
    sum = 0;
    let sumDP = 0;
    let sumDDP = 0;
    for (let j = 0; j < k; j++) {
      const p = Math.exp(-d2[j] * beta);
      out[offset + j] = p;
      sum += p;
      sumDP += d2[j] * p;
      sumDDP += d2[j] * d2[j] * p;
    }
    const mean = sumDP / sum;
    const entropy = Math.log(sum) + beta * mean;
    const diff = entropy - target;
    if (Math.abs(diff) <= PERPLEXITY_TOLERANCE) break;
    if (diff > 0) lo = beta;
    else hi = beta;
    const slope = -beta * (sumDDP / sum - mean * mean);
    const newton = beta - diff / slope;
    if (slope < 0 && newton > lo && newton < hi) beta = newton;
    else if (diff > 0) beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
    else beta = (beta + lo) / 2;
  }
  for (let j = 0; j < k; j++) out[offset + j] /= sum;
  return beta;
}

/**
 * P = (C + Cᵀ) / Σ(C + Cᵀ) (= /2N for row-normalised C) as CSR with sorted columns, Float64,
 * summing to 1 (van der Maaten & Hinton 2008, §3.1). Leaves `c` as it was (works on a copy of it).
 */
export function symmetrize(c: SparseAffinities): SparseAffinities {
  return symmetrizeOwned({ n: c.n, rowPtr: c.rowPtr.slice(), cols: c.cols.slice(), vals: c.vals.slice() });
}

/**
 * {@link symmetrize} without the copy: sorts (and merges repeated columns in) `c`'s rows in place.
 * A counting pass sizes each output row (its own entries plus the transposed ones it lacks) so that
 * the output is allocated once, at its final size, and no transpose is held: at 1,000,000 points
 * and k = 90 the peak beyond C is the output (~1.9 GiB) alone.
 */
export function symmetrizeOwned(c: SparseAffinities): SparseAffinities {
  const { n, rowPtr, cols, vals } = c;
  sortRows(c);
  /** Position of column `col` in row `row` of C (sorted), or −1. */
  const find = (row: number, col: number): number => {
    let lo = rowPtr[row];
    let hi = rowPtr[row + 1];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = cols[mid];
      if (v === col) return mid;
      if (v < col) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  };
  // Count: row j gains the entry (j, i) of Cᵀ when C has i → j but not j → i. Each entry's mutual
  // (where j → i sits in row j, as an offset into the row, or −1) is kept for the fill, so the
  // binary searches — random reads into other rows, most of the time here — are made once.
  let longest = 0;
  for (let i = 0; i < n; i++) longest = Math.max(longest, rowPtr[i + 1] - rowPtr[i]);
  const mutualAt = longest < 2 ** 15 ? new Int16Array(rowPtr[n]) : new Int32Array(rowPtr[n]);
  const extra = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
      const j = cols[e];
      const m = find(j, i);
      mutualAt[e] = m < 0 ? -1 : m - rowPtr[j];
      if (m < 0) extra[j]++;
    }
  }
  const outPtr = new Int32Array(n + 1);
  for (let j = 0; j < n; j++) outPtr[j + 1] = outPtr[j] + extra[j] + rowPtr[j + 1] - rowPtr[j];
  const nnz = outPtr[n];
  const outCols = new Int32Array(nnz);
  const outVals = new Float64Array(nnz);
  // Fill: row j's own entries after its extras; the extras arrive in ascending i, so both runs are sorted.
  for (let j = 0; j < n; j++) {
    const at = outPtr[j] + extra[j] - rowPtr[j];
    for (let e = rowPtr[j]; e < rowPtr[j + 1]; e++) {
      outCols[at + e] = cols[e];
      outVals[at + e] = vals[e];
    }
  }
  const filled = extra; // reused: extras written so far in each row
  filled.fill(0);
  for (let i = 0; i < n; i++) {
    for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
      const j = cols[e];
      const mutual = mutualAt[e];
      if (mutual >= 0) {
        outVals[outPtr[j + 1] - (rowPtr[j + 1] - rowPtr[j] - mutual)] += vals[e];
      } else {
        const at = outPtr[j] + filled[j]++;
        outCols[at] = i;
        outVals[at] = vals[e];
      }
    }
  }
  mergeRuns(outPtr, filled, outCols, outVals);
  let total = 0;
  for (let e = 0; e < nnz; e++) total += outVals[e];
  for (let e = 0; e < nnz; e++) outVals[e] /= total;
  return { n, rowPtr: outPtr, cols: outCols, vals: outVals };
}

/** Sorts each row of `c` by column in place and sums repeated columns (the rows may shrink; rowPtr follows). */
function sortRows(c: SparseAffinities): void {
  const { n, rowPtr, cols, vals } = c;
  let keys = new Float64Array(0);
  let rowVals = new Float64Array(0);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const start = rowPtr[i];
    const len = rowPtr[i + 1] - start;
    if (keys.length < len) {
      keys = new Float64Array(len);
      rowVals = new Float64Array(len);
    }
    const row = keys.subarray(0, len);
    for (let e = 0; e < len; e++) {
      row[e] = cols[start + e] * len + e; // column-major key, exact in float64
      rowVals[e] = vals[start + e];
    }
    row.sort();
    rowPtr[i] = at;
    for (let e = 0; e < len; e++) {
      const col = Math.floor(row[e] / len);
      const v = rowVals[row[e] - col * len];
      if (at > rowPtr[i] && cols[at - 1] === col) vals[at - 1] += v;
      else {
        cols[at] = col;
        vals[at++] = v;
      }
    }
  }
  rowPtr[n] = at;
}

/** Merges, in each output row, its first `firstLen[j]` entries with the rest (two sorted runs of distinct columns). */
function mergeRuns(ptr: Int32Array, firstLen: Int32Array, cols: Int32Array, vals: Float64Array): void {
  let bufCols = new Int32Array(0);
  let bufVals = new Float64Array(0);
  for (let j = 0; j < firstLen.length; j++) {
    const x = firstLen[j];
    if (x === 0) continue;
    if (bufCols.length < x) {
      bufCols = new Int32Array(x);
      bufVals = new Float64Array(x);
    }
    const s = ptr[j];
    bufCols.set(cols.subarray(s, s + x));
    bufVals.set(vals.subarray(s, s + x));
    let a = 0; // in the buffer
    let b = s + x; // the second run, in place; the write position never passes it
    const end = ptr[j + 1];
    let w = s;
    while (a < x) {
      if (b < end && cols[b] < bufCols[a]) {
        cols[w] = cols[b];
        vals[w++] = vals[b++];
      } else {
        cols[w] = bufCols[a];
        vals[w++] = bufVals[a++];
      }
    }
  }
}

/** Options of {@link affinities}. */
export interface AffinityOptions {
  /** The effective number of neighbours each point keeps (default 30). */
  perplexity?: number;
}

/**
 * The symmetric t-SNE affinities P of N points from their kNN graph (k ≥ min(N − 1, ⌊3·perplexity⌋)).
 * @example affinities(await knn(points, 90), { perplexity: 30 }) // CSR, Σ vals = 1
 */
export function affinities(knn: KnnGraph, options: AffinityOptions = {}): SparseAffinities {
  const perplexity = options.perplexity ?? 30;
  const needed = neighboursFor(perplexity, knn.n);
  if (knn.k < needed) {
    throw new DataError(
      `perplexity ${perplexity} needs a kNN graph of k ≥ ${needed} (min(N − 1, ⌊3·perplexity⌋)), got k = ${knn.k}; ` +
        `recompute the neighbours with k = ${needed} or use a perplexity of at most ${formatPerplexity(knn.k / 3)}`,
    );
  }
  return symmetrizeOwned(conditionalAffinities(knn, perplexity));
}

function checkGraph(knn: KnnGraph): void {
  const { n, k, indices, distances } = knn;
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(k) || k < 1) {
    throw new DataError(`the kNN graph must have n ≥ 1 rows and k ≥ 1 neighbours, got n=${n}, k=${k}`);
  }
  if (indices.length !== n * k || distances.length !== n * k) {
    throw new DataError(
      `the kNN graph's indices (${indices.length}) and distances (${distances.length}) must both hold n×k = ${n * k} values`,
    );
  }
}

function formatPerplexity(p: number): string {
  return String(Math.floor(p * 100) / 100);
}

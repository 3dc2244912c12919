import { makeTopK, offer, sortPairs } from "../neighbors/heap.js";
import { cosineDistance, pairDistance } from "../neighbors/tiles.js";
import type { Points } from "../neighbors/types.js";
import type { DenseMetric } from "./backend.js";

/**
 * The exact finish of a dense kNN whose candidates came from float32 products (an onnxruntime
 * Gemm + TopK, or any backend that ranks by float32 scores): each row's candidates are measured
 * again in float64 from the original points — the same formulas as the exact kernel
 * (../neighbors/kernel.ts), so the results are bit-equal to it — and sorted nearer first, ties to
 * the lower index. A row is then *proven* complete: no point left out can rank among its k,
 * because its float32 score was at least the last candidate's and float32 rounding of a length-d
 * product is bounded (Higham 2002, "Accuracy and Stability of Numerical Algorithms", §3.1,
 * |fl(x·y) − x·y| ≤ γ_d |x|·|y|, γ_d = d·u / (1 − d·u)). A row that cannot be proven (more exact
 * ties than candidates — duplicated points —, or a gap below rounding) is scanned in full in
 * float64. Browser-safe.
 */

/** Unit roundoff of float32. */
const U32 = 2 ** -24;

/** How the candidates' float32 scores were formed, for the rounding bound. */
export interface ScoreSpace {
  metric: DenseMetric;
  /**
   * l2: the scores are ‖r_j − μ‖² − 2 (q − μ)·(r_j − μ) on float32 coordinates centred by μ; the
   * largest centred reference norm, and each query's centred norm (by row).
   */
  maxReferenceNorm: number;
  queryNorm: (row: number) => number;
}

/** One block of candidate rows: row r of the block is query row `first + r`. */
export interface CandidateBlock {
  first: number;
  rows: number;
  /** Candidates per row, ascending float32 score (ties to the lower index). */
  keep: number;
  scores: Float32Array;
  /** Candidate indices, rows × keep. */
  indices: Int32Array;
  /** True when the candidates are every reference point (nothing is left out). */
  complete: boolean;
}

/** The reference points, the queries (or null: the reference points themselves, self excluded) and their norms. */
export interface RefineJob {
  reference: Points;
  queries: Points | null;
  k: number;
  metric: DenseMetric;
  /** cosine: inverse norms (0 for a zero row), as kernel.ts's rowNorms. */
  refInv?: Float64Array;
  queryInv?: Float64Array;
  outIdx: Int32Array;
  outDist: Float32Array;
}

/** Writes the exact k nearest of every row of `block` into the job's outputs; returns how many rows needed a full scan. */
export function refineBlock(job: RefineJob, block: CandidateBlock, space: ScoreSpace): number {
  const { k, outIdx, outDist } = job;
  const dist = new Float64Array(block.keep);
  const idx = new Int32Array(block.keep);
  const bound = roundingBound(job.reference.d);
  let scanned = 0;
  for (let r = 0; r < block.rows; r++) {
    const q = block.first + r;
    const m = pickCandidates(job, block, r, space, bound, idx);
    measure(job, q, idx, m, dist);
    sortPairs(dist, idx, 0, m);
    const last = block.scores[r * block.keep + block.keep - 1];
    if (m < k || (!block.complete && !proven(dist[k - 1], last, bound, space, q))) {
      scanRow(job, q);
      scanned++;
      continue;
    }
    for (let c = 0; c < k; c++) {
      outIdx[q * k + c] = idx[c];
      outDist[q * k + c] = dist[c];
    }
  }
  return scanned;
}

/**
 * The candidates of block row r worth measuring, into `idx`; returns how many. They come by
 * float32 score; once k are in, one scoring more than 3 bounds above the k-th cannot beat it
 * (|score − exact| ≤ one bound, centring's rounding < one more), so is left out.
 */
function pickCandidates(job: RefineJob, block: CandidateBlock, r: number, space: ScoreSpace, bound: number, idx: Int32Array): number {
  const q = block.first + r;
  const e = space.metric === "l2" ? bound * (space.queryNorm(q) + space.maxReferenceNorm) ** 2 : bound;
  const self = job.queries === null ? q : -1;
  let limit = Infinity;
  let m = 0;
  for (let c = r * block.keep, end = c + block.keep; c < end; c++) {
    const j = block.indices[c];
    if (j === self) continue;
    const score = block.scores[c];
    if (score > limit) break;
    idx[m++] = j;
    if (m === job.k) limit = score + 3 * e;
  }
  return m;
}

/**
 * dist[c] = the exact kernel's float64 distance from query row q to point idx[c], for c < m.
 * Four points at a time: four independent sums, each still added in coordinate order (so the
 * same bits as one at a time), which the CPU overlaps instead of waiting on one chain of adds.
 */
function measure(job: RefineJob, q: number, idx: Int32Array, m: number, dist: Float64Array): void {
  const { reference: ref, metric } = job;
  const d = ref.d;
  const a = (job.queries ?? ref).data;
  const b = ref.data;
  const p = q * d;
  let c = 0;
  for (; c + 4 <= m; c += 4) {
    const b0 = idx[c] * d, b1 = idx[c + 1] * d, b2 = idx[c + 2] * d, b3 = idx[c + 3] * d;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    if (metric === "l2") {
      for (let t = 0; t < d; t++) {
        const x = a[p + t];
        const z0 = x - b[b0 + t], z1 = x - b[b1 + t], z2 = x - b[b2 + t], z3 = x - b[b3 + t];
        s0 += z0 * z0;
        s1 += z1 * z1;
        s2 += z2 * z2;
        s3 += z3 * z3;
      }
    } else {
      for (let t = 0; t < d; t++) {
        const x = a[p + t];
        s0 += x * b[b0 + t];
        s1 += x * b[b1 + t];
        s2 += x * b[b2 + t];
        s3 += x * b[b3 + t];
      }
    }
    dist[c] = finish(job, q, idx[c], s0);
    dist[c + 1] = finish(job, q, idx[c + 1], s1);
    dist[c + 2] = finish(job, q, idx[c + 2], s2);
    dist[c + 3] = finish(job, q, idx[c + 3], s3);
  }
  for (; c < m; c++) dist[c] = distance(job, q, idx[c]);
}

/** The distance from a sum formed as pairDistance forms it: √(squared l2), or the cosine distance of a dot product. */
function finish(job: RefineJob, q: number, j: number, sum: number): number {
  return job.metric === "l2" ? Math.sqrt(sum) : cosineDistance(sum, (job.queryInv ?? job.refInv)![q], job.refInv![j]);
}

/** γ_d plus a few roundings (the norms, the add, the centring or normalisation), with 10% to spare. */
function roundingBound(d: number): number {
  return 1.1 * (d + 8) * U32;
}

/**
 * True if every point left out (float32 score ≥ `last`) is strictly farther than `kth` (the k-th
 * exact distance): then no tie or rounding can bring it into the row.
 */
function proven(kth: number, last: number, bound: number, space: ScoreSpace, q: number): boolean {
  if (space.metric === "cosine") {
    // Unit rows: |score − (−cos)| ≤ bound; the distance is 1 − cos, clamped to [0, 2] (so 2 can only tie).
    return kth < 2 && 1 + last - bound > kth * (1 + 1e-12);
  }
  const qn = space.queryNorm(q);
  const scale = (qn + space.maxReferenceNorm) ** 2;
  // Left-out points have ‖q_c − r_c‖² ≥ last − bound·scale + ‖q_c‖²; centring moved each point by
  // at most u·‖x − μ‖ per coordinate rounding, so their true distance is at least this, less that.
  const sq = last - bound * scale + qn * qn;
  const lower = Math.sqrt(Math.max(0, sq)) - 2 * U32 * (qn + space.maxReferenceNorm);
  return lower > kth * (1 + 1e-12);
}

/** The exact kernel's float64 distance between query row q and reference point j. */
function distance(job: RefineJob, q: number, j: number): number {
  const { reference: ref, metric } = job;
  const d = ref.d;
  const cosine = metric === "cosine";
  return pairDistance(metric, (job.queries ?? ref).data, q * d, ref.data, j * d, d, cosine ? (job.queryInv ?? job.refInv)![q] : 0, cosine ? job.refInv![j] : 0);
}

/** Every reference point against query row q, in float64; the k nearest by (distance, index). */
function scanRow(job: RefineJob, q: number): void {
  const { k, reference } = job;
  const heap = makeTopK(1, k);
  for (let j = 0; j < reference.n; j++) {
    if (job.queries === null && j === q) continue;
    offer(heap, 0, distance(job, q, j), j);
  }
  sortPairs(heap.dist, heap.idx, 0, k);
  for (let c = 0; c < k; c++) {
    job.outIdx[q * k + c] = heap.idx[c];
    job.outDist[q * k + c] = heap.dist[c];
  }
}

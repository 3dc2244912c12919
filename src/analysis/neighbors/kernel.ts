import { makeTopK, offer, sortPairs, threshold, type TopK } from "./heap.js";
import { createSimdKernel, type TileFn } from "./simd.js";
import { dotTile, l1Tile, pairDistance } from "./tiles.js";
import type { Metric } from "./types.js";

/**
 * The exact kNN compute kernel: plain typed arrays in and out, no Node imports, so the same code
 * runs in a worker thread, on the main thread and in the browser. Queries are processed in tiles
 * of QUERY_TILE rows against tiles of REF_TILE reference rows (a reference tile, ~100 KB at
 * d = 50, stays in L2 cache while every query of the tile scans it). Memory is O(N·d + tile² +
 * rows·k) per thread, never N×N.
 *
 * Two passes per row: the tile kernel (WebAssembly SIMD in float32, or plain JS in float64 where
 * SIMD is missing) ranks all candidates and keeps the best k + EXTRA; those are then recomputed
 * directly in float64 and sorted, nearer first, ties to the lower index. A true neighbour is
 * missed only if float32 rounding (~1e-6 relative) pushes it past EXTRA closer-looking candidates.
 */
export const QUERY_TILE = 64;
export const REF_TILE = 512;
export const EXTRA = 8;

/** Everything a kernel call needs; in the threaded path each array may sit on a SharedArrayBuffer. */
export interface KernelJob {
  metric: Metric;
  k: number;
  d: number;
  ref: Float32Array;
  nRef: number;
  /** Per reference row: squared norm (l2) or inverse norm, 0 for a zero vector (cosine); empty for l1. */
  refNorms: Float64Array;
  queries: Float32Array;
  queryNorms: Float64Array;
  /** Queries are the reference points themselves: row i skips candidate i. */
  self: boolean;
  /** Row-major rows×k outputs, indexed by query row. */
  outIdx: Int32Array;
  outDist: Float32Array;
  /** Use the plain-JS tile kernel even where WebAssembly SIMD exists (for tests). */
  noSimd?: boolean;
}

/** Squared norms (l2), inverse norms (cosine; 0 for all-zero rows) or nothing (l1) per row. */
export function rowNorms(data: Float32Array, n: number, d: number, metric: Metric): Float64Array {
  if (metric === "l1") return new Float64Array(0);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = i * d, end = t + d; t < end; t++) s += data[t] * data[t];
    out[i] = metric === "l2" ? s : s > 0 ? 1 / Math.sqrt(s) : 0;
  }
  return out;
}

/** One thread's tile kernel and top-k state. */
export interface Scratch {
  /** Candidates kept per row before the exact recheck. */
  keep: number;
  heap: TopK;
  /** Raw scores (dot or L1) of the last tile, row-major with `tileStride(nr)` per row. */
  tile: Float32Array | Float64Array;
  tileStride: (nr: number) => number;
  computeTile: (qs: number, nq: number, rs: number, nr: number) => void;
  /** SIMD path only: the per-row filter thresholds to set before computeTile, and its hit lists. */
  filter: { thr: Float32Array; hits: Int32Array; margin: (q: number) => number } | null;
}

export function makeScratch(job: KernelJob): Scratch {
  const keep = Math.min(job.k + EXTRA, job.self ? job.nRef - 1 : job.nRef);
  const heap = makeTopK(QUERY_TILE, keep);
  const simd = job.noSimd ? null : simdTiles(job);
  if (simd) return { keep, heap, ...simd };
  const tile = new Float64Array(QUERY_TILE * REF_TILE);
  const fn = job.metric === "l1" ? l1Tile : dotTile;
  return {
    keep,
    heap,
    tile,
    tileStride: (nr) => nr,
    computeTile: (qs, nq, rs, nr) => fn(job.queries, qs, nq, job.ref, rs, nr, job.d, tile),
    filter: null,
  };
}

const roundUp = (x: number, m: number) => Math.ceil(x / m) * m;

/**
 * The SIMD tile kernel over this thread's own WebAssembly memory: the reference points (rows
 * padded to a multiple of 4 floats, plus zero rows), the filter's per-reference p and q, a query
 * tile (query mode), the output tile, the row thresholds and the hit lists.
 */
function simdTiles(job: KernelJob): Omit<Scratch, "keep" | "heap"> | null {
  const { d, nRef, self, metric } = job;
  const dp = roundUp(d, 4);
  const stride = dp * 4;
  const refRows = roundUp(nRef + 1, 4);
  const pAt = refRows * stride;
  const qAt = pAt + refRows * 4;
  const queryAt = qAt + refRows * 4;
  const outAt = queryAt + (self ? 0 : QUERY_TILE * stride);
  const thrAt = outAt + QUERY_TILE * REF_TILE * 4;
  const hitsAt = thrAt + QUERY_TILE * 4;
  const kernel = createSimdKernel(hitsAt + QUERY_TILE * (REF_TILE + 4) * 4);
  if (!kernel) return null;
  const buf = kernel.memory.buffer;
  const mem = new Float32Array(buf);
  for (let i = 0; i < nRef; i++) mem.set(job.ref.subarray(i * d, i * d + d), i * dp);
  // Filter value per candidate: q_j + p_j·raw, in the same order as the scan's v (see scanRow).
  const p = new Float32Array(buf, pAt, refRows);
  const q = new Float32Array(buf, qAt, refRows).fill(Infinity, nRef);
  for (let j = 0; j < nRef; j++) {
    p[j] = metric === "l2" ? -2 : metric === "cosine" ? -job.refNorms[j] : 1;
    q[j] = metric === "l2" ? job.refNorms[j] : 0;
  }
  let maxRefNorm = 0;
  for (let j = 0; j < nRef && metric === "l2"; j++) maxRefNorm = Math.max(maxRefNorm, job.refNorms[j]);
  // Slack on each threshold, far above float32 rounding, so the filter never drops a candidate the scan would keep.
  const margin = (row: number) =>
    metric === "l2" ? 1e-5 * (maxRefNorm + job.queryNorms[row]) : metric === "cosine" ? 1e-5 / job.queryNorms[row] : 0;
  const tile = new Float32Array(buf, outAt, QUERY_TILE * REF_TILE);
  const fn: TileFn = metric === "l1" ? kernel.l1s : kernel.dots;
  let loaded = -1;
  const computeTile = (qs: number, nq: number, rs: number, nr: number) => {
    let a = qs * stride;
    if (!self) {
      if (loaded !== qs) {
        mem.fill(0, queryAt / 4, outAt / 4);
        for (let i = 0; i < nq; i++) mem.set(job.queries.subarray((qs + i) * d, (qs + i + 1) * d), queryAt / 4 + i * dp);
        loaded = qs;
      }
      a = queryAt;
    }
    fn(a, roundUp(nq, 2), rs * stride, roundUp(nr, 4), stride, outAt, pAt + rs * 4, qAt + rs * 4, thrAt, hitsAt);
  };
  const filter = { thr: new Float32Array(buf, thrAt, QUERY_TILE), hits: new Int32Array(buf, hitsAt, QUERY_TILE * (REF_TILE / 4 + 1)), margin };
  return { tile, tileStride: (nr) => roundUp(nr, 4), computeTile, filter };
}

/** Fills the outputs for query rows [start, end), nearest first, ties by lower index. */
export function knnRows(job: KernelJob, start: number, end: number, scratch: Scratch = makeScratch(job)): void {
  const { heap, filter } = scratch;
  for (let qs = start; qs < end; qs += QUERY_TILE) {
    const nq = Math.min(QUERY_TILE, end - qs);
    heap.size.fill(0);
    for (let rs = 0; rs < job.nRef; rs += REF_TILE) {
      const nr = Math.min(REF_TILE, job.nRef - rs);
      if (filter) {
        filter.thr.fill(-Infinity);
        for (let i = 0; i < nq; i++) filter.thr[i] = filterThreshold(job, scratch, qs + i, i);
      }
      scratch.computeTile(qs, nq, rs, nr);
      const stride = scratch.tileStride(nr);
      for (let i = 0; i < nq; i++) {
        if (!filter) scanRow(job, scratch, qs + i, i, rs, 0, nr, i * stride);
        else {
          const hb = i * (stride / 4 + 1);
          for (let c = 1; c <= filter.hits[hb]; c++) {
            const jb = filter.hits[hb + c];
            scanRow(job, scratch, qs + i, i, rs, jb, Math.min(jb + 4, nr), i * stride);
          }
        }
      }
    }
    for (let i = 0; i < nq; i++) finishRow(job, heap, qs + i, i);
  }
}

/** The filter's bound for row q: any candidate the scan would keep has q_j + p_j·raw below it. */
function filterThreshold(job: KernelJob, scratch: Scratch, q: number, r: number): number {
  const top = threshold(scratch.heap, r);
  if (top === Infinity) return Infinity;
  let t: number;
  if (job.metric === "l2") t = top - job.queryNorms[q];
  else if (job.metric === "l1") t = top;
  else if (job.queryNorms[q] === 0) return -Infinity; // a zero vector is at 1 from everything: ties only
  else t = (top - 1) / job.queryNorms[q];
  return t + scratch.filter!.margin(q) + Math.abs(t) * 1e-6;
}

/** Offers candidates j0 ≤ j < j1 of one tile row to query row q (local row r of the tile). */
function scanRow(job: KernelJob, scratch: Scratch, q: number, r: number, rs: number, j0: number, j1: number, base: number): void {
  const { tile, heap } = scratch;
  const { metric, refNorms } = job;
  const skip = job.self ? q - rs : -1;
  const qn = metric === "l1" ? 0 : job.queryNorms[q];
  let top = threshold(heap, r);
  // Candidates come in increasing index order, so one that only ties the worst kept is never
  // better (ties go to the lower index): a strict `<` is exact.
  for (let j = j0; j < j1; j++) {
    const raw = tile[base + j];
    // l2: ‖q‖² + ‖x‖² − 2 q·x (squared); cosine: 1 − cos; l1: as is.
    const v = metric === "l2" ? qn + refNorms[rs + j] - 2 * raw : metric === "cosine" ? 1 - raw * qn * refNorms[rs + j] : raw;
    if (v < top && j !== skip) {
      offer(heap, r, v, rs + j);
      top = threshold(heap, r);
    }
  }
}

/** Recomputes query row q's kept candidates in float64 and writes the best k, in order. */
function finishRow(job: KernelJob, heap: TopK, q: number, r: number): void {
  const { k, d, metric, queries, ref } = job;
  const keep = heap.k;
  const hb = r * keep;
  for (let m = 0; m < keep; m++) {
    const j = heap.idx[hb + m];
    heap.dist[hb + m] = pairDistance(metric, queries, q * d, ref, j * d, d, job.queryNorms[q], job.refNorms[j]); // the norms: cosine's only
  }
  sortPairs(heap.dist, heap.idx, hb, keep);
  const ob = q * k;
  for (let m = 0; m < k; m++) {
    job.outIdx[ob + m] = heap.idx[hb + m];
    job.outDist[ob + m] = heap.dist[hb + m];
  }
}

/**
 * Exact nearest neighbours of one row among all rows, by one scan that gives up on a candidate as
 * soon as it cannot make the top k: the interactive case (one image clicked in the app), where the
 * blocked all-pairs kernel of exact.ts would spend its time on set-up. Euclidean distance, computed
 * directly (no ‖a‖² + ‖b‖² − 2a·b), so the ranking is exact: float64 sums of float32 features, and
 * integer sums over uint8 pixels. Ties go to the lower row. Browser-safe.
 *
 * Pixels also use a lower bound, that of piecewise aggregate approximation (Keogh et al. 2001,
 * "Dimensionality reduction for fast similarity search in large time series databases", §4; by
 * Cauchy–Schwarz): for a block of m values, Σ(aᵢ − bᵢ)² ≥ (Σaᵢ − Σbᵢ)²/m, so a candidate whose
 * block sums are far from the query's is skipped without reading its pixels.
 */

/** Rows of `d` values: float32 features or uint8 pixels (H·W·C bytes per image). */
export interface ScanRows {
  n: number;
  d: number;
  data: Float32Array | Uint8Array;
}

/** The result: rows nearest first (ties to the lower row) and their Euclidean distances. */
export interface ScanResult {
  rows: Int32Array;
  distances: Float64Array;
}

/** Values per block of the pixel lower bound (8–64 were within 25% of each other on Fashion-MNIST, 16 the fastest); block sums are computed once per image set. */
export const SCAN_BLOCK = 16;

/**
 * Per row, the sums of its blocks of SCAN_BLOCK values (the last block may be shorter), for
 * {@link nearestRows} on pixels: float32, exact for uint8 blocks (sums below 2²⁴).
 */
export function blockSums(rows: ScanRows & { data: Uint8Array }): Float32Array {
  const { n, d, data } = rows;
  const blocks = Math.ceil(d / SCAN_BLOCK);
  const out = new Float32Array(n * blocks);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < blocks; b++) {
      let s = 0;
      for (let t = i * d + b * SCAN_BLOCK, end = i * d + Math.min(d, (b + 1) * SCAN_BLOCK); t < end; t++) s += data[t];
      out[i * blocks + b] = s;
    }
  }
  return out;
}

/**
 * The k nearest other rows of row `query` (exact duplicates included, itself left out).
 * `sums` (from {@link blockSums}, uint8 rows only) turns on the lower bound.
 * @example nearestRows({ n: 4, d: 1, data: Float32Array.of(0, 1, 3, 1) }, 0, 2) // rows [1, 3], distances [1, 1]
 */
export function nearestRows(points: ScanRows, query: number, k: number, sums?: Float32Array): ScanResult {
  const { n, d, data } = points;
  if (!(Number.isInteger(query) && query >= 0 && query < n)) throw new RangeError(`query must be a row in 0..${n - 1}, got ${query}`);
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (data.length !== n * d) throw new RangeError(`${data.length} values do not make ${n} rows of ${d}`);
  if (sums && !(data instanceof Uint8Array)) throw new RangeError("block sums bound uint8 rows only");
  const m = Math.min(k, n - 1);
  const top = new TopRows(m);
  if (m === 0) return top.result();
  const q = data instanceof Uint8Array ? Int32Array.from(data.subarray(query * d, (query + 1) * d)) : Float64Array.from(data.subarray(query * d, (query + 1) * d));
  const exact = (j: number) => top.offer(distanceUpTo(q, data, j * d, d, top.threshold), j);
  if (!sums) {
    for (let j = 0; j < n; j++) if (j !== query) exact(j);
    return top.result();
  }
  const lbs = lowerBounds(sums, query, n, d);
  for (let j = 0; j < n; j++) {
    // The slack covers the rounding of the bound's divisions.
    if (j !== query && lbs[j] <= top.threshold * (1 + 1e-12)) exact(j);
  }
  return top.result();
}

/**
 * Σ (q − row)² over the d values from `at` (integers for pixels, float64 for features), stopping
 * once past `limit`: the running sum is checked every 32 values, a short inner loop stays fast.
 */
function distanceUpTo(q: Int32Array | Float64Array, data: Float32Array | Uint8Array, at: number, d: number, limit: number): number {
  let s = 0;
  for (let t = 0; t < d && s <= limit; t += 32) {
    const end = Math.min(d, t + 32);
    for (let u = t; u < end; u++) {
      const e = q[u] - data[at + u];
      s += e * e;
    }
  }
  return s;
}

/** Each row's bound Σ_b (Δ block sum)² / block size on its squared distance to row `query`. */
function lowerBounds(sums: Float32Array, query: number, n: number, d: number): Float64Array {
  const blocks = Math.ceil(d / SCAN_BLOCK);
  const inv = Float64Array.from({ length: blocks }, (_, b) => 1 / Math.min(SCAN_BLOCK, d - b * SCAN_BLOCK));
  const qs = sums.subarray(query * blocks, (query + 1) * blocks);
  const out = new Float64Array(n);
  for (let j = 0, o = 0; j < n; j++, o += blocks) {
    let lb = 0;
    for (let b = 0; b < blocks; b++) {
      const delta = qs[b] - sums[o + b];
      lb += delta * delta * inv[b];
    }
    out[j] = lb;
  }
  return out;
}

/** The m best (squared distance, row) pairs so far, in order: nearer first, then the lower row. */
class TopRows {
  readonly best: Float64Array;
  readonly rows: Int32Array;
  /** A candidate farther than this cannot enter. */
  threshold = Infinity;

  constructor(readonly m: number) {
    this.best = new Float64Array(m).fill(Infinity);
    this.rows = new Int32Array(m).fill(-1);
  }

  offer(s: number, j: number): void {
    const { best, rows, m } = this;
    if (!(s < best[m - 1] || (s === best[m - 1] && (rows[m - 1] < 0 || j < rows[m - 1])))) return;
    let p = m - 1;
    while (p > 0 && (best[p - 1] > s || (best[p - 1] === s && rows[p - 1] > j))) {
      best[p] = best[p - 1];
      rows[p] = rows[p - 1];
      p--;
    }
    best[p] = s;
    rows[p] = j;
    this.threshold = best[m - 1];
  }

  result(): ScanResult {
    return { rows: this.rows, distances: this.best.map(Math.sqrt) };
  }
}

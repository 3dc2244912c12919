/**
 * Bounded max-heaps for per-row top-k selection, stored flat: row r owns slots [r·k, r·k + k) of
 * `dist` and `idx`. The root holds the worst kept neighbour: the largest distance, and among equal
 * distances the largest index, so the heap keeps "nearer first, then lower index". Browser-safe.
 */
export interface TopK {
  k: number;
  dist: Float64Array;
  idx: Int32Array;
  size: Int32Array;
}

export function makeTopK(rows: number, k: number): TopK {
  return { k, dist: new Float64Array(rows * k), idx: new Int32Array(rows * k), size: new Int32Array(rows) };
}

/** True if (da, ia) ranks after (db, ib): farther, or as far with a larger index. */
function worse(da: number, ia: number, db: number, ib: number): boolean {
  return da > db || (da === db && ia > ib);
}

/** The distance a candidate must beat to enter row r (Infinity while the row is not full). */
export function threshold(h: TopK, r: number): number {
  return h.size[r] < h.k ? Infinity : h.dist[r * h.k];
}

/** Offers candidate (v, j) to row r; it is kept if the row is not full or it beats the root. */
export function offer(h: TopK, r: number, v: number, j: number): void {
  const { k, dist, idx } = h;
  const base = r * k;
  let pos: number;
  if (h.size[r] < k) {
    // Sift up from the new leaf.
    pos = h.size[r]++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      if (!worse(v, j, dist[base + parent], idx[base + parent])) break;
      dist[base + pos] = dist[base + parent];
      idx[base + pos] = idx[base + parent];
      pos = parent;
    }
  } else {
    if (!worse(dist[base], idx[base], v, j)) return;
    // Replace the root and sift down.
    pos = 0;
    while (true) {
      let child = 2 * pos + 1;
      if (child >= k) break;
      if (child + 1 < k && worse(dist[base + child + 1], idx[base + child + 1], dist[base + child], idx[base + child])) child++;
      if (!worse(dist[base + child], idx[base + child], v, j)) break;
      dist[base + pos] = dist[base + child];
      idx[base + pos] = idx[base + child];
      pos = child;
    }
  }
  dist[base + pos] = v;
  idx[base + pos] = j;
}

/** Sorts `count` (distance, index) pairs in place from `start`: nearer first, then lower index. */
export function sortPairs(dist: Float64Array | Float32Array, idx: Int32Array, start: number, count: number): void {
  for (let a = start + 1; a < start + count; a++) {
    const v = dist[a];
    const j = idx[a];
    let b = a - 1;
    while (b >= start && worse(dist[b], idx[b], v, j)) {
      dist[b + 1] = dist[b];
      idx[b + 1] = idx[b];
      b--;
    }
    dist[b + 1] = v;
    idx[b + 1] = j;
  }
}

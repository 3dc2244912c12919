/**
 * The pairs of classes that mix most, and example image pairs for each: a point and its nearest
 * neighbour of the other class. Browser-safe, plain typed arrays.
 */
import type { KnnGraph, Points } from "../neighbors/types.js";

/** Two classes and how much they mix, both ways. */
export interface ClassPair {
  a: number;
  b: number;
  /** Share of a's (neighbour slots | images) that are b, and the reverse. */
  ab: number;
  ba: number;
  /** The symmetrised value, (ab + ba) / 2. */
  value: number;
}

/**
 * Every pair a < b of a K×K row-normalised matrix (the mixing matrix, or the confusion matrix
 * divided by its row sums), symmetrised as (m[a][b] + m[b][a]) / 2, largest first; classes for
 * which `include` is false are left out, and so are pairs whose value is 0.
 * @example symmetricPairs(Float64Array.of(0.9, 0.1, 0.3, 0.7), 2) // [{ a: 0, b: 1, ab: 0.1, ba: 0.3, value: 0.2 }]
 */
export function symmetricPairs(matrix: ArrayLike<number>, k: number, include: (c: number) => boolean = () => true): ClassPair[] {
  if (matrix.length !== k * k) throw new RangeError(`a ${k}×${k} matrix has ${k * k} entries, got ${matrix.length}`);
  const pairs: ClassPair[] = [];
  for (let a = 0; a < k; a++) {
    if (!include(a)) continue;
    for (let b = a + 1; b < k; b++) {
      if (!include(b)) continue;
      const ab = matrix[a * k + b];
      const ba = matrix[b * k + a];
      const value = (ab + ba) / 2;
      if (value > 0) pairs.push({ a, b, ab, ba, value });
    }
  }
  return pairs.sort((p, q) => q.value - p.value || p.a - q.a || p.b - q.b);
}

/** A point and a point of another class near it in feature space (rows of the points given). */
export interface PairExample {
  row: number;
  other: number;
  /** Their distance (the graph's metric, or Euclidean). */
  distance: number;
}

/**
 * Up to `count` example pairs for classes a and b from a kNN graph: points of one class whose
 * k nearest neighbours hold points of the other, each with its nearest such neighbour. The points
 * most surrounded by the other class come first (then the closer pair), taken from a and from b in
 * turn; an unordered pair appears once.
 * @example neighborPairExamples(graph, labels, 6, 0, 4) // [{ row: 812, other: 90, distance: 1.73 }, …]
 */
export function neighborPairExamples(graph: KnnGraph, labels: Int32Array, a: number, b: number, count: number): PairExample[] {
  const side = (from: number, to: number) => {
    const found: (PairExample & { hits: number })[] = [];
    for (let i = 0; i < graph.n; i++) {
      if (labels[i] !== from) continue;
      let hits = 0;
      let first = -1;
      for (let c = 0; c < graph.k; c++) {
        if (labels[graph.indices[i * graph.k + c]] !== to) continue;
        hits++;
        if (first < 0) first = c;
      }
      if (first >= 0) found.push({ row: i, other: graph.indices[i * graph.k + first], distance: graph.distances[i * graph.k + first], hits });
    }
    return found.sort((p, q) => q.hits - p.hits || p.distance - q.distance || p.row - q.row);
  };
  return interleave(side(a, b), side(b, a), count).map(({ row, other, distance }) => ({ row, other, distance }));
}

/**
 * The nearest point of class `c` to row `row` (itself left out), by Euclidean distance, exact;
 * null when class c has no other point. O(N·D).
 * @example nearestOfClass({ n: 3, d: 1, data: Float32Array.of(0, 1, 5) }, Int32Array.of(0, 1, 1), 0, 1) // { row: 1, distance: 1 }
 */
export function nearestOfClass(points: Points, labels: Int32Array, row: number, c: number): { row: number; distance: number } | null {
  const { d, data } = points;
  let best = -1;
  let bestD = Infinity;
  for (let j = 0; j < points.n; j++) {
    if (j === row || labels[j] !== c) continue;
    let s = 0;
    for (let t = 0; t < d; t++) {
      const v = data[row * d + t] - data[j * d + t];
      s += v * v;
    }
    if (s < bestD) {
      bestD = s;
      best = j;
    }
  }
  return best < 0 ? null : { row: best, distance: Math.sqrt(bestD) };
}

/** Takes from `x` and `y` in turn (x first) until `count`, skipping an unordered pair seen before. */
export function interleave<T extends { row: number; other: number }>(x: T[], y: T[], count: number): T[] {
  const out: T[] = [];
  const seen = new Set<number>();
  let i = 0;
  let j = 0;
  while (out.length < count && (i < x.length || j < y.length)) {
    const turn = (out.length % 2 === 0 && i < x.length) || j >= y.length;
    const p = turn ? x[i++] : y[j++];
    const key = Math.min(p.row, p.other) * 2 ** 26 + Math.max(p.row, p.other);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

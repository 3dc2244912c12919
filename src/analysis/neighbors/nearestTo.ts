import { exactKnnQuery } from "./exact.js";
import type { Metric, Points } from "./types.js";

/** One neighbour of a query point: its row, distance and (when known) label. */
export interface Neighbor {
  index: number;
  distance: number;
  label?: number;
}

/**
 * The k nearest other rows of row `query` (its exact duplicates included, itself left out),
 * nearest first, ties by row — exact search, browser-safe. `row` maps a point to the number to
 * report (a row of the file, a dataset index); `label` gives its label, if any.
 * @example nearestTo({ n: 3, d: 1, data: Float32Array.of(0, 1, 3) }, 0, 1, "l2") // [{ index: 1, distance: 1 }]
 */
export function nearestTo(points: Points, query: number, k: number, metric: Metric, row: (i: number) => number = (i) => i, label?: (i: number) => number | undefined): Neighbor[] {
  const q: Points = { n: 1, d: points.d, data: points.data.slice(query * points.d, (query + 1) * points.d) };
  const g = exactKnnQuery(points, q, Math.min(points.n, k + 1), { metric });
  const out: Neighbor[] = [];
  for (let j = 0; j < g.k && out.length < k; j++) {
    const i = g.indices[j];
    if (i === query) continue;
    const y = label?.(i);
    out.push({ index: row(i), distance: g.distances[j], ...(y !== undefined && y >= 0 ? { label: y } : {}) });
  }
  return out;
}

/** Images (N × H·W·C bytes) as float vectors, for neighbours in pixel space. */
export function pixelPoints(images: Uint8Array, n: number, size: number, rows?: ArrayLike<number>): Points {
  const m = rows ? rows.length : n;
  const data = new Float32Array(m * size);
  for (let i = 0; i < m; i++) {
    const r = rows ? rows[i] : i;
    for (let j = 0; j < size; j++) data[i * size + j] = images[r * size + j];
  }
  return { n: m, d: size, data };
}

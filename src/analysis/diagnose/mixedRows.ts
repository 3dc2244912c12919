import type { KnnGraph } from "../neighbors/types.js";

/**
 * The images behind a mixed class pair, as the app lights them up on the map: for a pair (a, b)
 * found by neighbours, the images of a at least `share` of whose k nearest neighbours in feature
 * space are of b, and the reverse — each sits among the other class —; for a pair found by
 * predictions, the images of a predicted as b and the reverse. Typed arrays in, rows out;
 * browser-safe.
 */

export const MIXED_DEFAULTS = { share: 0.5 } as const;

export interface MixedRowsInput {
  /** Label of every row (−1: none). */
  labels: Int32Array;
  a: number;
  b: number;
  /** The k nearest neighbours of `queries[j]` in row j of the graph (rows of `labels`), the query itself left out. */
  queries: Int32Array;
  graph: Pick<KnnGraph, "k" | "indices">;
  /** Share of neighbours of the other class that makes an image mixed (default 0.5). */
  share?: number;
}

/**
 * Rows (ascending) of a among b and of b among a by their neighbours.
 * @example mixedByNeighbors({ labels: Int32Array.of(0, 0, 1), a: 0, b: 1, queries: Int32Array.of(0, 1, 2), graph: { k: 1, indices: Int32Array.of(2, 0, 0) } })
 * // Int32Array [0, 2]
 */
export function mixedByNeighbors(o: MixedRowsInput): Int32Array {
  const share = o.share ?? MIXED_DEFAULTS.share;
  const { k, indices } = o.graph;
  if (indices.length !== o.queries.length * k) throw new RangeError(`the graph has ${indices.length / Math.max(1, k)} rows, the queries ${o.queries.length}`);
  const out: number[] = [];
  for (let j = 0; j < o.queries.length; j++) {
    const row = o.queries[j];
    const y = o.labels[row];
    if (y !== o.a && y !== o.b) continue;
    const other = y === o.a ? o.b : o.a;
    let count = 0;
    for (let t = 0; t < k; t++) if (o.labels[indices[j * k + t]] === other) count++;
    if (k > 0 && count >= share * k) out.push(row);
  }
  return Int32Array.from(out).sort();
}

/**
 * Rows (ascending) of a predicted as b and of b predicted as a.
 * @example mixedByPredictions(Int32Array.of(0, 1, 1), Int32Array.of(1, 1, 0), 0, 1) // Int32Array [0, 2]
 */
export function mixedByPredictions(labels: Int32Array, predicted: Int32Array, a: number, b: number): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) if ((labels[i] === a && predicted[i] === b) || (labels[i] === b && predicted[i] === a)) out.push(i);
  return Int32Array.from(out);
}

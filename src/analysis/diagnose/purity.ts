/**
 * How classes mix in a feature space, read off a k-nearest-neighbour graph: each point's kNN
 * purity (the share of its k nearest neighbours that share its class), its mean per class, and
 * the K×K mixing matrix (how often class a's neighbours are of class b). Browser-safe; the graph
 * comes from analysis/neighbors (exact) or analysis/node (threads, HNSW).
 */
import { DataError, UsageError } from "../../util/errors.js";
import type { KnnGraph } from "../neighbors/types.js";

/** Neighbours per point (the diagnoses' k). */
export const PURITY_DEFAULTS = { k: 10 } as const;

export interface NeighborMixing {
  /** Neighbours counted per point. */
  k: number;
  /** Number of classes K. */
  classes: number;
  /** Points of each class. */
  counts: Int32Array;
  /** Per point: the share of its k nearest neighbours that share its class. */
  pointPurity: Float32Array;
  /** Per class: the mean of `pointPurity` over its points (NaN for a class with no points). */
  purity: Float64Array;
  /**
   * K×K, row-major: `mixing[a * K + b]` is the share of the neighbour slots of class a's points
   * held by points of class b (each row sums to 1; the diagonal is `purity`).
   */
  mixing: Float64Array;
  /** The share of all neighbour slots that hold the point's own class (the point-weighted mean purity). */
  overall: number;
}

/**
 * kNN purity and the mixing matrix of labelled points (kNN purity as in the "neighbourhood hit" of
 * Paulovich et al. 2008; the mixing matrix is its breakdown by the neighbour's class).
 * @example
 * // two points of class 0 next to each other, one of class 1 beside the second
 * const g = { n: 3, k: 1, metric: "l2", indices: Int32Array.of(1, 0, 1), distances: Float32Array.of(1, 1, 1) };
 * neighborMixing(g, Int32Array.of(0, 0, 1), 2).purity // Float64Array [1, 0]
 */
export function neighborMixing(graph: KnnGraph, labels: Int32Array, numClasses: number, options: { k?: number } = {}): NeighborMixing {
  const k = options.k ?? Math.min(PURITY_DEFAULTS.k, graph.k);
  if (!Number.isInteger(k) || k < 1 || k > graph.k) throw new UsageError(`neighborMixing: k must be an integer in 1..${graph.k} (the graph's k), got ${k}`);
  if (labels.length !== graph.n) throw new DataError(`labels has ${labels.length} entries for a graph of ${graph.n} points; pass one label per point`);
  for (let i = 0; i < labels.length; i++) {
    if (!(labels[i] >= 0 && labels[i] < numClasses)) throw new DataError(`labels must be classes 0..${numClasses - 1}; row ${i} holds ${labels[i]}`);
  }
  const K = numClasses;
  const counts = new Int32Array(K);
  const slots = new Float64Array(K * K);
  const pointPurity = new Float32Array(graph.n);
  let same = 0;
  for (let i = 0; i < graph.n; i++) {
    const a = labels[i];
    counts[a]++;
    let own = 0;
    for (let c = 0; c < k; c++) {
      const b = labels[graph.indices[i * graph.k + c]];
      slots[a * K + b]++;
      if (b === a) own++;
    }
    pointPurity[i] = own / k;
    same += own;
  }
  const purity = new Float64Array(K);
  const mixing = new Float64Array(K * K);
  for (let a = 0; a < K; a++) {
    purity[a] = counts[a] > 0 ? slots[a * K + a] / (counts[a] * k) : NaN;
    for (let b = 0; b < K; b++) mixing[a * K + b] = counts[a] > 0 ? slots[a * K + b] / (counts[a] * k) : NaN;
  }
  return { k, classes: K, counts, pointPurity, purity, mixing, overall: graph.n > 0 ? same / (graph.n * k) : NaN };
}

/** Mean and (population) standard deviation of the finite values among `values` at `include`. */
export function meanSd(values: ArrayLike<number>, include: (i: number) => boolean = () => true): { mean: number; sd: number; n: number } {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    if (include(i) && Number.isFinite(values[i])) {
      n++;
      sum += values[i];
    }
  }
  const mean = n > 0 ? sum / n : NaN;
  let ss = 0;
  for (let i = 0; i < values.length; i++) if (include(i) && Number.isFinite(values[i])) ss += (values[i] - mean) ** 2;
  return { mean, sd: n > 0 ? Math.sqrt(ss / n) : NaN, n };
}

/**
 * The shapes every feature-space computation shares: points as one row-major float32 matrix, and
 * a k-nearest-neighbour graph as two row-major N×k arrays. Plain typed arrays, browser-safe.
 */

/** Distance between feature vectors: Euclidean (not squared), Manhattan, or 1 − cosine similarity. */
export type Metric = "l2" | "l1" | "cosine";

/** N points of D dimensions, row-major: point i is data[i·d … i·d + d). */
export interface Points {
  n: number;
  d: number;
  data: Float32Array;
}

/**
 * The k nearest neighbours of each of N points, row-major N×k, nearest first. A point is not its
 * own neighbour (exact duplicates of it are, at distance 0). Distances are in the metric's own
 * units (l2: Euclidean, not squared — as scikit-learn's kneighbors returns).
 */
export interface KnnGraph {
  n: number;
  k: number;
  metric: Metric;
  indices: Int32Array;
  distances: Float32Array;
}

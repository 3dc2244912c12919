import { createRng } from "../../../util/rng.js";
import type { Points } from "../../neighbors/types.js";
import { gaussian } from "./init.js";
import { bruteKnn } from "../embed.testutil.js";

/** `clusters` Gaussian blobs (std 1, centres std `spread`) of `perCluster` points in d dimensions, labelled. */
export function blobs(clusters: number, perCluster: number, d: number, seed: number, spread = 4): { points: Points; labels: Int32Array } {
  const rng = createRng(seed);
  const centres = Float64Array.from({ length: clusters * d }, () => gaussian(rng) * spread);
  const n = clusters * perCluster;
  const data = new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % clusters;
    labels[i] = c;
    for (let t = 0; t < d; t++) data[i * d + t] = centres[c * d + t] + gaussian(rng);
  }
  return { points: { n, d, data }, labels };
}

/** Exact k nearest neighbours by brute force: the one in embed.testutil.ts. */
export { bruteKnn };

/** Fraction of points whose k nearest map neighbours' majority label is their own (leave-one-out kNN). */
export function mapKnnAccuracy(y: ArrayLike<number>, dims: number, labels: Int32Array, k = 10): number {
  const graph = bruteKnn({ n: labels.length, d: dims, data: Float32Array.from(y) }, k);
  let right = 0;
  const votes = new Int32Array(Math.max(...labels) + 1);
  for (let i = 0; i < labels.length; i++) {
    votes.fill(0);
    for (let c = 0; c < k; c++) votes[labels[graph.indices[i * k + c]]]++;
    let best = 0;
    for (let l = 1; l < votes.length; l++) if (votes[l] > votes[best]) best = l;
    if (best === labels[i]) right++;
  }
  return right / labels.length;
}

/** ‖a − b‖ / ‖b‖ (Euclidean norms over the whole arrays). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** A seeded random map of n points, coordinates uniform in ±halfWidth. */
export function randomMap(n: number, dims: number, halfWidth: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n * dims }, () => (rng.next() * 2 - 1) * halfWidth);
}

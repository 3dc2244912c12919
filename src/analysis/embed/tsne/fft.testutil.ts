/** Test helpers for the FFT repulsion: an exact O(N²) oracle and seeded 2-D maps. */
import { createRng } from "../../../util/rng.js";
import { exactRepulsion } from "./exact.js";
import type { Repulsion } from "./types.js";

/** forces_i = Σ_j q̃_ij² (y_i − y_j), Z = Σ_{k≠l} q̃_kl, summed directly over all pairs (exact.ts). */
export function exactRepulsion2d(y: Float64Array, n: number): Repulsion {
  return exactRepulsion(y, n, 2) as Repulsion;
}

/** Standard normal by Box–Muller. */
function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/** n points, uniform in the square [−halfWidth, halfWidth]² shifted by `offset`. */
export function uniformMap(n: number, halfWidth: number, seed: number, offset = 0): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: 2 * n }, () => offset + (2 * rng.next() - 1) * halfWidth);
}

/**
 * n points in `clusters` Gaussian blobs of std `clusterStd`, centres uniform in
 * [−halfWidth, halfWidth]²: the look of a late-stage t-SNE embedding.
 */
export function clusteredMap(n: number, clusters: number, halfWidth: number, clusterStd: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const next = () => rng.next();
  const centres = Float64Array.from({ length: 2 * clusters }, () => (2 * rng.next() - 1) * halfWidth);
  const y = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(clusters);
    y[2 * i] = centres[2 * c] + clusterStd * gaussian(next);
    y[2 * i + 1] = centres[2 * c + 1] + clusterStd * gaussian(next);
  }
  return y;
}

/** n points from N(0, std²) per coordinate: the look of a t-SNE initialisation. */
export function gaussianMap(n: number, std: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const next = () => rng.next();
  return Float64Array.from({ length: 2 * n }, () => std * gaussian(next));
}

/** ‖a − b‖ / ‖b‖ over the first `length` entries. */
export function relativeError(a: Float64Array, b: Float64Array, length = b.length): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/**
 * Class centroids and how far each class moves between two domains: the distance between a class's
 * mean feature vectors in the two, relative to the class's spread, and the class of the first
 * domain whose centroid lies nearest the moved one ("moves toward"). Browser-safe.
 */
import { DataError } from "../../util/errors.js";
import type { Points } from "../neighbors/types.js";

export interface ClassCentroids {
  classes: number;
  d: number;
  counts: Int32Array;
  /** K×D means, row-major (NaN for a class with no points). */
  means: Float64Array;
  /** Per class: the root-mean-square distance of its points to its centroid. */
  spread: Float64Array;
}

/**
 * Means and spreads of each class's points (rows with a negative label are left out).
 * @example classCentroids({ n: 2, d: 1, data: Float32Array.of(0, 2) }, Int32Array.of(0, 0), 1) // means [1], spread [1]
 */
export function classCentroids(points: Points, labels: Int32Array, numClasses: number): ClassCentroids {
  const { n, d, data } = points;
  if (data.length !== n * d) throw new DataError(`points must hold N·D = ${n}·${d} values, got ${data.length}`);
  if (labels.length !== n) throw new DataError(`${labels.length} labels for ${n} points`);
  const counts = new Int32Array(numClasses);
  const means = new Float64Array(numClasses * d);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y < 0) continue;
    if (y >= numClasses) throw new DataError(`row ${i} has label ${y}; there are ${numClasses} classes`);
    counts[y]++;
    for (let c = 0; c < d; c++) means[y * d + c] += data[i * d + c];
  }
  for (let y = 0; y < numClasses; y++) for (let c = 0; c < d; c++) means[y * d + c] = counts[y] > 0 ? means[y * d + c] / counts[y] : NaN;
  const spread = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y < 0) continue;
    let s = 0;
    for (let c = 0; c < d; c++) s += (data[i * d + c] - means[y * d + c]) ** 2;
    spread[y] += s;
  }
  for (let y = 0; y < numClasses; y++) spread[y] = counts[y] > 0 ? Math.sqrt(spread[y] / counts[y]) : NaN;
  return { classes: numClasses, d, counts, means, spread };
}

/** How one class moved from the base domain to the other. */
export interface CentroidShift {
  class: number;
  /** Distance between the class's centroids in the two domains. */
  shift: number;
  /** `shift` over the class's spread in the base domain. */
  relative: number;
  /** The base domain's class whose centroid lies nearest the moved centroid, and that distance. */
  nearest: number;
  nearestDistance: number;
}

/**
 * Each class's centroid shift from `base` to `moved`, for the classes `include` keeps (and both
 * domains hold).
 * @example
 * // base: class 0 at (0, 0) ± 1, class 1 at (10, 0) ± 1; moved: class 0 at (8, 0)
 * centroidShifts(base, moved)[0] // { class: 0, shift: 8, relative: 8, nearest: 1, nearestDistance: 2 }
 */
export function centroidShifts(base: ClassCentroids, moved: ClassCentroids, include: (c: number) => boolean = () => true): CentroidShift[] {
  if (base.d !== moved.d || base.classes !== moved.classes) throw new DataError(`centroids of ${base.classes}×${base.d} and ${moved.classes}×${moved.d} do not compare`);
  const { d } = base;
  const dist = (a: Float64Array, i: number, b: Float64Array, j: number) => {
    let s = 0;
    for (let c = 0; c < d; c++) s += (a[i * d + c] - b[j * d + c]) ** 2;
    return Math.sqrt(s);
  };
  const out: CentroidShift[] = [];
  for (let y = 0; y < base.classes; y++) {
    if (!include(y) || base.counts[y] === 0 || moved.counts[y] === 0) continue;
    const shift = dist(base.means, y, moved.means, y);
    let nearest = -1;
    let nearestDistance = Infinity;
    for (let z = 0; z < base.classes; z++) {
      if (base.counts[z] === 0 || !include(z)) continue;
      const v = dist(base.means, z, moved.means, y);
      if (v < nearestDistance) {
        nearestDistance = v;
        nearest = z;
      }
    }
    out.push({ class: y, shift, relative: base.spread[y] > 0 ? shift / base.spread[y] : NaN, nearest, nearestDistance });
  }
  return out;
}

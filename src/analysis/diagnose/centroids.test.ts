import { describe, expect, it } from "vitest";
import { centroidShifts, classCentroids } from "./centroids.js";

describe("classCentroids", () => {
  it("classCentroids(points, labels, K) gives each class's mean and root-mean-square distance to it", () => {
    const c = classCentroids({ n: 4, d: 2, data: Float32Array.of(0, 0, 2, 0, 10, 10, 10, 12) }, Int32Array.of(0, 0, 1, -1), 3);
    expect(Array.from(c.counts)).toEqual([2, 1, 0]);
    expect(Array.from(c.means.subarray(0, 4))).toEqual([1, 0, 10, 10]);
    expect(Array.from(c.spread.subarray(0, 2))).toEqual([1, 0]);
    expect(c.spread[2]).toBeNaN();
  });
});

describe("centroidShifts", () => {
  it("centroidShifts(base, moved) measures each class's move against its spread and names the base centroid it lands nearest", () => {
    // base: class 0 at (0, 0) ± 1, class 1 at (10, 0) ± 1; moved: class 0 at (8, 0), class 1 stays.
    const base = classCentroids({ n: 4, d: 2, data: Float32Array.of(-1, 0, 1, 0, 9, 0, 11, 0) }, Int32Array.of(0, 0, 1, 1), 2);
    const moved = classCentroids({ n: 2, d: 2, data: Float32Array.of(8, 0, 10, 0) }, Int32Array.of(0, 1), 2);
    expect(centroidShifts(base, moved)).toEqual([
      { class: 0, shift: 8, relative: 8, nearest: 1, nearestDistance: 2 },
      { class: 1, shift: 0, relative: 0, nearest: 1, nearestDistance: 0 },
    ]);
    expect(centroidShifts(base, moved, (c) => c === 0)).toEqual([{ class: 0, shift: 8, relative: 8, nearest: 0, nearestDistance: 8 }]);
  });
});

import { describe, expect, it } from "vitest";
import { exactKnn } from "../neighbors/exact.js";
import { knn, knnQuery } from "./knn.js";
import { clusteredPoints, randomPoints } from "../neighbors/neighbors.testutil.js";
import { recall } from "../neighbors/recall.js";
import type { Metric } from "../neighbors/types.js";

describe("knn approximate", () => {
  const points = clusteredPoints(2000, 16, 20, 9);

  for (const metric of ["l2", "cosine"] as Metric[]) {
    it(`knn(points, 15, {method: "approx", metric: "${metric}"}) finds ≥ 95% of the exact neighbours, never itself`, async () => {
      const approx = await knn(points, 15, { metric, method: "approx", threads: 2, seed: 1 });
      const exact = exactKnn(points, 15, { metric });
      expect(recall(approx, exact)).toBeGreaterThanOrEqual(0.95);
      const selfListed = approx.indices.filter((j, at) => j === Math.floor(at / 15)).length;
      expect(selfListed).toBe(0);
      // Nearest first; distances in the metric's own units, like the exact path.
      const unsorted = approx.distances.filter((v, at) => at % 15 !== 0 && v < approx.distances[at - 1]).length;
      expect(unsorted).toBe(0);
      expect(Math.abs(approx.distances[0] - exact.distances[0])).toBeLessThan(1e-3 * Math.max(1, exact.distances[0]));
    });
  }

  it("knnQuery(reference, queries, k, {method: 'approx'}) finds a query that is a reference point first", async () => {
    const queries = { n: 3, d: 16, data: points.data.slice(100 * 16, 103 * 16) };
    const g = await knnQuery(points, queries, 4, { method: "approx" });
    expect(Array.from(g.indices.filter((_, i) => i % 4 === 0))).toEqual([100, 101, 102]);
  });

  it("knn(points, k, {method: 'auto'}) goes approximate only above approxAbove", async () => {
    const small = randomPoints(300, 8, 10);
    const exact = exactKnn(small, 10);
    expect((await knn(small, 10, { threads: 1 })).indices).toEqual(exact.indices);
    const approx = await knn(small, 10, { approxAbove: 0, threads: 1 });
    expect(recall(approx, exact)).toBeGreaterThan(0.9);
  });

  it("recall(approx, exact) is the mean fraction of true neighbours found", () => {
    const exact = { n: 2, k: 2, metric: "l2" as Metric, indices: Int32Array.from([1, 2, 0, 2]), distances: new Float32Array(4) };
    const approx = { ...exact, indices: Int32Array.from([2, 3, 0, 2]) };
    expect(recall(approx, exact)).toBe(0.75);
  });
});

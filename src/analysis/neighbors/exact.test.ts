import { describe, expect, it } from "vitest";
import { DataError, UsageError } from "../../util/errors.js";
import { allocate, exactKnn, exactKnnQuery, makeJob } from "./exact.js";
import { knnRows } from "./kernel.js";
import { bruteKnn, distance, gridPoints, randomPoints } from "./neighbors.testutil.js";
import type { KnnGraph, Metric, Points } from "./types.js";

const METRICS: Metric[] = ["l2", "l1", "cosine"];

/** Same neighbours as the oracle: distances within tol, and each index really at its distance. */
function expectMatches(got: KnnGraph, want: KnnGraph, reference: Points, queries: Points, tol = 1e-5): void {
  expect([got.n, got.k, got.metric]).toEqual([want.n, want.k, want.metric]);
  let sameIndex = 0;
  let worst = 0;
  for (let i = 0; i < got.n; i++) {
    for (let m = 0; m < got.k; m++) {
      const at = i * got.k + m;
      const j = got.indices[at];
      const actual = distance(queries.data, i * queries.d, reference.data, j * reference.d, reference.d, got.metric);
      worst = Math.max(worst, Math.abs(got.distances[at] - want.distances[at]), Math.abs(actual - got.distances[at]));
      if (j === want.indices[at]) sameIndex++;
    }
  }
  expect(worst).toBeLessThan(tol);
  // Random float data has (almost) no ties, so the orders agree.
  expect(sameIndex / got.indices.length).toBeGreaterThan(0.999);
}

describe("exactKnn", () => {
  // 531 points span two reference tiles and an odd final query tile; d = 7 leaves micro-tile remainders.
  const points = randomPoints(531, 7, 1);
  for (const metric of METRICS) {
    it(`exactKnn(points, 10, {metric: "${metric}"}) matches brute force`, () => {
      expectMatches(exactKnn(points, 10, { metric }), bruteKnn(points, null, 10, metric), points, points);
    });
  }

  it("exactKnn(points, k) breaks exact ties by lower index, and never lists a point as its own neighbour", () => {
    const grid = gridPoints(300, 3, 3, 2); // 27 distinct positions: many duplicates and ties
    for (const metric of ["l2", "l1"] as Metric[]) {
      const got = exactKnn(grid, 25, { metric });
      const want = bruteKnn(grid, null, 25, metric);
      expect(Array.from(got.indices)).toEqual(Array.from(want.indices));
      expect(got.indices.filter((j, at) => j === Math.floor(at / 25)).length).toBe(0);
    }
  });

  it("exactKnn(points, k) lists duplicates at distance exactly 0", () => {
    const data = new Float32Array([0.3, 0.7, 5, 5, 0.3, 0.7, 9, -1, 0.3, 0.7]);
    for (const metric of METRICS) {
      const g = exactKnn({ n: 5, d: 2, data }, 2, { metric });
      expect(Array.from(g.indices.subarray(0, 2))).toEqual([2, 4]);
      expect(Array.from(g.distances.subarray(0, 2))).toEqual([0, 0]);
      expect(Array.from(g.indices.subarray(4 * 2, 5 * 2))).toEqual([0, 2]);
    }
  });

  it("exactKnn(points, 1) gives the documented example", () => {
    const g = exactKnn({ n: 3, d: 1, data: new Float32Array([0, 1, 3]) }, 1);
    expect(Array.from(g.indices)).toEqual([1, 0, 1]);
    expect(Array.from(g.distances)).toEqual([1, 1, 2]);
  });

  it("exactKnn(points, k, {metric: 'cosine'}) puts all-zero rows at distance 1 from everything", () => {
    const g = exactKnn({ n: 3, d: 2, data: new Float32Array([0, 0, 1, 0, 2, 0]) }, 2, { metric: "cosine" });
    expect(Array.from(g.distances.subarray(0, 2))).toEqual([1, 1]);
    expect(Array.from(g.indices.subarray(2, 4))).toEqual([2, 0]);
  });

  it("knnRows(job, …) gives the same graph with the WebAssembly SIMD tiles as with the plain JS ones", () => {
    for (const metric of METRICS) {
      const [simd, js] = [false, true].map((noSimd) => {
        const some = { n: 300, d: points.d, data: points.data.subarray(0, 300 * points.d) };
        const job = { ...makeJob(some, null, 7, metric, allocate(some.n, 7)), noSimd };
        knnRows(job, 0, some.n);
        return job;
      });
      expect(simd.outIdx).toEqual(js.outIdx);
      expect(simd.outDist).toEqual(js.outDist);
    }
  });

  it("exactKnn(points, k, {onProgress}) reports rows up to the total", () => {
    const calls: number[] = [];
    exactKnn(points, 3, { onProgress: (done, total) => calls.push(done / total) });
    expect(calls.at(-1)).toBe(1);
    expect(calls).toEqual([...calls].sort((a, b) => a - b));
  });
});

describe("exactKnnQuery", () => {
  const reference = randomPoints(530, 12, 3);
  const queries = randomPoints(77, 12, 4);
  for (const metric of METRICS) {
    it(`exactKnnQuery(reference, queries, 8, {metric: "${metric}"}) matches brute force`, () => {
      expectMatches(exactKnnQuery(reference, queries, 8, { metric }), bruteKnn(reference, queries, 8, metric), reference, queries);
    });
  }

  it("exactKnnQuery(reference, queries, k) finds a query equal to a reference point at distance 0 (no self-exclusion)", () => {
    const q = { n: 1, d: 12, data: reference.data.slice(5 * 12, 6 * 12) };
    const g = exactKnnQuery(reference, q, 1);
    expect([g.indices[0], g.distances[0]]).toEqual([5, 0]);
  });

  it("exactKnnQuery(reference, queries, k) allows k = number of reference points", () => {
    expect(exactKnnQuery(reference, queries, 530).k).toBe(530);
  });
});

describe("input errors", () => {
  const p = randomPoints(20, 4, 5);
  it("exactKnn names every row holding NaN or Infinity", () => {
    const data = p.data.slice();
    data[3 * 4 + 1] = NaN;
    data[11 * 4] = -Infinity;
    expect(() => exactKnn({ ...p, data }, 3)).toThrow(DataError);
    expect(() => exactKnn({ ...p, data }, 3)).toThrow(/NaN or ±Infinity in rows 3, 11; drop or impute/);
  });

  it("exactKnn with k ≥ n says the largest valid k", () => {
    expect(() => exactKnn(p, 20)).toThrow(UsageError);
    expect(() => exactKnn(p, 20)).toThrow(/k = 20 is too large for points: the largest valid k is 19/);
    expect(() => exactKnnQuery(p, p, 21)).toThrow(/the largest valid k is 20/);
    expect(() => exactKnn(p, 0)).toThrow(/k must be a positive integer \(got 0\)/);
  });

  it("exactKnnQuery with a different number of columns names both", () => {
    expect(() => exactKnnQuery(p, randomPoints(3, 5, 6), 2)).toThrow(/queries have d = 5 columns but the reference points have d = 4/);
  });

  it("exactKnn rejects a data length that does not match n×d, and an unknown metric", () => {
    expect(() => exactKnn({ n: 20, d: 5, data: p.data }, 2)).toThrow(/has 80 values, but n×d = 20×5 = 100/);
    expect(() => exactKnn(p, 2, { metric: "cos" as Metric })).toThrow(/unknown metric 'cos' \(allowed: l2, l1, cosine\)/);
  });
});

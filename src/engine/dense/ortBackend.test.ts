import { afterAll, describe, expect, it } from "vitest";
import { matmulJs } from "../../analysis/dense/jsBackend.js";
import { exactKnn, exactKnnQuery } from "../../analysis/neighbors/exact.js";
import { bruteKnn, clusteredPoints, gridPoints, randomPoints } from "../../analysis/neighbors/neighbors.testutil.js";
import type { KnnGraph, Points } from "../../analysis/neighbors/types.js";
import { UsageError } from "../../util/errors.js";
import { ortBackend } from "./ortBackend.js";

const METRICS = ["l2", "cosine"] as const;
// Small blocks and chunks, so a few hundred points cross block and chunk boundaries.
const backend = ortBackend({ blockRows: 128, chunkCols: 300, threads: 2 });
const wholeRows = ortBackend({ blockRows: 100 });
const grouped = ortBackend({ blockRows: 128, chunkCols: 600, group: 4 });
afterAll(async () => {
  await backend.release();
  await wholeRows.release();
  await grouped.release();
});

function expectSame(got: KnnGraph, want: KnnGraph): void {
  expect([got.n, got.k, got.metric]).toEqual([want.n, want.k, want.metric]);
  expect(got.indices).toEqual(want.indices);
  expect(got.distances).toEqual(want.distances);
}

describe("ortBackend().knn", () => {
  const points = clusteredPoints(1003, 9, 7, 1);
  for (const metric of METRICS) {
    it(`ortBackend().knn({metric: "${metric}"}) equals the exact kernel bit for bit, across blocks and chunks`, async () => {
      expectSame(await backend.knn({ reference: points, k: 15, metric }), exactKnn(points, 15, { metric }));
      expectSame(await wholeRows.knn({ reference: points, k: 15, metric }), exactKnn(points, 15, { metric }));
    });

    it(`ortBackend({group: 4}).knn({metric: "${metric}"}) (two-stage TopK, padded groups) equals the exact kernel`, async () => {
      expectSame(await grouped.knn({ reference: points, k: 15, metric }), exactKnn(points, 15, { metric }));
    });

    it(`ortBackend().knn({queries, metric: "${metric}"}) equals exactKnnQuery`, async () => {
      const queries = randomPoints(257, 9, 2);
      for (let i = 0; i < queries.data.length; i++) queries.data[i] *= 8;
      expectSame(await backend.knn({ reference: points, queries, k: 12, metric }), exactKnnQuery(points, queries, 12, { metric }));
    });
  }

  it("ortBackend().knn breaks ties by index on duplicated points (l2: equals brute force exactly)", async () => {
    // 27 distinct positions among 600 points: each has ~22 exact duplicates, more than k + slack of
    // some rows' ties, so rows are proven or scanned in full.
    const grid = gridPoints(600, 3, 3, 2);
    const got = await backend.knn({ reference: grid, k: 40, metric: "l2" });
    const want = bruteKnn(grid, null, 40, "l2");
    expect(got.indices).toEqual(want.indices);
    expect(got.distances).toEqual(want.distances);
    expectSame(await backend.knn({ reference: grid, k: 40, metric: "cosine" }), exactKnn(grid, 40, { metric: "cosine" }));
  });

  it("ortBackend().knn handles zero vectors under cosine (distance 1 to everything)", async () => {
    const p: Points = { n: 50, d: 4, data: randomPoints(50, 4, 3).data };
    p.data.fill(0, 0, 12); // rows 0-2 are zero
    expectSame(await backend.knn({ reference: p, k: 10, metric: "cosine" }), exactKnn(p, 10, { metric: "cosine" }));
  });

  it("ortBackend().knn with k larger than a block, and k = n − 1 (every point a candidate)", async () => {
    const p = randomPoints(400, 5, 4);
    expectSame(await backend.knn({ reference: p, k: 200, metric: "l2" }), exactKnn(p, 200));
    expectSame(await backend.knn({ reference: p, k: 399, metric: "cosine" }), exactKnn(p, 399, { metric: "cosine" }));
  });

  it("ortBackend().knn is bit-stable across runs and reports progress to the last row", async () => {
    const seen: number[] = [];
    const a = await backend.knn({ reference: points, k: 30, metric: "l2", onProgress: (done) => seen.push(done) });
    const b = await backend.knn({ reference: points, k: 30, metric: "l2" });
    expectSame(a, b);
    expect(seen.at(-1)).toBe(points.n);
  });

  it("ortBackend().knn refuses k ≥ n, l1 and a stopped signal clearly", async () => {
    const p = randomPoints(10, 3, 5);
    await expect(backend.knn({ reference: p, k: 10, metric: "l2" })).rejects.toThrow(UsageError);
    await expect(backend.knn({ reference: p, k: 10, metric: "l2" })).rejects.toThrow("the largest valid k is 9");
    await expect(backend.knn({ reference: p, k: 3, metric: "l1" as "l2" })).rejects.toThrow(/l2 or cosine/);
    const stop = new AbortController();
    stop.abort(new Error("stopped"));
    await expect(backend.knn({ reference: p, k: 3, metric: "l2", signal: stop.signal })).rejects.toThrow("stopped");
  });
});

describe("ortBackend().matmul", () => {
  for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]]) {
    it(`ortBackend().matmul(a, b, {transA: ${transA}, transB: ${transB}}) agrees with the JavaScript backend`, async () => {
      const a = { rows: transA ? 33 : 17, cols: transA ? 17 : 33, data: randomPoints(17, 33, 6).data };
      const b = { rows: transB ? 21 : 33, cols: transB ? 33 : 21, data: randomPoints(21, 33, 7).data };
      const got = await backend.matmul(a, b, { transA, transB });
      const want = matmulJs(a, b, { transA, transB });
      expect([got.rows, got.cols]).toEqual([17, 21]);
      for (let i = 0; i < want.data.length; i++) expect(Math.abs(got.data[i] - want.data[i])).toBeLessThan(1e-4);
    });
  }
});

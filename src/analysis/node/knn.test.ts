import { describe, expect, it } from "vitest";
import { UsageError } from "../../util/errors.js";
import { exactKnn, exactKnnQuery } from "../neighbors/exact.js";
import { knn, knnQuery } from "./knn.js";
import { parallelKnn } from "./knnParallel.js";
import { randomPoints } from "../neighbors/neighbors.testutil.js";
import type { DenseBackend, DenseKnnRequest } from "../dense/backend.js";
import { jsBackend } from "../dense/jsBackend.js";

describe("knn", () => {
  const points = randomPoints(1100, 16, 7);

  // Starting a worker from TypeScript source (through tsx) takes ~1 s here, so few calls; the
  // kernel is the same for every metric, what these check is how rows are shared out and written.
  it("parallelKnn(points, null, k, {threads: 2}) on worker threads equals the one-thread result bit for bit", async () => {
    const progress: number[] = [];
    const threaded = await parallelKnn(points, null, 12, { metric: "l1", threads: 2, onProgress: (done) => progress.push(done) });
    const single = exactKnn(points, 12, { metric: "l1" });
    expect(threaded.indices).toEqual(single.indices);
    expect(threaded.distances).toEqual(single.distances);
    expect(progress.at(-1)).toBe(points.n);
  });

  it("parallelKnn(reference, queries, k, {threads: 2}) on worker threads equals exactKnnQuery", async () => {
    const queries = randomPoints(700, 16, 8);
    const threaded = await parallelKnn(points, queries, 5, { metric: "cosine", threads: 2 });
    const single = exactKnnQuery(points, queries, 5, { metric: "cosine" });
    expect(threaded.indices).toEqual(single.indices);
    expect(threaded.distances).toEqual(single.distances);
  });

  it("parallelKnn(points, null, k, {signal}) stops the workers and rejects with the abort reason", async () => {
    const controller = new AbortController();
    const run = parallelKnn(points, null, 5, { metric: "l2", threads: 2, signal: controller.signal, onProgress: () => controller.abort(new Error("stop")) });
    await expect(run).rejects.toThrow("stop");
  });

  it("knn rejects bad options and inputs with one clear error", async () => {
    await expect(knn(points, 5, { method: "fast" as "auto" })).rejects.toThrow(UsageError);
    await expect(knn(points, 5, { threads: 0 })).rejects.toThrow(/threads must be a positive integer \(got 0\)/);
    await expect(knn(points, 1100)).rejects.toThrow(/largest valid k is 1099/);
    await expect(knn(points, 5, { method: "approx", metric: "l1" })).rejects.toThrow(/use method 'exact' for l1/);
  });

  it("knn(points, k, {dense}) takes exact l2 and cosine from the dense backend (queries too), l1 and small problems from the kernel", async () => {
    const calls: DenseKnnRequest[] = [];
    const spy: DenseBackend = { ...jsBackend, knn: (r) => (calls.push(r), jsBackend.knn(r)) };
    const big = randomPoints(3700, 16, 9); // 3,700² × 16 > the work where the dense backend starts
    const g = await knn(big, 4, { metric: "cosine", method: "exact", dense: spy, threads: 1 });
    expect(calls.map((c) => [c.metric, c.k, c.queries])).toEqual([["cosine", 4, undefined]]);
    expect(g.indices).toEqual(exactKnn(big, 4, { metric: "cosine" }).indices);
    await knnQuery(big, big, 3, { method: "exact", dense: spy, threads: 1 });
    expect(calls[1].queries).toBe(big);
    await knn(big, 4, { metric: "l1", method: "exact", dense: spy, threads: 1 });
    await knn(points, 4, { method: "exact", dense: spy, threads: 1 });
    expect(calls.length).toBe(2);
  });
});

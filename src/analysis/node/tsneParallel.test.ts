import { describe, expect, it } from "vitest";
import { exactKnn } from "../neighbors/exact.js";
import { createParallelBarnesHut } from "./tsneParallel.js";
import { tsne } from "../embed/tsne/tsne.js";
import { blobs } from "../embed/tsne/tsne.testutil.js";

describe("createParallelBarnesHut({threads})", () => {
  it("createParallelBarnesHut() on 2 threads gives the map of one thread, bit for bit", async () => {
    const { points } = blobs(4, 150, 20, 31);
    const knn = exactKnn(points, 90);
    const options = { knn, method: "barnes-hut" as const, iterations: 60, exaggerationIterations: 40, seed: 2 };
    const one = await tsne(points, options);
    const g = createParallelBarnesHut({ threads: 2 });
    try {
      const two = await tsne(points, { ...options, repulsion: g.repulsion, attraction: g.attraction });
      expect(Array.from(two.embedding)).toEqual(Array.from(one.embedding));
      expect(two.kl).toBe(one.kl);
    } finally {
      await g.close();
    }
  });

  it("createParallelBarnesHut() rejects a bad thread count", () => {
    expect(() => createParallelBarnesHut({ threads: 0 })).toThrow(/threads must be a positive integer, got 0/);
  });
});

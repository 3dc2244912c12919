import { afterAll, describe, expect, it } from "vitest";
import { createFftRepulsion } from "../embed/tsne/fft.js";
import { clusteredMap, gaussianMap, relativeError, uniformMap } from "../embed/tsne/fft.testutil.js";
import { createParallelFftRepulsion } from "./fftWorker.js";
import { affinities } from "../embed/tsne/affinities.js";
import { attraction } from "../embed/tsne/gradient.js";
import { blobs } from "../embed/tsne/tsne.testutil.js";
import { exactKnn } from "../neighbors/exact.js";

describe("createParallelFftRepulsion", () => {
  const parallel = createParallelFftRepulsion();
  afterAll(() => parallel.close());

  it("createParallelFftRepulsion()(y) equals the single-threaded method as the map changes", async () => {
    const single = createFftRepulsion();
    const out = new Float64Array(2 * 4000);
    for (const [n, y] of [
      [4000, clusteredMap(4000, 8, 40, 3, 1)],
      [700, uniformMap(700, 4, 2)],
      [4000, gaussianMap(4000, 1e-4, 3)],
    ] as const) {
      const got = await parallel(y, n, 2, out);
      expect(got.forces).toBe(out);
      const want = await single(y, n, 2);
      expect(relativeError(got.forces, want.forces, 2 * n)).toBeLessThan(1e-12);
      expect(Math.abs(got.z - want.z) / want.z).toBeLessThan(1e-12);
    }
  });

  it(".attraction splits the rows with the worker and matches the one-thread attraction (float32 SIMD: within 1e-5)", async () => {
    const { points } = blobs(5, 300, 8, 4);
    const p = affinities(exactKnn(points, 30), { perplexity: 10 });
    for (const seed of [1, 2]) {
      const y = uniformMap(p.n, 20, seed);
      const got = new Float64Array(2 * p.n);
      await parallel.attraction(p, y, y, 2, got);
      const want = new Float64Array(2 * p.n);
      attraction(p, y, y, 2, want);
      expect(relativeError(got, want, 2 * p.n)).toBeLessThan(1e-5);
      expect(relativeError(got, want, 2 * p.n)).toBeGreaterThan(0); // float32, so not the JS path
    }
    // 3-D and maps placed against a reference take the one-thread path.
    const y3 = new Float64Array(3 * p.n).map((_, i) => Math.sin(i));
    const got3 = new Float64Array(3 * p.n);
    const want3 = new Float64Array(3 * p.n);
    await parallel.attraction(p, y3, y3, 3, got3);
    attraction(p, y3, y3, 3, want3);
    expect(Array.from(got3)).toEqual(Array.from(want3));
  });

  it("createParallelFftRepulsion()(y, n, 3) rejects with a RangeError", async () => {
    await expect(parallel(new Float64Array(9), 3, 3)).rejects.toThrow(/2-D maps only/);
  });

  it("createParallelFftRepulsion(bad options) is a RangeError", () => {
    expect(() => createParallelFftRepulsion({ minIntervals: 0 })).toThrow(/minIntervals must be an integer ≥ 1, got 0/);
  });
});

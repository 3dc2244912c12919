import { afterAll, describe, expect, it } from "vitest";
import { createFftRepulsion } from "./fft.js";
import { clusteredMap, gaussianMap, relativeError, uniformMap } from "./fft.testutil.js";
import { createParallelFftRepulsion } from "./fftWorker.js";

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

  it("createParallelFftRepulsion()(y, n, 3) rejects with a RangeError", async () => {
    await expect(parallel(new Float64Array(9), 3, 3)).rejects.toThrow(/2-D maps only/);
  });

  it("createParallelFftRepulsion(bad options) is a RangeError", () => {
    expect(() => createParallelFftRepulsion({ minIntervals: 0 })).toThrow(/minIntervals must be an integer ≥ 1, got 0/);
  });
});

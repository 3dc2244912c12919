import { describe, expect, it } from "vitest";
import { createRng } from "../../util/rng.js";
import { sortScores, sortScoresInPlace } from "./sort.js";

/** Random values of every kind a float can be: negatives, ±0, subnormals, huge, ties. */
function mixed(n: number, seed: number): number[] {
  const rng = createRng(seed);
  const special = [0, -0, 1e-310, -1e-310, 3.4e38, -3.4e38, 1, -1, 0.5, Number.MIN_VALUE];
  return Array.from({ length: n }, () => {
    const r = rng.next();
    if (r < 0.1) return special[rng.int(special.length)];
    if (r < 0.3) return Math.round(rng.next() * 10) / 10;
    return (rng.next() - 0.5) * 10 ** (rng.int(20) - 10);
  });
}

describe("sortScores", () => {
  it("sortScores(float32) orders like Float32Array.prototype.sort, -0 as +0", () => {
    for (const seed of [1, 2, 3]) {
      const x = Float32Array.from(mixed(5000, seed));
      const got = sortScores(x);
      const want = x.slice().sort();
      expect(got).toBeInstanceOf(Float32Array);
      expect(Array.from(got)).toEqual(Array.from(want).map((v) => (v === 0 ? 0 : v)));
      expect(got.some((v) => Object.is(v, -0))).toBe(false);
    }
  });

  it("sortScores(float64) orders like Float64Array.prototype.sort, -0 as +0", () => {
    for (const seed of [4, 5, 6]) {
      const x = Float64Array.from(mixed(5000, seed));
      const got = sortScores(x);
      expect(got).toBeInstanceOf(Float64Array);
      expect(Array.from(got)).toEqual(Array.from(x.slice().sort()).map((v) => (v === 0 ? 0 : v)));
    }
  });

  it("sortScores(values) leaves its input alone and handles empty, single and all-equal arrays", () => {
    const x = new Float64Array([3, 1, 2]);
    sortScores(x);
    expect(Array.from(x)).toEqual([3, 1, 2]);
    expect(sortScores(new Float32Array(0)).length).toBe(0);
    expect(Array.from(sortScores(new Float64Array([7])))).toEqual([7]);
    expect(Array.from(sortScores(new Float32Array(100).fill(0.25)))).toEqual(new Array(100).fill(0.25));
  });

  it("sortScores(view) sorts a subarray with a byte offset", () => {
    const buf = new Float64Array([9, 3, 1, 2, -5]);
    expect(Array.from(sortScores(buf.subarray(1, 4)))).toEqual([1, 2, 3]);
    const f = new Float32Array([9, 0.5, -0.25, 0.125]);
    expect(Array.from(sortScores(f.subarray(1)))).toEqual([-0.25, 0.125, 0.5]);
  });

  it("sortScoresInPlace(values) sorts the array itself, float32 and float64, views included", () => {
    for (const make of [Float32Array.from.bind(Float32Array), Float64Array.from.bind(Float64Array)]) {
      const x = make(mixed(3001, 7));
      const want = Array.from(sortScores(x));
      const buf = make([5, ...x, -5]);
      const view = buf.subarray(1, buf.length - 1);
      expect(sortScoresInPlace(view)).toBe(view);
      expect(Array.from(view)).toEqual(want);
      expect([buf[0], buf[buf.length - 1]]).toEqual([5, -5]);
    }
  });
});

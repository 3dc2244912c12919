import { describe, expect, it } from "vitest";
import { createRng } from "../../util/rng.js";
import { blockSums, nearestRows } from "./scan.js";

/** Every distance in float64, sorted by distance then row. */
function brute(data: ArrayLike<number>, n: number, d: number, q: number, k: number): number[] {
  const all: [number, number][] = [];
  for (let j = 0; j < n; j++) {
    if (j === q) continue;
    let s = 0;
    for (let t = 0; t < d; t++) s += (data[q * d + t] - data[j * d + t]) ** 2;
    all.push([s, j]);
  }
  return all.sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, k).map((x) => x[1]);
}

describe("nearestRows", () => {
  it("nearestRows(float32 rows) equals a brute-force search, ties to the lower row, duplicates included", () => {
    const rng = createRng(3);
    const n = 500;
    const d = 37;
    const data = Float32Array.from({ length: n * d }, () => Math.round(rng.next() * 4) / 4);
    data.copyWithin(10 * d, 3 * d, 4 * d); // row 10 duplicates row 3
    for (const q of [0, 3, 250, 499]) {
      const r = nearestRows({ n, d, data }, q, 12);
      expect([...r.rows], `query ${q}`).toEqual(brute(data, n, d, q, 12));
    }
    expect(nearestRows({ n, d, data }, 3, 1)).toEqual({ rows: Int32Array.of(10), distances: Float64Array.of(0) });
  });

  it("nearestRows(uint8 pixels, blockSums) equals a brute-force search with exact integer distances", () => {
    const rng = createRng(5);
    const n = 400;
    const d = 28 * 28;
    const data = new Uint8Array(n * d);
    // Images in a few families, so that near neighbours exist and the lower bound prunes.
    for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) data[i * d + t] = Math.min(255, ((i % 7) * 30 + (t % 50) * 3 + Math.floor(rng.next() * 20)) | 0);
    const sums = blockSums({ n, d, data });
    for (const q of [0, 1, 199, 399]) {
      const r = nearestRows({ n, d, data }, q, 9, sums);
      expect([...r.rows], `query ${q}`).toEqual(brute(data, n, d, q, 9));
      const want = brute(data, n, d, q, 9).map((j) => Math.sqrt(data.subarray(q * d, (q + 1) * d).reduce((s, v, t) => s + (v - data[j * d + t]) ** 2, 0)));
      expect([...r.distances]).toEqual(want);
    }
  });

  it("nearestRows gives all other rows when k is larger, nothing for one row, and refuses a row out of range", () => {
    const data = Float32Array.of(0, 1, 3, 1);
    expect(nearestRows({ n: 4, d: 1, data }, 0, 10)).toEqual({ rows: Int32Array.of(1, 3, 2), distances: Float64Array.of(1, 1, 3) });
    expect(nearestRows({ n: 1, d: 1, data: Float32Array.of(2) }, 0, 3).rows).toHaveLength(0);
    expect(() => nearestRows({ n: 4, d: 1, data }, 4, 1)).toThrow(RangeError);
  });
});

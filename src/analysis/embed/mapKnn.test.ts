import { describe, expect, it } from "vitest";
import { createRng } from "../../util/rng.js";
import { mapKnn } from "./mapKnn.js";

function clusteredMap(n: number, d: number, seed: number): { n: number; d: number; data: Float32Array } {
  const rng = createRng(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.int(5);
    // Clusters of very different spreads, and a grid of repeated values for ties.
    for (let a = 0; a < d; a++) data[i * d + a] = c < 2 ? Math.round(rng.next() * 8) : 20 * c + (c * 0.3 + 0.01) * (rng.next() - 0.5);
  }
  return { n, d, data };
}

/** Float64 brute force, ties by index (exactKnn's float32 norms lose tiny distances far from the origin). */
function brute(map: { n: number; d: number; data: Float32Array }, k: number): { indices: Int32Array; distances: Float64Array } {
  const { n, d, data } = map;
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const all: [number, number][] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let a = 0; a < d; a++) s += (data[i * d + a] - data[j * d + a]) ** 2;
      all.push([s, j]);
    }
    all.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    for (let c = 0; c < k; c++) {
      indices[i * k + c] = all[c][1];
      distances[i * k + c] = Math.sqrt(all[c][0]);
    }
  }
  return { indices, distances };
}

describe("mapKnn(map, k)", () => {
  for (const d of [1, 2, 3]) {
    it(`mapKnn(map, 10) equals float64 brute force, ties by index (${d}-D, clustered with repeated points)`, () => {
      const map = clusteredMap(800, d, d);
      const grid = mapKnn(map, 10);
      const oracle = brute(map, 10);
      expect(Array.from(grid.indices)).toEqual(Array.from(oracle.indices));
      let worst = 0;
      for (let e = 0; e < grid.distances.length; e++) worst = Math.max(worst, Math.abs(grid.distances[e] - oracle.distances[e]));
      expect(worst).toBeLessThan(1e-4);
    });
  }

  it("mapKnn(map, k, rows) answers for the given rows only, and for a flat map", () => {
    const flat = { n: 200, d: 2, data: Float32Array.from({ length: 400 }, (_, e) => (e % 2 === 0 ? e : 0)) };
    const rows = Int32Array.of(0, 57, 199);
    const some = mapKnn(flat, 3, rows);
    const all = brute(flat, 3);
    expect(some.n).toBe(3);
    expect(Array.from(some.indices)).toEqual([...rows].flatMap((r) => Array.from(all.indices.subarray(r * 3, r * 3 + 3))));
  });

  it("mapKnn() refuses a map with NaN or infinite coordinates", () => {
    expect(() => mapKnn({ n: 3, d: 2, data: Float32Array.of(0, 0, 1, NaN, 2, 2) }, 1)).toThrow(/not a finite number \(point 1, axis 1\)/);
    expect(() => mapKnn({ n: 3, d: 2, data: Float32Array.of(0, 0, Infinity, 1, 2, 2) }, 1)).toThrow(/not a finite number \(point 1, axis 0\)/);
  });
});

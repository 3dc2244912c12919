import { describe, expect, it } from "vitest";
import { createRng } from "../../util/rng.js";
import { exactKnn } from "../neighbors/exact.js";
import { randomPoints } from "../neighbors/neighbors.testutil.js";
import type { Matrix } from "./backend.js";
import { jsBackend } from "./jsBackend.js";

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const rng = createRng(seed);
  return { rows, cols, data: Float32Array.from({ length: rows * cols }, () => 2 * rng.next() - 1) };
}

/** op(A)·op(B) by the definition, in float64. */
function naive(a: Matrix, b: Matrix, transA: boolean, transB: boolean): Float64Array {
  const at = (i: number, t: number) => (transA ? a.data[t * a.cols + i] : a.data[i * a.cols + t]);
  const bt = (t: number, j: number) => (transB ? b.data[j * b.cols + t] : b.data[t * b.cols + j]);
  const m = transA ? a.cols : a.rows;
  const kk = transA ? a.rows : a.cols;
  const n = transB ? b.rows : b.cols;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let t = 0; t < kk; t++) out[i * n + j] += at(i, t) * bt(t, j);
  return out;
}

describe("jsBackend", () => {
  for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]]) {
    it(`jsBackend.matmul(a, b, {transA: ${transA}, transB: ${transB}}) equals the definition`, async () => {
      const a = transA ? randomMatrix(13, 7, 1) : randomMatrix(7, 13, 1);
      const b = transB ? randomMatrix(300, 13, 2) : randomMatrix(13, 300, 2);
      const c = await jsBackend.matmul(a, b, { transA, transB });
      expect([c.rows, c.cols]).toEqual([7, 300]);
      const want = naive(a, b, transA, transB);
      for (let i = 0; i < want.length; i++) expect(Math.abs(c.data[i] - want[i])).toBeLessThan(1e-5);
    });
  }

  it("jsBackend.matmul(a, b) refuses mismatched inner sizes with a RangeError", async () => {
    await expect(jsBackend.matmul(randomMatrix(2, 3, 1), randomMatrix(4, 2, 2))).rejects.toThrow(RangeError);
  });

  it("jsBackend.knn(request) is the exact kernel's graph", async () => {
    const points = randomPoints(200, 5, 3);
    const got = await jsBackend.knn({ reference: points, k: 7, metric: "cosine" });
    const want = exactKnn(points, 7, { metric: "cosine" });
    expect(got.indices).toEqual(want.indices);
    expect(got.distances).toEqual(want.distances);
  });
});

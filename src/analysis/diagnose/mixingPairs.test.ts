import { describe, expect, it } from "vitest";
import { graphOf } from "./separation.testutil.js";
import { interleave, nearestOfClass, neighborPairExamples, symmetricPairs } from "./mixingPairs.js";

describe("symmetricPairs", () => {
  it("symmetricPairs(matrix, K) averages both directions, largest first, and drops pairs that never mix", () => {
    const m = [0.8, 0.2, 0, 0.1, 0.6, 0.3, 0, 0.4, 0.6];
    const pairs = symmetricPairs(m, 3);
    expect(pairs.map((p) => [p.a, p.b, p.ab, p.ba])).toEqual([[1, 2, 0.3, 0.4], [0, 1, 0.2, 0.1]]);
    expect(pairs[0].value).toBeCloseTo(0.35, 12);
    expect(pairs[1].value).toBeCloseTo(0.15, 12);
  });

  it("symmetricPairs leaves out the classes include() refuses", () => {
    const m = [0.8, 0.2, 0, 0.1, 0.6, 0.3, 0, 0.4, 0.6];
    expect(symmetricPairs(m, 3, (c) => c !== 2).map((p) => [p.a, p.b])).toEqual([[0, 1]]);
  });
});

describe("neighborPairExamples", () => {
  it("neighborPairExamples puts the points most surrounded by the other class first, from a and from b in turn, each pair once", () => {
    // classes: rows 0–2 are class 0, rows 3–5 class 1
    const labels = Int32Array.of(0, 0, 0, 1, 1, 1);
    const g = graphOf(
      [[3, 4], [0, 5], [0, 1], [0, 4], [2, 3], [4, 3]],
      [[0.5, 0.7], [1, 0.4], [1, 2], [0.5, 1], [0.3, 1], [1, 2]],
    );
    // class 0: row 0 has 2 hits (nearest 3 at 0.5), row 1 one hit (5 at 0.4); class 1: row 3 one hit (0 at 0.5), row 4 one hit (2 at 0.3)
    expect(neighborPairExamples(g, labels, 0, 1, 4)).toEqual([
      { row: 0, other: 3, distance: 0.5 },
      { row: 4, other: 2, distance: expect.closeTo(0.3, 6) as number },
      { row: 1, other: 5, distance: expect.closeTo(0.4, 6) as number },
    ]);
  });
});

describe("nearestOfClass", () => {
  it("nearestOfClass(points, labels, row, c) finds the nearest other point of class c, or null", () => {
    const p = { n: 4, d: 1, data: Float32Array.of(0, 1, 5, -0.5) };
    expect(nearestOfClass(p, Int32Array.of(0, 1, 1, 0), 0, 1)).toEqual({ row: 1, distance: 1 });
    expect(nearestOfClass(p, Int32Array.of(0, 1, 1, 0), 0, 0)).toEqual({ row: 3, distance: 0.5 });
    expect(nearestOfClass(p, Int32Array.of(0, 1, 1, 0), 0, 2)).toBeNull();
  });
});

describe("interleave", () => {
  it("interleave(x, y, count) alternates and skips a pair already taken the other way round", () => {
    const x = [{ row: 1, other: 2 }, { row: 3, other: 4 }];
    const y = [{ row: 2, other: 1 }, { row: 5, other: 6 }];
    expect(interleave(x, y, 3)).toEqual([{ row: 1, other: 2 }, { row: 5, other: 6 }, { row: 3, other: 4 }]);
  });
});

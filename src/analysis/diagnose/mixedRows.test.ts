import { describe, expect, it } from "vitest";
import { mixedByNeighbors, mixedByPredictions } from "./mixedRows.js";

describe("mixedRows", () => {
  it("mixedByNeighbors(o) keeps the images of a and b with at least half of their neighbours of the other class", () => {
    // rows 0–2 class 0, 3–5 class 1, 6 class 2; k = 2
    const labels = Int32Array.of(0, 0, 0, 1, 1, 1, 2);
    const queries = Int32Array.of(0, 1, 2, 3, 4, 5);
    const indices = Int32Array.of(1, 2, 3, 6, 3, 4, 4, 5, 0, 6, 6, 6);
    // row 0: [0,0] → no; row 1: [1,2] → 1 of 2 of class 1 → yes; row 2: [1,1] → yes; row 3: [1,1] → no; row 4: [0,2] → yes; row 5: [2,2] → no (class 2 is neither)
    expect(Array.from(mixedByNeighbors({ labels, a: 0, b: 1, queries, graph: { k: 2, indices } }))).toEqual([1, 2, 4]);
    expect(Array.from(mixedByNeighbors({ labels, a: 0, b: 1, queries, graph: { k: 2, indices }, share: 1 }))).toEqual([2]);
    expect(() => mixedByNeighbors({ labels, a: 0, b: 1, queries, graph: { k: 3, indices } })).toThrow(RangeError);
  });

  it("mixedByPredictions(labels, predicted, a, b) keeps a taken for b and b taken for a, nothing else", () => {
    const labels = Int32Array.of(0, 0, 1, 1, 2, 0);
    const predicted = Int32Array.of(1, 0, 0, 2, 0, 2);
    expect(Array.from(mixedByPredictions(labels, predicted, 0, 1))).toEqual([0, 2]);
    expect(Array.from(mixedByPredictions(labels, predicted, 1, 0))).toEqual([0, 2]);
  });
});

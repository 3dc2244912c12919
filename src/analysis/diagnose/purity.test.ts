import { describe, expect, it } from "vitest";
import { DataError } from "../../util/errors.js";
import { exactKnn } from "../neighbors/exact.js";
import { graphOf } from "./separation.testutil.js";
import { meanSd, neighborMixing } from "./purity.js";

describe("neighborMixing", () => {
  it("neighborMixing(graph, labels, K) counts each point's neighbours by class, as worked by hand", () => {
    // 0 and 1 are class 0, 2 and 3 class 1; each point has one neighbour of its class and one of the other.
    const g = graphOf([[1, 2], [0, 3], [3, 0], [2, 1]]);
    const m = neighborMixing(g, Int32Array.of(0, 0, 1, 1), 2);
    expect(Array.from(m.pointPurity)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(Array.from(m.purity)).toEqual([0.5, 0.5]);
    expect(Array.from(m.mixing)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(m.overall).toBe(0.5);
    expect(Array.from(m.counts)).toEqual([2, 2]);
  });

  it("neighborMixing(graph, labels, K, { k }) reads the first k neighbours only; an absent class gets NaN", () => {
    const g = graphOf([[1, 2], [0, 3], [3, 0], [2, 1]]);
    const m = neighborMixing(g, Int32Array.of(0, 0, 1, 1), 3, { k: 1 });
    expect(Array.from(m.purity.subarray(0, 2))).toEqual([1, 1]);
    expect(m.purity[2]).toBeNaN();
  });

  it("neighborMixing on two far clusters gives purity 1 and rows of the mixing matrix that sum to 1", () => {
    const data = Float32Array.of(0, 0, 0.1, 0, 0, 0.1, 0.1, 0.1, 9, 9, 9.1, 9, 9, 9.1, 9.1, 9.1, 9.05, 9.05);
    const labels = Int32Array.of(0, 0, 0, 0, 1, 1, 1, 1, 1);
    const m = neighborMixing(exactKnn({ n: 9, d: 2, data }, 3), labels, 2);
    expect(Array.from(m.purity)).toEqual([1, 1]);
    for (let a = 0; a < 2; a++) expect(m.mixing[a * 2] + m.mixing[a * 2 + 1]).toBeCloseTo(1, 12);
  });

  it("neighborMixing refuses a label outside 0..K−1 and a k past the graph's", () => {
    const g = graphOf([[1], [0]]);
    expect(() => neighborMixing(g, Int32Array.of(0, 2), 2)).toThrow(DataError);
    expect(() => neighborMixing(g, Int32Array.of(0, 1), 2, { k: 2 })).toThrow(/k must be an integer in 1\.\.1/);
  });
});

describe("meanSd", () => {
  it("meanSd(values, include) is the population mean and sd of the included finite values", () => {
    expect(meanSd([1, 2, 3, NaN, 100], (i) => i !== 4)).toEqual({ mean: 2, sd: Math.sqrt(2 / 3), n: 3 });
  });
});

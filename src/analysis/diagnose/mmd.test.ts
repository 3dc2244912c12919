import { describe, expect, it } from "vitest";
import { gaussianPoints } from "./separation.testutil.js";
import { holm, medianOffDiagonal, mmd2Unbiased, mmdTest } from "./mmd.js";
import type { Points } from "../neighbors/types.js";

const line = (...v: number[]): Points => ({ n: v.length, d: 1, data: Float32Array.from(v) });

/** MMD²_u straight from Gretton et al. 2012 eq. 3, in float64. */
function direct(x: Points, y: Points, sigma: number): number {
  const k = (a: Points, i: number, b: Points, j: number) => {
    let s = 0;
    for (let c = 0; c < a.d; c++) s += (a.data[i * a.d + c] - b.data[j * b.d + c]) ** 2;
    return Math.exp(-s / (2 * sigma * sigma));
  };
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < x.n; i++) for (let j = 0; j < x.n; j++) if (i !== j) xx += k(x, i, x, j);
  for (let i = 0; i < y.n; i++) for (let j = 0; j < y.n; j++) if (i !== j) yy += k(y, i, y, j);
  for (let i = 0; i < x.n; i++) for (let j = 0; j < y.n; j++) xy += k(x, i, y, j);
  return xx / (x.n * (x.n - 1)) + yy / (y.n * (y.n - 1)) - (2 * xy) / (x.n * y.n);
}

describe("mmd2Unbiased", () => {
  it("mmd2Unbiased({0, 1}, {2, 3}, σ = 1) is the hand-computed 0.768906", () => {
    // k(d) = exp(−d²/2): within x and within y one pair at d = 1 → e^−0.5 = 0.606531 each;
    // across: d = 2, 3, 1, 2 → 0.135335 + 0.011109 + 0.606531 + 0.135335 = 0.888310, times 2/(2·2) = 0.444155;
    // 0.606531 + 0.606531 − 0.444155 = 0.768906.
    expect(mmd2Unbiased(line(0, 1), line(2, 3), 1)).toBeCloseTo(0.768906, 5);
  });

  it("mmd2Unbiased agrees with eq. 3 summed directly, for samples of different sizes either way round", () => {
    const x = gaussianPoints(7, 3, 1);
    const y = gaussianPoints(12, 3, 2, 0.5);
    expect(mmd2Unbiased(x, y, 1.3)).toBeCloseTo(direct(x, y, 1.3), 6);
    expect(mmd2Unbiased(y, x, 1.3)).toBeCloseTo(direct(y, x, 1.3), 6);
  });
});

describe("medianOffDiagonal", () => {
  it("medianOffDiagonal of {0, 1, 2, 3} is 1.5², the mean of the middle two of the distances 1, 1, 1, 2, 2, 3", () => {
    const z = [0, 1, 2, 3];
    const sq = Float32Array.from(z.flatMap((a) => z.map((b) => (a - b) ** 2)));
    expect(medianOffDiagonal(sq, 4)).toBeCloseTo(2.25, 12);
  });
});

describe("mmdTest", () => {
  it("mmdTest of a sample against itself gives a large p-value", () => {
    const x = gaussianPoints(60, 4, 3);
    const r = mmdTest(x, x, { permutations: 200, seed: 0 });
    expect(r.mmd2).toBeLessThan(0);
    expect(r.pValue).toBeGreaterThan(0.5);
  });

  it("mmdTest of two draws from one Gaussian is not significant; of Gaussians shifted by 0.75 sd it is, at the smallest p possible", () => {
    const same = mmdTest(gaussianPoints(150, 5, 4), gaussianPoints(150, 5, 5), { permutations: 200, seed: 0 });
    expect(same.pValue).toBeGreaterThan(0.05);
    const shifted = mmdTest(gaussianPoints(150, 5, 4), gaussianPoints(150, 5, 5, 0.75), { permutations: 200, seed: 0 });
    expect(shifted.pValue).toBeCloseTo(1 / 201, 12);
    expect(shifted.mmd2).toBeGreaterThan(shifted.nullMean + 5 * shifted.nullSd);
  });

  it("mmdTest takes the median distance as the kernel width unless given one, and is the same for the same seed", () => {
    const x = line(0, 1);
    const y = line(2, 3);
    expect(mmdTest(x, y, { permutations: 10 }).bandwidth).toBeCloseTo(1.5, 6);
    expect(mmdTest(x, y, { permutations: 10, bandwidth: 1 }).mmd2).toBeCloseTo(0.768906, 5);
    const a = gaussianPoints(30, 2, 7);
    const b = gaussianPoints(40, 2, 8, 0.2);
    expect(mmdTest(a, b, { seed: 3 })).toEqual(mmdTest(a, b, { seed: 3 }));
  });

  it("mmdTest refuses samples of one point or of different widths", () => {
    expect(() => mmdTest(line(0), line(1, 2))).toThrow(/at least 2 points in each sample; x has 1/);
    expect(() => mmdTest(line(0, 1), { n: 2, d: 2, data: new Float32Array(4) })).toThrow(/1 and 2 features/);
  });
});

describe("holm", () => {
  it("holm(p) multiplies the i-th smallest by (m − i + 1), keeps the order and caps at 1", () => {
    const adjusted = holm([0.01, 0.04, 0.03, NaN, 0.5]);
    expect(adjusted.slice(0, 3).map((v) => Number(v.toFixed(10)))).toEqual([0.04, 0.09, 0.09]);
    expect(adjusted[3]).toBeNaN();
    expect(adjusted[4]).toBe(0.5);
  });
});

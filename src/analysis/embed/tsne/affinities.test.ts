import { describe, expect, it } from "vitest";
import { exactKnn } from "../../neighbors/exact.js";
import { affinities, conditionalAffinities, neighboursFor, symmetrize } from "./affinities.js";
import { blobs } from "./tsne.testutil.js";

const { points } = blobs(3, 100, 10, 7);
const perplexity = 20;
const knn = exactKnn(points, neighboursFor(perplexity, points.n));

describe("conditionalAffinities(knn, perplexity)", () => {
  const c = conditionalAffinities(knn, perplexity);

  it("conditionalAffinities() rows sum to 1 and have entropy log(perplexity)", () => {
    let sumError = 0;
    let entropyError = 0;
    for (let i = 0; i < c.n; i++) {
      let sum = 0;
      let entropy = 0;
      for (let e = c.rowPtr[i]; e < c.rowPtr[i + 1]; e++) {
        sum += c.vals[e];
        if (c.vals[e] > 0) entropy -= c.vals[e] * Math.log(c.vals[e]);
      }
      sumError = Math.max(sumError, Math.abs(sum - 1));
      entropyError = Math.max(entropyError, Math.abs(entropy - Math.log(perplexity)));
    }
    expect(sumError).toBeLessThan(1e-12);
    expect(entropyError).toBeLessThan(1e-5);
  });

  it("conditionalAffinities() uses ⌊3·perplexity⌋ neighbours, nearest most likely", () => {
    expect(c.rowPtr[1]).toBe(60);
    for (let i = 0; i < c.n; i++) if (c.vals[c.rowPtr[i]] < c.vals[c.rowPtr[i + 1] - 1]) throw new Error(`row ${i}: nearest less likely than farthest`);
  });

  it("conditionalAffinities() does not depend on the scale of the distances (no underflow for far points)", () => {
    const far = { ...knn, distances: knn.distances.map((d) => d * 1000) };
    const cf = conditionalAffinities(far, perplexity);
    let worst = 0;
    for (let e = 0; e < c.vals.length; e++) worst = Math.max(worst, Math.abs(cf.vals[e] - c.vals[e]));
    expect(worst).toBeLessThan(1e-4);
  });
});

describe("affinities(knn, {perplexity})", () => {
  const p = affinities(knn, { perplexity });

  it("affinities() is symmetric, sums to 1 and has sorted columns", () => {
    const dense = new Float64Array(p.n * p.n);
    let sum = 0;
    for (let i = 0; i < p.n; i++) {
      for (let e = p.rowPtr[i]; e < p.rowPtr[i + 1]; e++) {
        dense[i * p.n + p.cols[e]] = p.vals[e];
        sum += p.vals[e];
        if (e > p.rowPtr[i] && !(p.cols[e] > p.cols[e - 1])) throw new Error(`row ${i} columns not ascending`);
      }
    }
    expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
    let asymmetric = 0;
    for (let i = 0; i < p.n; i++) for (let j = 0; j < i; j++) if (dense[i * p.n + j] !== dense[j * p.n + i]) asymmetric++;
    expect(asymmetric).toBe(0);
  });

  it("affinities() equals (C + Cᵀ) / 2N entry by entry", () => {
    const c = conditionalAffinities(knn, perplexity);
    const dense = new Float64Array(c.n * c.n);
    for (let i = 0; i < c.n; i++) {
      for (let e = c.rowPtr[i]; e < c.rowPtr[i + 1]; e++) {
        dense[i * c.n + c.cols[e]] += c.vals[e] / (2 * c.n);
        dense[c.cols[e] * c.n + i] += c.vals[e] / (2 * c.n);
      }
    }
    const s = symmetrize(c);
    let worst = 0;
    for (let i = 0; i < s.n; i++) {
      for (let e = s.rowPtr[i]; e < s.rowPtr[i + 1]; e++) worst = Math.max(worst, Math.abs(s.vals[e] - dense[i * s.n + s.cols[e]]));
    }
    expect(worst).toBeLessThan(1e-15);
    expect(s.vals.length).toBe(dense.filter((v) => v > 0).length);
  });

  it("symmetrize(c) sums repeated columns, keeps columns sorted and leaves c as it was", () => {
    // Row 0: 2 twice and 1; row 1: 0; row 2: 1 (not mutual with row 1's list).
    const c = { n: 3, rowPtr: Int32Array.of(0, 3, 4, 5), cols: Int32Array.of(2, 1, 2, 0, 1), vals: Float64Array.of(0.25, 0.5, 0.25, 1, 1) };
    const before = { cols: c.cols.slice(), vals: c.vals.slice() };
    const s = symmetrize(c);
    expect(Array.from(s.rowPtr)).toEqual([0, 2, 4, 6]);
    expect(Array.from(s.cols)).toEqual([1, 2, 0, 2, 0, 1]);
    // C + Cᵀ: (0,1) 0.5 + 1, (0,2) 0.5, (1,2) 1, total 6.
    expect(Array.from(s.vals, (v) => v * 6)).toEqual([1.5, 0.5, 1.5, 1, 0.5, 1]);
    expect(Array.from(c.cols)).toEqual(Array.from(before.cols));
    expect(Array.from(c.vals)).toEqual(Array.from(before.vals));
  });

  it("affinities() with too large a perplexity names the largest valid one", () => {
    const small = exactKnn({ n: 40, d: 10, data: points.data.subarray(0, 400) }, 39);
    expect(() => affinities(small, { perplexity: 30 })).toThrow(/at most 13 \(\(N − 1\) \/ 3\)/);
    expect(() => affinities(knn, { perplexity: 40 })).toThrow(/k ≥ 120/);
    expect(() => affinities(knn, { perplexity: -1 })).toThrow(/perplexity must be a positive number/);
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { DataError, UsageError } from "../../util/errors.js";
import { decodePoints, expectClose, loadFixture, randomPoints } from "./embed.testutil.js";
import { chooseMethod, fitPca, pca, transformPca } from "./pca.js";
import { pcaThreaded } from "../node/pcaThreads.js";

// scripts/make-embed-fixtures.py: scikit-learn 1.2 PCA on float32 data (seen as float64 by both).
// Tolerance 1e-6 relative: both sides compute in float64; the covariance route squares the
// condition number, which costs a few digits on the smallest kept components.
const TOL = 1e-6;
const CASES = ["spectrum", "constant-feature", "wide", "auto-randomized"];

describe.each(CASES)("fitPca() on fixture pca-%s.json", (name) => {
  const f = loadFixture(`pca-${name}.json`);
  const points = decodePoints(f.data, f.d);
  const k: number = f.components;
  const rows = decodePoints(f.data, f.d);
  rows.n = f.solvers.full.transform.length / k;
  rows.data = rows.data.subarray(0, rows.n * f.d);

  for (const [method, solver] of [["exact", "full"], ["randomized", "randomized"]] as const) {
    it(`fitPca(method: "${method}") matches PCA(svd_solver="${solver}"): mean, signed components, variances`, () => {
      const e = f.solvers[solver];
      const model = fitPca(points, { components: k, method });
      expect(model.d).toBe(f.d);
      expect(model.components).toBe(k);
      expectClose(model.mean, e.mean, TOL, "mean");
      expectClose(model.basis, e.components, TOL, "components");
      expectClose(model.explainedVariance, e.explained_variance, TOL, "explained_variance");
      expectClose(model.explainedVarianceRatio, e.explained_variance_ratio, TOL, "explained_variance_ratio");
      // float32 output: ~1e-7 relative to the largest projection.
      expectClose(transformPca(model, rows).data, e.transform, 1e-5, "transform");
    });
  }

  it("pca() returns the same model and the projections of every point", () => {
    const { model, projected } = pca(points, { components: k, method: "exact" });
    expect(projected).toMatchObject({ n: points.n, d: k });
    expectClose(projected.data, transformPca(model, points).data, 1e-6, "projected");
  });
});

describe("fitPca()", () => {
  it('fitPca(method: "auto") chooses as scikit-learn 1.2 does', () => {
    expect(chooseMethod(3, 520, 16)).toBe("randomized");
    expect(chooseMethod(3, 500, 16)).toBe("exact");
    expect(chooseMethod(13, 520, 16)).toBe("exact"); // 13 ≥ 0.8 · 16
    const f = loadFixture("pca-auto-randomized.json");
    const model = fitPca(decodePoints(f.data, f.d), { components: 3 });
    expectClose(model.basis, f.solvers.randomized.components, TOL, "components");
  });

  it("fitPca() basis rows are orthonormal, variances sorted, and the ratio sums to 1 with all components", () => {
    const points = randomPoints(60, 7, 3, [5, 4, 3, 2, 1, 0.5, 0.1]);
    for (const method of ["exact", "randomized"] as const) {
      const model = fitPca(points, { components: 7, method });
      for (let a = 0; a < 7; a++) {
        for (let b = 0; b < 7; b++) {
          let s = 0;
          for (let j = 0; j < 7; j++) s += model.basis[a * 7 + j] * model.basis[b * 7 + j];
          expect(Math.abs(s - (a === b ? 1 : 0))).toBeLessThan(1e-9);
        }
      }
      for (let c = 1; c < 7; c++) expect(model.explainedVariance[c]).toBeLessThanOrEqual(model.explainedVariance[c - 1]);
      expect(model.explainedVarianceRatio.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    }
  });

  it("fitPca() on rank-deficient data still returns unit, orthogonal rows (zero variance beyond the rank)", () => {
    // 5 points span at most 4 directions; ask for 5 of 6 dimensions with one constant feature.
    const data = new Float32Array([1, 2, 0, 7, 1, 1, 2, 1, 0, 7, 3, 0, 0, 0, 1, 7, 2, 5, 4, 4, 4, 7, 0, 1, 3, 0, 2, 7, 1, 1]);
    const model = fitPca({ n: 5, d: 6, data }, { components: 5, method: "exact" });
    expect(model.explainedVariance[4]).toBeLessThan(1e-12);
    for (let a = 0; a < 5; a++) {
      let s = 0;
      for (let j = 0; j < 6; j++) s += model.basis[a * 6 + j] ** 2;
      expect(s).toBeCloseTo(1, 12);
    }
    const zero = fitPca({ n: 3, d: 2, data: new Float32Array([1, 1, 1, 1, 1, 1]) }, { components: 2 });
    expect(Array.from(zero.explainedVarianceRatio)).toEqual([0, 0]);
  });

  it("fitPca() randomized agrees with exact when D > N (Gram route)", () => {
    const scales = Array.from({ length: 300 }, (_, j) => 10 / (1 + j) ** 1.5);
    const points = randomPoints(260, 300, 11, scales);
    const exact = fitPca(points, { components: 5, method: "exact" });
    const fast = fitPca(points, { components: 5, method: "randomized", seed: 4 });
    expectClose(fast.explainedVariance, exact.explainedVariance, 1e-8, "variance");
    expectClose(fast.basis, exact.basis, 1e-5, "basis");
  });

  it.each([
    [200, 100],
    [100, 200],
  ])("fitPca() randomized by passes over the data (few random directions) agrees with exact, N = %i, D = %i", (n, d) => {
    // With l = 4 directions and 3 iterations a Gram matrix would cost more than the passes.
    const scales = Array.from({ length: d }, (_, j) => (j === 0 ? 10 : j === 1 ? 7 : 0.1));
    const points = randomPoints(n, d, 5, scales);
    const exact = fitPca(points, { components: 2, method: "exact" });
    const fast = fitPca(points, { components: 2, method: "randomized", oversamples: 2, powerIterations: 3 });
    expectClose(fast.explainedVariance, exact.explainedVariance, 1e-9, "variance");
    expectClose(fast.basis, exact.basis, 1e-7, "basis");
    expectClose(fast.mean, exact.mean, 0, "mean");
  });

  it("fitPca() rejects N < 2, components outside 1..min(N, D), bad options and NaN rows, naming them", () => {
    const points = randomPoints(10, 4, 1);
    expect(() => fitPca({ n: 1, d: 4, data: new Float32Array(4) }, { components: 1 })).toThrow(DataError);
    expect(() => fitPca(points, { components: 5 })).toThrow(/components must be an integer in 1\.\.4 .* got 5/);
    expect(() => fitPca(points, { components: 0 })).toThrow(UsageError);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => fitPca(points, { components: 2, method: "svd" as any, oversamples: -1 })).toThrow(/method must be .*; oversamples must be/);
    const bad = randomPoints(10, 4, 1);
    bad.data[2 * 4 + 1] = NaN;
    bad.data[7 * 4] = Infinity;
    expect(() => fitPca(bad, { components: 2 })).toThrow(/2 of 10 rows hold NaN or ±Infinity \(first: rows 2, 7\)/);
    expect(() => fitPca({ n: 3, d: 4, data: new Float32Array(11) }, { components: 1 })).toThrow(/N·D = 3·4 values/);
  });

  it("transformPca() rejects points of another dimension", () => {
    const model = fitPca(randomPoints(10, 4, 1), { components: 2 });
    expect(() => transformPca(model, randomPoints(3, 5, 1))).toThrow(/5 dimensions but the PCA model was fitted on 4/);
  });
});

describe("kernels and threads", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it("fitPca() without WebAssembly (plain JS kernel) gives the same model", async () => {
    const f = loadFixture("pca-spectrum.json");
    const points = decodePoints(f.data, f.d);
    const simd = fitPca(points, { components: 4, method: "randomized" });
    vi.stubGlobal("WebAssembly", undefined);
    vi.resetModules();
    const plain = (await import("./pca.js")).fitPca(points, { components: 4, method: "randomized" });
    expectClose(plain.basis, simd.basis, 1e-12, "basis");
    expectClose(plain.explainedVariance, simd.explainedVariance, 1e-12, "variance");
  });

  it("fitPca() on a large problem (float32 Gram sums) agrees with the float64 passes within 1e-6", () => {
    // N·D²/2 = 3.2e8 multiply-adds: the Gram matrix is summed in float32 within blocks.
    const scales = Array.from({ length: 400 }, (_, j) => (j < 3 ? 10 - 2 * j : 0.2));
    const points = randomPoints(4000, 400, 9, scales);
    const mixed = fitPca(points, { components: 3, method: "exact" });
    const passes = fitPca(points, { components: 3, method: "randomized", oversamples: 2, powerIterations: 4 });
    expectClose(mixed.explainedVariance, passes.explainedVariance, 1e-6, "variance");
    expectClose(mixed.basis, passes.basis, 1e-5, "basis");
  });

  it.each([
    ["the Gram route", 300, 40, {}],
    ["passes over the data", 200, 100, { oversamples: 2, powerIterations: 3 }],
    ["passes, D > N", 100, 200, { oversamples: 2, powerIterations: 3 }],
  ])("pcaThreaded() on 2 threads matches pca() (%s)", async (_route, n, d, extra) => {
    const scales = Array.from({ length: d }, (_, j) => (j === 0 ? 10 : j === 1 ? 7 : 0.5 / (1 + j)));
    const points = randomPoints(n, d, 21, scales);
    const options = { components: 2, method: "randomized" as const, ...extra };
    const one = pca(points, options);
    const two = await pcaThreaded(points, { ...options, threads: 2, threadsAbove: 0 });
    const again = await pcaThreaded(points, { ...options, threads: 2, threadsAbove: 0 });
    expect(Array.from(again.model.basis)).toEqual(Array.from(two.model.basis)); // the same on every run
    expectClose(two.model.basis, one.model.basis, 1e-9, "basis");
    expectClose(two.model.explainedVariance, one.model.explainedVariance, 1e-9, "variance");
    expectClose(two.projected.data, one.projected.data, 1e-6, "projected");
  });

  it("pcaThreaded() checks its options before starting workers", async () => {
    await expect(pcaThreaded(randomPoints(5, 3, 1), { components: 4 })).rejects.toThrow(UsageError);
    await expect(pcaThreaded(randomPoints(5, 3, 1), { components: 1, threads: 0 })).rejects.toThrow(/threads must be a positive integer/);
  });
});

import { describe, expect, it } from "vitest";
import { jsBackend } from "../../dense/jsBackend.js";
import type { Points } from "../../neighbors/types.js";
import { expectClose, randomPoints } from "../embed.testutil.js";
import { pca } from "../pca.js";
import { pcaDense } from "./dense.js";
import { expectSameComponents } from "./pca.testutil.js";

/** Points whose first few directions have well-separated variances (so each component is well defined). */
function spread(n: number, d: number, seed: number): Points {
  const scales = Array.from({ length: d }, (_, j) => (j < 4 ? 10 - 2 * j : 0.5 / (1 + j)));
  const points = randomPoints(n, d, seed, scales);
  for (let i = 0; i < points.data.length; i++) points.data[i] += 3; // a mean far from 0: centring matters
  return points;
}

describe("pcaDense()", () => {
  it.each([
    ["exact, covariance", 300, 40, { method: "exact" as const }],
    ["exact, N×N Gram (D > N)", 60, 90, { method: "exact" as const }],
    ["randomized on the Gram matrix", 700, 30, { method: "randomized" as const }],
    ["randomized by passes", 200, 100, { method: "randomized" as const, oversamples: 2, powerIterations: 3 }],
    ["randomized by passes, D > N", 100, 200, { method: "randomized" as const, oversamples: 2, powerIterations: 3 }],
    ["exact, two column panels", 500, 300, { method: "exact" as const }],
    ["randomized by passes, two column panels", 400, 300, { method: "randomized" as const, oversamples: 2, powerIterations: 3 }],
    ["randomized by passes, D > N, two column panels", 100, 301, { method: "randomized" as const, oversamples: 2, powerIterations: 3 }],
  ])("pcaDense(points, options, jsBackend) matches pca() (%s): components within 1e-4 up to sign, variances within 1e-5", async (_route, n, d, extra) => {
    const points = spread(n, d, 5);
    const options = { components: 4, ...extra, blockValues: 37 * d }; // several blocks, the last one short
    const old = pca(points, options);
    const dense = await pcaDense(points, options, jsBackend);
    expectSameComponents(dense.model.basis, old.model.basis, d, 1e-4);
    expectClose(dense.model.explainedVariance, old.model.explainedVariance, 1e-5, "explainedVariance");
    expectClose(dense.model.explainedVarianceRatio, old.model.explainedVarianceRatio, 1e-5, "explainedVarianceRatio");
    expectClose(dense.model.mean, old.model.mean, 0, "mean");
    expect(dense.projected).toMatchObject({ n, d: 4 });
    const scale = Math.max(...Array.from(old.projected.data, Math.abs));
    for (let i = 0; i < n * 4; i++) expect(Math.abs(Math.abs(dense.projected.data[i]) - Math.abs(old.projected.data[i]))).toBeLessThan(1e-4 * scale);
  });

  it("pcaDense() checks its options as pca() does", async () => {
    await expect(pcaDense(randomPoints(5, 3, 1), { components: 4 }, jsBackend)).rejects.toThrow(/components must be an integer in 1\.\.3/);
  });
});

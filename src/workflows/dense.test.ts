import { describe, expect, it } from "vitest";
import { randomPoints } from "../analysis/embed/embed.testutil.js";
import { pca } from "../analysis/embed/pca.js";
import { pcaDense } from "../analysis/embed/pca/dense.js";
import { expectSameComponents } from "../analysis/embed/pca/pca.testutil.js";
import { withDenseBackend } from "./dense.js";

describe("withDenseBackend", () => {
  it.each([
    ["exact", 2000, 60, { method: "exact" as const }],
    ["randomized on the Gram matrix", 3000, 100, { method: "randomized" as const }],
    ["randomized on the Gram matrix, two column panels", 3000, 300, { method: "randomized" as const }],
    ["randomized by passes, D > N", 150, 400, { method: "randomized" as const, oversamples: 4, powerIterations: 4 }],
  ])("pcaDense(points, options, onnxruntime) equals pca(): components within 1e-4 up to sign, variances within 1e-5 (%s)", async (_route, n, d, extra) => {
    const scales = Array.from({ length: d }, (_, j) => (j < 6 ? 12 - 2 * j : 0.5 / (1 + j)));
    const points = randomPoints(n, d, 17, scales);
    for (let i = 0; i < points.data.length; i++) points.data[i] += 5;
    const options = { components: 6, ...extra, blockValues: 300 * d };
    const old = pca(points, options);
    const dense = await withDenseBackend((backend) => pcaDense(points, options, backend));
    expectSameComponents(dense.model.basis, old.model.basis, d, 1e-4);
    for (let c = 0; c < 6; c++) {
      expect(Math.abs(dense.model.explainedVariance[c] / old.model.explainedVariance[c] - 1)).toBeLessThan(1e-5);
      expect(Math.abs(dense.model.explainedVarianceRatio[c] / old.model.explainedVarianceRatio[c] - 1)).toBeLessThan(1e-5);
    }
  });
});

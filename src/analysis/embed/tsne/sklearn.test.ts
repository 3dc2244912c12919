import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { exactKnn } from "../../neighbors/exact.js";
import type { Points } from "../../neighbors/types.js";
import { affinities } from "./affinities.js";
import { tsne } from "./tsne.js";

// scripts/make-tsne-fixtures.py: scikit-learn 1.2's _joint_probabilities_nn and TSNE(...).kl_divergence_.
interface Case {
  perplexity: number;
  k: number;
  rows: number[];
  cols: number[];
  vals: number[];
  kl: number[];
}
const fixture = JSON.parse(readFileSync(new URL("./fixtures/sklearn-tsne.json", import.meta.url), "utf8")) as {
  n: number;
  d: number;
  data: number[];
  cases: Case[];
};
const points: Points = { n: fixture.n, d: fixture.d, data: Float32Array.from(fixture.data) };

describe.each(fixture.cases.map((c) => [c.perplexity, c] as const))("t-SNE against scikit-learn, perplexity %d", (perplexity, c) => {
  const knn = exactKnn(points, c.k);

  it("affinities() matches _joint_probabilities_nn entry by entry (float32 oracle)", () => {
    const p = affinities(knn, { perplexity });
    const dense = new Float64Array(points.n * points.n);
    for (let i = 0; i < p.n; i++) for (let e = p.rowPtr[i]; e < p.rowPtr[i + 1]; e++) dense[i * p.n + p.cols[e]] = p.vals[e];
    const expected = new Float64Array(points.n * points.n);
    c.rows.forEach((r, t) => (expected[r * points.n + c.cols[t]] = c.vals[t]));
    let worst = 0;
    for (let t = 0; t < dense.length; t++) worst = Math.max(worst, Math.abs(dense[t] - expected[t]) / Math.max(expected[t], 1e-12));
    expect(p.vals.length).toBe(c.vals.length);
    expect(worst).toBeLessThan(1e-4);
  });

  it("tsne() reaches scikit-learn's final KL divergence (within 10% of its range over seeds)", async () => {
    const r = await tsne(points, { perplexity, knn, method: "barnes-hut", seed: 0 });
    const lo = Math.min(...c.kl);
    const hi = Math.max(...c.kl);
    expect(r.kl).toBeGreaterThan(lo * 0.9);
    expect(r.kl).toBeLessThan(hi * 1.1);
  });
});

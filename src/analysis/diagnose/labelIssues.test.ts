import { describe, expect, it } from "vitest";
import { createRng } from "../../util/rng.js";
import { exactKnn } from "../neighbors/exact.js";
import { predictedNotGiven } from "./confidentLearningPrune.js";
import { LABEL_ISSUES_DEFAULTS, rankLabelIssues, REASON, reasonText } from "./labelIssues.js";
import { neighbourVote } from "./labelIssuesNeighbors.js";
import { detectionScore, injectLabelNoise } from "./labelIssuesNoise.js";

/**
 * A toy problem with known noise: K Gaussian clusters in 8 dimensions (two of them close, as
 * Shirt and T-shirt/top), probabilities from a softmax of the distances to the true centres — a
 * model that never saw the labels —, then 10% of the labels flipped.
 */
function toy(seed: number, rate = 0.1, lookAlike?: Int32Array) {
  const k = 5;
  const d = 8;
  const n = 600;
  const rng = createRng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const centres = Float32Array.from({ length: k * d }, (_, i) => (Math.floor(i / d) === i % d ? 4 : 0));
  for (let j = 0; j < d; j++) centres[4 * d + j] = centres[3 * d + j] * 0.6 + (j === 4 ? 2 : 0); // class 4 near class 3
  const truth = Int32Array.from({ length: n }, (_, i) => i % k);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = centres[truth[i] * d + j] + gauss();
  const probabilities = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) {
      let dist = 0;
      for (let j = 0; j < d; j++) dist += (x[i * d + j] - centres[c * d + j]) ** 2;
      s += probabilities[i * k + c] = Math.exp(-dist / 4);
    }
    for (let c = 0; c < k; c++) probabilities[i * k + c] /= s;
  }
  const noisy = injectLabelNoise(truth, k, { rate, seed: seed + 1, ...(lookAlike ? { lookAlike } : {}) });
  const graph = exactKnn({ n, d, data: x }, 10);
  return { k, n, truth, x, probabilities, noisy, neighbours: { k: 10, indices: graph.indices } };
}

describe("rankLabelIssues", () => {
  it("rankLabelIssues(noisy toy set) puts the flipped labels at the top of the queue", () => {
    const t = toy(3);
    const r = rankLabelIssues({ labels: t.noisy.labels, probabilities: t.probabilities, k: t.k, neighbours: t.neighbours });
    const flipped = new Set(t.noisy.flipped);
    const m = t.noisy.flipped.length;
    const top = [...r.queue.row.subarray(0, m)];
    expect(top.filter((i) => flipped.has(i)).length / m).toBeGreaterThan(0.85);
    // Every flipped label whose true class is clear (p > .9) is suggested back to its true class.
    for (let q = 0; q < r.queue.row.length; q++) {
      const i = r.queue.row[q];
      if (flipped.has(i) && t.probabilities[i * t.k + t.truth[i]] > 0.9) expect(r.queue.suggested[q]).toBe(t.truth[i]);
    }
  });

  it("rankLabelIssues(…) finds more of the noise with better F1 than the baseline prediction ≠ label, uniform and look-alike noise", () => {
    for (const lookAlike of [undefined, Int32Array.of(1, 0, 3, 4, 3)]) {
      const t = toy(5, 0.15, lookAlike);
      const r = rankLabelIssues({ labels: t.noisy.labels, probabilities: t.probabilities, k: t.k, neighbours: t.neighbours });
      const found = detectionScore(Uint8Array.from(r.all.reason, (b) => (b ? 1 : 0)), t.noisy.flipped);
      const baseline = detectionScore(predictedNotGiven(t.noisy.labels, t.probabilities, t.k), t.noisy.flipped);
      expect(found.f1, lookAlike ? "look-alike" : "uniform").toBeGreaterThanOrEqual(baseline.f1 - 0.02);
      expect(found.precision).toBeGreaterThan(0.7);
    }
  });

  it("rankLabelIssues(…) sorts by score, gives each queued image a reason and a suggestion other than its label", () => {
    const t = toy(7);
    const r = rankLabelIssues({ labels: t.noisy.labels, probabilities: t.probabilities, k: t.k, neighbours: t.neighbours });
    const q = r.queue;
    expect(q.row.length).toBeGreaterThan(0);
    for (let a = 0; a < q.row.length; a++) {
      if (a > 0) expect(q.score[a]).toBeLessThanOrEqual(q.score[a - 1]);
      expect(q.reason[a]).toBeGreaterThan(0);
      expect(q.suggested[a]).not.toBe(q.given[a]);
      expect(q.given[a]).toBe(t.noisy.labels[q.row[a]]);
      expect(q.selfConfidence[a]).toBeCloseTo(t.probabilities[q.row[a] * t.k + q.given[a]], 6);
    }
    const both = q.reason.filter((b) => b === (REASON.confidentLearning | REASON.neighbours)).length;
    expect(both).toBeGreaterThan(0);
  });

  it("rankLabelIssues(…) without neighbours is confident learning alone, scored by 1 − p(given)", () => {
    const t = toy(9);
    const r = rankLabelIssues({ labels: t.noisy.labels, probabilities: t.probabilities, k: t.k });
    expect([...r.queue.reason].every((b) => b === REASON.confidentLearning)).toBe(true);
    expect([...r.queue.disagreement].every(Number.isNaN)).toBe(true);
    for (let a = 0; a < r.queue.row.length; a++) expect(r.queue.score[a]).toBeCloseTo(1 - r.queue.selfConfidence[a], 6);
    expect(r.queue.row.length).toBe(r.confident.issues.reduce((s, f) => s + f, 0));
  });

  it("reasonText(bits) names the reasons", () => {
    expect(reasonText(REASON.confidentLearning)).toBe("confident learning");
    expect(reasonText(REASON.neighbours)).toBe("neighbours disagree");
    expect(reasonText(3)).toBe("confident learning; neighbours disagree");
    expect(LABEL_ISSUES_DEFAULTS.neighbours).toBe(10);
  });
});

describe("neighbourVote", () => {
  it("neighbourVote(labels, neighbours, k) gives each image's share of neighbours with another label, skipping −1", () => {
    const v = neighbourVote(Int32Array.of(0, 0, 1, 1), { k: 2, indices: Int32Array.of(1, 2, 2, 3, 3, 0, 2, -1) }, 2);
    expect([...v.disagreement]).toEqual([0.5, 1, 0.5, 0]);
    expect([...v.shares]).toEqual([0.5, 0.5, 0, 1, 0.5, 0.5, 0, 1]);
    expect(() => neighbourVote(Int32Array.of(0, 1), { k: 1, indices: Int32Array.of(1, 5) }, 2)).toThrow(/neighbour 5 of row 1 is outside 0\.\.1/);
  });
});

describe("injectLabelNoise and detectionScore", () => {
  it("injectLabelNoise(labels, k, {rate, seed}) flips exactly round(rate·n) labels, each to another class, the same for the same seed", () => {
    const labels = Int32Array.from({ length: 1000 }, (_, i) => i % 10);
    const a = injectLabelNoise(labels, 10, { rate: 0.05, seed: 4 });
    expect(a.flipped.length).toBe(50);
    for (const i of a.flipped) expect(a.labels[i]).not.toBe(labels[i]);
    expect([...a.labels].filter((y, i) => y !== labels[i]).length).toBe(50);
    expect([...injectLabelNoise(labels, 10, { rate: 0.05, seed: 4 }).flipped]).toEqual([...a.flipped]);
  });

  it("injectLabelNoise(…, {lookAlike}) moves each flipped label to its class's look-alike and leaves other classes alone", () => {
    const labels = Int32Array.from({ length: 1000 }, (_, i) => i % 10);
    const lookAlike = Int32Array.of(6, -1, 4, -1, 2, 7, 0, 5, -1, 7);
    const r = injectLabelNoise(labels, 10, { rate: 0.2, seed: 1, lookAlike });
    expect(r.flipped.length).toBe(200);
    for (const i of r.flipped) expect(r.labels[i]).toBe(lookAlike[labels[i]]);
    expect(() => injectLabelNoise(labels, 10, { rate: 0.9, seed: 1, lookAlike })).toThrow(/only 700 images are of classes with a look-alike/);
  });

  it("detectionScore(flagged, flipped) is precision, recall and F1", () => {
    expect(detectionScore(Uint8Array.of(1, 1, 0, 0), Int32Array.of(0, 2))).toEqual({ flagged: 2, truePositives: 1, precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(detectionScore(Uint8Array.of(0, 0), Int32Array.of(1)).f1).toBe(0);
  });
});

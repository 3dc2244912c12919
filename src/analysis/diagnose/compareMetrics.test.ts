import { describe, expect, it } from "vitest";
import { LAYER_PROFILE_DEFAULTS, profileLayer, sharedHistogram } from "./compareHistograms.js";
import { agreement, confusionDifference, erfc, mcnemar } from "./compareMetrics.js";

describe("agreement and McNemar's test", () => {
  it("agreement(labels, a, b) counts the four cells, leaves unlabelled images out and puts the surest mistakes first", () => {
    const labels = Int32Array.of(0, 1, 1, 2, 2, -1);
    const a = Int32Array.of(0, 1, 0, 1, 2, 0);
    const b = Int32Array.of(0, 0, 0, 2, 1, 0);
    const r = agreement(labels, a, b, { confidenceA: Float32Array.of(0.9, 0.8, 0.7, 0.6, 0.9, 0.5), confidenceB: Float32Array.of(0.9, 0.95, 0.6, 0.6, 0.7, 0.5) });
    expect(r.n).toBe(5);
    expect(r.counts).toEqual({ both_right: 1, only_a: 2, only_b: 1, both_wrong: 1 });
    expect(Array.from(r.examples.only_a)).toEqual([1, 4]); // B was surer about its mistake on row 1 (0.95) than on row 4 (0.7)
    expect(r.samePrediction).toBeCloseTo(2 / 5, 12);
  });

  it("mcnemar(b, c) gives scipy's χ² with continuity correction and its p-value (chi2.sf(9.025, 1) = 0.002663)", () => {
    const r = mcnemar(10, 30);
    expect(r.chi2).toBeCloseTo(9.025, 12);
    expect(r.p).toBeCloseTo(0.0026634, 6);
    expect(mcnemar(0, 0)).toEqual({ chi2: 0, p: 1 });
    expect(erfc(0)).toBeCloseTo(1, 7);
    expect(erfc(-1) + erfc(1)).toBeCloseTo(2, 7);
  });

  it("confusionDifference(labels, a, b, k) is B's confusion matrix minus A's", () => {
    expect(Array.from(confusionDifference(Int32Array.of(0, 1, 1), Int32Array.of(0, 0, 1), Int32Array.of(0, 1, 0), 2))).toEqual([0, 0, 0, 0]);
    expect(Array.from(confusionDifference(Int32Array.of(0, 1), Int32Array.of(0, 0), Int32Array.of(0, 1), 2))).toEqual([0, 0, -1, 1]);
  });
});

describe("layer profiles and shared histograms", () => {
  it("profileLayer counts zeros, dead channels and keeps every non-zero value in the fine histogram", () => {
    const p = profileLayer(Float32Array.of(0, 0, 1, 3, 0, 0, 2, 0), 2, 4, 2);
    expect(p.zeros).toBe(5 / 8);
    expect(p.deadChannels).toBe(1);
    expect(p.fine.counts.length).toBe(LAYER_PROFILE_DEFAULTS.fineBins);
    expect(p.fine.counts.reduce((s, c) => s + c, 0)).toBe(3);
    expect(p.mean).toBeCloseTo(6 / 8, 12);
  });

  it("sharedHistogram(a, b) puts both on one range and keeps each one's share of non-zero values", () => {
    const a = profileLayer(Float32Array.from({ length: 1000 }, (_, i) => (i % 4 === 0 ? 0 : i / 100)), 10, 100);
    const b = profileLayer(Float32Array.from({ length: 1000 }, (_, i) => i / 50 - 5), 10, 100);
    const h = sharedHistogram(a, b, 20);
    expect(h.edges.length).toBe(21);
    expect(h.edges[0]).toBeCloseTo(-5, 9);
    expect(h.edges[20]).toBeCloseTo(b.fine.hi, 9);
    expect(h.a.reduce((s, v) => s + v, 0)).toBeCloseTo(1 - a.zeros, 9);
    expect(h.b.reduce((s, v) => s + v, 0)).toBeCloseTo(1 - b.zeros, 9);
  });
});

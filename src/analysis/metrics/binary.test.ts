import { describe, expect, it } from "vitest";
import { createRng } from "../../util/rng.js";
import { metricsAtThreshold, youdenThreshold } from "./binary.js";
import { rocCurve } from "./curves.js";

describe("youdenThreshold", () => {
  it("youdenThreshold(roc) follows the documented example", () => {
    expect(youdenThreshold(rocCurve([0, 0, 1, 1], new Float64Array([0.1, 0.4, 0.35, 0.8])))).toEqual({ threshold: 0.8, tpr: 0.5, fpr: 0, j: 0.5 });
  });

  it("youdenThreshold(roc) is the best threshold of the full curve too, and metricsAtThreshold reproduces its point", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const rng = createRng(seed);
      const y = Int32Array.from({ length: 300 }, () => (rng.next() < 0.3 ? 1 : 0));
      const s = Float64Array.from(y, (v) => Math.round((rng.next() + 0.4 * v) * 50) / 50);
      const dropped = youdenThreshold(rocCurve(y, s));
      const full = youdenThreshold(rocCurve(y, s, { dropIntermediate: false }));
      expect(dropped.j).toBe(full.j);
      const m = metricsAtThreshold(y, s, dropped.threshold);
      expect(m.recall).toBe(dropped.tpr);
      expect(1 - m.specificity).toBeCloseTo(dropped.fpr, 15);
    }
  });
});

describe("metricsAtThreshold", () => {
  it("metricsAtThreshold(labels, scores, t) calls score ≥ t positive", () => {
    const m = metricsAtThreshold(new Int32Array([0, 1, 1]), new Float64Array([0.2, 0.6, 0.4]), 0.5);
    expect(m).toMatchObject({ tp: 1, fp: 0, fn: 1, tn: 1, precision: 1, recall: 0.5, specificity: 1 });
    expect(m.f1).toBeCloseTo(2 / 3, 15);
    expect(metricsAtThreshold(new Int32Array([0, 1]), new Float64Array([0.5, 0.5]), 0.5)).toMatchObject({ tp: 1, fp: 1 });
  });

  it("metricsAtThreshold(...) takes N×2 probabilities too and sets undefined rates to 0", () => {
    const m = metricsAtThreshold(new Int32Array([0, 0]), new Float64Array([0.9, 0.1, 0.8, 0.2]), 0.5);
    expect(m).toMatchObject({ tp: 0, fp: 0, tn: 2, precision: 0, recall: 0, f1: 0, accuracy: 1 });
    expect(() => metricsAtThreshold(new Int32Array([0, 0]), new Float64Array(3), 0.5)).toThrow(/one score per label/);
  });
});

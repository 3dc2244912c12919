import { describe, expect, it } from "vitest";
import { DataError } from "../../util/errors.js";
import { createRng } from "../../util/rng.js";
import { precisionRecallCurve, rocCurve, trapezoid } from "./curves.js";

/** Seeded binary labels and scores on a coarse grid, so that many scores tie. */
function sample(n: number, seed: number): { y: Uint8Array; s: Float64Array } {
  const rng = createRng(seed);
  const y = new Uint8Array(n);
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.next() < 0.4 ? 1 : 0;
    s[i] = Math.round((rng.next() + 0.3 * y[i]) * 20) / 20;
  }
  return { y, s };
}

/** P(score of a random positive > score of a random negative) + ½ P(tie): the AUC (Hanley & McNeil 1982). */
function mannWhitney(y: Uint8Array, s: Float64Array): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (!y[i]) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j]) continue;
      pairs++;
      wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

/** Average precision straight from its definition, Σ (R_n − R_{n−1}) P_n over distinct thresholds. */
function apByDefinition(y: Uint8Array, s: Float64Array): number {
  const pos = y.reduce((a, b) => a + b, 0);
  const thresholds = [...new Set(s)].sort((a, b) => b - a);
  let ap = 0;
  let prevR = 0;
  for (const t of thresholds) {
    let tp = 0;
    let called = 0;
    for (let i = 0; i < y.length; i++) {
      if (s[i] >= t) {
        called++;
        tp += y[i];
      }
    }
    ap += (tp / pos - prevR) * (tp / called);
    prevR = tp / pos;
  }
  return ap;
}

describe("rocCurve", () => {
  it("rocCurve(y, scores) reproduces scikit-learn's documented example", () => {
    const r = rocCurve([0, 0, 1, 1], new Float64Array([0.1, 0.4, 0.35, 0.8]));
    expect(Array.from(r.fpr)).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(Array.from(r.tpr)).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(Array.from(r.thresholds)).toEqual([1.8, 0.8, 0.4, 0.35, 0.1]);
    expect(r.auc).toBe(0.75);
  });

  it("rocCurve(y, scores).auc equals the Mann-Whitney statistic, ties counted half (20 seeds)", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { y, s } = sample(300, seed);
      expect(rocCurve(y, s).auc).toBeCloseTo(mannWhitney(y, s), 12);
    }
  });

  it("rocCurve(y, scores) with dropIntermediate keeps a subset of the full curve with the same area", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { y, s } = sample(400, seed);
      const full = rocCurve(y, s, { dropIntermediate: false });
      const kept = rocCurve(y, s);
      expect(kept.fpr.length).toBeLessThanOrEqual(full.fpr.length);
      expect(kept.auc).toBeCloseTo(full.auc, 12);
      const points = new Set(Array.from(full.fpr, (f, i) => `${f},${full.tpr[i]},${full.thresholds[i]}`));
      for (let i = 0; i < kept.fpr.length; i++) expect(points.has(`${kept.fpr[i]},${kept.tpr[i]},${kept.thresholds[i]}`)).toBe(true);
      expect([kept.fpr[0], kept.tpr[0], kept.fpr.at(-1), kept.tpr.at(-1)]).toEqual([0, 0, 1, 1]);
      for (let i = 1; i < kept.fpr.length; i++) {
        expect(kept.fpr[i]).toBeGreaterThanOrEqual(kept.fpr[i - 1]);
        expect(kept.tpr[i]).toBeGreaterThanOrEqual(kept.tpr[i - 1]);
        expect(kept.thresholds[i]).toBeLessThan(kept.thresholds[i - 1]);
      }
    }
    // Distinct scores: runs of negatives or positives are straight lines, their inner points go.
    const y = Uint8Array.from({ length: 100 }, (_, i) => (i % 10 < 3 ? 1 : 0));
    const s = Float64Array.from({ length: 100 }, (_, i) => i);
    expect(rocCurve(y, s).fpr.length).toBeLessThan(rocCurve(y, s, { dropIntermediate: false }).fpr.length / 3);
  });

  it("rocCurve(y, float32 scores) matches float64 scores except thresholds[0], max + 1 rounded to float32", () => {
    const { y, s } = sample(200, 7);
    const s32 = Float32Array.from(s, (v) => v + 0.0001);
    const a = rocCurve(y, s32);
    const b = rocCurve(y, Float64Array.from(s32));
    expect(a.fpr).toEqual(b.fpr);
    expect(a.tpr).toEqual(b.tpr);
    expect(a.thresholds.slice(1)).toEqual(b.thresholds.slice(1));
    expect(a.thresholds[0]).toBe(Math.fround(s32.reduce((m, v) => Math.max(m, v), -Infinity) + 1));
  });

  it("rocCurve(y, scores) without positives gives NaN TPR and AUC, not a crash", () => {
    const r = rocCurve([0, 0, 0], new Float64Array([0.1, 0.2, 0.3]));
    expect(r.tpr.every(Number.isNaN)).toBe(true);
    expect(r.auc).toBeNaN();
    expect(Array.from(r.fpr)).toEqual([0, 1 / 3, 1]); // the collinear point at 2/3 dropped, as roc_curve does
  });

  it("rocCurve(y, scores) rejects labels other than 0/1, NaN scores and a length mismatch with a DataError", () => {
    expect(() => rocCurve([0, 2], new Float64Array([0.1, 0.2]))).toThrow(/binary labels must be 0 or 1, index 1 holds 2/);
    expect(() => rocCurve([0, 1], new Float64Array([0.1, NaN]))).toThrow(/index 1 holds NaN/);
    expect(() => rocCurve([0, 1, 1], new Float64Array([0.1, 0.2]))).toThrow(DataError);
  });
});

describe("precisionRecallCurve", () => {
  it("precisionRecallCurve(y, scores) reproduces scikit-learn's documented example", () => {
    const pr = precisionRecallCurve([0, 0, 1, 1], new Float64Array([0.1, 0.4, 0.35, 0.8]));
    expect(Array.from(pr.precision)).toEqual([0.5, 2 / 3, 0.5, 1, 1]);
    expect(Array.from(pr.recall)).toEqual([1, 1, 0.5, 0.5, 0]);
    expect(Array.from(pr.thresholds)).toEqual([0.1, 0.35, 0.4, 0.8]);
    expect(pr.average_precision).toBeCloseTo(0.8333333333333333, 15);
  });

  it("precisionRecallCurve(y, scores).average_precision equals its definition (20 seeds)", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { y, s } = sample(250, seed);
      const pr = precisionRecallCurve(y, s);
      expect(pr.average_precision).toBeCloseTo(apByDefinition(y, s), 12);
      expect(pr.thresholds.length).toBe(new Set(s).size);
    }
  });

  it("precisionRecallCurve(y, scores) without positives sets recall to 1 and AP to 0, as scikit-learn 1.2", () => {
    const pr = precisionRecallCurve([0, 0], new Float64Array([0.3, 0.6]));
    expect(Array.from(pr.recall)).toEqual([1, 1, 0]);
    expect(pr.average_precision).toBe(0);
  });
});

describe("trapezoid", () => {
  it("trapezoid(x, y) integrates piecewise-linear y exactly, in either direction of x", () => {
    expect(trapezoid(new Float64Array([0, 0.5, 1]), new Float64Array([0, 1, 1]))).toBe(0.75);
    expect(trapezoid(new Float64Array([1, 0.5, 0]), new Float64Array([1, 1, 0]))).toBe(-0.75);
  });
});

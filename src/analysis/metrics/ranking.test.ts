import { describe, expect, it } from "vitest";
import { createRng } from "../../util/rng.js";
import { rocCurve, precisionRecallCurve } from "./curves.js";
import { classCurves, macroRocCurve, microCurves, rankingMetrics } from "./ranking.js";
import { softmax } from "./softmax.js";

function randomProbs(n: number, k: number, seed: number, decimals?: number): { y: Int32Array; p: Float64Array } {
  const rng = createRng(seed);
  const y = Int32Array.from({ length: n }, () => rng.int(k));
  const z = Float64Array.from({ length: n * k }, (_, i) => (rng.next() - 0.5) * 3 + (i % k === y[Math.floor(i / k)] ? 1 : 0));
  const p = softmax(z, k);
  if (decimals !== undefined) for (let i = 0; i < p.length; i++) p[i] = Math.round(p[i] * 10 ** decimals) / 10 ** decimals;
  return { y, p };
}

describe("classCurves", () => {
  it("classCurves(labels, probs, K, k) equals rocCurve and precisionRecallCurve on labels == k (5 seeds)", () => {
    for (let seed = 1; seed <= 5; seed++) {
      const { y, p } = randomProbs(400, 5, seed, 2);
      for (let k = 0; k < 5; k++) {
        const yk = Uint8Array.from(y, (v) => (v === k ? 1 : 0));
        const col = Float64Array.from({ length: 400 }, (_, i) => p[i * 5 + k]);
        const c = classCurves(y, p, 5, k);
        expect(c.roc).toEqual(rocCurve(yk, col));
        expect(c.pr).toEqual(precisionRecallCurve(yk, col));
        expect(c.positives + c.negatives).toBe(400);
      }
    }
  });
});

describe("microCurves", () => {
  it("microCurves(labels, probs, K) equals rocCurve on the binarised labels, ravelled", () => {
    const { y, p } = randomProbs(300, 4, 11, 3);
    const flat = Uint8Array.from({ length: 1200 }, (_, i) => (y[Math.floor(i / 4)] === i % 4 ? 1 : 0));
    const m = microCurves(y, p, 4);
    expect(m.roc).toEqual(rocCurve(flat, p));
    expect(m.average_precision).toBeCloseTo(precisionRecallCurve(flat, p).average_precision, 14);
  });

  it("microCurves(...) on float32 probabilities matches float64 copies of the same values", () => {
    const { y, p } = randomProbs(300, 4, 12);
    const p32 = Float32Array.from(p);
    const a = microCurves(y, p32, 4);
    const b = microCurves(y, Float64Array.from(p32), 4);
    expect(a.roc.fpr).toEqual(b.roc.fpr);
    expect(a.roc.tpr).toEqual(b.roc.tpr);
    expect(a.average_precision).toBe(b.average_precision);
  });
});

describe("macroRocCurve", () => {
  it("macroRocCurve(curves) averages TPR over the union of FPR values, interpolating linearly", () => {
    const a = { fpr: new Float64Array([0, 0, 1]), tpr: new Float64Array([0, 1, 1]), thresholds: new Float64Array(3), auc: 1 };
    const b = { fpr: new Float64Array([0, 0.5, 1]), tpr: new Float64Array([0, 0, 1]), thresholds: new Float64Array(3), auc: 0.25 };
    const m = macroRocCurve([a, b]);
    expect(Array.from(m.fpr)).toEqual([0, 0.5, 1]);
    expect(Array.from(m.tpr)).toEqual([0.5, 0.5, 1]); // at fpr 0, curve a counts its last point (tpr 1)
    expect(m.auc).toBe(0.625);
    expect(m.classes).toBe(2);
  });

  it("macroRocCurve(curves) leaves out undefined (NaN) curves", () => {
    const a = { fpr: new Float64Array([0, 1]), tpr: new Float64Array([0, 1]), thresholds: new Float64Array(2), auc: 0.5 };
    const nan = { fpr: new Float64Array([0, 1]), tpr: new Float64Array([NaN, NaN]), thresholds: new Float64Array(2), auc: NaN };
    expect(macroRocCurve([a, nan])).toMatchObject({ auc: 0.5, classes: 1 });
  });
});

describe("input checks", () => {
  it("classCurves, microCurves and rankingMetrics reject a shape mismatch, labels out of range and a bad class", () => {
    const p = new Float64Array([0.5, 0.5, 0.2, 0.8]);
    expect(() => microCurves(new Int32Array([0, 1, 1]), p, 2)).toThrow(/3 labels need 6 scores/);
    expect(() => rankingMetrics(new Int32Array([0, 2]), p, 2)).toThrow(/labels must be classes 0\.\.1/);
    expect(() => classCurves(new Int32Array([0, 1]), p, 2, 2)).toThrow(/class must be an integer in 0\.\.1, got 2/);
  });
});

describe("rankingMetrics", () => {
  it("rankingMetrics(...) reports progress per class and omits PR curves when asked", () => {
    const { y, p } = randomProbs(200, 3, 5);
    const calls: number[] = [];
    const r = rankingMetrics(y, p, 3, { curves: false, onProgress: (done, total) => calls.push(done / total) });
    expect(calls).toEqual([1 / 4, 2 / 4, 3 / 4, 1]);
    expect(r.per_class.every((c) => c.pr === null)).toBe(true);
    expect(r.average_precision.per_class).toEqual(rankingMetrics(y, p, 3).average_precision.per_class);
  });
});

import { describe, expect, it } from "vitest";
import { DataError, UsageError } from "../../util/errors.js";
import { createRng } from "../../util/rng.js";
import { classificationReport } from "./classification.js";
import { argmaxRows, confusionMatrix, normalizeConfusion } from "./confusion.js";

function random(n: number, k: number, seed: number): { y: Int32Array; p: Int32Array } {
  const rng = createRng(seed);
  const y = Int32Array.from({ length: n }, () => rng.int(k));
  const p = y.map((v) => (rng.next() < 0.6 ? v : rng.int(k)));
  return { y, p };
}

describe("confusionMatrix", () => {
  it("confusionMatrix(labels, predicted, K) counts each pair once, rows true, columns predicted", () => {
    expect(Array.from(confusionMatrix(new Int32Array([0, 1, 1]), new Int32Array([0, 0, 1]), 2))).toEqual([1, 0, 1, 1]);
  });

  it("normalizeConfusion(counts, K, mode) divides by rows, columns or the total; empty rows stay 0", () => {
    const cm = new Float64Array([2, 2, 0, 0]);
    expect(Array.from(normalizeConfusion(cm, 2, "true"))).toEqual([0.5, 0.5, 0, 0]);
    expect(Array.from(normalizeConfusion(cm, 2, "pred"))).toEqual([1, 1, 0, 0]);
    expect(Array.from(normalizeConfusion(cm, 2, "all"))).toEqual([0.5, 0.5, 0, 0]);
    expect(() => normalizeConfusion(cm, 3, "all")).toThrow(UsageError);
  });

  it("confusionMatrix(labels, predicted, K) rejects predicted classes out of range and a length mismatch", () => {
    expect(() => confusionMatrix(new Int32Array([0]), new Int32Array([2]), 2)).toThrow(DataError);
    expect(() => confusionMatrix(new Int32Array([0]), new Int32Array([0, 1]), 2)).toThrow(UsageError);
  });

  it("argmaxRows(probs, K) takes the first maximum, as numpy's argmax", () => {
    const { predicted, confidence } = argmaxRows(new Float64Array([0.2, 0.8, 0.5, 0.5, 0.3, 0.3]), 2);
    expect(Array.from(predicted)).toEqual([1, 0, 0]);
    expect(Array.from(confidence)).toEqual([0.8, 0.5, 0.3]);
  });
});

describe("classificationReport", () => {
  it("classificationReport(labels, predicted, K) gives the documented macro averages", () => {
    const r = classificationReport(new Int32Array([0, 1, 1]), new Int32Array([0, 0, 1]), 2);
    expect(r.macro.precision).toBe(0.75);
    expect(r.macro.recall).toBe(0.75);
    expect(r.macro.f1).toBeCloseTo(2 / 3, 15);
    expect(r.per_class[0]).toMatchObject({ tp: 1, fp: 1, fn: 0, tn: 1, support: 1, specificity: 0.5 });
  });

  it("classificationReport(...) micro averages equal accuracy and counts add up (10 seeds)", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { y, p } = random(500, 6, seed);
      const r = classificationReport(y, p, 6);
      expect(r.micro.f1).toBeCloseTo(r.accuracy, 15);
      expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(500);
      for (const c of r.per_class) expect(c.tp + c.fp + c.fn + c.tn).toBe(500);
      expect(r.per_class.reduce((a, c) => a + c.support, 0)).toBe(500);
      expect(r.balanced_accuracy).toBeCloseTo(r.macro.recall, 15); // every class occurs
    }
  });

  it("classificationReport(...) sets undefined precision and recall to 0 and says why", () => {
    const r = classificationReport(new Int32Array([0, 0, 1]), new Int32Array([0, 2, 0]), 4);
    expect(r.per_class[1]).toMatchObject({ precision: 0, recall: 0, f1: 0 });
    expect(r.per_class[3]).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 0 });
    expect(r.warnings).toEqual([
      "precision and F1 are ill-defined and set to 0 for classes 1 and 3 with no predicted samples",
      "recall and F1 are ill-defined and set to 0 for classes 2 and 3 with no true samples",
      "balanced accuracy averages recall over the classes in the labels only; class 2 predicted but never true",
    ]);
    expect(r.balanced_accuracy).toBe(0.25); // mean of recall 0.5 (class 0) and 0 (class 1)
  });
});

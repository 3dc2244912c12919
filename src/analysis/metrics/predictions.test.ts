import { describe, expect, it } from "vitest";
import { DataError } from "../../util/errors.js";
import { createRng } from "../../util/rng.js";
import { argmaxRows } from "./confusion.js";
import { sampleLosses } from "./loss.js";
import { predictionColumns } from "./predictions.js";
import { softmax } from "./softmax.js";

describe("predictionColumns", () => {
  it("predictionColumns(probs, k, labels) gives the arg-max, top-1 probability, top-1 − top-2 and −ln p(label)", () => {
    const c = predictionColumns(new Float32Array([0.2, 0.5, 0.3, 0.1, 0.1, 0.8]), 3, new Int32Array([2, 2]));
    expect(Array.from(c.predicted)).toEqual([1, 2]);
    expect(c.confidence[0]).toBeCloseTo(0.5, 6);
    expect(c.confidence[1]).toBeCloseTo(0.8, 6);
    expect(c.margin[0]).toBeCloseTo(0.2, 6);
    expect(c.margin[1]).toBeCloseTo(0.7, 6);
    expect(c.loss[0]).toBeCloseTo(-Math.log(0.3), 5);
    expect(c.loss[1]).toBeCloseTo(-Math.log(0.8), 5);
  });

  it("predictionColumns(...) breaks ties towards the lowest class, as numpy.argmax, with margin 0", () => {
    const c = predictionColumns(new Float32Array([0.4, 0.4, 0.2, 0.1, 0.45, 0.45, 0.5, 0.5, 0]), 3, new Int32Array([1, 0, 1]));
    expect(Array.from(c.predicted)).toEqual([0, 1, 0]);
    expect(Array.from(c.margin)).toEqual([0, 0, 0]);
  });

  it("predictionColumns(...) leaves the loss NaN for unlabelled rows (label −1) and fills the rest", () => {
    const c = predictionColumns(new Float32Array([0.9, 0.1, 0.3, 0.7]), 2, new Int32Array([-1, 0]));
    expect(Number.isNaN(c.loss[0])).toBe(true);
    expect(c.loss[1]).toBeCloseTo(-Math.log(0.3), 5);
    expect(Array.from(c.predicted)).toEqual([0, 1]);
  });

  it("predictionColumns(...) clips a probability of 0 like the log-loss metric (−ln 1e-15, not Infinity)", () => {
    const c = predictionColumns(new Float32Array([0, 1]), 2, new Int32Array([0]));
    expect(c.loss[0]).toBeCloseTo(-Math.log(1e-15), 4);
  });

  it("predictionColumns(...) loss equals sampleLosses per row, and predicted/confidence equal argmaxRows, on seeded softmax rows", () => {
    const rng = createRng(7);
    const n = 500;
    const k = 7;
    const logits = Float64Array.from({ length: n * k }, () => (rng.next() - 0.5) * 12);
    const probs = Float32Array.from(softmax(logits, k));
    const labels = Int32Array.from({ length: n }, () => rng.int(k));
    const c = predictionColumns(probs, k, labels);
    const ref = sampleLosses(labels, probs, k);
    const am = argmaxRows(probs, k);
    for (let i = 0; i < n; i++) {
      expect(Math.abs(c.loss[i] - ref[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, ref[i]));
      expect(c.predicted[i]).toBe(am.predicted[i]);
      expect(c.confidence[i]).toBe(Math.fround(am.confidence[i]));
      const sorted = Array.from(probs.subarray(i * k, (i + 1) * k)).sort((a, b) => b - a);
      expect(c.margin[i]).toBeCloseTo(sorted[0] - sorted[1], 6);
      expect(c.margin[i]).toBeGreaterThanOrEqual(0);
    }
  });

  it("predictionColumns(...) lets the first NaN win the arg-max, as numpy.argmax does", () => {
    const c = predictionColumns(new Float32Array([0.5, NaN, NaN, 0.2]), 4, new Int32Array([0]));
    expect(c.predicted[0]).toBe(1);
    expect(Number.isNaN(c.confidence[0])).toBe(true);
  });

  it("predictionColumns(...) throws a RangeError for k < 2 or lengths that do not fit, a DataError for labels outside −1..k−1", () => {
    expect(() => predictionColumns(new Float32Array(4), 1, new Int32Array(4))).toThrow(RangeError);
    expect(() => predictionColumns(new Float32Array(4), 2.5, new Int32Array(2))).toThrow(/k \(number of classes\)/);
    expect(() => predictionColumns(new Float32Array(5), 2, new Int32Array(2))).toThrow(/2 × 2 = 4 values.*got 5/);
    const bad = () => predictionColumns(new Float32Array(6), 2, new Int32Array([0, 2, -2]));
    expect(bad).toThrow(DataError);
    expect(bad).toThrow(/2 of 3 are not \(first: row 1 holds 2\)/);
  });

  it("predictionColumns(...) of zero rows returns empty columns", () => {
    const c = predictionColumns(new Float32Array(0), 3, new Int32Array(0));
    expect(c.predicted.length + c.confidence.length + c.margin.length + c.loss.length).toBe(0);
  });
});

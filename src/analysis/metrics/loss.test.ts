import { describe, expect, it } from "vitest";
import { createRng } from "../../util/rng.js";
import { logLoss, sampleEntropy, sampleLosses, topKAccuracy } from "./loss.js";
import { softmax } from "./softmax.js";

function randomProbs(n: number, k: number, seed: number): { y: Int32Array; p: Float64Array } {
  const rng = createRng(seed);
  const y = Int32Array.from({ length: n }, () => rng.int(k));
  const z = Float64Array.from({ length: n * k }, (_, i) => (rng.next() - 0.5) * 4 + (i % k === y[Math.floor(i / k)] ? 1 : 0));
  return { y, p: softmax(z, k) };
}

describe("log loss", () => {
  it("logLoss(labels, probs, K) is the mean of −ln p(true class)", () => {
    expect(logLoss(new Int32Array([0, 1]), new Float64Array([0.5, 0.5, 0.25, 0.75]), 2)).toBeCloseTo((Math.LN2 - Math.log(0.75)) / 2, 15);
    expect(sampleLosses(new Int32Array([1]), new Float64Array([0.25, 0.75]), 2)[0]).toBeCloseTo(-Math.log(0.75), 15);
  });

  it("sampleLosses(...) clips a probability of 0 to eps instead of returning Infinity", () => {
    const l = sampleLosses(new Int32Array([0]), new Float64Array([0, 1]), 2);
    expect(l[0]).toBeCloseTo(-Math.log(1e-15), 6);
    expect(sampleLosses(new Int32Array([0]), new Float64Array([0, 1]), 2, 1e-7)[0]).toBeCloseTo(-Math.log(1e-7), 6);
  });

  it("sampleLosses(...) on one column P(class 1) agrees with the two columns [1 − p, p]", () => {
    const p = new Float64Array([0.1, 0.6, 0.999, 0]);
    const y = new Int32Array([0, 1, 0, 1]);
    const two = Float64Array.from({ length: 8 }, (_, i) => (i % 2 ? p[i >> 1] : 1 - p[i >> 1]));
    const a = sampleLosses(y, p, 2);
    const b = sampleLosses(y, two, 2);
    for (let i = 0; i < 4; i++) expect(a[i]).toBeCloseTo(b[i], 12);
  });
});

describe("sampleEntropy", () => {
  it("sampleEntropy(probs, K) is ln K for a uniform row and 0 for a one-hot row", () => {
    const h = sampleEntropy(new Float64Array([0.25, 0.25, 0.25, 0.25, 0, 1, 0, 0]), 4);
    expect(h[0]).toBeCloseTo(Math.log(4), 15);
    expect(h[1]).toBe(0);
    expect(sampleEntropy(new Float64Array([0.5, 1]), 2, true)[0]).toBeCloseTo(Math.LN2, 15);
  });
});

describe("topKAccuracy", () => {
  it("topKAccuracy(labels, probs, K, ks) follows the documented example", () => {
    expect(topKAccuracy(new Int32Array([2, 0]), new Float64Array([0.5, 0.2, 0.3, 0.1, 0.6, 0.3]), 3, [1, 2])).toEqual({ "1": 0, "2": 0.5 });
  });

  it("topKAccuracy(...) ranks the higher class index first among ties, as scikit-learn", () => {
    const p = new Float64Array([0.4, 0.4, 0.2]);
    expect(topKAccuracy(new Int32Array([1]), p, 3, [1])["1"]).toBe(1);
    expect(topKAccuracy(new Int32Array([0]), p, 3, [1, 2])).toEqual({ "1": 0, "2": 1 });
  });

  it("topKAccuracy(...) grows with k and reaches 1 at k = K (5 seeds)", () => {
    for (let seed = 1; seed <= 5; seed++) {
      const { y, p } = randomProbs(300, 7, seed);
      const acc = topKAccuracy(y, p, 7, [1, 2, 3, 4, 5, 6, 7]);
      for (let k = 2; k <= 7; k++) expect(acc[String(k)]).toBeGreaterThanOrEqual(acc[String(k - 1)]);
      expect(acc["7"]).toBe(1);
    }
  });

  it("topKAccuracy(...) with two classes calls class 1 when P(class 1) > 0.5, one column or two", () => {
    const y = new Int32Array([0, 1, 1]);
    expect(topKAccuracy(y, new Float64Array([0.5, 0.7, 0.2]), 2, [1])["1"]).toBeCloseTo(2 / 3, 15);
    expect(topKAccuracy(y, new Float64Array([0.5, 0.5, 0.3, 0.7, 0.8, 0.2]), 2, [1])["1"]).toBeCloseTo(2 / 3, 15);
  });
});

import { describe, expect, it } from "vitest";
import { createRng } from "../../util/rng.js";
import { evaluate } from "./evaluate.js";
import { softmax } from "./softmax.js";

function randomProbs(n: number, k: number, seed: number): { y: Int32Array; p: Float32Array } {
  const rng = createRng(seed);
  const y = Int32Array.from({ length: n }, () => rng.int(k));
  const z = Float32Array.from({ length: n * k }, (_, i) => (rng.next() - 0.5) * 4 + (i % k === y[Math.floor(i / k)] ? 1.5 : 0));
  return { y, p: softmax(z, k) };
}

/** Every number in a nested report, with its path. */
function numbers(x: unknown, path = "report"): [string, number][] {
  if (typeof x === "number") return [[path, x]];
  if (x && typeof x === "object") return Object.entries(x).flatMap(([k, v]) => numbers(v, `${path}.${k}`));
  return [];
}

function nanToNull(x: unknown): unknown {
  if (typeof x === "number") return Number.isNaN(x) ? null : x;
  if (Array.isArray(x)) return x.map(nanToNull);
  if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, nanToNull(v)]));
  return x;
}

describe("evaluate", () => {
  it("evaluate(labels, probs, K) returns a report with stable keys that survives JSON", () => {
    const { y, p } = randomProbs(500, 10, 1);
    const { report } = evaluate(y, p, 10);
    expect(Object.keys(report)).toEqual([
      "n", "num_classes", "accuracy", "balanced_accuracy", "confusion", "per_class", "macro", "micro", "weighted",
      "warnings", "top_k", "log_loss", "ece", "calibration", "confidence", "entropy", "roc_auc", "average_precision", "binary",
    ]);
    expect(Object.keys(report.per_class[0])).toEqual(["class", "precision", "recall", "f1", "support", "tp", "fp", "fn", "tn", "specificity"]);
    expect(Object.keys(report.top_k)).toEqual(["1", "3", "5"]);
    // Plain objects, arrays and numbers only; NaN (an empty calibration bin here) comes back as null.
    expect(JSON.parse(JSON.stringify(report))).toEqual(nanToNull(report));
  });

  it("evaluate(...) on 20,000 random float32 samples × 10 classes gives no NaN and values in range (3 seeds)", () => {
    for (let seed = 1; seed <= 3; seed++) {
      const { y, p } = randomProbs(20000, 10, seed);
      const { report, curves } = evaluate(y, p, 10);
      const all = numbers(report).filter(([path]) => !/calibration\.\d+\.(confidence|accuracy)|mean_incorrect/.test(path));
      for (const [path, v] of all) expect(Number.isFinite(v), path).toBe(true);
      expect(report.warnings).toEqual([]);
      expect(report.roc_auc.macro).toBeGreaterThan(0.7);
      expect(report.accuracy).toBeLessThanOrEqual(report.top_k["3"]);
      expect(curves!.roc.macro.classes).toBe(10);
      expect(report.ece).toBeGreaterThanOrEqual(0);
    }
  });

  it("evaluate(...) gives the same numbers for float32 probabilities and float64 copies of them", () => {
    const { y, p } = randomProbs(2000, 6, 4);
    const a = numbers(evaluate(y, p, 6).report);
    const b = numbers(evaluate(y, Float64Array.from(p), 6).report);
    expect(a).toEqual(b);
  });

  it("evaluate(..., {curves: false}) skips the curves but not the AUCs and APs", () => {
    const { y, p } = randomProbs(1000, 4, 5);
    const full = evaluate(y, p, 4);
    const lean = evaluate(y, p, 4, { curves: false });
    expect(lean.curves).toBeNull();
    expect(lean.report).toEqual(full.report);
  });

  it("evaluate(...) of a binary problem gives the same report from one column P(class 1) as from two columns", () => {
    const rng = createRng(8);
    const y = Int32Array.from({ length: 500 }, () => (rng.next() < 0.4 ? 1 : 0));
    const p1 = Float64Array.from(y, (v) => Math.min(1, Math.max(0, 0.3 + 0.3 * v + (rng.next() - 0.5) * 0.6)));
    const p2 = Float64Array.from({ length: 1000 }, (_, i) => (i % 2 ? p1[i >> 1] : 1 - p1[i >> 1]));
    const a = evaluate(y, p1, 2, { threshold: 0.4 });
    const b = evaluate(y, p2, 2, { threshold: 0.4 });
    const [na, nb] = [numbers(a.report), numbers(b.report)];
    expect(na.map(([k]) => k)).toEqual(nb.map(([k]) => k));
    for (let i = 0; i < na.length; i++) {
      if (Number.isNaN(nb[i][1])) expect(na[i][1], na[i][0]).toBeNaN();
      else expect(na[i][1], na[i][0]).toBeCloseTo(nb[i][1], 12);
    }
    expect(a.report.binary!.at_threshold.threshold).toBe(0.4);
    expect(a.report.binary!.youden.j).toBeGreaterThan(0.3);
    expect(Object.keys(a.report.top_k)).toEqual(["1"]);
  });

  it("evaluate(...) calls onProgress once per class and once for the micro average", () => {
    const { y, p } = randomProbs(300, 5, 6);
    let calls = 0;
    evaluate(y, p, 5, { onProgress: () => calls++ });
    expect(calls).toBe(6);
  });
});

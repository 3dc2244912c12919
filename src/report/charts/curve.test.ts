import { describe, expect, it } from "vitest";
import { thinCurve } from "./curve.js";
import { normal, rng } from "./evaluation.testutil.js";

/** n normal deviates around `mean`. */
function normals(n: number, mean: number, random: () => number): Float64Array {
  return Float64Array.from({ length: n }, () => mean + normal(random));
}

/** The ROC curve of n scores, half positives ~ N(1.5, 1), half negatives ~ N(0, 1): one point per sample. */
function rocCurve(n: number, seed: number): { fpr: Float64Array; tpr: Float64Array; auc: number } {
  const random = rng(seed);
  const pos = normals(n / 2, 1.5, random).sort().reverse();
  const neg = normals(n / 2, 0, random).sort().reverse();
  const fpr = new Float64Array(n + 1);
  const tpr = new Float64Array(n + 1);
  let tp = 0;
  let fp = 0;
  let auc = 0;
  for (let k = 1; k <= n; k++) {
    if (fp >= neg.length || (tp < pos.length && pos[tp] >= neg[fp])) tp++;
    else {
      fp++;
      auc += tp / pos.length / neg.length;
    }
    fpr[k] = fp / neg.length;
    tpr[k] = tp / pos.length;
  }
  return { fpr, tpr, auc };
}

/** Area under a polyline by the trapezoid rule. */
function trapezoid(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let a = 0;
  for (let i = 1; i < x.length; i++) a += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return a;
}

/** Largest distance of any of the points (px, py) to the polyline (x, y). */
function maxDistance(px: ArrayLike<number>, py: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>): number {
  let worst = 0;
  for (let p = 0; p < px.length; p++) {
    let best = Infinity;
    for (let i = 1; i < x.length; i++) {
      const dx = x[i] - x[i - 1];
      const dy = y[i] - y[i - 1];
      const len2 = dx * dx + dy * dy;
      const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px[p] - x[i - 1]) * dx + (py[p] - y[i - 1]) * dy) / len2));
      best = Math.min(best, Math.hypot(px[p] - x[i - 1] - t * dx, py[p] - y[i - 1] - t * dy));
    }
    worst = Math.max(worst, best);
  }
  return worst;
}

describe("thinCurve", () => {
  it("thinCurve(curve) drops repeated points and points on straight runs, keeping the ends", () => {
    const out = thinCurve({ x: [0, 0, 0.5, 1, 1], y: [0, 0.5, 1, 1, 1] });
    expect([...out.x]).toEqual([0, 0, 0.5, 1]);
    expect([...out.y]).toEqual([0, 0.5, 1, 1]);
    // a staircase: every corner kept, the points along each straight run dropped
    const stair = thinCurve({ x: [0, 0, 0, 0.25, 0.5, 0.5, 1], y: [0, 0.3, 0.6, 0.6, 0.6, 1, 1] });
    expect([...stair.x]).toEqual([0, 0, 0.5, 0.5, 1]);
    expect([...stair.y]).toEqual([0, 0.6, 0.6, 1, 1]);
  });

  it("thinCurve(curve) keeps a curve that turns back on itself and short curves as they are", () => {
    const back = thinCurve({ x: [0, 1, 0.5], y: [0, 0, 0] });
    expect([...back.x]).toEqual([0, 1, 0.5]);
    expect([...thinCurve({ x: [0.2], y: [0.4] }).x]).toEqual([0.2]);
    expect(thinCurve({ x: [], y: [] }).x).toHaveLength(0);
    const still = thinCurve({ x: [0.3, 0.3, 0.3], y: [0.1, 0.1, 0.1] });
    expect([...still.x]).toEqual([0.3]);
  });

  it("thinCurve(curve, {steps: 'before'}) puts in the corners of the steps: vertical first, then horizontal", () => {
    const before = thinCurve({ x: [0, 0.5, 1], y: [1, 0.8, 0.6], steps: "before" });
    expect([...before.x]).toEqual([0, 0, 0.5, 0.5, 1]);
    expect([...before.y]).toEqual([1, 0.8, 0.8, 0.6, 0.6]);
    const after = thinCurve({ x: [0, 0.5, 1], y: [1, 0.8, 0.6], steps: "after" });
    expect([...after.x]).toEqual([0, 0.5, 0.5, 1, 1]);
    expect([...after.y]).toEqual([1, 1, 0.8, 0.8, 0.6]);
  });

  it("thinCurve(20,000-point ROC curve) keeps every point within the tolerance and the area the same", () => {
    const { fpr, tpr, auc } = rocCurve(20_000, 7);
    const out = thinCurve({ x: fpr, y: tpr });
    expect(out.x.length).toBeLessThan(2000);
    expect(out.x.length).toBeGreaterThan(20);
    expect([out.x[0], out.y[0], out.x[out.x.length - 1], out.y[out.y.length - 1]]).toEqual([0, 0, 1, 1]);
    expect(maxDistance(fpr, tpr, out.x, out.y)).toBeLessThanOrEqual(0.0005 + 1e-12);
    expect(Math.abs(trapezoid(out.x, out.y) - auc)).toBeLessThan(5e-4);
  });

  it("thinCurve(1,000,000-point ROC curve) fits in maxPoints and keeps the AUC to 1e-3", () => {
    const { fpr, tpr, auc } = rocCurve(1_000_000, 11);
    const out = thinCurve({ x: fpr, y: tpr });
    expect(out.x.length).toBeLessThanOrEqual(2000);
    expect(Math.abs(trapezoid(out.x, out.y) - auc)).toBeLessThan(1e-3);
    const tight = thinCurve({ x: fpr, y: tpr, maxPoints: 50 });
    expect(tight.x.length).toBeLessThanOrEqual(50);
    expect([tight.x[0], tight.y[0], tight.x[tight.x.length - 1], tight.y[tight.y.length - 1]]).toEqual([0, 0, 1, 1]);
    expect(Math.abs(trapezoid(tight.x, tight.y) - auc)).toBeLessThan(0.01);
  });

  it("thinCurve(precision-recall steps) keeps the area under the steps, which is the average precision", () => {
    const random = rng(3);
    const n = 50_000;
    const recall = Float64Array.from({ length: n }, (_, i) => (i + 1) / n);
    const precision = Float64Array.from(recall, (r) => Math.min(1, Math.max(0, 1 - r * r + 0.02 * (random() - 0.5))));
    let ap = 0; // sum of (R_n - R_n-1) P_n, as sklearn's average_precision_score
    for (let i = 0; i < n; i++) ap += (recall[i] - (i === 0 ? 0 : recall[i - 1])) * precision[i];
    const x = Float64Array.of(0, ...recall);
    const y = Float64Array.of(1, ...precision);
    const out = thinCurve({ x, y, steps: "before" });
    expect(out.x.length).toBeLessThanOrEqual(2000);
    expect(Math.abs(trapezoid(out.x, out.y) - ap)).toBeLessThan(1e-3);
  });

  it("thinCurve(bad input) names every problem at once", () => {
    const call = () => thinCurve({ x: [0, NaN, 1], y: [0, 1, Infinity], maxPoints: 1, tolerance: -1 });
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/every point must be finite, got \(NaN, 1\) at 1, \(1, Infinity\) at 2/);
    expect(call).toThrow(/maxPoints must be an integer of at least 2, got 1/);
    expect(call).toThrow(/tolerance must be a number in \[0, 1\), got -1/);
    expect(() => thinCurve({ x: [0, 1], y: [0] })).toThrow("x and y must have the same length, got 2 and 1");
  });
});

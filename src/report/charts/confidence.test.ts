import { describe, expect, it } from "vitest";
import { confidenceHistogramSpec, countConfidences, sqrtTicks } from "./confidence.js";
import { asData, markCount, near, renderChecked, simulatePredictions } from "./evaluation.testutil.js";

/** The confidence and correctness of each prediction of a simulated 10-class model. */
function predictions(n = 5000) {
  const k = 10;
  const { labels, probs } = simulatePredictions(n, k, 33, 5);
  const confidences = new Float32Array(n);
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    confidences[i] = probs[i * k + best];
    correct[i] = best === labels[i] ? 1 : 0;
  }
  return { confidences, correct };
}

describe("countConfidences", () => {
  it("countConfidences(predictions) counts each prediction once, correct and wrong apart, 1.0 in the last bin", () => {
    const c = countConfidences({ confidences: Float32Array.of(0.05, 0.5, 0.55, 1, 0.99, 0.3), correct: [false, true, false, true, true, false], bins: 4 });
    expect(c.bins).toEqual([
      { start: 0, end: 0.25, outcome: "wrong", count: 1, share: 1 },
      { start: 0.25, end: 0.5, outcome: "wrong", count: 1, share: 1 },
      { start: 0.5, end: 0.75, outcome: "correct", count: 1, share: 0.5 },
      { start: 0.5, end: 0.75, outcome: "wrong", count: 1, share: 0.5 },
      { start: 0.75, end: 1, outcome: "correct", count: 2, share: 1 },
    ]);
    expect([c.correct, c.wrong]).toEqual([3, 3]);
    expect(c.meanCorrect).toBeCloseTo((0.5 + 1 + 0.99) / 3, 6);
    expect(c.meanWrong).toBeCloseTo((0.05 + 0.55 + 0.3) / 3, 6);
  });

  it("countConfidences(bad input) names every problem at once", () => {
    const call = () => countConfidences({ confidences: Float32Array.of(0.5, 1.5, -0.1), correct: [1, 0], bins: 0 });
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/confidences\[1\] = 1.5, confidences\[2\] = -0.10000000149011612: confidences must be in \[0, 1\]/);
    expect(call).toThrow(/correct must hold one entry per confidence \(3\), got 2/);
    expect(call).toThrow(/bins must be an integer from 1 to 1000, got 0/);
    expect(() => countConfidences({ confidences: [0.5] as unknown as Float32Array, correct: [1] })).toThrow("confidences must be a Float32Array or Float64Array, got Array");
  });
});

describe("sqrtTicks", () => {
  it("sqrtTicks(max) gives round values from 0, spread along a square-root axis", () => {
    expect(sqrtTicks(7800)).toEqual([0, 200, 1000, 2000, 5000]);
    expect(sqrtTicks(10)).toEqual([0, 1, 2, 5, 10]);
    expect(sqrtTicks(0)).toEqual([0]);
  });
});

describe("confidenceHistogramSpec", () => {
  it("confidenceHistogramSpec(predictions) overlays wrong on correct, both from 0, counts in the legend", () => {
    const { confidences, correct } = predictions();
    const nCorrect = correct.reduce((s, c) => s + c, 0);
    const spec = asData(confidenceHistogramSpec({ confidences, correct }));
    expect(spec.title.text).toBe("Confidence of correct and wrong predictions");
    expect(spec.title.subtitle).toMatch(new RegExp(`^5,000 predictions, ${((nCorrect / 50).toFixed(1))}% correct · mean confidence: correct 0\\.\\d{3}, wrong 0\\.\\d{3}$`));
    const rows = spec.data.values;
    expect(rows.reduce((s: number, r: { count: number }) => s + r.count, 0)).toBe(5000);
    expect(rows.filter((r: { outcome: string }) => r.outcome === "correct").reduce((s: number, r: { count: number }) => s + r.count, 0)).toBe(nCorrect);
    const [right, wrong] = spec.layer;
    expect(right.transform).toEqual([{ filter: "datum.outcome === 'correct'" }]);
    expect(wrong.transform).toEqual([{ filter: "datum.outcome === 'wrong'" }]);
    expect(right.encoding.y).toMatchObject({ field: "count", stack: null, scale: { type: "sqrt", domainMin: 0 }, title: "predictions (sqrt scale)" });
    expect(right.encoding.y2).toEqual({ datum: 0 });
    expect(right.encoding.color.scale.domain).toEqual([`correct (${nCorrect.toLocaleString("en-US")})`, `wrong (${(5000 - nCorrect).toLocaleString("en-US")})`]);
    // the wrong predictions' bars are narrower, inside their bin
    const w = rows.find((r: { outcome: string }) => r.outcome === "wrong");
    expect(w.barStart).toBeGreaterThan(w.start);
    expect(w.barEnd).toBeLessThan(w.end);
  });

  it("confidenceHistogramSpec({yScale: 'linear'}) counts on a linear axis", () => {
    const spec = asData(confidenceHistogramSpec({ confidences: Float64Array.of(0.9, 0.4), correct: [true, false], yScale: "linear" }));
    expect(spec.layer[0].encoding.y.scale.type).toBe("linear");
    expect(spec.layer[0].encoding.y.title).toBe("predictions");
    expect(() => confidenceHistogramSpec({ confidences: Float64Array.of(0.9), correct: [true], yScale: "log" as "sqrt" })).toThrow('yScale must be "sqrt" or "linear", got log');
  });

  it("renderSvg/renderPng(confidenceHistogramSpec) draws a bar per non-empty segment in blue and red", async () => {
    const { confidences, correct } = predictions();
    const spec = confidenceHistogramSpec({ confidences, correct });
    const r = await renderChecked(spec);
    expect(markCount(r.svg, "mark-rect")).toBe(asData(spec).data.values.length);
    expect(r.svg).toMatch(/>wrong \(\d+\)<\/text>/);
    expect(r.share(near("#4c78a8"))).toBeGreaterThan(0.02);
    expect(r.share(near("#e45756"))).toBeGreaterThan(0.002);
  });
});

import { describe, expect, it } from "vitest";
import { asData, markCount, near, renderChecked, simulatePredictions } from "./evaluation.testutil.js";
import { reliabilityBins, reliabilitySpec } from "./reliability.js";

/** A calibration table of a simulated over-confident 10-class model: 15 equal-width bins. */
function calibrationTable(bins = 15) {
  const k = 10;
  const { labels, probs } = simulatePredictions(5000, k, 21, 5);
  const count = new Float64Array(bins);
  const confidence = new Float64Array(bins);
  const accuracy = new Float64Array(bins);
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (probs[i * k + c] > probs[i * k + best]) best = c;
    const p = probs[i * k + best];
    const b = Math.min(bins - 1, Math.floor(p * bins));
    count[b]++;
    confidence[b] += p;
    accuracy[b] += best === labels[i] ? 1 : 0;
  }
  for (let b = 0; b < bins; b++) {
    confidence[b] = count[b] > 0 ? confidence[b] / count[b] : NaN;
    accuracy[b] = count[b] > 0 ? accuracy[b] / count[b] : NaN;
  }
  return { count, confidence, accuracy };
}

describe("reliabilityBins", () => {
  it("reliabilityBins(table) leaves out empty bins and spans the gap from the lower to the higher of accuracy and confidence", () => {
    const bins = reliabilityBins({ count: [0, 5, 20, 75], confidence: [NaN, 0.4, 0.6, 0.9], accuracy: [NaN, 0.5, 0.55, 0.8] });
    expect(bins.map((b) => [b.start, b.end])).toEqual([
      [0.25, 0.5],
      [0.5, 0.75],
      [0.75, 1],
    ]);
    expect(bins[0]).toMatchObject({ count: 5, gapLow: 0.4, gapHigh: 0.5, side: "under-confident" });
    expect(bins[2]).toMatchObject({ count: 75, gapLow: 0.8, gapHigh: 0.9, side: "over-confident" });
  });

  it("reliabilityBins({edges}) and ({centers}) place the bins where they are given", () => {
    const table = { count: [1, 1], confidence: [0.3, 0.8], accuracy: [0.3, 0.8] };
    expect(reliabilityBins({ ...table, edges: [0.1, 0.6, 1] }).map((b) => [b.start, b.end])).toEqual([
      [0.1, 0.6],
      [0.6, 1],
    ]);
    expect(reliabilityBins({ ...table, centers: [0.25, 0.75] }).map((b) => [b.start, b.end])).toEqual([
      [0, 0.5],
      [0.5, 1],
    ]);
  });

  it("reliabilityBins(bad input) names every problem at once", () => {
    const call = () => reliabilityBins({ count: [1, 2], confidence: [0.5, 1.5], accuracy: [0.5], edges: [0, 0.7, 0.6], ece: -0.1 });
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/confidence\[1\] = 1.5: confidence must hold numbers in \[0, 1\]/);
    expect(call).toThrow(/accuracy must hold 2 values, got 1/);
    expect(call).toThrow(/edges must rise strictly, got \[0, 0.7, 0.6\]/);
    expect(call).toThrow(/ece must be a number in \[0, 1\], got -0.1/);
    expect(() => reliabilityBins({ count: [0, 0], confidence: [NaN, NaN], accuracy: [NaN, NaN] })).toThrow("count must hold at least one prediction, got only empty bins");
    expect(() => reliabilityBins({ count: [3], confidence: [NaN], accuracy: [0.5] })).toThrow("bin 0 holds 3 predictions but its confidence or accuracy is NaN");
  });
});

describe("reliabilitySpec", () => {
  it("reliabilitySpec(table) stacks the calibration plot over a count histogram, ECE in the subtitle", () => {
    const table = calibrationTable();
    const spec = asData(reliabilitySpec(table));
    const n = table.count.reduce((s, c) => s + c, 0);
    let ece = 0;
    for (let b = 0; b < 15; b++) if (table.count[b] > 0) ece += (table.count[b] / n) * Math.abs(table.accuracy[b] - table.confidence[b]);
    expect(ece).toBeGreaterThan(0.005); // the simulated model is not perfectly calibrated
    expect(spec.title.text).toBe("Reliability diagram");
    expect(spec.title.subtitle).toMatch(new RegExp(`^ECE ${(ece * 100).toFixed(1)}% over 15 bins · 5,000 predictions · mean confidence \\d+\\.\\d%, accuracy \\d+\\.\\d%$`));
    const [calibration, histogram] = spec.vconcat;
    expect(calibration.layer.map((l: { mark: { type: string } }) => l.mark.type)).toEqual(["bar", "bar", "line"]);
    const [bars, gap, diagonal] = calibration.layer;
    expect(bars.encoding.y).toMatchObject({ field: "accuracy", scale: { domain: [0, 1] } });
    expect(gap.encoding.y).toEqual({ field: "gapLow", type: "quantitative" });
    expect(gap.encoding.y2).toEqual({ field: "gapHigh" });
    expect(diagonal.data.values).toEqual([{ p: 0 }, { p: 1 }]);
    expect(bars.encoding.color.scale.domain).toEqual(["accuracy in bin", "gap to mean confidence", "perfect calibration"]);
    expect(histogram.encoding.y).toMatchObject({ field: "count", scale: { type: "sqrt" } });
    expect(bars.data.values.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(5000);
  });

  it("reliabilitySpec({ece}) writes the ECE it is given", () => {
    const spec = asData(reliabilitySpec({ count: [10, 30], confidence: [0.3, 0.9], accuracy: [0.4, 0.8], ece: 0.05 }));
    expect(spec.title.subtitle).toBe("ECE 5.0% over 2 bins · 40 predictions · mean confidence 75.0%, accuracy 70.0%");
  });

  it("renderSvg/renderPng(reliabilitySpec) draws the bars, the gaps, the diagonal and the histogram", async () => {
    const table = calibrationTable();
    const bins = table.count.filter((c) => c > 0).length;
    const r = await renderChecked(reliabilitySpec(table));
    // accuracy bars, gap bands, histogram bars
    expect(markCount(r.svg, "mark-rect")).toBe(3 * bins);
    expect(markCount(r.svg, "mark-line")).toBe(1);
    expect(r.svg).toContain(">gap to mean confidence</text>");
    expect(r.svg).toContain(">confidence (highest softmax probability)</text>");
    expect(r.height).toBeGreaterThan(420);
    expect(r.share(near("#4c78a8"))).toBeGreaterThan(0.03);
  });
});

import { describe, expect, it } from "vitest";
import { countHistogram, type HistogramBin, histogramSpec } from "./histogram.js";

/** The spec as plain data, to look into without Vega-Lite's union types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const asData = (spec: unknown): any => JSON.parse(JSON.stringify(spec));
const sum = (bins: HistogramBin[]): number => bins.reduce((s, b) => s + b.count, 0);

/** A ReLU-like layer: 5,000 zeros, then 3,000 values spread over (0, 3]. */
function reluValues(): Float32Array {
  const v = new Float32Array(8000);
  for (let i = 5000; i < 8000; i++) v[i] = ((i - 5000) / 3000) * 3 + 0.001;
  return v;
}

describe("countHistogram", () => {
  it("countHistogram(values) puts every finite value in exactly one equal-width bin", () => {
    const values = Float32Array.of(-1, -0.5, 0, 0.5, 1, 1, NaN, Infinity);
    const c = countHistogram(values, { bins: 4, markZero: false });
    expect(c.bins.map((b) => b.count)).toEqual([1, 1, 1, 3]); // the maximum goes in the last bin
    expect(c.bins[0].start).toBe(-1);
    expect(c.bins[3].end).toBe(1);
    for (const b of c.bins) expect(b.end - b.start).toBeCloseTo(0.5, 12);
    expect([c.n, c.nonFinite, c.zeros, c.min, c.max]).toEqual([6, 2, 0, -1, 1]);
  });

  it("countHistogram(values, {markZero}) counts exact zeros apart and widens the range to 0", () => {
    const c = countHistogram(Float32Array.of(0, 0, 0, 2, 3, 4), { bins: 4, markZero: true });
    expect(c.zeros).toBe(3);
    expect(sum(c.bins)).toBe(3);
    expect(c.bins[0].start).toBe(0);
    expect(c.bins.map((b) => b.count)).toEqual([0, 0, 1, 2]);
  });

  it("countHistogram(values) gives a constant array one unit-wide range around its value", () => {
    const c = countHistogram(new Float32Array(10).fill(2), { bins: 5, markZero: true });
    expect(sum(c.bins)).toBe(10);
    expect([c.bins[0].start, c.bins[4].end]).toEqual([1.5, 2.5]);
  });
});

describe("histogramSpec", () => {
  it("histogramSpec(values) bins in TS: a bar layer of {start, end, count} rows summing to N", () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i + 0.5)); // none exactly 0
    const spec = asData(histogramSpec({ values, bins: 25, title: "conv1", xTitle: "activation" }));
    expect(spec.layer).toHaveLength(1);
    const bars = spec.layer[0];
    expect(bars.mark.type).toBe("bar");
    expect(bars.data.values).toHaveLength(25);
    expect(Object.keys(bars.data.values[0]).sort()).toEqual(["count", "end", "start"]);
    expect(bars.encoding.x).toMatchObject({ field: "start", type: "quantitative", bin: "binned", title: "activation" });
    expect(bars.encoding.x2).toEqual({ field: "end" });
    expect(bars.encoding.y).toMatchObject({ field: "count", type: "quantitative", title: "count" });
    expect(spec.title.text).toBe("conv1");
    expect(spec.config.font).toMatch(/^DejaVu Sans/);
  });

  it("histogramSpec(values) with exact zeros: bars + a rule and a label at 0, share in the subtitle", () => {
    const values = Float32Array.of(0, 1, 0, 0);
    const spec = asData(histogramSpec({ values, title: "t" }));
    expect(spec.layer.map((l: { mark: { type: string } }) => l.mark.type)).toEqual(["bar", "rule", "text"]);
    expect(spec.layer[1].data.values).toEqual([{ value: 0, count: 3, label: "exactly 0: 75.0%" }]);
  });

  it("histogramSpec(reluValues) notes the zeros and keeps them out of the bars", () => {
    const spec = asData(histogramSpec({ values: reluValues(), title: "relu1" }));
    const rows: HistogramBin[] = spec.layer[0].data.values;
    expect(rows).toHaveLength(40);
    expect(sum(rows) + spec.layer[1].data.values[0].count).toBe(8000);
    expect(sum(rows)).toBe(3000);
    expect(spec.title.subtitle).toBe("8,000 values from 0 to 3 · 62.5% exactly 0 (red line, not in the bars)");
  });

  it("histogramSpec(values, {markZero: false}) bins the zeros with the rest", () => {
    const spec = asData(histogramSpec({ values: reluValues(), title: "relu1", markZero: false }));
    expect(spec.layer).toHaveLength(1);
    expect(sum(spec.layer[0].data.values)).toBe(8000);
    expect(spec.layer[0].data.values[0].count).toBeGreaterThan(5000);
  });

  it("histogramSpec(values, {logY}) uses a log count axis and leaves out empty bins", () => {
    const values = Float32Array.of(1, 1, 1, 1, 1, 1, 1, 1, 1, 9);
    const spec = asData(histogramSpec({ values, bins: 8, title: "t", logY: true }));
    const bars = spec.layer[0];
    expect(bars.encoding.y.scale.type).toBe("log");
    expect(bars.encoding.y.title).toBe("count (log scale)");
    expect(bars.data.values.map((b: HistogramBin) => b.count)).toEqual([9, 1]);
    expect(bars.encoding.y.axis.values).toEqual([1, 10]);
  });

  it("histogramSpec(a million values) stays small: only the bins go into the spec", () => {
    const values = Float32Array.from({ length: 1_000_000 }, (_, i) => (i % 977) / 977);
    expect(JSON.stringify(histogramSpec({ values, title: "big" })).length).toBeLessThan(12_000);
  });

  it("histogramSpec(all zeros) — a dead ReLU layer — draws only the zero line over a 0..1 count axis", () => {
    const spec = asData(histogramSpec({ values: new Float32Array(100), title: "dead" }));
    expect(sum(spec.layer[0].data.values)).toBe(0);
    expect(spec.layer[0].encoding.y.scale).toEqual({ domain: [0, 1] });
    expect(spec.title.subtitle).toBe("100 values, all 0 · 100% exactly 0 (red line, not in the bars)");
  });

  it("histogramSpec(values) notes NaN and infinite values it leaves out", () => {
    const spec = asData(histogramSpec({ values: Float32Array.of(1, 2, NaN, -Infinity), title: "t" }));
    expect(spec.title.subtitle).toContain("2 NaN or infinite left out");
    expect(sum(spec.layer[0].data.values)).toBe(2);
  });

  it("histogramSpec(bad options) throws errors that name the parameter", () => {
    expect(() => histogramSpec({ values: new Float32Array(0), title: "t" })).toThrow(RangeError);
    expect(() => histogramSpec({ values: Float32Array.of(NaN), title: "t" })).toThrow(/at least one finite number/);
    expect(() => histogramSpec({ values: [1, 2] as unknown as Float32Array, title: "t" })).toThrow(TypeError);
    expect(() => histogramSpec({ values: Float32Array.of(1), bins: 0, title: "t" })).toThrow(/bins must be an integer from 1 to 10000, got 0/);
  });
});

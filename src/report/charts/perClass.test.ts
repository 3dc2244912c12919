import { describe, expect, it } from "vitest";
import { asData, FASHION_CLASSES, FASHION_CONFUSION, markCount, near, renderChecked } from "./evaluation.testutil.js";
import { macroAverages, perClassBars, perClassBarsSpec } from "./perClass.js";

/** Per-class precision, recall, F1 and support of the Fashion-MNIST-like confusion matrix. */
function fashionMetrics(): { precision: Float64Array; recall: Float64Array; f1: Float64Array; support: Float64Array } {
  const k = 10;
  const m = FASHION_CONFUSION;
  const precision = new Float64Array(k);
  const recall = new Float64Array(k);
  const f1 = new Float64Array(k);
  const support = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let col = 0;
    for (let t = 0; t < k; t++) {
      col += m[t * k + c];
      support[c] += m[c * k + t];
    }
    precision[c] = m[c * k + c] / col;
    recall[c] = m[c * k + c] / support[c];
    f1[c] = (2 * precision[c] * recall[c]) / (precision[c] + recall[c]);
  }
  return { precision, recall, f1, support };
}

describe("perClassBars", () => {
  it("perClassBars(metrics) gives three bars per class, in class order, with their values written", () => {
    const rows = perClassBars({ classes: FASHION_CLASSES, ...fashionMetrics() });
    expect(rows).toHaveLength(30);
    expect(rows.slice(0, 3).map((r) => r.metric)).toEqual(["precision", "recall", "F1"]);
    expect(rows.filter((r) => r.metric === "F1").map((r) => r.class)).toEqual(FASHION_CLASSES);
    // Shirt: recall 684 / 1,021
    expect(rows[19]).toMatchObject({ index: 6, class: "Shirt", metric: "recall", text: "67.0%" });
    expect(rows[19].value).toBeCloseTo(684 / 1021, 12);
  });

  it("perClassBars(undefined metric) keeps the bar's place with no value and writes n/a", () => {
    const rows = perClassBars({ classes: ["cat", "dog"], precision: [NaN, 0.5], recall: [0, 1], f1: [NaN, 2 / 3] });
    expect(rows[0]).toEqual({ index: 0, class: "cat", metric: "precision", value: null, text: "n/a" });
    expect(macroAverages(rows)).toEqual({ precision: 0.5, recall: 0.5, F1: 2 / 3 });
  });

  it("perClassBars(bad input) names every problem at once", () => {
    const call = () => perClassBars({ classes: ["a", "b"], precision: [0.5], recall: [1.2, 0.4], f1: [0.1, 0.2], support: [1, -3] });
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/precision must hold 2 values, got 1/);
    expect(call).toThrow(/recall\[0\] = 1.2: recall must hold numbers in \[0, 1\]/);
    expect(call).toThrow(/support\[1\] = -3: support must hold numbers in \[0, Infinity\]/);
  });
});

describe("perClassBarsSpec", () => {
  it("perClassBarsSpec(metrics) groups the bars by class with the metric as colour and offset, macro averages in the subtitle", () => {
    const spec = asData(perClassBarsSpec({ classes: FASHION_CLASSES, ...fashionMetrics() }));
    expect(spec.title.text).toBe("Precision, recall and F1 per class");
    expect(spec.title.subtitle).toBe("macro average: precision 91.0% · recall 91.2% · F1 91.1%");
    expect(spec.data.values).toHaveLength(30);
    expect(spec.encoding.y).toMatchObject({ field: "index", type: "ordinal" });
    expect(spec.encoding.yOffset).toMatchObject({ field: "metric", sort: ["precision", "recall", "F1"] });
    expect(spec.encoding.y.axis.labelExpr).toContain('"Shirt (1,021)"');
    const [bars, text] = spec.layer;
    expect(bars.encoding.x).toMatchObject({ field: "value", scale: { domain: [0, 1] }, axis: { format: ".0%" } });
    expect(bars.encoding.color.scale.domain).toEqual(["precision", "recall", "F1"]);
    expect(text.encoding.text).toEqual({ field: "text" });
  });

  it("perClassBarsSpec({macro}) writes the given averages, as the metrics report computes them", () => {
    const spec = asData(perClassBarsSpec({ classes: ["a", "b"], precision: [NaN, 1], recall: [0, 1], f1: [0, 1], macro: { precision: 0.5, recall: 0.5, f1: 0.5 } }));
    expect(spec.title.subtitle).toBe("macro average: precision 50.0% · recall 50.0% · F1 50.0%");
    const own = asData(perClassBarsSpec({ classes: ["a", "b"], precision: [NaN, 1], recall: [0, 1], f1: [0, 1] }));
    expect(own.title.subtitle).toBe("macro average: precision 100% · recall 50.0% · F1 50.0% · precision undefined for 1 class");
  });

  it("renderSvg/renderPng(perClassBarsSpec) draws 30 bars in three colours and 30 values", async () => {
    const r = await renderChecked(perClassBarsSpec({ classes: FASHION_CLASSES, ...fashionMetrics() }));
    expect(markCount(r.svg, "mark-rect")).toBe(30);
    expect(markCount(r.svg, "mark-text")).toBe(30);
    expect(r.svg).toContain(">Shirt (1,021)</text>");
    expect(r.width).toBeGreaterThan(500);
    expect(r.width).toBeLessThan(700);
    for (const color of ["#4c78a8", "#f58518", "#54a24b"]) expect(r.share(near(color))).toBeGreaterThan(0.03);
  });
});

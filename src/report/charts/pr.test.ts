import { describe, expect, it } from "vitest";
import { asData, FASHION_CLASSES, markCount, oneVsRest, referencePr, renderChecked, simulatePredictions } from "./evaluation.testutil.js";
import { prCurvesSpec } from "./pr.js";
import { classColor } from "./theme.js";

/** Area under a polyline by the trapezoid rule. */
function trapezoid(points: { recall: number; precision: number }[]): number {
  let a = 0;
  for (let i = 1; i < points.length; i++) a += ((points[i].recall - points[i - 1].recall) * (points[i].precision + points[i - 1].precision)) / 2;
  return a;
}

function fashionPr() {
  const k = 10;
  const { labels, probs } = simulatePredictions(3000, k, 9, 4);
  const curves = Array.from({ length: k }, (_, c) => {
    const { scores, truth } = oneVsRest(probs, labels, k, c);
    return referencePr(scores, truth);
  });
  const truth = new Uint8Array(labels.length * k);
  labels.forEach((l, i) => (truth[i * k + l] = 1));
  return { curves, micro: referencePr(probs, truth) };
}

describe("prCurvesSpec", () => {
  it("prCurvesSpec(10 classes, micro) draws a stepped line per class and the micro average, AP in the legend", () => {
    const { curves, micro } = fashionPr();
    const spec = asData(prCurvesSpec({ classes: FASHION_CLASSES, curves, micro }));
    expect(spec.title).toEqual({ text: "Precision–recall curves", subtitle: `each class against the rest · micro-average AP ${micro.averagePrecision.toFixed(3)}` });
    const [classes, averages] = spec.layer;
    expect(classes.encoding.x).toMatchObject({ field: "recall", scale: { domain: [0, 1] } });
    expect(classes.encoding.y).toMatchObject({ field: "precision", scale: { domain: [0, 1] } });
    expect(classes.encoding.color.scale.domain).toEqual([
      `micro-average (AP ${micro.averagePrecision.toFixed(3)})`,
      ...FASHION_CLASSES.map((name, c) => `${name} (AP ${curves[c].averagePrecision.toFixed(3)})`),
    ]);
    expect(classes.encoding.color.scale.range.slice(1)).toEqual(FASHION_CLASSES.map((_, c) => classColor(c)));
    expect(averages.data.values.every((r: { kind: string }) => r.kind === "micro")).toBe(true);
    for (let c = 0; c < 10; c++) {
      const rows = classes.data.values.filter((r: { curve: string }) => r.curve.startsWith(`${FASHION_CLASSES[c]} (`));
      // rising recall from (0, 1); the area under the drawn steps is the average precision
      expect([rows[0].recall, rows[0].precision]).toEqual([0, 1]);
      expect(rows[rows.length - 1].recall).toBe(1);
      for (let i = 1; i < rows.length; i++) expect(rows[i].recall).toBeGreaterThanOrEqual(rows[i - 1].recall);
      expect(trapezoid(rows)).toBeCloseTo(curves[c].averagePrecision, 3);
    }
  });

  it("prCurvesSpec(one curve) draws exact steps: first down at the lower recall, then across", () => {
    // scikit-learn's order: recall falling to (0, 1)
    const spec = asData(prCurvesSpec({ classes: ["dog"], curves: [{ recall: [1, 0.5, 0.5, 0], precision: [0.5, 0.5, 1, 1], averagePrecision: 0.75 }], chanceLevel: 0.5 }));
    expect(spec.title).toEqual({ text: "Precision–recall curve", subtitle: "dog against the rest · average precision 0.750 · 50.0% positives" });
    const [reference, line] = spec.layer;
    expect(line.data.values.map((r: { recall: number; precision: number }) => [r.recall, r.precision])).toEqual([
      [0, 1],
      [0.5, 1],
      [0.5, 0.5],
      [1, 0.5],
    ]);
    expect(reference.data.values.map((r: { recall: number; precision: number }) => [r.recall, r.precision])).toEqual([
      [0, 0.5],
      [1, 0.5],
    ]);
    expect(line.encoding.color.scale.domain).toEqual(["dog (AP 0.750)", "chance (AP 0.500)"]);
  });

  it("prCurvesSpec(rising recall) reads the curve the same as falling recall", () => {
    const falling = asData(prCurvesSpec({ classes: ["a"], curves: [{ recall: [1, 0.6, 0.2, 0], precision: [0.4, 0.6, 0.9, 1], averagePrecision: 0.7 }] }));
    const rising = asData(prCurvesSpec({ classes: ["a"], curves: [{ recall: [0, 0.2, 0.6, 1], precision: [1, 0.9, 0.6, 0.4], averagePrecision: 0.7 }] }));
    expect(rising.layer[0].data.values).toEqual(falling.layer[0].data.values);
  });

  it("prCurvesSpec(bad input) names every problem at once", () => {
    const call = () => prCurvesSpec({ classes: ["a"], curves: [{ recall: [0, 1], precision: [1, NaN], averagePrecision: 0.5 }], chanceLevel: 2 });
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/curves\[0\].precision\[1\] = NaN: curves\[0\].precision must hold numbers in \[0, 1\]/);
    expect(call).toThrow(/chanceLevel must be a number in \[0, 1\], got 2/);
  });

  it("renderSvg/renderPng(prCurvesSpec) draws 11 lines and a legend naming each average precision", async () => {
    const { curves, micro } = fashionPr();
    const r = await renderChecked(prCurvesSpec({ classes: FASHION_CLASSES, curves, micro }));
    expect(markCount(r.svg, "mark-line")).toBe(11);
    expect(r.svg).toContain(`>Shirt (AP ${curves[6].averagePrecision.toFixed(3)})</text>`);
    expect(r.svg).toContain(">recall</text>");
    expect(r.width).toBeGreaterThan(550);
    expect(r.height).toBeGreaterThan(400);
  });
});

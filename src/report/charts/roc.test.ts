import { describe, expect, it } from "vitest";
import { asData, FASHION_CLASSES, markCount, near, oneVsRest, referenceRoc, renderChecked, simulatePredictions } from "./evaluation.testutil.js";
import { rocCurvesSpec } from "./roc.js";
import { classColor } from "./theme.js";

/** One-vs-rest ROC curves of a simulated 10-class model on 3,000 samples, with the micro and macro averages. */
function fashionRoc() {
  const k = 10;
  const { labels, probs } = simulatePredictions(3000, k, 5, 4);
  const curves = Array.from({ length: k }, (_, c) => {
    const { scores, truth } = oneVsRest(probs, labels, k, c);
    return referenceRoc(scores, truth);
  });
  const truth = new Uint8Array(labels.length * k);
  labels.forEach((l, i) => (truth[i * k + l] = 1));
  const micro = referenceRoc(probs, truth);
  // the macro average over a common grid, as scikit-learn's example does it
  const grid = Float64Array.from({ length: 201 }, (_, i) => i / 200);
  const tpr = grid.map((x) => curves.reduce((s, c) => s + interpolate(c.fpr, c.tpr, x), 0) / k);
  const macro = { fpr: grid, tpr, auc: curves.reduce((s, c) => s + c.auc, 0) / k };
  return { curves, micro, macro };
}

/** y at x on a polyline with rising x (the highest y where x repeats). */
function interpolate(xs: ArrayLike<number>, ys: ArrayLike<number>, x: number): number {
  let j = 0;
  while (j < xs.length - 1 && xs[j + 1] <= x) j++;
  if (j === xs.length - 1 || xs[j + 1] === xs[j]) return ys[j];
  return ys[j] + ((ys[j + 1] - ys[j]) * (x - xs[j])) / (xs[j + 1] - xs[j]);
}

describe("rocCurvesSpec", () => {
  it("rocCurvesSpec(10 classes, micro, macro) draws a line per class, the averages on top and the chance line under them", () => {
    const { curves, micro, macro } = fashionRoc();
    const spec = asData(rocCurvesSpec({ classes: FASHION_CLASSES, curves, micro, macro }));
    expect(spec.title.text).toBe("ROC curves");
    expect(spec.title.subtitle).toBe(`each class against the rest · micro-average AUC ${micro.auc.toFixed(3)} · macro-average AUC ${macro.auc.toFixed(3)}`);
    expect(spec.width).toBe(spec.height);
    const [reference, classes, averages] = spec.layer;
    expect(reference.data.values.map((r: { fpr: number; tpr: number }) => [r.fpr, r.tpr])).toEqual([[0, 0], [1, 1]]);
    expect(new Set(classes.data.values.map((r: { curve: string }) => r.curve)).size).toBe(10);
    expect(new Set(averages.data.values.map((r: { kind: string }) => r.kind))).toEqual(new Set(["micro", "macro"]));
    expect(averages.mark.strokeWidth).toBeGreaterThan(classes.mark.strokeWidth);
    // one legend: averages first, then the classes with their AUC, then chance
    const color = classes.encoding.color.scale;
    const label = (c: number) => `${FASHION_CLASSES[c]} (AUC ${curves[c].auc.toFixed(3)})`;
    expect(color.domain).toEqual([`micro-average (AUC ${micro.auc.toFixed(3)})`, `macro-average (AUC ${macro.auc.toFixed(3)})`, ...FASHION_CLASSES.map((_, c) => label(c)), "chance (AUC 0.500)"]);
    expect(color.range.slice(2, 12)).toEqual(FASHION_CLASSES.map((_, c) => classColor(c)));
    const dash = classes.encoding.strokeDash.scale.range;
    expect(dash[0]).not.toEqual([1, 0]);
    expect(dash[1]).not.toEqual(dash[0]);
    expect(dash[2]).toEqual([1, 0]);
    expect(classes.encoding.x).toMatchObject({ field: "fpr", title: "false positive rate", scale: { domain: [0, 1] } });
    expect(classes.encoding.y).toMatchObject({ field: "tpr", title: "true positive rate", scale: { domain: [0, 1] } });
    expect(classes.encoding.order).toEqual({ field: "order", type: "quantitative" });
    // each class curve runs from (0, 0) to (1, 1) in drawing order
    for (const c of [0, 6]) {
      const rows = classes.data.values.filter((r: { curve: string }) => r.curve === label(c));
      expect([rows[0].fpr, rows[0].tpr, rows[rows.length - 1].fpr, rows[rows.length - 1].tpr]).toEqual([0, 0, 1, 1]);
      expect(rows.map((r: { order: number }) => r.order)).toEqual(rows.map((_: unknown, i: number) => i));
    }
  });

  it("rocCurvesSpec(one curve, point) is the binary case: one line, chance, and the marked threshold with its label", () => {
    const spec = asData(
      rocCurvesSpec({ classes: ["dog"], curves: [{ fpr: [0, 0, 0.1, 0.4, 1], tpr: [0, 0.5, 0.8, 0.95, 1], auc: 0.9 }], point: { fpr: 0.1, tpr: 0.8, label: "threshold 0.42 (J = 0.70)" } }),
    );
    expect(spec.title).toEqual({ text: "ROC curve", subtitle: "dog against the rest · AUC 0.900" });
    expect(spec.layer.map((l: { mark: { type: string } }) => l.mark.type)).toEqual(["line", "line", "point", "text"]);
    expect(spec.layer[1].data.values).toHaveLength(5);
    expect(spec.layer[2].data.values).toEqual([{ x: 0.1, y: 0.8, label: "threshold 0.42 (J = 0.70)" }]);
    expect(spec.layer[3].encoding.text).toEqual({ field: "label" });
    expect(spec.layer[1].encoding.color.scale.domain).toEqual(["dog (AUC 0.900)", "chance (AUC 0.500)"]);
  });

  it("rocCurvesSpec(a million-point curve) thins it to at most maxPoints rows", () => {
    const n = 1_000_000;
    const fpr = Float64Array.from({ length: n }, (_, i) => i / (n - 1));
    const tpr = fpr.map((x, i) => Math.min(1, Math.sqrt(x) + (i % 2) * 1e-7));
    const spec = asData(rocCurvesSpec({ classes: ["a"], curves: [{ fpr, tpr, auc: 2 / 3 }], maxPoints: 500 }));
    expect(spec.layer[1].data.values.length).toBeLessThanOrEqual(500);
    expect(JSON.stringify(spec).length).toBeLessThan(60_000);
  });

  it("rocCurvesSpec(classes with the same name) still gives each curve its own legend entry", () => {
    const c = { fpr: [0, 1], tpr: [0, 1], auc: 0.5 };
    const spec = asData(rocCurvesSpec({ classes: ["x", "x"], curves: [c, c] }));
    expect(spec.layer[1].encoding.color.scale.domain).toEqual(["x (AUC 0.500)", "x (AUC 0.500) #2", "chance (AUC 0.500)"]);
  });

  it("rocCurvesSpec(bad input) names every problem at once", () => {
    const call = () =>
      rocCurvesSpec({
        classes: ["a", "b"],
        curves: [{ fpr: [0, 1.5], tpr: [0], auc: 0.5 }, { fpr: [0, 1], tpr: [0, 1], auc: 2 }],
        point: { fpr: -1, tpr: 0.5, label: "t" },
      });
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/curves\[0\].fpr\[1\] = 1.5: curves\[0\].fpr must hold numbers in \[0, 1\]/);
    expect(call).toThrow(/curves\[0\].tpr must hold 2 values, got 1/);
    expect(call).toThrow(/curves\[1\].auc must be a number in \[0, 1\] or NaN, got 2/);
    expect(call).toThrow(/point.fpr must be a number in \[0, 1\], got -1/);
    expect(() => rocCurvesSpec({ classes: ["a", "b"], curves: [] })).toThrow("curves must hold one ROC curve per class (2), got 0");
  });

  it("renderSvg/renderPng(rocCurvesSpec) draws 13 lines, a legend naming each AUC, and the class colours", async () => {
    const { curves, micro, macro } = fashionRoc();
    const r = await renderChecked(rocCurvesSpec({ classes: FASHION_CLASSES, curves, micro, macro, point: { fpr: 0.05, tpr: 0.9, label: "here" } }));
    expect(markCount(r.svg, "mark-line")).toBe(13);
    expect(markCount(r.svg, "mark-symbol")).toBe(1);
    expect(r.svg).toContain(`>Shirt (AUC ${curves[6].auc.toFixed(3)})</text>`);
    expect(r.svg).toContain(">false positive rate</text>");
    expect(r.width).toBeGreaterThan(550);
    expect(r.width).toBeLessThan(750);
    // thin anti-aliased lines: count the pixels of exactly the class colour (in the lines and legend swatches)
    for (const c of [0, 3, 6]) expect(r.share(near(classColor(c), 8)) * r.width * r.height).toBeGreaterThan(20);
  });
});

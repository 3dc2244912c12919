import { describe, expect, it } from "vitest";
import { confusionCells, confusionMatrixSpec } from "./confusion.js";
import { asData, FASHION_CLASSES, FASHION_CONFUSION, markCount, near, renderChecked } from "./evaluation.testutil.js";

describe("confusionCells", () => {
  it("confusionCells(flat counts) gives K×K cells row by row with the count and the row share", () => {
    const cells = confusionCells({ classes: FASHION_CLASSES, counts: FASHION_CONFUSION });
    expect(cells).toHaveLength(100);
    expect(cells.slice(0, 10).map((c) => c.predicted)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Shirt (row 6) predicted as T-shirt/top: 153 of 1,021
    expect(cells[60]).toMatchObject({ true: 6, predicted: 0, trueClass: "Shirt", predictedClass: "T-shirt/top", count: 153, text: "153\n15.0%", tone: "light" });
    expect(cells[60].fraction).toBeCloseTo(153 / 1021, 12);
    expect(cells[11]).toMatchObject({ count: 1032, text: "1,032\n99.7%", tone: "dark" });
    expect(cells[1]).toMatchObject({ count: 0, fraction: 0, text: "0", tone: "zero" });
    for (let t = 0; t < 10; t++) {
      const row = cells.filter((c) => c.true === t);
      expect(row.reduce((s, c) => s + c.fraction, 0)).toBeCloseTo(1, 12);
    }
  });

  it("confusionCells(rows) reads one array per true class the same as the flat matrix", () => {
    const rows = Array.from({ length: 10 }, (_, t) => Array.from(FASHION_CONFUSION.subarray(t * 10, t * 10 + 10)));
    expect(confusionCells({ classes: FASHION_CLASSES, counts: rows })).toEqual(confusionCells({ classes: FASHION_CLASSES, counts: FASHION_CONFUSION }));
  });

  it("confusionCells(larger matrices) writes one line up to 30 classes, then nothing", () => {
    const k = 20;
    const counts = new Float64Array(k * k).map((_, i) => (i % (k + 1) === 0 ? 90 : i % 7 === 0 ? 3 : 0));
    const classes = Array.from({ length: k }, (_, i) => `c${i}`);
    const cells = confusionCells({ classes, counts });
    expect(cells[0].text).toBe("90");
    expect(cells[7]).toMatchObject({ count: 3, text: "3" });
    expect(cells[1]).toMatchObject({ count: 0, text: "" });
    expect(confusionCells({ classes, counts, showText: false }).every((c) => c.text === "")).toBe(true);
  });

  it("confusionCells(an empty row) gives it zero shares rather than NaN", () => {
    const cells = confusionCells({ classes: ["a", "b"], counts: [5, 1, 0, 0] });
    expect(cells.map((c) => c.fraction)).toEqual([5 / 6, 1 / 6, 0, 0]);
  });

  it("confusionCells(bad input) names every problem at once", () => {
    const call = () => confusionCells({ classes: ["a", "b"], counts: [1, 2, -1], accuracy: 1.5 });
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/counts must hold 2×2 = 4 values \(one per pair of classes\), got 3/);
    expect(call).toThrow(/accuracy must be a number in \[0, 1\], got 1.5/);
    expect(() => confusionCells({ classes: ["a", "b"], counts: [[1, 2], [3]] })).toThrow("counts must have 2 rows of 2 counts (one per class), got 2 rows of [2, 1]");
    expect(() => confusionCells({ classes: ["a", "b"], counts: [1, 2.5, -1, 0] })).toThrow("counts must be whole numbers of at least 0, got [0][1] = 2.5, [1][0] = -1");
    expect(() => confusionCells({ classes: [], counts: [] })).toThrow(/classes must be a non-empty list of names/);
  });
});

describe("confusionMatrixSpec", () => {
  it("confusionMatrixSpec(Fashion-MNIST) is a heatmap of true × predicted class with count and share text", () => {
    const spec = asData(confusionMatrixSpec({ classes: FASHION_CLASSES, counts: FASHION_CONFUSION, title: "Fashion-MNIST test set" }));
    expect(spec.title).toEqual({ text: "Fashion-MNIST test set", subtitle: "accuracy 91.1% on 10,000 samples · rows: true class, each summing to 100%" });
    expect(spec.data.values).toHaveLength(100);
    expect(spec.encoding.x).toMatchObject({ field: "predicted", type: "ordinal", title: "predicted class" });
    expect(spec.encoding.y).toMatchObject({ field: "true", type: "ordinal", title: "true class" });
    expect(spec.encoding.y.axis.labelExpr).toBe(`${JSON.stringify(FASHION_CLASSES)}[datum.value]`);
    const [rect, text] = spec.layer;
    expect(rect.mark.type).toBe("rect");
    expect(rect.encoding.color).toMatchObject({ field: "fraction", type: "quantitative", scale: { type: "sqrt", domain: [0, 1] } });
    expect(text.mark).toMatchObject({ type: "text", lineBreak: "\n" });
    expect(text.encoding.color.scale).toEqual({ domain: ["dark", "light", "zero"], range: ["#ffffff", "#222222", "#9a9a9a"] });
  });

  it("confusionMatrixSpec({accuracy}) puts the given accuracy in the subtitle", () => {
    const spec = asData(confusionMatrixSpec({ classes: ["cat", "dog"], counts: [8, 2, 1, 9], accuracy: 0.9 }));
    expect(spec.title).toEqual({ text: "Confusion matrix", subtitle: "accuracy 90.0% on 20 samples · rows: true class, each summing to 100%" });
  });

  it("confusionMatrixSpec(50 classes) leaves the text layer out", () => {
    const k = 50;
    const counts = new Int32Array(k * k).map((_, i) => (i % (k + 1) === 0 ? 20 : 1));
    const spec = asData(confusionMatrixSpec({ classes: Array.from({ length: k }, (_, i) => `c${i}`), counts }));
    expect(spec.layer).toHaveLength(1);
    expect(spec.width.step * k).toBeLessThanOrEqual(600);
  });

  it("renderSvg/renderPng(confusionMatrixSpec) draws 100 cells with their text; dark cells get white text", async () => {
    const r = await renderChecked(confusionMatrixSpec({ classes: FASHION_CLASSES, counts: FASHION_CONFUSION }));
    expect(markCount(r.svg, "mark-rect")).toBe(100);
    expect(markCount(r.svg, "mark-text")).toBe(100);
    expect(r.svg).toContain("<tspan");
    expect(r.svg).toContain(">1,032</tspan>");
    expect(r.svg).toContain(">99.7%</tspan>");
    expect(r.svg).toContain(">Ankle boot</text>");
    const dark = confusionCells({ classes: FASHION_CLASSES, counts: FASHION_CONFUSION }).filter((c) => c.tone === "dark");
    expect(dark.length).toBeGreaterThanOrEqual(10); // the diagonal
    expect(r.svg.match(/aria-roledescription="text mark"[^>]* fill="#ffffff"/g)).toHaveLength(dark.length);
    expect(r.width).toBeGreaterThan(600);
    expect(r.width).toBeLessThan(900);
    // the diagonal's darkest blue and the near-white of the empty cells both cover a good area
    expect(r.share(near("#08306b", 30))).toBeGreaterThan(0.02);
    expect(r.share(near("#f7fbff", 2))).toBeGreaterThan(0.15);
  });
});

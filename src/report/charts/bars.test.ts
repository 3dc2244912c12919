import { describe, expect, it } from "vitest";
import { probabilityBars, probabilityBarsSpec } from "./bars.js";
import { CHART_THEME } from "./theme.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const asData = (spec: unknown): any => JSON.parse(JSON.stringify(spec));

const CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
const PROBS = Float32Array.of(0.01, 0.0001, 0.02, 0.003, 0.015, 0.03, 0.05, 0.61, 0.001, 0.2609);

describe("probabilityBarsSpec", () => {
  it("probabilityBarsSpec(wrong prediction) has one bar per class in class order, true and predicted highlighted", () => {
    const spec = asData(probabilityBarsSpec({ classes: CLASSES, probabilities: PROBS, label: 9, title: "test image #17" }));
    const rows = spec.data.values;
    expect(rows.map((r: { class: string }) => r.class)).toEqual(CLASSES);
    expect(rows.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rows[7]).toMatchObject({ role: "predicted", text: "61.0%" });
    expect(rows[9]).toMatchObject({ role: "true class", text: "26.1%" });
    expect(rows.filter((r: { role: string }) => r.role === "other")).toHaveLength(8);
    expect(rows[1].text).toBe("<0.1%");
    expect(rows[7].probability).toBeCloseTo(0.61, 6);

    const [bar, text] = spec.layer;
    expect(bar.mark.type).toBe("bar");
    expect(bar.encoding.x).toMatchObject({ field: "probability", type: "quantitative", scale: { domain: [0, 1] }, axis: { format: ".0%" } });
    expect(bar.encoding.color.scale).toEqual({
      domain: ["true class", "predicted", "other"],
      range: [CHART_THEME.color.truth, CHART_THEME.color.predicted, CHART_THEME.color.other],
    });
    expect(bar.encoding.color.legend.values).toEqual(["true class", "predicted"]);
    expect(text.mark.type).toBe("text");
    expect(text.encoding.text).toEqual({ field: "text" });
    expect(spec.encoding.y.field).toBe("index");
    expect(spec.encoding.y.axis.labelExpr).toBe(`${JSON.stringify(CLASSES)}[datum.value]`);
    expect(spec.encoding.y.axis.labelFontWeight.condition.test).toBe("indexof([7,9], datum.value) >= 0");
    expect(spec.title).toEqual({ text: "test image #17", subtitle: "predicted: Sneaker (61.0%) · true class: Ankle boot (26.1%)" });
  });

  it("probabilityBarsSpec(correct prediction) colours the one class that is both true and predicted", () => {
    const spec = asData(probabilityBarsSpec({ classes: CLASSES, probabilities: PROBS, label: 7, title: "t" }));
    expect(spec.data.values[7].role).toBe("true class, predicted");
    expect(spec.layer[0].encoding.color.scale.domain).toEqual(["true class, predicted", "other"]);
    expect(spec.layer[0].encoding.color.scale.range[0]).toBe(CHART_THEME.color.correct);
    expect(spec.title.subtitle).toBe("predicted: Sneaker (61.0%) · correct");
  });

  it("probabilityBarsSpec(no label) predicts the most probable class and marks only it", () => {
    const rows = probabilityBars({ classes: ["a", "b", "c"], probabilities: [0.2, 0.5, 0.3], title: "t" });
    expect(rows.map((r) => r.role)).toEqual(["other", "predicted", "other"]);
    const given = probabilityBars({ classes: ["a", "b", "c"], probabilities: [0.2, 0.5, 0.3], predicted: 2, title: "t" });
    expect(given[2].role).toBe("predicted");
  });

  it("probabilityBarsSpec(classes with the same name) still gets a bar each", () => {
    const spec = asData(probabilityBarsSpec({ classes: ["x", "x"], probabilities: [0.4, 0.6], title: "t" }));
    expect(spec.data.values.map((r: { index: number }) => r.index)).toEqual([0, 1]);
  });

  it("probabilityBarsSpec(bad input) reports every problem at once", () => {
    const call = () => probabilityBarsSpec({ classes: ["a", "b"], probabilities: [2.5, -1, 0.3], label: 2, title: "t" });
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/probabilities must hold one value per class \(2\), got 3/);
    expect(call).toThrow(/probabilities\[0\] = 2\.5, probabilities\[1\] = -1 outside \[0, 1\]; pass softmax outputs, not logits/);
    expect(call).toThrow(/label must be a class index from 0 to 1, got 2/);
  });
});

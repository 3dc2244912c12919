import { describe, expect, it } from "vitest";
import { MAP_STYLE, mapPoints, viridisStops } from "./mapPoints.js";
import { mapScatterSpec, mapTitle, pointStyle, ringStyle } from "./scatter.js";
import { renderChecked } from "./evaluation.testutil.js";

type Spec = {
  data: { values: Record<string, unknown>[] };
  layer?: { data?: { values: unknown[] }; mark: { type: string; color?: string; shape?: string; filled?: boolean }; transform?: unknown[]; encoding: Record<string, { scale?: { domain?: unknown[]; range?: unknown[] } }> }[];
  encoding?: { color: { field?: string; scale: { domain: unknown[]; range: unknown[] } } };
  title: { text: string; subtitle?: string };
};

// Four points: classes 0, 1, 1, 0; the third is predicted 0 (wrong).
const base = {
  embedding: [0, 0, 1, 1, 2, 2, 3, 3],
  dims: 2,
  labels: [0, 1, 1, 0],
  predicted: [0, 1, 0, 0],
  confidence: [0.9, 0.8, 0.4, 0.6],
  loss: [0.1, 0.2, 2.5, 0.5],
  classes: ["cat", "dog"],
  title: "t-SNE of net's penultimate features · pets (4 images)",
};

describe("mapScatterSpec", () => {
  it("mapScatterSpec(embedding, labels) draws the first two dimensions, one class colour per label, class names in the legend", async () => {
    const spec = mapScatterSpec({ embedding: [0, 0, 9, 1, 1, 2, 3, 7, 4, 4, 8, 5], dims: 3, labels: [2, 0, -1, 0], classes: ["cat", "dog", "bird"], title: "t-SNE" });
    const values = (spec as { data: { values: unknown[] } }).data.values;
    expect(values).toEqual([{ x: 0, y: 0, class: "bird" }, { x: 1, y: 1, class: "cat" }, { x: 3, y: 7, class: "unlabelled" }, { x: 4, y: 8, class: "cat" }]);
    const color = (spec as { encoding: { color: { scale: { domain: string[]; range: string[] } } } }).encoding.color.scale;
    expect(color.domain).toEqual(["unlabelled", "cat", "bird"]);
    expect(color.range[1]).toBe("#1f77b4");
    await renderChecked(spec);
  });

  it("pointStyle(n) shrinks points as maps grow; mapScatterSpec refuses a ragged embedding", () => {
    expect(pointStyle(100).size).toBeGreaterThan(pointStyle(70000).size);
    expect(ringStyle(100).size).toBeGreaterThan(ringStyle(70000).size);
    expect(() => mapScatterSpec({ embedding: [1, 2, 3], dims: 2, title: "x" })).toThrow(/N×dims/);
  });

  it("mapScatterSpec(color 'true', predicted) keeps the true class colour and rings the misclassified point, drawn again over its ring", async () => {
    const spec = mapScatterSpec({ ...base, color: "true" }) as unknown as Spec;
    expect(spec.data.values).toEqual([
      { x: 0, y: 0, class: "cat", wrong: false }, { x: 1, y: 1, class: "dog", wrong: false },
      { x: 2, y: 2, class: "dog", wrong: true }, { x: 3, y: 3, class: "cat", wrong: false },
    ]);
    expect(spec.layer!.map((l) => l.mark.type)).toEqual(["circle", "point", "circle"]);
    expect(spec.layer![0].encoding.color.scale).toEqual({ domain: ["cat", "dog"], range: ["#1f77b4", "#ff7f0e"] });
    const [, ring, again] = spec.layer!;
    expect(ring.transform).toEqual([{ filter: "datum.wrong" }]);
    expect(ring.mark).toMatchObject({ shape: "circle", filled: false, color: MAP_STYLE.mark });
    expect(ring.encoding.shape.scale!.domain).toEqual(["misclassified (1)"]);
    expect(again.transform).toEqual([{ filter: "datum.wrong" }]);
    expect(again.encoding.color).toEqual(spec.layer![0].encoding.color);
    await renderChecked(spec as never);
  });

  it("mapScatterSpec(color 'predicted') colours by the predicted class; 'wrong' uses two colours and draws the wrong points last", () => {
    const predicted = mapScatterSpec({ ...base, color: "predicted" }) as unknown as Spec;
    expect(predicted.data.values.map((v) => v.class)).toEqual(["cat", "dog", "cat", "cat"]);
    const wrong = mapScatterSpec({ ...base, color: "wrong" }) as unknown as Spec;
    expect(wrong.data.values.map((v) => v.outcome)).toEqual(["right", "right", "right", "wrong"]);
    expect(wrong.data.values.at(-1)).toMatchObject({ x: 2, y: 2 });
    expect(wrong.encoding!.color.scale).toEqual({ domain: ["right", "wrong"], range: [MAP_STYLE.right, MAP_STYLE.wrong] });
    expect(wrong.layer).toBeUndefined(); // the colour already says it: no rings
  });

  it("mapScatterSpec(color 'confidence' | 'loss') uses a sequential viridis scale, the least sure and the costliest points on top", async () => {
    const conf = mapScatterSpec({ ...base, color: "confidence" }) as unknown as Spec;
    expect(conf.data.values.map((v) => v.confidence)).toEqual([0.9, 0.8, 0.6, 0.4]);
    expect(conf.encoding!.color).toMatchObject({ field: "confidence", type: "quantitative", scale: { domain: [0.5, 1], range: viridisStops(), clamp: true } });
    const loss = mapScatterSpec({ ...base, color: "loss" }) as unknown as Spec;
    expect(loss.data.values.map((v) => v.loss)).toEqual([0.1, 0.2, 0.5, 2.5]);
    expect((loss.encoding!.color.scale.range as string[])[0]).toBe(viridisStops().at(-1)); // dark is high loss
    await renderChecked(conf as never);
  });

  it("mapScatterSpec(reference) draws the reference points in grey underneath, on the same axes, and says so in the subtitle", async () => {
    const spec = mapScatterSpec({ ...base, reference: { embedding: [5, 5, 6, 6, 7, 7], dims: 2, label: "the run's own images" }, subtitle: "placed into the run's map" }) as unknown as Spec;
    expect(spec.layer!.map((l) => l.mark.type)).toEqual(["circle", "circle", "point", "circle"]);
    expect(spec.layer![0].data!.values).toEqual([{ x: 5, y: 5 }, { x: 6, y: 6 }, { x: 7, y: 7 }]);
    expect(spec.layer![0].mark.color).toBe(MAP_STYLE.reference);
    expect(spec.title).toEqual({ text: base.title, subtitle: "placed into the run's map · grey: the run's own images" });
    await renderChecked(spec as never);
  });

  it("mapPoints(options) names what a colouring lacks and counts the misclassified", () => {
    expect(() => mapPoints({ embedding: [0, 0], dims: 2, color: "wrong", labels: [0] })).toThrow(/"wrong" needs predicted/);
    expect(() => mapPoints({ embedding: [0, 0], dims: 2, labels: [0, 1] })).toThrow(/2 labels for 1 points/);
    expect(() => mapPoints({ embedding: [0, 0], dims: 2, color: "purple" as never })).toThrow(/color must be one of/);
    expect(mapPoints({ ...base }).wrongCount).toBe(1);
  });

  it("mapTitle(o) names the method, the model and the data", () => {
    expect(mapTitle({ method: "tsne", model: "seed-cnn", data: "sample:test", n: 1000 })).toBe("t-SNE of seed-cnn's penultimate features · sample:test (1,000 images)");
  });
});

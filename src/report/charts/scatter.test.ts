import { describe, expect, it } from "vitest";
import { mapScatterSpec, pointStyle } from "./scatter.js";
import { renderChecked } from "./evaluation.testutil.js";

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
    expect(() => mapScatterSpec({ embedding: [1, 2, 3], dims: 2, title: "x" })).toThrow(/N×dims/);
  });
});

import { describe, expect, it } from "vitest";
import { renderSvg } from "../vega.js";
import { confusionPairSpec } from "./confusionPair.js";

describe("confusionPairSpec", () => {
  const o = { classes: ["cat", "dog"], panels: [{ name: "photos", counts: [9, 1, 2, 8] }, { name: "drawings", counts: [5, 5, 6, 4] }] as [{ name: string; counts: number[] }, { name: string; counts: number[] }] };

  it("confusionPairSpec lays the two matrices out as two facets, each titled with its accuracy, on one colour scale", () => {
    const spec = confusionPairSpec(o) as unknown as { data: { values: { panel: string; count: number; fraction: number; text: string }[] }; facet: { column: { sort: string[] } }; resolve: unknown };
    expect(spec.facet.column.sort).toEqual(["accuracy 85.0% on 20 · photos", "accuracy 45.0% on 20 · drawings"]);
    expect(spec.data.values).toHaveLength(8);
    expect(spec.data.values[1]).toMatchObject({ panel: "accuracy 85.0% on 20 · photos", count: 1, fraction: 0.1, text: "1" });
    expect(spec.resolve).toEqual({ scale: { color: "shared" } });
  });

  it("confusionPairSpec renders to one SVG with both titles and a single legend", async () => {
    const svg = await renderSvg(confusionPairSpec(o));
    expect(svg).toContain("accuracy 85.0% on 20 · photos");
    expect(svg).toContain("accuracy 45.0% on 20 · drawings");
    expect(svg.match(/role-legend"/g)).toHaveLength(1);
  });
});

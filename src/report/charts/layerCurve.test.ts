import { describe, expect, it } from "vitest";
import { renderSvg } from "../vega.js";
import { layerCurveSpec, type LayerCurvePoint } from "./layerCurve.js";

const POINTS: LayerCurvePoint[] = [
  { position: 0, name: "input (pixels)", accuracy: 0.725, se: 0.0316, role: "input" },
  { position: 1, name: "/conv1/Conv", accuracy: 0.28, se: 0.0317, role: null },
  { position: 2, name: "/relu7/Relu", accuracy: 0.705, se: 0.0322, role: "penultimate" },
  { position: 3, name: "/fc2/Gemm", accuracy: 0.66, se: 0.0335, role: "logits" },
];

describe("layerCurveSpec", () => {
  it("layerCurveSpec puts every layer in graph order with ±2 se bars, labels the pixels' line and names the marked layers on the axis", () => {
    const spec = layerCurveSpec({ points: POINTS, scored: 200, subject: "seed-cnn on sample:test" }) as unknown as { data: { values: Record<string, unknown>[] }; layer: { data?: { values: Record<string, unknown>[] }; mark: { type: string } }[]; title: { subtitle: string[] } };
    expect(spec.data.values.map((v) => v.position)).toEqual([0, 1, 2, 3]);
    expect(spec.data.values[1]).toMatchObject({ lo: 0.28 - 2 * 0.0317, hi: 0.28 + 2 * 0.0317 });
    const texts = spec.layer.filter((l) => l.mark.type === "text").flatMap((l) => l.data!.values.map((v) => v.text));
    expect(new Set(texts)).toEqual(new Set(["pixels 72.5%"]));
    expect(JSON.stringify(spec.layer[1])).toContain('/relu7/Relu (penultimate)');
    expect(spec.title.subtitle).toEqual(["kNN accuracy (k = 10) of 200 held-out images; conv layers averaged per channel; bars ±2 standard errors; dashed: the pixels", "seed-cnn on sample:test"]);
  });

  it("layerCurveSpec renders to an SVG that names the layers on its axis", async () => {
    const svg = await renderSvg(layerCurveSpec({ points: POINTS, scored: 200 }));
    for (const name of ["input (pixels)", "/conv1/Conv", "/relu7/Relu (penultimate)", "/fc2/Gemm (logits)", "pixels 72.5%"]) expect(svg).toContain(name);
  });
});

import { describe, expect, it } from "vitest";
import { ckaHeatmapSpec, confusionDifferenceSpec, shortLayer } from "./compareDeep.js";

describe("compare charts", () => {
  it("shortLayer(name) drops the op suffix and a repeated scope", () => {
    expect(shortLayer("/layer1/layer1.0/relu/Relu")).toBe("layer1.0/relu");
    expect(shortLayer("/conv1/Conv")).toBe("conv1");
    expect(shortLayer("/layer4/layer4.1/relu_1/Relu")).toBe("layer4.1/relu_1");
    expect(shortLayer("fc")).toBe("fc");
  });

  it("ckaHeatmapSpec lays A's layers down and B's across, a dash where CKA is undefined", () => {
    const spec = ckaHeatmapSpec({ a: ["/conv1/Conv", "/relu1/Relu"], b: ["/conv1/Conv"], values: [1, NaN], runs: ["a", "b"], title: "t" }) as { data: { values: { a: string; b: string; cka: number | null; text: string }[] } };
    expect(spec.data.values).toEqual([
      { a: "conv1", b: "conv1", cka: 1, text: "1.00" },
      { a: "relu1", b: "conv1", cka: null, text: "–" },
    ]);
  });

  it("confusionDifferenceSpec marks more right answers on the diagonal and fewer mistakes off it as better for B", () => {
    const spec = confusionDifferenceSpec({ classes: ["cat", "dog"], difference: [2, -2, 1, -1], runs: ["a", "b"], title: "t" }) as { data: { values: { diff: number; good: number; text: string }[] } };
    expect(spec.data.values.map((v) => [v.diff, v.good, v.text])).toEqual([[2, 2, "+2"], [-2, 2, "−2"], [1, -1, "+1"], [-1, -1, "−1"]]);
  });
});

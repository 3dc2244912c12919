import { describe, expect, it } from "vitest";
import { ModelError } from "../../util/errors.js";
import { attr, intAttr, type NodeIR } from "./ir.js";

const gemm: NodeIR = {
  name: "/fc/Gemm", opType: "Gemm", domain: "", inputs: ["x", "fc.weight"], outputs: ["y"],
  attributes: [{ name: "transB", value: { type: "float", value: 1 } }, { name: "alpha", value: { type: "float", value: 2 } }],
};

describe("attributes", () => {
  it("attr(node, name, type) reads an attribute of that type, and undefined when it is absent", () => {
    expect(attr(gemm, "alpha", "float")).toBe(2);
    expect(attr(gemm, "beta", "float")).toBeUndefined();
  });

  it("intAttr(node, name) on an attribute a model file stores with the wrong type throws a ModelError naming the node and the attribute", () => {
    const f = () => intAttr(gemm, "transB", 0);
    expect(f).toThrow(ModelError);
    expect(f).toThrow("Gemm node '/fc/Gemm': attribute 'transB' is float, but the ONNX spec makes it int; re-export the model");
  });
});

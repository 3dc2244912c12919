import { DataType } from "../../onnx/ir.js";
import type { GradRule } from "../types.js";

export const POOL_RULES: Record<string, GradRule> = {
  /**
   * MaxPool: each output's gradient goes to the input element it took. The forward node is asked
   * for its Indices output (flat positions in X), and dY is scattered there, adding where windows
   * overlap (ScatterElements with reduction "add", opset ≥ 16).
   */
  MaxPool: (g) => {
    const X = g.I(0);
    const flat = g.ints([-1]);
    const zeros = g.op("ConstantOfShape", [g.op("Shape", [g.op("Reshape", [X, flat])])], { value: { tensor: zeroTensor() } });
    const scattered = g.op("ScatterElements", [zeros, g.op("Reshape", [g.O(1), flat]), g.op("Reshape", [g.GO(0)!, flat])], { axis: 0, reduction: "add" });
    return [g.op("Reshape", [scattered, g.op("Shape", [X])])];
  },
  // Mean over H·W: every input element gets dY / (H·W).
  GlobalAveragePool: (g) => {
    const xs = g.shape(g.I(0));
    const area = (xs.slice(2) as number[]).reduce((a, b) => a * b, 1);
    return [g.op("Div", [g.op("Expand", [g.GO(0)!, g.op("Shape", [g.I(0)])]), g.scalar(area)])];
  },
};

function zeroTensor() {
  return { name: "", dataType: DataType.FLOAT, dims: [1], raw: new Uint8Array(4) };
}

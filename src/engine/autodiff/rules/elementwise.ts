import type { GradRule } from "../types.js";
import { DataType } from "../../onnx/ir.js";

/**
 * Elementwise ops. Binary ops broadcast, so each input's gradient is summed back to its shape
 * with `sumToShape` (the one shared helper).
 */
export const ELEMENTWISE_RULES: Record<string, GradRule> = {
  // d relu(x) = 1[x > 0]; read from the output, which is > 0 exactly where x is.
  // As a float mask times dy: onnxruntime runs Mul(dy, Cast(y > 0)) in ~13 ms where Where takes
  // ~19 ms and Mul(dy, Sign(y)) ~17–24 ms (batch 128 × 16 × 28 × 28, 2 threads, best of 30).
  Relu: (g) => [g.op("Mul", [g.GO(0)!, g.op("Cast", [g.op("Greater", [g.O(0), g.scalar(0)])], { to: DataType.FLOAT })])],
  Identity: (g) => [g.GO(0)],
  Neg: (g) => [g.op("Neg", [g.GO(0)!])],
  Add: (g) => [g.needs(0) ? g.sumToShape(g.GO(0)!, g.I(0)) : null, g.needs(1) ? g.sumToShape(g.GO(0)!, g.I(1)) : null],
  Sub: (g) => [
    g.needs(0) ? g.sumToShape(g.GO(0)!, g.I(0)) : null,
    g.needs(1) ? g.sumToShape(g.op("Neg", [g.GO(0)!]), g.I(1)) : null,
  ],
  Mul: (g) => [
    g.needs(0) ? g.sumToShape(g.op("Mul", [g.GO(0)!, g.I(1)]), g.I(0)) : null,
    g.needs(1) ? g.sumToShape(g.op("Mul", [g.GO(0)!, g.I(0)]), g.I(1)) : null,
  ],
  // y = a / b: da = dy / b, db = −dy · y / b
  Div: (g) => [
    g.needs(0) ? g.sumToShape(g.op("Div", [g.GO(0)!, g.I(1)]), g.I(0)) : null,
    g.needs(1) ? g.sumToShape(g.op("Neg", [g.op("Div", [g.op("Mul", [g.GO(0)!, g.O(0)]), g.I(1)])]), g.I(1)) : null,
  ],
  // y = √x: dx = dy / (2y)
  Sqrt: (g) => [g.op("Div", [g.GO(0)!, g.op("Mul", [g.O(0), g.scalar(2)])])],
  Sum: (g) => g.node.inputs.map((x, i) => (g.needs(i) ? g.sumToShape(g.GO(0)!, x) : null)),
};

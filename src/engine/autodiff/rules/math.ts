import { DataType, intAttr } from "../../onnx/ir.js";
import type { GradRule } from "../types.js";
import { constantTensor } from "./constants.js";

const FLOAT_TYPES = new Set<number>([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16, DataType.BFLOAT16]);

/** Elementary functions (derivatives as in PyTorch's tools/autograd/derivatives.yaml). */
export const MATH_RULES: Record<string, GradRule> = {
  // d eˣ = eˣ: dy · y.
  Exp: (g) => [g.op("Mul", [g.GO(0)!, g.O(0)])],
  // d ln x = 1/x.
  Log: (g) => [g.op("Div", [g.GO(0)!, g.I(0)])],
  // y = 1/x: dx = −dy · y².
  Reciprocal: (g) => [g.op("Neg", [g.op("Mul", [g.GO(0)!, g.op("Mul", [g.O(0), g.O(0)])])])],
  // d|x| = sign(x) (0 at 0, as PyTorch's abs backward).
  Abs: (g) => [g.op("Mul", [g.GO(0)!, g.op("Sign", [g.I(0)])])],
  // d erf(x) = 2/√π · e^(−x²).
  Erf: (g) => {
    const x = g.I(0);
    const bump = g.op("Exp", [g.op("Neg", [g.op("Mul", [x, x])])]);
    return [g.op("Mul", [g.GO(0)!, g.op("Mul", [bump, g.scalar(2 / Math.sqrt(Math.PI))])])];
  },
  /**
   * y = aᵇ (pow_backward_self, pow_backward_exponent): da = dy · b · a^(b−1), db = dy · y · ln a
   * (for a > 0), each summed back over broadcast axes. An integer constant exponent is cast to a's type.
   */
  Pow: (g) => {
    const [a, dy] = [g.I(0), g.GO(0)!];
    const bConst = constantTensor(g, g.I(1));
    const b = bConst && !FLOAT_TYPES.has(bConst.dataType) ? g.op("CastLike", [g.I(1), a]) : g.I(1);
    const da = g.needs(0) ? g.op("Mul", [dy, g.op("Mul", [b, g.op("Pow", [a, g.op("Sub", [b, g.scalar(1)])])])]) : null;
    const db = g.needs(1) ? g.op("Mul", [dy, g.op("Mul", [g.O(0), g.op("Log", [a])])]) : null;
    return [da && g.sumToShape(da, a), db && g.sumToShape(db, g.I(1))];
  },
  /**
   * A cast between floating types passes dy back in the input's type; a cast from or to an
   * integer or bool type has no gradient.
   * NOTE: CastLike (opset ≥ 15) because the vocabulary does not tell a rule a value's type.
   */
  Cast: (g) => [FLOAT_TYPES.has(intAttr(g.node, "to", DataType.UNDEFINED)) ? g.op("CastLike", [g.GO(0)!, g.I(0)]) : null],
};

import type { GradContext, GradRule } from "../types.js";
import { numberAttr } from "./constants.js";

/** dY where `pass` holds, else 0. */
const gate = (g: GradContext, pass: string, dy: string): string => g.op("Where", [pass, dy, g.scalar(0)]);

/**
 * Activations (formulas as in PyTorch's tools/autograd/derivatives.yaml, each noted per op).
 * Where the derivative is a step, it is read from whichever of X or Y shows the step exactly.
 */
export const ACTIVATION_RULES: Record<string, GradRule> = {
  // leaky_relu_backward: x > 0 ? dy : α·dy (α default 0.01, ONNX LeakyRelu).
  LeakyRelu: (g) => {
    const dy = g.GO(0)!;
    const alpha = numberAttr(g.node, "alpha", 0.01);
    return [g.op("Where", [g.op("Greater", [g.I(0), g.scalar(0)]), dy, g.op("Mul", [dy, g.scalar(alpha)])])];
  },
  /**
   * Clip (ReLU6 when exported from PyTorch): dy passes where min < x < max (hardtanh_backward);
   * the bounds are inputs from opset 11 (absent = unbounded), attributes before. A bound receives
   * the dy of the elements it clipped (clamp_backward for tensor bounds).
   */
  Clip: (g) => {
    const [x, dy] = [g.I(0), g.GO(0)!];
    const bound = (i: number, name: string): string | undefined => {
      if (g.I(i)) return g.I(i);
      const a = g.node.attributes.find((t) => t.name === name);
      return a ? g.scalar(numberAttr(g.node, name, 0)) : undefined;
    };
    const [lo, hi] = [bound(1, "min"), bound(2, "max")];
    const above = lo && g.op("Greater", [x, lo]);
    const below = hi && g.op("Less", [x, hi]);
    const pass = above && below ? g.op("And", [above, below]) : (above ?? below);
    return [
      g.needs(0) ? (pass ? gate(g, pass, dy) : dy) : null,
      g.needs(1) ? g.sumToShape(gate(g, g.op("Less", [x, lo!]), dy), g.I(1)) : null,
      g.needs(2) ? g.sumToShape(gate(g, g.op("Greater", [x, hi!]), dy), g.I(2)) : null,
    ];
  },
  // sigmoid_backward: dy · y · (1 − y).
  Sigmoid: (g) => {
    const y = g.O(0);
    return [g.op("Mul", [g.GO(0)!, g.op("Mul", [y, g.op("Sub", [g.scalar(1), y])])])];
  },
  // tanh_backward: dy · (1 − y²).
  Tanh: (g) => {
    const y = g.O(0);
    return [g.op("Mul", [g.GO(0)!, g.op("Sub", [g.scalar(1), g.op("Mul", [y, y])])])];
  },
  // y = max(0, min(1, αx + β)) (ONNX HardSigmoid, α 0.2, β 0.5): α·dy where 0 < y < 1 (hardsigmoid_backward).
  HardSigmoid: (g) => {
    const y = g.O(0);
    const alpha = numberAttr(g.node, "alpha", 0.2);
    const inside = g.op("And", [g.op("Greater", [y, g.scalar(0)]), g.op("Less", [y, g.scalar(1)])]);
    return [gate(g, inside, g.op("Mul", [g.GO(0)!, g.scalar(alpha)]))];
  },
  // y = x · relu6(x + 3) / 6 (Howard et al. 2019, eq. 2); hardswish_backward: 0 below −3, dy above 3, dy·(x/3 + ½) between.
  HardSwish: (g) => {
    const [x, dy] = [g.I(0), g.GO(0)!];
    const mid = g.op("Mul", [dy, g.op("Add", [g.op("Div", [x, g.scalar(3)]), g.scalar(0.5)])]);
    const upper = g.op("Where", [g.op("Greater", [x, g.scalar(3)]), dy, mid]);
    return [g.op("Where", [g.op("Less", [x, g.scalar(-3)]), g.scalar(0), upper])];
  },
  // y = x > 0 ? x : α(eˣ − 1) (Clevert et al. 2016); elu_backward from the output: dy for x > 0, dy·(y + α) else.
  Elu: (g) => {
    const dy = g.GO(0)!;
    const alpha = numberAttr(g.node, "alpha", 1);
    const neg = g.op("Mul", [dy, g.op("Add", [g.O(0), g.scalar(alpha)])]);
    return [g.op("Where", [g.op("Greater", [g.I(0), g.scalar(0)]), dy, neg])];
  },
};

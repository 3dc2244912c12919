import { intsAttr } from "../../onnx/ir.js";
import type { GradContext, GradRule } from "../types.js";

/** The gradient of any op that only rearranges its input's elements in order: reshape back. */
const reshapeBack = (g: GradContext): (string | null)[] => [
  g.op("Reshape", [g.GO(0)!, g.op("Shape", [g.I(0)])]),
  ...g.node.inputs.slice(1).map(() => null), // shape / axes inputs are not differentiable
];

export const SHAPE_RULES: Record<string, GradRule> = {
  Flatten: reshapeBack,
  Reshape: reshapeBack,
  Squeeze: reshapeBack,
  Unsqueeze: reshapeBack,
  Transpose: (g) => {
    const rank = g.shape(g.I(0)).length;
    const perm = intsAttr(g.node, "perm") ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inverse = new Array<number>(rank);
    perm.forEach((p, i) => (inverse[p] = i));
    return [g.op("Transpose", [g.GO(0)!], { perm: inverse })];
  },
};

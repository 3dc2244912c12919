import { intAttr } from "../../onnx/ir.js";
import type { GradRule } from "../types.js";

/**
 * Softmax and LogSoftmax along one axis (opset 13 semantics, default axis −1), read from the output
 * y (PyTorch's _softmax_backward_data, _log_softmax_backward_data).
 * NOTE: before opset 13 these ops flatten the input to 2-D at `axis` (default 1); that agrees with
 * the one-axis formula only when `axis` is the last axis (e.g. [N, K] logits), and the vocabulary
 * does not tell a rule the opset.
 */
export const SOFTMAX_RULES: Record<string, GradRule> = {
  // dx = y ⊙ (dy − Σ_axis dy ⊙ y)
  Softmax: (g) => {
    const [y, dy] = [g.O(0), g.GO(0)!];
    const dot = g.op("ReduceSum", [g.op("Mul", [dy, y]), g.ints([intAttr(g.node, "axis", -1)])], { keepdims: 1 });
    return [g.op("Mul", [y, g.op("Sub", [dy, dot])])];
  },
  // dx = dy − e^y ⊙ Σ_axis dy
  LogSoftmax: (g) => {
    const [y, dy] = [g.O(0), g.GO(0)!];
    const total = g.op("ReduceSum", [dy, g.ints([intAttr(g.node, "axis", -1)])], { keepdims: 1 });
    return [g.op("Sub", [dy, g.op("Mul", [g.op("Exp", [y]), total])])];
  },
};

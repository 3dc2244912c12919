import { intAttr, intsAttr } from "../../onnx/ir.js";
import type { GradRule } from "../types.js";

export const CONV_RULES: Record<string, GradRule> = {
  /**
   * Y = Conv(X, W) + B (2-D, group 1). dX = ConvTranspose(dY, W) with the output padding that
   * restores X's size; dW = Conv over the batch: Transpose(Conv(Xᵀ, dYᵀ, strides ↔ dilations))
   * cropped to the kernel (DESIGN.md, checked against a direct sum); dB = Σ dY over N, H, W.
   */
  Conv: (g) => {
    const group = intAttr(g.node, "group", 1);
    if (group !== 1) throw new RangeError(`Conv gradient with group ${group} is not implemented (node '${g.node.name}')`);
    const [X, W] = [g.I(0), g.I(1)];
    const xs = g.shape(X);
    const ws = g.shape(W);
    const ys = g.shape(g.O(0));
    const spatial = xs.length - 2;
    const kernel = ws.slice(2) as number[];
    const strides = intsAttr(g.node, "strides") ?? Array(spatial).fill(1);
    const dil = intsAttr(g.node, "dilations") ?? Array(spatial).fill(1);
    const pads = intsAttr(g.node, "pads") ?? Array(spatial * 2).fill(0);
    if ((g.node.attributes.find((a) => a.name === "auto_pad")?.value as { value?: string } | undefined)?.value?.startsWith("SAME")) {
      throw new RangeError(`Conv gradient with auto_pad SAME is not implemented (node '${g.node.name}'); export with explicit pads`);
    }
    const dy = g.GO(0)!;
    let dX: string | null = null;
    if (g.needs(0)) {
      const outPad = kernel.map((k, i) => (xs[2 + i] as number) - (strides[i] * ((ys[2 + i] as number) - 1) + (k - 1) * dil[i] + 1 - pads[i] - pads[i + spatial]));
      dX = g.op("ConvTranspose", [dy, W], { strides, pads, dilations: dil, output_padding: outPad, group: 1 });
    }
    let dW: string | null = null;
    if (g.needs(1)) {
      const perm = [1, 0, ...Array.from({ length: spatial }, (_, i) => i + 2)];
      const xt = g.op("Transpose", [X], { perm });
      const dyt = g.op("Transpose", [dy], { perm });
      const full = g.op("Transpose", [g.op("Conv", [xt, dyt], { strides: dil, dilations: strides, pads })], { perm });
      // The correlation may run past the kernel when (size + pads − extent) is not a multiple of the stride.
      dW = g.op("Slice", [full, g.ints(kernel.map(() => 0)), g.ints(kernel), g.ints(kernel.map((_, i) => i + 2))]);
    }
    let dB: string | null = null;
    if (g.I(2) && g.needs(2)) dB = g.op("ReduceSum", [dy, g.ints([0, ...Array.from({ length: spatial }, (_, i) => i + 2)])], { keepdims: 0 });
    return [dX, dW, dB];
  },
};

import { intAttr, intsAttr } from "../../onnx/ir.js";
import type { GradContext, GradRule } from "../types.js";
import { channelCount, outputPadding, spatialSizes, windowAttrs, zeroTensor } from "./constants.js";
import { missingAttribute, untrainable } from "./untrainable.js";

export const POOL_RULES: Record<string, GradRule> = {
  /**
   * MaxPool: each output's gradient goes to the input element it took. The forward node is asked
   * for its Indices output (flat positions in X), and dY is scattered there, adding where windows
   * overlap (ScatterElements with reduction "add", opset ≥ 16). NOTE: for windows that tile the
   * input, dY spread by Expand times the mask of the taken positions was measured 8–15× slower
   * (onnxruntime's Expand: 16–29 ms a step against 1.9 ms, issue 15).
   */
  MaxPool: (g) => [scatterMaxPoolGrad(g)],
  // Mean over H·W: every input element gets dY / (H·W).
  GlobalAveragePool: (g) => {
    const xs = g.shape(g.I(0));
    const area = (xs.slice(2) as number[]).reduce((a, b) => a * b, 1);
    return [g.op("Div", [g.op("Expand", [g.GO(0)!, g.op("Shape", [g.I(0)])]), g.scalar(area)])];
  },
  /**
   * AveragePool (ceil_mode 0): each output spreads dy/count evenly over its window, which is
   * ConvTranspose of dy/count with an all-ones depthwise kernel (the adjoint of the window sum).
   * count is k₁·k₂·… with count_include_pad, else the number of real (unpadded) elements in each
   * window, computed once as a Conv of an all-ones image with the same window.
   */
  AveragePool: (g) => {
    const [x, dy] = [g.I(0), g.GO(0)!];
    const kernel = intsAttr(g.node, "kernel_shape");
    if (!kernel) throw missingAttribute(g.node, "kernel_shape");
    const w = windowAttrs(g, kernel);
    const ceil = intAttr(g.node, "ceil_mode", 0) === 1, dilated = w.dilations.some((d) => d !== 1);
    if (ceil || dilated) {
      const what = [ceil && "ceil_mode 1", dilated && `dilations [${w.dilations.join(", ")}]`].filter(Boolean).join(" and ");
      const fix = [ceil && "ceil_mode=False", dilated && "no dilation"].filter(Boolean).join(" and ");
      throw untrainable(g.node, `its gradient with ${what} is not implemented`, `export it with ${fix}`);
    }
    const [xs, ys] = [spatialSizes(g, x), spatialSizes(g, g.O(0))];
    const c = channelCount(g, x);
    const window = { strides: w.strides, pads: w.pads };
    const ones = (dims: number[]) => g.op("Expand", [g.scalar(1), g.ints(dims)]);
    const padded = intAttr(g.node, "count_include_pad", 0) === 1 || w.pads.every((p) => p === 0);
    const count = padded ? g.scalar(kernel.reduce((a, b) => a * b, 1)) : g.op("Conv", [ones([1, 1, ...xs]), ones([1, 1, ...kernel])], window);
    const share = g.op("Div", [dy, count]);
    return [g.op("ConvTranspose", [share, ones([c, 1, ...kernel])], { ...window, output_padding: outputPadding(w, xs, ys), group: c })];
  },
};

/** MaxPool's input gradient: dY scattered (added) to the positions in Indices. */
function scatterMaxPoolGrad(g: GradContext): string {
  const X = g.I(0);
  const flat = g.ints([-1]);
  const zeros = g.op("ConstantOfShape", [g.op("Shape", [g.op("Reshape", [X, flat])])], { value: { tensor: zeroTensor() } });
  const scattered = g.op("ScatterElements", [zeros, g.op("Reshape", [g.O(1), flat]), g.op("Reshape", [g.GO(0)!, flat])], { axis: 0, reduction: "add" });
  return g.op("Reshape", [scattered, g.op("Shape", [X])]);
}

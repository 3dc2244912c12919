import { attr, intAttr } from "../../onnx/ir.js";
import type { GradContext, GradRule } from "../types.js";
import { channelCount, outputPadding, spatialSizes, type WindowAttrs, windowAttrs } from "./constants.js";

/** A value, and the forward value with its shape (gradients have no inferred shapes). */
interface Operand {
  value: string;
  like: string;
}

/** [1, 0, 2, 3, …] for a rank-(2 + spatial) value: swaps the batch and channel axes. */
const swap01 = (spatial: number) => [1, 0, ...Array.from({ length: spatial }, (_, i) => i + 2)];

/**
 * The weight gradient of y = Conv(x, W) (any group count) from x and dy: a correlation over the
 * batch, Conv(xᵀ, dyᵀ) with strides and dilations swapped, transposed and cropped to the kernel
 * (DESIGN.md, checked against a direct sum). With g groups, x [N, g·c, …] becomes [c, g·N, …] and
 * dy [N, g·m, …] becomes [g·m, N, …], so one Conv with group g correlates each group's channels
 * with only that group's filters (no wasted block-diagonal products).
 */
function weightGrad(g: GradContext, x: Operand, dy: Operand, w: WindowAttrs, group: number): string {
  const spatial = w.kernel.length;
  const perm = swap01(spatial);
  const crop = (full: string) =>
    // The correlation may run past the kernel when (size + pads − extent) is not a multiple of the stride.
    g.op("Slice", [full, g.ints(w.kernel.map(() => 0)), g.ints(w.kernel), g.ints(w.kernel.map((_, i) => i + 2))]);
  const attrs = { strides: w.dilations, dilations: w.strides, pads: w.pads };
  if (group === 1) {
    const full = g.op("Conv", [g.op("Transpose", [x.value], { perm }), g.op("Transpose", [dy.value], { perm })], attrs);
    return crop(g.op("Transpose", [full], { perm }));
  }
  const [c, m] = [channelCount(g, x.like) / group, channelCount(g, dy.like) / group];
  const [xSizes, dySizes] = [spatialSizes(g, x.like), spatialSizes(g, dy.like)];
  const rest = Array.from({ length: spatial }, (_, i) => i + 3);
  const x5 = g.op("Reshape", [x.value, g.ints([-1, group, c, ...xSizes])]);
  const xg = g.op("Reshape", [g.op("Transpose", [x5], { perm: [2, 1, 0, ...rest] }), g.ints([c, -1, ...xSizes])]); // [c, g·N, …]
  const dy5 = g.op("Reshape", [dy.value, g.ints([-1, group, m, ...dySizes])]);
  const dyg = g.op("Reshape", [g.op("Transpose", [dy5], { perm: [1, 2, 0, ...rest] }), g.ints([group * m, -1, ...dySizes])]); // [g·m, N, …]
  const full = g.op("Conv", [xg, dyg], { ...attrs, group }); // [c, g·m, …]
  return crop(g.op("Transpose", [full], { perm }));
}

/** dB = Σ dy over the batch and spatial axes. */
function biasGrad(g: GradContext, dy: string, spatial: number): string | null {
  if (!g.I(2) || !g.needs(2)) return null;
  return g.op("ReduceSum", [dy, g.ints([0, ...Array.from({ length: spatial }, (_, i) => i + 2)])], { keepdims: 0 });
}

export const CONV_RULES: Record<string, GradRule> = {
  /**
   * Y = Conv(X, W) + B, 2-D or any spatial rank, any group count (depthwise included).
   * dX = ConvTranspose(dY, W) with the same group count and the output padding that restores X's
   * size (the adjoint of the convolution; W's [M, C/g, k…] layout is ConvTranspose's [C_in, C_out/g, k…]);
   * dW from {@link weightGrad}; dB = Σ dY over N and space.
   */
  Conv: (g) => {
    const group = intAttr(g.node, "group", 1);
    const [X, W] = [g.I(0), g.I(1)];
    const kernel = spatialSizes(g, W);
    const w = windowAttrs(g, kernel);
    const [xs, ys] = [spatialSizes(g, X), spatialSizes(g, g.O(0))];
    const dy = g.GO(0)!;
    const dX = g.needs(0)
      ? g.op("ConvTranspose", [dy, W], { strides: w.strides, pads: w.pads, dilations: w.dilations, output_padding: outputPadding(w, xs, ys), group })
      : null;
    const dW = g.needs(1) ? weightGrad(g, { value: X, like: X }, { value: dy, like: g.O(0) }, w, group) : null;
    return [dX, dW, biasGrad(g, dy, kernel.length)];
  },
  /**
   * Y = ConvTranspose(X, W) + B, the adjoint of Conv(·, W): dX = Conv(dY, W) with the same
   * window and groups; dW is the weight gradient of that Conv with dY as its input and X as its
   * output gradient; dB = Σ dY. An explicit `output_shape` is refused (export with pads).
   */
  ConvTranspose: (g) => {
    if (attr(g.node, "output_shape", "ints")) {
      throw new RangeError(`ConvTranspose gradient with output_shape is not implemented (node '${g.node.name}'); export with pads and output_padding`);
    }
    const group = intAttr(g.node, "group", 1);
    const [X, W] = [g.I(0), g.I(1)];
    const kernel = spatialSizes(g, W);
    const w = windowAttrs(g, kernel);
    const dy = g.GO(0)!;
    const dX = g.needs(0) ? g.op("Conv", [dy, W], { strides: w.strides, pads: w.pads, dilations: w.dilations, group }) : null;
    const dW = g.needs(1) ? weightGrad(g, { value: dy, like: g.O(0) }, { value: X, like: X }, w, group) : null;
    return [dX, dW, biasGrad(g, dy, kernel.length)];
  },
};

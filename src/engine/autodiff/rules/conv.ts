import { attr, intAttr } from "../../onnx/ir.js";
import type { GradContext, GradRule } from "../types.js";
import { channelCount, outputPadding, spatialSizes, type WindowAttrs, windowAttrs } from "./constants.js";
import { untrainable } from "./untrainable.js";

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

/** Whether the fast stride-1 formulations below apply: 2-D, group 1, stride 1, dilation 1, pads < kernel. */
function isPlain2d(w: WindowAttrs, group: number): boolean {
  return (
    w.kernel.length === 2 && group === 1 && w.strides.every((s) => s === 1) && w.dilations.every((d) => d === 1) &&
    w.pads.every((p, i) => p <= w.kernel[i % 2] - 1)
  );
}

/**
 * dX of a plain 2-D convolution as another convolution (Dumoulin & Visin 2016, §4.1): dY
 * correlated with W flipped in space and with its in/out channels swapped, padded by k − 1 − p.
 * onnxruntime runs Conv ~2.5× faster than the equivalent ConvTranspose here (measured: 12 vs 32 ms
 * for 16→16 channels, 3×3, batch 128 at 28×28).
 */
function plainInputGrad(g: GradContext, dy: string, W: string, w: WindowAttrs): string {
  const flipped = g.op("Slice", [g.op("Transpose", [W], { perm: [1, 0, 2, 3] }), g.ints([-1, -1]), g.ints([-(2 ** 62), -(2 ** 62)]), g.ints([2, 3]), g.ints([-1, -1])]);
  const [kh, kw] = w.kernel;
  const [pt, pl, pb, pr] = w.pads;
  return g.op("Conv", [dy, flipped], { pads: [kh - 1 - pt, kw - 1 - pl, kh - 1 - pb, kw - 1 - pr] });
}

/**
 * dW of a plain 2-D convolution as one matrix product per kernel tap: dW[:, :, i, j] = dY·X_ijᵀ
 * with X_ij the padded input shifted by (i, j), both as [channels, N·H·W] (im2col by slices).
 * Measured 31 ms against 72 ms for the Conv-over-the-batch formulation on the case above.
 */
function plainWeightGrad(g: GradContext, X: string, dy: string, w: WindowAttrs, outSizes: number[]): string {
  const [kh, kw] = w.kernel;
  const [pt, pl, pb, pr] = w.pads;
  const [ho, wo] = outSizes;
  const padded = pt + pl + pb + pr > 0 ? g.op("Pad", [X, g.ints([0, 0, pt, pl, 0, 0, pb, pr])]) : X;
  const xt = g.op("Transpose", [padded], { perm: [1, 0, 2, 3] }); // [C, N, H+p, W+p]
  const c = channelCount(g, X);
  const m = channelCount(g, g.O(0));
  const dym = g.op("Reshape", [g.op("Transpose", [dy], { perm: [1, 0, 2, 3] }), g.ints([m, -1])]); // [M, N·Ho·Wo]
  const taps: string[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const shifted = g.op("Slice", [xt, g.ints([i, j]), g.ints([i + ho, j + wo]), g.ints([2, 3])]);
      taps.push(g.op("Gemm", [dym, g.op("Reshape", [shifted, g.ints([c, -1])])], { transB: 1 })); // [M, C]
    }
  }
  return g.op("Reshape", [g.op("Concat", taps.map((t) => g.op("Unsqueeze", [t, g.ints([2])])), { axis: 2 }), g.ints([m, c, kh, kw])]);
}

/**
 * dW of a plain 2-D convolution from one im2col (issue 15's idea, kept for bench/train-ideas.ts):
 * a grouped Conv with one-hot kernels gives every tap of every input channel, [N, C·kh·kw, Ho·Wo],
 * and one batched MatMul against dYᵀ [N, Ho·Wo, M] summed over N gives [C·kh·kw, M].
 */
export function im2colWeightGrad(g: GradContext, X: string, dy: string, w: WindowAttrs, outSizes: number[]): string {
  const [kh, kw] = w.kernel;
  const taps = kh * kw;
  const c = channelCount(g, X);
  const m = channelCount(g, g.O(0));
  const onehot = new Float32Array(c * taps * taps);
  for (let ch = 0; ch < c; ch++) for (let t = 0; t < taps; t++) onehot[(ch * taps + t) * taps + t] = 1;
  const kernel = g.emitter.floats(`${g.node.name}/grad`, onehot, [c * taps, 1, kh, kw]);
  const cols = g.op("Conv", [X, kernel], { group: c, pads: w.pads });
  const area = outSizes[0] * outSizes[1];
  const colsFlat = g.op("Reshape", [cols, g.ints([0, c * taps, area])]); // [N, C·taps, Ho·Wo]
  const dyT = g.op("Transpose", [g.op("Reshape", [dy, g.ints([0, m, area])])], { perm: [0, 2, 1] }); // [N, Ho·Wo, M]
  const summed = g.op("ReduceSum", [g.op("MatMul", [colsFlat, dyT]), g.ints([0])], { keepdims: 0 }); // [C·taps, M]
  return g.op("Reshape", [g.op("Transpose", [summed], { perm: [1, 0] }), g.ints([m, c, kh, kw])]);
}

/** dB = Σ dy over the batch and spatial axes. */
function biasGrad(g: GradContext, dy: string, spatial: number): string | null {
  if (!g.I(2) || !g.needs(2)) return null;
  return g.op("ReduceSum", [dy, g.ints([0, ...Array.from({ length: spatial }, (_, i) => i + 2)])], { keepdims: 0 });
}

/** How a plain 2-D convolution's weight gradient is built: a Gemm a kernel tap (the default) or one im2col MatMul. */
export type PlainWeightGrad = "taps" | "im2col";

/**
 * Y = Conv(X, W) + B, 2-D or any spatial rank, any group count (depthwise included).
 * dX = ConvTranspose(dY, W) with the same group count and the output padding that restores X's
 * size (the adjoint of the convolution; W's [M, C/g, k…] layout is ConvTranspose's [C_in, C_out/g, k…]);
 * dW from {@link weightGrad}; dB = Σ dY over N and space.
 */
export function convRule(plainWeight: PlainWeightGrad = "taps"): GradRule {
  return (g) => {
    const group = intAttr(g.node, "group", 1);
    const [X, W] = [g.I(0), g.I(1)];
    const kernel = spatialSizes(g, W);
    const w = windowAttrs(g, kernel);
    const [xs, ys] = [spatialSizes(g, X), spatialSizes(g, g.O(0))];
    const dy = g.GO(0)!;
    const plain = isPlain2d(w, group);
    let dX: string | null = null;
    if (g.needs(0)) {
      dX = plain
        ? plainInputGrad(g, dy, W, w)
        : g.op("ConvTranspose", [dy, W], { strides: w.strides, pads: w.pads, dilations: w.dilations, output_padding: outputPadding(w, xs, ys), group });
    }
    let dW: string | null = null;
    if (g.needs(1)) {
      if (!plain) dW = weightGrad(g, { value: X, like: X }, { value: dy, like: g.O(0) }, w, group);
      else dW = plainWeight === "im2col" ? im2colWeightGrad(g, X, dy, w, ys) : plainWeightGrad(g, X, dy, w, ys);
    }
    return [dX, dW, biasGrad(g, dy, kernel.length)];
  };
}

export const CONV_RULES: Record<string, GradRule> = {
  Conv: convRule(),
  /**
   * Y = ConvTranspose(X, W) + B, the adjoint of Conv(·, W): dX = Conv(dY, W) with the same
   * window and groups; dW is the weight gradient of that Conv with dY as its input and X as its
   * output gradient; dB = Σ dY. An explicit `output_shape` is refused (export with pads).
   */
  ConvTranspose: (g) => {
    if (attr(g.node, "output_shape", "ints")) {
      throw untrainable(g.node, "its gradient with output_shape is not implemented", "export it with pads and output_padding");
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

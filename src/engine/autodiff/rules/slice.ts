import { attr, intAttr, intsAttr } from "../../onnx/ir.js";
import type { GradContext, GradRule } from "../types.js";
import { constantNumbers, zeroTensor } from "./constants.js";
import { FIXED_SIZES, missingAttribute, untrainable } from "./untrainable.js";

/** INT64_MAX as Slice/Pad read "to the end". */
const TO_END = Number.MAX_SAFE_INTEGER;

/** Static int values from an input (opset ≥ 10/11 form) or an attribute (older form), else a ModelError naming what is missing. */
function staticInts(g: GradContext, input: number, attrName: string, required: boolean): number[] | undefined {
  const name = g.I(input);
  const v = name ? constantNumbers(g, name) : intsAttr(g.node, attrName);
  if (name && !v) throw untrainable(g.node, `its gradient needs '${attrName}' to be a constant, but '${name}' is computed`, "export it with constant-folding on (torch.onnx.export's default)");
  if (required && !v) throw missingAttribute(g.node, attrName);
  return v;
}

function staticDim(g: GradContext, value: string, axis: number): number {
  const d = g.shape(value)[axis];
  if (typeof d !== "number") throw untrainable(g.node, `its gradient needs a static size on axis ${axis} of '${value}'`, FIXED_SIZES);
  return d;
}

/** Cuts dy on `axes` by per-axis [begin, end] amounts ≥ 0 (end counted from the end of each axis). */
function crop(g: GradContext, dy: string, axes: number[], begin: number[], end: number[]): string {
  if (begin.every((b) => b === 0) && end.every((e) => e === 0)) return dy;
  return g.op("Slice", [dy, g.ints(begin), g.ints(end.map((e) => (e === 0 ? TO_END : -e))), g.ints(axes)]);
}

/**
 * Gather along one axis, scatter-added back as PyTorch's index_select_backward does (index_add into
 * zeros): ScatterElements(0, idx broadcast over dy, dy, reduction "add"), opset ≥ 16; repeated
 * indices add up. The indices may be computed; the sizes after the axis must be static.
 */
function gatherBack(g: GradContext): (string | null)[] {
  const [x, idx, dy] = [g.I(0), g.I(1), g.GO(0)!];
  const xs = g.shape(x);
  const axis = (intAttr(g.node, "axis", 0) + xs.length) % xs.length;
  const post = xs.slice(axis + 1);
  if (post.some((d) => typeof d !== "number")) throw untrainable(g.node, `its gradient needs static sizes after axis ${axis} of '${x}'`, FIXED_SIZES);
  // dy: [pre…, idx…, post…] → [pre…, K, post…] (0 keeps a leading size, symbolic or not)
  const dyK = g.op("Reshape", [dy, g.ints([...xs.slice(0, axis).map(() => 0), -1, ...(post as number[])])]);
  const where = g.op("Reshape", [idx, g.ints([...xs.slice(0, axis).map(() => 1), -1, ...post.map(() => 1)])]);
  const zeros = g.op("ConstantOfShape", [g.op("Shape", [x])], { value: { tensor: zeroTensor() } });
  const indices = g.op("Expand", [where, g.op("Shape", [dyK])]);
  return [g.op("ScatterElements", [zeros, indices, dyK], { axis, reduction: "add" }), null];
}

/** Ops that cut, join, pad or pick parts of their input: the gradient puts dy back where each part came from. */
export const SLICE_RULES: Record<string, GradRule> = {
  // Each input's part of dy, sliced at static offsets along the axis.
  Concat: (g) => {
    const rank = g.shape(g.O(0)).length;
    const axis = (intAttr(g.node, "axis", 0) + rank) % rank;
    let offset = 0;
    return g.node.inputs.map((x, i) => {
      const size = staticDim(g, x, axis);
      offset += size;
      return g.needs(i) ? g.op("Slice", [g.GO(0)!, g.ints([offset - size]), g.ints([offset]), g.ints([axis])]) : null;
    });
  },
  // dx = dy padded with zeros back to x's shape (static starts/ends/axes, steps 1).
  Slice: (g) => {
    const xs = g.shape(g.I(0));
    const starts = staticInts(g, 1, "starts", true)!;
    const ends = staticInts(g, 2, "ends", true)!;
    const axes = (staticInts(g, 3, "axes", false) ?? starts.map((_, i) => i)).map((a) => (a + xs.length) % xs.length);
    const steps = g.I(4) ? staticInts(g, 4, "steps", true)! : starts.map(() => 1);
    if (steps.some((s) => s !== 1)) throw untrainable(g.node, `its gradient supports steps of 1 only, got [${steps.join(", ")}]`, "export it without strided slices (x[:, ::2])");
    const pads = Array<number>(2 * xs.length).fill(0);
    axes.forEach((a, i) => {
      const d = staticDim(g, g.I(0), a);
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
      const [s, e] = [clamp(starts[i]), clamp(ends[i])];
      pads[a] = s;
      pads[a + xs.length] = d - Math.max(e, s);
    });
    return [g.op("Pad", [g.GO(0)!, g.ints(pads)]), ...g.node.inputs.slice(1).map(() => null)];
  },
  /**
   * Pad, constant mode: dx = dy with the padding cut off (and zero-padded where a negative pad
   * cropped x); the padding value receives Σ dy − Σ dx, the dy of the positions it filled.
   */
  Pad: (g) => {
    const mode = attr(g.node, "mode", "string") ?? "constant";
    if (mode !== "constant") throw untrainable(g.node, `its gradient supports mode 'constant' only, got '${mode}'`, "export it with zero padding (padding_mode='zeros')");
    const rank = g.shape(g.I(0)).length;
    const pads = staticInts(g, 1, "pads", true)!;
    const axes = (staticInts(g, 3, "axes", false) ?? Array.from({ length: rank }, (_, i) => i)).map((a) => (a + rank) % rank);
    const k = axes.length;
    const pos = (v: number) => Math.max(v, 0);
    const dy = g.GO(0)!;
    let dx = crop(g, dy, axes, pads.slice(0, k).map(pos), pads.slice(k).map(pos));
    if (pads.some((p) => p < 0)) {
      const neg = Array<number>(2 * rank).fill(0);
      axes.forEach((a, i) => ([neg[a], neg[a + rank]] = [pos(-pads[i]), pos(-pads[i + k])]));
      dx = g.op("Pad", [dx, g.ints(neg)]);
    }
    const sum = (v: string) => g.op("ReduceSum", [v], { keepdims: 0 });
    const dValue = g.I(2) && g.needs(2) ? g.op("Sub", [sum(dy), sum(dx)]) : null;
    return [g.needs(0) ? dx : null, null, dValue, ...g.node.inputs.slice(3).map(() => null)];
  },
  Gather: gatherBack,
};

import { DataType, intAttr, intsAttr } from "../../onnx/ir.js";
import type { GradContext, GradRule } from "../types.js";
import { constantNumbers } from "./constants.js";

/**
 * ReduceSum / ReduceMean: dy is given back its reduced axes (size 1) and expanded over them; the
 * mean also divides by the number of elements each output averaged. Axes come from the `axes`
 * attribute (ReduceMean before opset 18) or the `axes` input (ReduceSum from opset 13), and may be
 * absent: all axes, or none with `noop_with_empty_axes`.
 */
function reduceBack(g: GradContext, mean: boolean): (string | null)[] {
  const [x, dy] = [g.I(0), g.GO(0)!];
  const rest = g.node.inputs.slice(1).map(() => null); // the axes input is not differentiable
  const attrAxes = intsAttr(g.node, "axes");
  const inputAxes = attrAxes ? undefined : g.I(1) || undefined;
  // The static axes ([] = all), or undefined when computed at run time.
  const known = attrAxes ?? (inputAxes ? constantNumbers(g, inputAxes) : []);
  const noop = intAttr(g.node, "noop_with_empty_axes", 0) === 1;
  if (noop && known?.length === 0) return [dy, ...rest];
  let grad = dy;
  if (intAttr(g.node, "keepdims", 1) === 0 && (attrAxes || inputAxes)) grad = g.op("Unsqueeze", [dy, attrAxes ? g.ints(attrAxes) : inputAxes!]);
  grad = g.op("Expand", [grad, g.op("Shape", [x])]);
  if (mean) grad = g.op("Div", [grad, count(g, x, dy, known)]);
  return [grad, ...rest];
}

/** How many elements of x each output averaged: a constant when the reduced sizes are static. */
function count(g: GradContext, x: string, dy: string, axes: number[] | undefined): string {
  const xs = g.shape(x);
  const reduced = axes?.length === 0 ? xs : axes?.map((a) => xs[a < 0 ? a + xs.length : a]);
  if (reduced?.every((d) => typeof d === "number")) return g.scalar((reduced as number[]).reduce((a, b) => a * b, 1));
  const size = (v: string) => g.op("Cast", [g.op("Size", [v])], { to: DataType.FLOAT });
  return g.op("Div", [size(x), size(dy)]);
}

export const REDUCE_RULES: Record<string, GradRule> = {
  ReduceSum: (g) => reduceBack(g, false),
  ReduceMean: (g) => reduceBack(g, true),
};

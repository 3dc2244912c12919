import { attr, DataType, type NodeIR, type TensorIR, toSafeNumber, wrongAttributeType } from "../../onnx/ir.js";
import type { GradContext } from "../types.js";
import { FIXED_SIZES, untrainable } from "./untrainable.js";

/**
 * Static values a rule may read from the graph: initializers and `Constant` node outputs (how
 * PyTorch exports axes, pads, clip bounds and exponents). A value computed at run time gives
 * undefined, and the rule then emits a graph-side formula or says what it needs.
 */

/** The tensor behind `name` when it is an initializer or a Constant node's output. */
export function constantTensor(g: GradContext, name: string): TensorIR | undefined {
  if (!name) return undefined;
  const graph = g.emitter.graph;
  const init = graph.initializers.find((t) => t.name === name);
  if (init) return graph.inputs.some((i) => i.name === name) ? undefined : init; // an overridable default is not constant
  const node = graph.nodes.find((n) => n.opType === "Constant" && n.outputs[0] === name);
  return node ? constantNodeTensor(node) : undefined;
}

function constantNodeTensor(node: NodeIR): TensorIR | undefined {
  const t = attr(node, "value", "tensor");
  if (t) return t;
  const f = attr(node, "value_float", "float");
  if (f !== undefined) return { name: "", dataType: DataType.FLOAT, dims: [], raw: new Uint8Array(Float32Array.of(f).buffer) };
  const fs = attr(node, "value_floats", "floats");
  if (fs) return { name: "", dataType: DataType.FLOAT, dims: [fs.length], raw: new Uint8Array(Float32Array.from(fs).buffer) };
  const i = attr(node, "value_int", "int");
  if (i !== undefined) return { name: "", dataType: DataType.INT64, dims: [], raw: new Uint8Array(BigInt64Array.of(BigInt(i)).buffer) };
  const is = attr(node, "value_ints", "ints");
  if (is) return { name: "", dataType: DataType.INT64, dims: [is.length], raw: new Uint8Array(BigInt64Array.from(is, (v) => BigInt(v)).buffer) };
  return undefined;
}

/** The values of a constant numeric tensor as numbers (int64 beyond 2^53 clamped), or undefined. */
export function constantNumbers(g: GradContext, name: string): number[] | undefined {
  const t = constantTensor(g, name);
  if (!t || (t.raw.length === 0 && t.dims.reduce((a, b) => a * b, 1) !== 0)) return undefined;
  const dv = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
  const read: Record<number, [number, (o: number) => number]> = {
    [DataType.FLOAT]: [4, (o) => dv.getFloat32(o, true)],
    [DataType.DOUBLE]: [8, (o) => dv.getFloat64(o, true)],
    [DataType.INT32]: [4, (o) => dv.getInt32(o, true)],
    [DataType.INT64]: [8, (o) => toSafeNumber(dv.getBigInt64(o, true))],
    [DataType.BOOL]: [1, (o) => dv.getUint8(o)],
    [DataType.UINT8]: [1, (o) => dv.getUint8(o)],
  };
  const r = read[t.dataType];
  if (!r) return undefined;
  return Array.from({ length: t.raw.byteLength / r[0] }, (_, i) => r[1](i * r[0]));
}

/** A numeric attribute written as a float or (by some exporters) an int. */
export function numberAttr(node: NodeIR, name: string, fallback: number): number {
  const a = node.attributes.find((x) => x.name === name);
  if (!a) return fallback;
  if (a.value.type === "float") return a.value.value;
  if (a.value.type === "int") return toSafeNumber(a.value.value);
  throw wrongAttributeType(node, name, a.value.type, "float");
}

/** Window attributes shared by Conv, ConvTranspose and the pools, with the spec's defaults. */
export interface WindowAttrs {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** [begin₀, begin₁, …, end₀, end₁, …] */
  pads: number[];
}

/** Reads the window attributes; `auto_pad` SAME is refused (export with explicit pads). */
export function windowAttrs(g: GradContext, kernel: number[]): WindowAttrs {
  const n = kernel.length;
  const autoPad = attr(g.node, "auto_pad", "string") ?? "NOTSET";
  if (autoPad.startsWith("SAME")) {
    throw untrainable(g.node, `its gradient with auto_pad ${autoPad} is not implemented`, "export it with explicit pads");
  }
  const ints = (name: string, fill: number) => attr(g.node, name, "ints")?.map(toSafeNumber) ?? Array<number>(name === "pads" ? 2 * n : n).fill(fill);
  return { kernel, strides: ints("strides", 1), dilations: ints("dilations", 1), pads: autoPad === "VALID" ? Array<number>(2 * n).fill(0) : ints("pads", 0) };
}

/** The spatial sizes of a value (all axes after N, C), which must be static. */
export function spatialSizes(g: GradContext, value: string): number[] {
  const s = g.shape(value).slice(2);
  if (s.some((d) => typeof d !== "number")) {
    throw untrainable(g.node, `its gradient needs static spatial sizes, but '${value}' has shape [${g.shape(value).join(", ")}]`, FIXED_SIZES);
  }
  return s as number[];
}

/** The channel count (axis 1) of a value, which must be static. */
export function channelCount(g: GradContext, value: string): number {
  const c = g.shape(value)[1];
  if (typeof c !== "number") throw untrainable(g.node, `its gradient needs a static channel count for '${value}'`, FIXED_SIZES);
  return c;
}

/** A one-element float32 zero, the `value` of a ConstantOfShape. */
export function zeroTensor(): TensorIR {
  return { name: "", dataType: DataType.FLOAT, dims: [1], raw: new Uint8Array(4) };
}

/** The extra output padding ConvTranspose needs to give back exactly `input` positions from `output` ones. */
export function outputPadding(w: WindowAttrs, input: number[], output: number[]): number[] {
  const n = w.kernel.length;
  return w.kernel.map((k, i) => input[i] - (w.strides[i] * (output[i] - 1) + (k - 1) * w.dilations[i] + 1 - w.pads[i] - w.pads[i + n]));
}

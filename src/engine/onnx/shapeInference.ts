import { attr, DataType, defaultOpset, type Dim, intAttr, intsAttr, type ModelIR, type NodeIR, type TensorIR, toSafeNumber } from "./ir.js";

/**
 * Static shape inference for the ops featurelens meets in classifiers (the ONNX operator spec's
 * shape rules), with symbolic dims ("N") carried through. Small integer tensors (shapes, axes) are
 * also evaluated, so the Shape→Gather→Concat→Reshape chains of older PyTorch exports resolve.
 * An op without a rule leaves its outputs unknown (`shape: undefined`) rather than failing.
 */

export interface ValueShape {
  elemType: number;
  /** undefined when the rank is unknown; a dim is null when its size is unknown. */
  shape: Dim[] | undefined;
}

export interface InferOptions {
  /** Replace a symbolic or unknown first input dim by this (e.g. 1, or "N"). */
  batch?: number | string;
}

type Ctx = {
  shapes: Map<string, ValueShape>;
  /** Known values of small integer tensors, row-major, possibly symbolic. */
  consts: Map<string, Dim[]>;
  opset: number;
};

const MAX_CONST = 64;

/** The shape of every value in the graph that can be inferred. */
export function inferShapes(model: ModelIR, options: InferOptions = {}): Map<string, ValueShape> {
  const ctx: Ctx = { shapes: new Map(), consts: new Map(), opset: defaultOpset(model) };
  const g = model.graph;
  for (const t of g.initializers) addTensor(ctx, t);
  const initNames = new Set(g.initializers.map((t) => t.name));
  for (const v of [...g.valueInfo, ...g.inputs]) {
    if (initNames.has(v.name) || !v.type) continue;
    const shape = v.type.kind === "tensor" ? v.type.shape?.slice() : undefined;
    if (shape && options.batch !== undefined && g.inputs.includes(v) && (shape[0] === null || typeof shape[0] === "string")) {
      shape[0] = options.batch;
    }
    ctx.shapes.set(v.name, { elemType: v.type.elemType ?? 0, shape });
  }
  for (const node of g.nodes) {
    let outs: (ValueShape | undefined)[];
    try {
      outs = inferNode(ctx, node);
    } catch {
      outs = [];
    }
    node.outputs.forEach((name, i) => {
      if (!name) return;
      const known = ctx.shapes.get(name);
      const got = outs[i];
      if (got && got.shape) ctx.shapes.set(name, got);
      else if (!known) ctx.shapes.set(name, got ?? { elemType: 0, shape: undefined });
    });
  }
  return ctx.shapes;
}

function addTensor(ctx: Ctx, t: TensorIR): void {
  ctx.shapes.set(t.name, { elemType: t.dataType, shape: t.dims.slice() });
  const v = intValues(t);
  if (v) ctx.consts.set(t.name, v);
}

/** The values of a small INT64/INT32 tensor, or undefined. */
function intValues(t: TensorIR): number[] | undefined {
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (n > MAX_CONST || t.raw.length === 0) return undefined;
  const dv = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
  if (t.dataType === DataType.INT64) return Array.from({ length: n }, (_, i) => toSafeNumber(dv.getBigInt64(i * 8, true)));
  if (t.dataType === DataType.INT32) return Array.from({ length: n }, (_, i) => dv.getInt32(i * 4, true));
  return undefined;
}

const SAME_SHAPE = new Set([
  "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "HardSwish", "HardSigmoid", "Elu", "Selu", "Celu", "Gelu", "Softplus", "Softsign",
  "Mish", "Exp", "Log", "Sqrt", "Neg", "Abs", "Reciprocal", "Erf", "Identity", "Softmax", "LogSoftmax", "Dropout", "Floor", "Ceil",
  "Round", "Sign", "Not", "LRN", "InstanceNormalization", "LayerNormalization", "BatchNormalization", "ThresholdedRelu", "Sin", "Cos",
]);
const BROADCAST = new Set(["Add", "Sub", "Mul", "Div", "Pow", "PRelu", "Max", "Min", "Sum", "Mean", "Where", "And", "Or", "Xor", "Mod"]);
const COMPARE = new Set(["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"]);
const POOLS = new Set(["MaxPool", "AveragePool", "LpPool"]);
const GLOBAL_POOLS = new Set(["GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"]);
const REDUCE = new Set(["ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2", "ReduceL1", "ReduceSumSquare", "ReduceLogSumExp"]);

function inferNode(ctx: Ctx, node: NodeIR): (ValueShape | undefined)[] {
  const ins = node.inputs.map((n) => (n ? ctx.shapes.get(n) : undefined));
  const x = ins[0];
  const op = node.opType;
  const like = (shape: Dim[] | undefined, elemType = x?.elemType ?? DataType.FLOAT): ValueShape => ({ elemType, shape });
  if (node.domain !== "" && node.domain !== "ai.onnx") return [];
  if (SAME_SHAPE.has(op)) {
    if (op === "BatchNormalization" && node.outputs.length > 1) {
      const c = x?.shape?.[1] ?? null;
      return [like(x?.shape), like([c]), like([c])];
    }
    if (op === "Dropout") return [like(x?.shape), like(x?.shape, DataType.BOOL)];
    return [like(x?.shape)];
  }
  if (op === "Cast") return [like(x?.shape, intAttr(node, "to", 1))];
  if (BROADCAST.has(op) || COMPARE.has(op)) {
    const shapes = (op === "Where" ? ins.slice(1) : ins).map((i) => i?.shape);
    const out = shapes.reduce<Dim[] | undefined>((a, b) => (a && b ? broadcast(a, b) : undefined), shapes[0]);
    const elemType = COMPARE.has(op) ? DataType.BOOL : (op === "Where" ? ins[1]?.elemType : x?.elemType) ?? DataType.FLOAT;
    evalConstBinary(ctx, node);
    return [like(out, elemType)];
  }
  if (op === "Conv" || POOLS.has(op)) return inferWindow(node, x, ins[1]);
  if (op === "ConvTranspose") return [like(convTransposeShape(node, x?.shape, ins[1]?.shape))];
  if (GLOBAL_POOLS.has(op)) return [like(x?.shape ? [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)] : undefined)];
  if (op === "Flatten") return [like(x?.shape ? flatten(x.shape, intAttr(node, "axis", 1)) : undefined)];
  if (op === "Gemm") return [like(gemmShape(node, x?.shape, ins[1]?.shape))];
  if (op === "MatMul") return [like(x?.shape && ins[1]?.shape ? matmulShape(x.shape, ins[1].shape) : undefined)];
  if (op === "Concat") return [like(concatShape(ctx, node, ins.map((i) => i?.shape)))];
  if (op === "Transpose") {
    const perm = intsAttr(node, "perm") ?? x?.shape?.map((_, i, a) => a.length - 1 - i);
    return [like(x?.shape && perm ? perm.map((p) => x.shape![p]) : undefined)];
  }
  if (op === "Reshape") return [like(reshapeShape(x?.shape, ctx.consts.get(node.inputs[1])))];
  if (REDUCE.has(op)) return [like(reduceShape(ctx, node, x?.shape))];
  if (op === "Squeeze" || op === "Unsqueeze") return [like(squeezeShape(ctx, node, x?.shape))];
  if (op === "Shape") return shapeOp(ctx, node, x?.shape);
  if (op === "Gather") return [like(gatherShape(ctx, node, x?.shape, ins[1]?.shape))];
  if (op === "Constant") return constantOp(ctx, node);
  if (op === "Pad") return [like(padShape(ctx, node, x?.shape))];
  return [];
}

/** numpy broadcasting with symbolic dims; sizes that cannot broadcast throw, which {@link inferShapes} turns into an unknown shape. */
export function broadcast(a: Dim[], b: Dim[]): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db) out.push(da);
    else if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else if (typeof da === "number" && typeof db !== "number") out.push(da);
    else if (typeof db === "number" && typeof da !== "number") out.push(db);
    else if (typeof da === "number" && typeof db === "number") throw new RangeError(`cannot broadcast ${da} with ${db}`);
    else out.push(null);
  }
  return out;
}

function inferWindow(node: NodeIR, x: ValueShape | undefined, w: ValueShape | undefined): (ValueShape | undefined)[] {
  const xs = x?.shape;
  if (!xs) return [];
  const spatial = xs.length - 2;
  const kernel = intsAttr(node, "kernel_shape") ?? (w?.shape ? (w.shape.slice(2) as Dim[]) : undefined);
  if (!kernel) return [];
  const strides = intsAttr(node, "strides") ?? Array(spatial).fill(1);
  const dil = intsAttr(node, "dilations") ?? Array(spatial).fill(1);
  const pads = intsAttr(node, "pads") ?? Array(spatial * 2).fill(0);
  const autoPad = attr(node, "auto_pad", "string") ?? "NOTSET";
  const ceil = intAttr(node, "ceil_mode", 0) === 1;
  const out: Dim[] = [xs[0], node.opType === "Conv" ? (w?.shape?.[0] ?? null) : xs[1]];
  for (let i = 0; i < spatial; i++) {
    const d = xs[2 + i];
    const k = kernel[i];
    if (typeof d !== "number" || typeof k !== "number") {
      out.push(null);
      continue;
    }
    const ek = dil[i] * (k - 1) + 1;
    if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") out.push(Math.ceil(d / strides[i]));
    else if (autoPad === "VALID") out.push(Math.floor((d - ek) / strides[i]) + 1);
    else {
      const span = d + pads[i] + pads[i + spatial] - ek;
      out.push((ceil ? Math.ceil(span / strides[i]) : Math.floor(span / strides[i])) + 1);
    }
  }
  const y = { elemType: x!.elemType, shape: out };
  return node.opType === "MaxPool" ? [y, { elemType: DataType.INT64, shape: out }] : [y];
}

function convTransposeShape(node: NodeIR, xs: Dim[] | undefined, ws: Dim[] | undefined): Dim[] | undefined {
  if (!xs || !ws) return undefined;
  const spatial = xs.length - 2;
  const group = intAttr(node, "group", 1);
  const c = typeof ws[1] === "number" ? ws[1] * group : null;
  const explicit = intsAttr(node, "output_shape");
  if (explicit) return [xs[0], c, ...explicit.slice(-spatial)];
  const strides = intsAttr(node, "strides") ?? Array(spatial).fill(1);
  const dil = intsAttr(node, "dilations") ?? Array(spatial).fill(1);
  const pads = intsAttr(node, "pads") ?? Array(spatial * 2).fill(0);
  const outPad = intsAttr(node, "output_padding") ?? Array(spatial).fill(0);
  const out: Dim[] = [xs[0], c];
  for (let i = 0; i < spatial; i++) {
    const d = xs[2 + i];
    const k = ws[2 + i];
    out.push(typeof d === "number" && typeof k === "number" ? strides[i] * (d - 1) + outPad[i] + (k - 1) * dil[i] + 1 - pads[i] - pads[i + spatial] : null);
  }
  return out;
}

function product(dims: Dim[]): Dim {
  if (dims.length === 1) return dims[0];
  let p = 1;
  for (const d of dims) {
    if (typeof d !== "number") return null;
    p *= d;
  }
  return p;
}

function flatten(shape: Dim[], axis: number): Dim[] {
  const a = axis < 0 ? axis + shape.length : axis;
  return [a === 0 ? 1 : product(shape.slice(0, a)), a === shape.length ? 1 : product(shape.slice(a))];
}

function gemmShape(node: NodeIR, a: Dim[] | undefined, b: Dim[] | undefined): Dim[] | undefined {
  if (!a || !b) return undefined;
  const m = intAttr(node, "transA", 0) ? a[1] : a[0];
  const n = intAttr(node, "transB", 0) ? b[0] : b[1];
  return [m, n];
}

function matmulShape(a: Dim[], b: Dim[]): Dim[] {
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const batch = broadcast(a2.slice(0, -2), b2.slice(0, -2));
  const out = [...batch, a2[a2.length - 2], b2[b2.length - 1]];
  if (a.length === 1) out.splice(out.length - 2, 1);
  if (b.length === 1) out.pop();
  return out;
}

function concatShape(ctx: Ctx, node: NodeIR, shapes: (Dim[] | undefined)[]): Dim[] | undefined {
  const values = node.inputs.map((n) => ctx.consts.get(n));
  if (values.every((v) => v !== undefined)) ctx.consts.set(node.outputs[0], values.flat() as Dim[]);
  if (shapes.some((s) => !s)) return undefined;
  const first = shapes[0]!;
  const axis = ((intAttr(node, "axis", 0) % first.length) + first.length) % first.length;
  const out = first.slice();
  const dims = shapes.map((s) => s![axis]);
  out[axis] = dims.every((d) => typeof d === "number") ? (dims as number[]).reduce((sum, d) => sum + d, 0) : null;
  return out;
}

function reshapeShape(xs: Dim[] | undefined, target: Dim[] | undefined): Dim[] | undefined {
  if (!target) return undefined;
  const out = target.map((d, i) => (d === 0 && xs ? xs[i] : d));
  const minus = out.indexOf(-1);
  if (minus >= 0) {
    const total = xs ? product(xs) : null;
    const rest = product(out.filter((_, i) => i !== minus));
    if (typeof total === "number" && typeof rest === "number") out[minus] = total / rest;
    else if (xs && rest !== null) {
      // total is symbolic only through its batch dim: [N, a, b] → [N, -1] gives a·b
      const known = out.filter((_, i) => i !== minus);
      const remaining = xs.filter((d) => !known.includes(d));
      out[minus] = product(remaining);
    } else out[minus] = null;
  }
  return out;
}

function axesOf(ctx: Ctx, node: NodeIR, inputIndex: number): number[] | undefined {
  const a = intsAttr(node, "axes");
  if (a) return a;
  const c = node.inputs[inputIndex] ? ctx.consts.get(node.inputs[inputIndex]) : undefined;
  return c?.every((v) => typeof v === "number") ? (c as number[]) : undefined;
}

function reduceShape(ctx: Ctx, node: NodeIR, xs: Dim[] | undefined): Dim[] | undefined {
  if (!xs) return undefined;
  const keep = intAttr(node, "keepdims", 1) === 1;
  const axes = (axesOf(ctx, node, 1) ?? (intAttr(node, "noop_with_empty_axes", 0) ? [] : xs.map((_, i) => i))).map((a) => (a + xs.length) % xs.length);
  return keep ? xs.map((d, i) => (axes.includes(i) ? 1 : d)) : xs.filter((_, i) => !axes.includes(i));
}

function squeezeShape(ctx: Ctx, node: NodeIR, xs: Dim[] | undefined): Dim[] | undefined {
  const axes = axesOf(ctx, node, 1);
  const xv = ctx.consts.get(node.inputs[0]);
  if (xv) ctx.consts.set(node.outputs[0], xv);
  if (!xs) return undefined;
  if (node.opType === "Squeeze") {
    if (!axes) return xs.filter((d) => d !== 1);
    const norm = axes.map((a) => (a + xs.length) % xs.length);
    return xs.filter((_, i) => !norm.includes(i));
  }
  if (!axes) return undefined;
  const rank = xs.length + axes.length;
  const norm = axes.map((a) => (a + rank) % rank);
  const out: Dim[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(norm.includes(i) ? 1 : xs[j++]);
  return out;
}

function shapeOp(ctx: Ctx, node: NodeIR, xs: Dim[] | undefined): ValueShape[] {
  if (!xs) return [{ elemType: DataType.INT64, shape: [null] }];
  const start = intAttr(node, "start", 0);
  const end = intAttr(node, "end", xs.length);
  const value = xs.slice(start < 0 ? start + xs.length : start, end < 0 ? end + xs.length : end);
  ctx.consts.set(node.outputs[0], value);
  return [{ elemType: DataType.INT64, shape: [value.length] }];
}

function gatherShape(ctx: Ctx, node: NodeIR, xs: Dim[] | undefined, is: Dim[] | undefined): Dim[] | undefined {
  const axis = intAttr(node, "axis", 0);
  const data = ctx.consts.get(node.inputs[0]);
  const idx = ctx.consts.get(node.inputs[1]);
  if (data && idx && axis === 0 && idx.every((i) => typeof i === "number")) {
    ctx.consts.set(node.outputs[0], (idx as number[]).map((i) => data[i < 0 ? i + data.length : i]));
  }
  if (!xs || !is) return undefined;
  const a = axis < 0 ? axis + xs.length : axis;
  return [...xs.slice(0, a), ...is, ...xs.slice(a + 1)];
}

function constantOp(ctx: Ctx, node: NodeIR): ValueShape[] {
  const t = attr(node, "value", "tensor");
  if (t) {
    addTensor(ctx, { ...t, name: node.outputs[0] });
    return [ctx.shapes.get(node.outputs[0])!];
  }
  const ints = attr(node, "value_ints", "ints");
  if (ints) {
    ctx.consts.set(node.outputs[0], ints.map(toSafeNumber));
    return [{ elemType: DataType.INT64, shape: [ints.length] }];
  }
  const i = attr(node, "value_int", "int");
  if (i !== undefined) {
    ctx.consts.set(node.outputs[0], [toSafeNumber(i)]);
    return [{ elemType: DataType.INT64, shape: [] }];
  }
  if (attr(node, "value_float", "float") !== undefined) return [{ elemType: DataType.FLOAT, shape: [] }];
  const floats = attr(node, "value_floats", "floats");
  return floats ? [{ elemType: DataType.FLOAT, shape: [floats.length] }] : [];
}

function padShape(ctx: Ctx, node: NodeIR, xs: Dim[] | undefined): Dim[] | undefined {
  const pads = intsAttr(node, "pads") ?? ctx.consts.get(node.inputs[1]);
  if (!xs || !pads || pads.some((p) => typeof p !== "number")) return undefined;
  const p = pads as number[];
  return xs.map((d, i) => (typeof d === "number" ? d + p[i] + p[i + xs.length] : d));
}

/** Integer arithmetic on known small constants (sizes computed from Shape outputs). */
function evalConstBinary(ctx: Ctx, node: NodeIR): void {
  const [a, b] = node.inputs.map((n) => ctx.consts.get(n));
  if (!a || !b || !["Add", "Sub", "Mul", "Div"].includes(node.opType)) return;
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length === 1 ? 0 : i];
    const y = b[b.length === 1 ? 0 : i];
    if (typeof x !== "number" || typeof y !== "number") return;
    out.push(node.opType === "Add" ? x + y : node.opType === "Sub" ? x - y : node.opType === "Mul" ? x * y : Math.trunc(x / y));
  }
  ctx.consts.set(node.outputs[0], out);
}

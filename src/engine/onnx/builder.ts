/**
 * Builds ONNX classifier graphs from TypeScript, named as `torch.onnx.export` (PyTorch 1.13) names
 * them, so that our models and PyTorch's look alike in a layer list: a layer called "layer1.0.conv1"
 * becomes node `/layer1/layer1.0/conv1/Conv` with output `/layer1/layer1.0/conv1/Conv_output_0` and
 * initializers `layer1.0.conv1.weight`, `layer1.0.conv1.bias`; a module called a second time gets
 * scope `relu_1`. Each value's static shape is tracked (numbers, and a string such as "N" for a
 * symbolic batch), so layers know their input channels and features.
 *
 * @example
 * const b = new GraphBuilder({ seed: 0 });
 * let x = b.input("input", ["N", 1, 28, 28]);
 * x = b.conv2d(x, { name: "conv1", outChannels: 16, kernel: 3, padding: 1 }); // "/conv1/Conv_output_0"
 * x = b.relu(x, { name: "relu1" });
 * x = b.flatten(x, { name: "flatten" });
 * b.shape(x) // ["N", 12544]
 * b.output(b.dense(x, { name: "fc", units: 10 }), "output");
 * const model = b.build(); // opset 13, ir_version 7, as PyTorch 1.13 exports
 */
import { createRng, type Rng } from "../../util/rng.js";
import { fans, initBias, initWeight, WEIGHT_INITS } from "./paramInit.js";
import { type AttributeIR, DataType, type ModelIR, type NodeIR, type TensorIR, type ValueInfoIR } from "./ir.js";
import {
  type AvgPoolOptions, type AxisOptions, type BatchNormOptions, type BuildOptions, type Conv2dOptions, type DenseOptions, type DropoutOptions,
  GRAPH_BUILDER_DEFAULTS, type GraphBuilderOptions, LAYER_DEFAULTS, type LayerOptions, type LeakyReluOptions, type PoolOptions, type ReshapeOptions,
} from "./builderOptions.js";
import {
  Problems, type Shape, broadcastShapes, ceilWindowInPadding, fmtShape, nchw, product, reshapeTarget, scopeAtoms, type Value, windowOut,
} from "./builderShapes.js";

export * from "./builderOptions.js";
export type { Pair, Shape } from "./builderShapes.js";
export type { WeightInit } from "./paramInit.js";

interface Layer { label: string; path: string }

const IR_VERSION = (opset: number): number => (opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10);
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;

export class GraphBuilder {
  readonly opset: number;
  private readonly rng: Rng;
  private readonly graphName: string;
  private readonly nodes: NodeIR[] = [];
  private readonly initializers: TensorIR[] = [];
  private readonly inputs: string[] = [];
  private readonly outputs: string[] = [];
  private readonly shapes = new Map<string, Shape>();
  private readonly aliases = new Map<string, string>();
  private readonly calls = new Map<string, number>();
  private readonly nodeNames = new Set<string>();
  private readonly trainables: string[] = [];

  constructor(options: GraphBuilderOptions = {}) {
    const o = { ...GRAPH_BUILDER_DEFAULTS, ...options };
    const p = new Problems("GraphBuilder");
    p.int("seed", o.seed, Number.MIN_SAFE_INTEGER);
    p.int("opset", o.opset, 13, 21);
    p.throwIfAny();
    this.opset = o.opset;
    this.graphName = o.graphName;
    this.rng = createRng(o.seed);
  }

  /** Declares a float32 graph input. */
  input(name: string, shape: Shape): string {
    const p = new Problems(`input '${name}'`);
    if (typeof name !== "string" || name === "") p.kind(`name must be a non-empty string, got ${JSON.stringify(name)}`);
    else if (this.shapes.has(name)) p.add("a value of that name already exists");
    if (!Array.isArray(shape) || shape.length === 0) p.kind(`shape must be a non-empty array of sizes and symbolic names, got ${JSON.stringify(shape)}`);
    else {
      for (const [i, d] of shape.entries()) {
        if (typeof d === "string" ? d === "" : !(Number.isInteger(d) && d > 0)) p.add(`shape[${i}] must be a positive integer or a name such as "N", got ${JSON.stringify(d)}`);
      }
    }
    p.throwIfAny();
    this.inputs.push(name);
    this.shapes.set(name, [...shape]);
    return name;
  }

  /**
   * Makes `x` a graph output. With a `name`, the node that computes `x` writes it under that name
   * (as PyTorch's export does), or an Identity does when `x` is a graph input or already an output.
   */
  output(x: string, name?: string): string {
    const v = this.value({ label: "output", path: "" }, x);
    if (name === undefined || name === v.name) {
      if (!this.outputs.includes(v.name)) this.outputs.push(v.name);
      return v.name;
    }
    if (typeof name !== "string" || name === "" || this.shapes.has(name)) {
      throw new RangeError(`output: name must be a new, non-empty value name, got ${JSON.stringify(name)}`);
    }
    const producer = this.nodes.find((n) => n.outputs.includes(v.name));
    if (!producer || this.outputs.includes(v.name)) {
      this.push("", "Identity", [v.name], [], v.shape, name);
    } else {
      producer.outputs = producer.outputs.map((o) => (o === v.name ? name : o));
      for (const n of this.nodes) n.inputs = n.inputs.map((i) => (i === v.name ? name : i));
      this.shapes.delete(v.name);
      this.shapes.set(name, v.shape);
      this.aliases.set(v.name, name);
    }
    this.outputs.push(name);
    return name;
  }

  /** The tracked shape of a value. */
  shape(x: string): Shape {
    return [...this.value({ label: "shape", path: "" }, x).shape];
  }

  /** Names of the initializers a trainer should update (weights and biases, not running statistics or constants). */
  trainable(): string[] {
    return [...this.trainables];
  }

  conv2d(x: string, o: Conv2dOptions): string {
    const D = LAYER_DEFAULTS.conv2d;
    const { L, p, v } = this.begin("conv2d", o, true, x);
    const outC = p.int("outChannels", o.outChannels, 1);
    const k = p.pair("kernel", o.kernel, 1), s = p.pair("stride", o.stride ?? D.stride, 1);
    const pad = p.pair("padding", o.padding ?? D.padding, 0), dil = p.pair("dilation", o.dilation ?? D.dilation, 1);
    const groups = p.int("groups", o.groups ?? D.groups, 1);
    const bias = p.bool("bias", o.bias ?? D.bias);
    const init = p.oneOf("init", o.init ?? D.init, WEIGHT_INITS);
    const [n, c, h, w] = nchw(p, v) ?? [0, groups, 0, 0];
    if (c % groups !== 0) p.add(`input '${v.name}' has ${c} channels (shape ${fmtShape(v.shape)}), not divisible by groups=${groups}`);
    if (outC % groups !== 0) p.add(`outChannels ${outC} is not divisible by groups=${groups}`);
    const oh = windowOut(h, k[0], s[0], pad[0], dil[0], false), ow = windowOut(w, k[1], s[1], pad[1], dil[1], false);
    if (h > 0 && (oh < 1 || ow < 1)) p.add(`kernel ${k.join("×")} (dilation ${dil.join("×")}) does not fit the ${h}×${w} input with padding ${pad.join(",")}`);
    p.throwIfAny();
    const dims = [outC, c / groups, k[0], k[1]];
    const inputs = [v.name, this.param(L, "weight", dims, initWeight(dims, init, this.rng))];
    if (bias) inputs.push(this.param(L, "bias", [outC], initBias(outC, fans(dims).fanIn, this.rng)));
    const attrs = [ints("dilations", dil), int("group", groups), ints("kernel_shape", k), ints("pads", [...pad, ...pad]), ints("strides", s)];
    return this.push(this.open(L), "Conv", inputs, attrs, [n, outC, oh, ow]);
  }

  dense(x: string, o: DenseOptions): string {
    const { L, p, v } = this.begin("dense", o, true, x);
    const units = p.int("units", o.units, 1);
    const bias = p.bool("bias", o.bias ?? LAYER_DEFAULTS.dense.bias);
    const init = p.oneOf("init", o.init ?? LAYER_DEFAULTS.dense.init, WEIGHT_INITS);
    if (v.shape.length !== 2 || typeof v.shape[1] !== "number") {
      p.add(`expects a 2-D input [batch, features], got '${v.name}' of shape ${fmtShape(v.shape)}; flatten it first (b.flatten)`);
    }
    p.throwIfAny();
    const dims = [units, v.shape[1] as number];
    const inputs = [v.name, this.param(L, "weight", dims, initWeight(dims, init, this.rng))];
    if (bias) inputs.push(this.param(L, "bias", [units], initBias(units, dims[1], this.rng)));
    const attrs = [float("alpha", 1), float("beta", 1), int("transB", 1)];
    return this.push(this.open(L), "Gemm", inputs, attrs, [v.shape[0], units]);
  }

  relu(x: string, o: LayerOptions): string { return this.unary("relu", "Relu", x, o); }
  sigmoid(x: string, o: LayerOptions): string { return this.unary("sigmoid", "Sigmoid", x, o); }
  tanh(x: string, o: LayerOptions): string { return this.unary("tanh", "Tanh", x, o); }
  identity(x: string, o: LayerOptions): string { return this.unary("identity", "Identity", x, o); }

  leakyRelu(x: string, o: LeakyReluOptions): string {
    const alpha = o.alpha ?? LAYER_DEFAULTS.leakyRelu.alpha;
    return this.unary("leakyRelu", "LeakyRelu", x, o, (p) => [float("alpha", p.num("alpha", alpha, -Infinity, Infinity))]);
  }

  /** min(max(x, 0), 6): Clip with its bounds as scalar initializer inputs (opset ≥ 11 form). */
  relu6(x: string, o: LayerOptions): string {
    const { L, v } = this.begin("relu6", o, false, x);
    const scope = this.open(L);
    const node = this.nodeName(scope, "Clip");
    const lo = this.constant(`${node}_min`, [], Float32Array.of(0));
    const hi = this.constant(`${node}_max`, [], Float32Array.of(6));
    return this.push(scope, "Clip", [v.name, lo, hi], [], v.shape);
  }

  /** x·relu6(x + 3)/6 (Howard et al. 2019, MobileNetV3, eq. 2): HardSwish from opset 14, else HardSigmoid and Mul as PyTorch exports it. */
  hardSwish(x: string, o: LayerOptions): string {
    if (this.opset >= 14) return this.unary("hardSwish", "HardSwish", x, o);
    const { L, v } = this.begin("hardSwish", o, false, x);
    const scope = this.open(L);
    const hs = this.push(scope, "HardSigmoid", [v.name], [float("alpha", 1 / 6), float("beta", 0.5)], v.shape);
    return this.push(scope, "Mul", [v.name, hs], [], v.shape);
  }

  maxPool(x: string, o: PoolOptions): string { return this.pool("maxPool", "MaxPool", x, o); }
  avgPool(x: string, o: AvgPoolOptions): string { return this.pool("avgPool", "AveragePool", x, o); }

  globalAvgPool(x: string, o: LayerOptions): string {
    const { L, p, v } = this.begin("globalAvgPool", o, false, x);
    const [n, c] = nchw(p, v) ?? [0, 0];
    p.throwIfAny();
    return this.push(this.open(L), "GlobalAveragePool", [v.name], [], [n, c, 1, 1]);
  }

  /** BatchNormalization (Ioffe & Szegedy 2015, Alg. 1) with weight 1, bias 0, running mean 0 and variance 1, as PyTorch starts. */
  batchNorm(x: string, o: BatchNormOptions): string {
    const { L, p, v } = this.begin("batchNorm", o, true, x);
    const eps = p.num("epsilon", o.epsilon ?? LAYER_DEFAULTS.batchNorm.epsilon, 0, Infinity, true);
    const momentum = p.num("momentum", o.momentum ?? LAYER_DEFAULTS.batchNorm.momentum, 0, 1);
    const c = v.shape[1];
    if (v.shape.length < 2 || typeof c !== "number") p.add(`expects an input [batch, channels, …] with a known channel count, got '${v.name}' of shape ${fmtShape(v.shape)}`);
    p.throwIfAny();
    const C = c as number;
    const inputs = [v.name, this.param(L, "weight", [C], new Float32Array(C).fill(1)), this.param(L, "bias", [C], new Float32Array(C))];
    inputs.push(this.param(L, "running_mean", [C], new Float32Array(C), false), this.param(L, "running_var", [C], new Float32Array(C).fill(1), false));
    return this.push(this.open(L), "BatchNormalization", inputs, [float("epsilon", eps), float("momentum", momentum)], v.shape);
  }

  /**
   * Dropout (Srivastava et al. 2014) with its ratio as a scalar initializer input (opset ≥ 12 form).
   * NOTE: no training_mode input, so the node is the identity at inference; a training graph adds it.
   */
  dropout(x: string, o: DropoutOptions): string {
    const { L, p, v } = this.begin("dropout", o, false, x);
    const rate = p.num("rate", o.rate, 0, 1, false, true);
    p.throwIfAny();
    const scope = this.open(L);
    const ratio = this.constant(`${this.nodeName(scope, "Dropout")}_ratio`, [], Float32Array.of(rate));
    return this.push(scope, "Dropout", [v.name, ratio], [], v.shape);
  }

  flatten(x: string, o: AxisOptions): string {
    const { L, p, v } = this.begin("flatten", o, false, x);
    const axis = p.axis(o.axis ?? LAYER_DEFAULTS.flatten.axis, v.shape.length, true);
    const out = [product(v.shape.slice(0, axis)), product(v.shape.slice(axis))];
    if (out.includes(null)) p.add(`cannot track the flattened shape of ${fmtShape(v.shape)} at axis ${axis}: it multiplies a symbolic size`);
    p.throwIfAny();
    return this.push(this.open(L), "Flatten", [v.name], [int("axis", axis)], out as Shape);
  }

  reshape(x: string, o: ReshapeOptions): string {
    const { L, p, v } = this.begin("reshape", o, false, x);
    const out = reshapeTarget(p, v.shape, o.shape);
    p.throwIfAny();
    const scope = this.open(L);
    const shape = this.constant(`${this.nodeName(scope, "Reshape")}_shape`, [o.shape.length], BigInt64Array.from(o.shape, BigInt));
    return this.push(scope, "Reshape", [v.name, shape], [], out);
  }

  /** Elementwise a + b with NumPy broadcasting; `name` is usually the enclosing block ("layer1.0"). */
  add(a: string, b: string, o: LayerOptions): string {
    const L = this.layer("add", o, false);
    const p = new Problems(L.label);
    const va = this.value(L, a), vb = this.value(L, b);
    const out = broadcastShapes(p, va, vb);
    p.throwIfAny();
    return this.push(this.open(L), "Add", [va.name, vb.name], [], out);
  }

  concat(xs: string[], o: AxisOptions): string {
    const L = this.layer("concat", o, false);
    if (!Array.isArray(xs) || xs.length === 0) throw new TypeError(`${L.label}: expects a non-empty array of values, got ${JSON.stringify(xs)}`);
    const p = new Problems(L.label);
    const vs = xs.map((x) => this.value(L, x));
    const rank = vs[0].shape.length;
    const axis = p.axis(o.axis ?? LAYER_DEFAULTS.concat.axis, rank, false);
    const out = [...vs[0].shape];
    for (const v of vs.slice(1)) {
      const same = v.shape.length === rank && v.shape.every((d, i) => i === axis || d === out[i]);
      if (!same) p.add(`'${v.name}' of shape ${fmtShape(v.shape)} does not match ${fmtShape(vs[0].shape)} outside axis ${axis}`);
      else if (typeof v.shape[axis] !== "number" || typeof out[axis] !== "number") p.add(`cannot concatenate along the symbolic axis ${axis}`);
      else out[axis] = (out[axis] as number) + (v.shape[axis] as number);
    }
    p.throwIfAny();
    return this.push(this.open(L), "Concat", vs.map((v) => v.name), [int("axis", axis)], out);
  }

  softmax(x: string, o: AxisOptions): string { return this.softmaxLike("softmax", "Softmax", x, o); }
  logSoftmax(x: string, o: AxisOptions): string { return this.softmaxLike("logSoftmax", "LogSoftmax", x, o); }

  /** The model: opset `this.opset`, float32 inputs and outputs with their tracked shapes. */
  build(options: BuildOptions = {}): ModelIR {
    if (this.inputs.length === 0) throw new Error("GraphBuilder.build(): the graph has no input; declare one with b.input(name, shape)");
    if (this.outputs.length === 0) throw new Error("GraphBuilder.build(): the graph has no output; mark one with b.output(x, name)");
    const info = (name: string): ValueInfoIR => ({ name, type: { kind: "tensor", elemType: DataType.FLOAT, shape: [...this.shapes.get(name)!] } });
    const io = new Set([...this.inputs, ...this.outputs]);
    const valueInfo = options.valueInfo ? this.nodes.flatMap((n) => n.outputs).filter((v) => !io.has(v)).map(info) : [];
    return structuredClone({
      irVersion: IR_VERSION(this.opset),
      opsetImports: [{ domain: "", version: this.opset }],
      producerName: "featurelens",
      producerVersion: options.producerVersion ?? "",
      domain: "",
      modelVersion: 0,
      docString: options.docString ?? "",
      graph: {
        name: this.graphName, nodes: this.nodes, initializers: this.initializers,
        inputs: this.inputs.map(info), outputs: this.outputs.map(info), valueInfo,
      },
      metadata: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    });
  }

  // ---- internals ---------------------------------------------------------------------------------

  private unary(kind: string, op: string, x: string, o: LayerOptions, attrs?: (p: Problems) => AttributeIR[]): string {
    const { L, p, v } = this.begin(kind, o, false, x);
    const a = attrs ? attrs(p) : [];
    p.throwIfAny();
    return this.push(this.open(L), op, [v.name], a, v.shape);
  }

  private softmaxLike(kind: string, op: string, x: string, o: AxisOptions): string {
    const { L, p, v } = this.begin(kind, o, false, x);
    const axis = p.axis(o.axis ?? LAYER_DEFAULTS.softmax.axis, v.shape.length, false);
    p.throwIfAny();
    return this.push(this.open(L), op, [v.name], [int("axis", axis)], v.shape);
  }

  private pool(kind: string, op: "MaxPool" | "AveragePool", x: string, o: AvgPoolOptions): string {
    const D = LAYER_DEFAULTS.pool;
    const { L, p, v } = this.begin(kind, o, false, x);
    const k = p.pair("kernel", o.kernel, 1), s = p.pair("stride", o.stride ?? o.kernel, 1), pad = p.pair("padding", o.padding ?? D.padding, 0);
    const ceil = p.bool("ceilMode", o.ceilMode ?? D.ceilMode);
    const countPad = p.bool("countIncludePad", o.countIncludePad ?? D.countIncludePad);
    if (pad.some((q, i) => 2 * q > k[i])) p.add(`padding ${pad.join(",")} must be at most half the kernel ${k.join("×")}`);
    const [n, c, h, w] = nchw(p, v) ?? [0, 0, 0, 0];
    const oh = windowOut(h, k[0], s[0], pad[0], 1, ceil), ow = windowOut(w, k[1], s[1], pad[1], 1, ceil);
    if (h > 0 && (oh < 1 || ow < 1)) p.add(`kernel ${k.join("×")} does not fit the ${h}×${w} input of '${v.name}'`);
    if (ceil && h > 0 && [h, w].some((size, i) => ceilWindowInPadding(size, k[i], s[i], pad[i]))) {
      p.add(`with ceilMode a last window would lie wholly in the padding of the ${h}×${w} input: PyTorch and ONNX Runtime drop it, ONNX shape inference keeps it, so the output size is ambiguous; change padding, stride or ceilMode`);
    }
    p.throwIfAny();
    const attrs = [int("ceil_mode", ceil ? 1 : 0), ints("kernel_shape", k), ints("pads", [...pad, ...pad]), ints("strides", s)];
    if (op === "AveragePool") attrs.splice(1, 0, int("count_include_pad", countPad ? 1 : 0));
    return this.push(this.open(L), op, [v.name], attrs, [n, c, oh, ow]);
  }

  /** Checks a layer's name and resolves its input, without changing anything yet. */
  private begin(kind: string, o: LayerOptions, params: boolean, x: string): { L: Layer; p: Problems; v: Value } {
    const L = this.layer(kind, o, params);
    return { L, p: new Problems(L.label), v: this.value(L, x) };
  }

  /** Checks a layer's name (without changing anything yet). */
  private layer(kind: string, o: LayerOptions, params: boolean): Layer {
    const name: unknown = o?.name;
    if (typeof name !== "string") throw new TypeError(`${kind}: options.name must be a module path such as "conv1" or "layer1.0.conv1", got ${JSON.stringify(name)}`);
    const label = `${kind} '${name}'`;
    if (name !== "" && !PATH.test(name)) throw new RangeError(`${label}: name must be dot-separated identifiers such as "layer1.0.conv1"`);
    if (params && name === "") throw new RangeError(`${kind}: a layer with parameters needs a non-empty name (its parameters are named "<name>.weight" …)`);
    if (params && this.shapes.has(`${name}.weight`)) {
      throw new RangeError(`${label}: parameters named '${name}.*' already exist; give each layer with parameters its own name`);
    }
    return { label, path: name };
  }

  /** The scope of one call of a module, as torch.onnx names it (see {@link scopeAtoms}). */
  private open(L: Layer): string {
    const atoms = scopeAtoms(L.path);
    const n = this.calls.get(L.path) ?? 0;
    this.calls.set(L.path, n + 1);
    const container = L.path === "" || [...this.calls.keys()].some((q) => q.startsWith(`${L.path}.`));
    // A leaf module called again gets a new scope (relu → relu_1); ops in a container are numbered (Add_1) by nodeName.
    if (n > 0 && !container) atoms[atoms.length - 1] += `_${n}`;
    return atoms.length ? `/${atoms.join("/")}` : "";
  }

  private nodeName(scope: string, op: string): string {
    let name = `${scope}/${op}`;
    for (let i = 1; this.nodeNames.has(name); i++) name = `${scope}/${op}_${i}`;
    return name;
  }

  private push(scope: string, op: string, inputs: string[], attributes: AttributeIR[], shape: Shape, output?: string): string {
    const name = this.nodeName(scope, op);
    const out = output ?? `${name}_output_0`;
    this.nodeNames.add(name);
    this.nodes.push({ name, opType: op, domain: "", inputs, outputs: [out], attributes });
    this.shapes.set(out, shape);
    return out;
  }

  private value(L: Layer, x: string): Value {
    if (typeof x !== "string") throw new TypeError(`${L.label}: inputs are value names (strings), got ${JSON.stringify(x)}`);
    let name = x;
    while (this.aliases.has(name)) name = this.aliases.get(name)!;
    const shape = this.shapes.get(name);
    if (!shape) {
      const last = this.nodes.at(-1)?.outputs[0] ?? this.inputs.at(-1);
      throw new Error(`${L.label}: no value named '${x}' in this graph; use a name that b.input() or a layer returned${last ? ` (the last one is '${last}')` : ""}`);
    }
    return { name, shape };
  }

  private param(L: Layer, suffix: string, dims: number[], data: Float32Array, trainable = true): string {
    const name = `${L.path}.${suffix}`;
    if (trainable) this.trainables.push(name);
    return this.constant(name, dims, data);
  }

  private constant(name: string, dims: number[], data: Float32Array | BigInt64Array): string {
    if (this.shapes.has(name)) throw new RangeError(`initializer '${name}' would replace a value of that name; rename the graph input`);
    const raw = new Uint8Array(data.length * data.BYTES_PER_ELEMENT);
    const view = new DataView(raw.buffer);
    if (data instanceof Float32Array) data.forEach((d, i) => view.setFloat32(4 * i, d, true));
    else data.forEach((d, i) => view.setBigInt64(8 * i, d, true));
    this.initializers.push({ name, dataType: data instanceof Float32Array ? DataType.FLOAT : DataType.INT64, dims, raw });
    this.shapes.set(name, dims);
    return name;
  }
}

const int = (name: string, value: number): AttributeIR => ({ name, value: { type: "int", value } });
const ints = (name: string, value: number[]): AttributeIR => ({ name, value: { type: "ints", value } });
const float = (name: string, value: number): AttributeIR => ({ name, value: { type: "float", value } });

import { ModelError } from "../../util/errors.js";
import { DataType, type Dim, type GraphIR, type ModelIR, type NodeIR, type ValueInfoIR } from "./ir.js";
import { inferShapes, type ValueShape } from "./shapeInference.js";

/**
 * Opening a classifier up: the layers a person would name, any values as extra outputs, the logits
 * and the penultimate ("last feature vector") layer, found the way a person reading the graph would.
 */

export type LayerKind = "conv" | "activation" | "pool" | "norm" | "dense" | "add" | "concat" | "reshape" | "dropout" | "softmax" | "other";

const KIND_OF_OP: Record<string, LayerKind> = {
  Conv: "conv", ConvTranspose: "conv",
  Relu: "activation", LeakyRelu: "activation", PRelu: "activation", Sigmoid: "activation", Tanh: "activation", Clip: "activation",
  HardSwish: "activation", HardSigmoid: "activation", Elu: "activation", Selu: "activation", Gelu: "activation", Softplus: "activation",
  Mish: "activation", Celu: "activation",
  MaxPool: "pool", AveragePool: "pool", GlobalAveragePool: "pool", GlobalMaxPool: "pool", LpPool: "pool",
  BatchNormalization: "norm", InstanceNormalization: "norm", LayerNormalization: "norm", LRN: "norm",
  Gemm: "dense", MatMul: "dense",
  Add: "add", Sum: "add", Mul: "other",
  Concat: "concat",
  Flatten: "reshape", Reshape: "reshape", Transpose: "reshape", Squeeze: "reshape",
  Dropout: "dropout",
  Softmax: "softmax", LogSoftmax: "softmax",
};

/** Ops that compute shapes or constants, not features: never listed as layers. */
const PLUMBING = new Set(["Constant", "Identity", "Shape", "Gather", "Unsqueeze", "Cast", "ConstantOfShape", "Range", "Slice", "Equal", "Where", "Expand"]);

export interface Layer {
  /** Position in the list. */
  index: number;
  /** The node's name as the graph gives it (PyTorch: "/layer1/layer1.0/relu/Relu"), else its output's. */
  name: string;
  op: string;
  kind: LayerKind;
  /** The value the layer outputs: what `extract --layer` reads. */
  output: string;
  /** Output shape for the batch dim asked for (symbolic "N" by default). */
  shape: Dim[] | undefined;
  /** Number of trained parameters (initializer elements) the node reads. */
  params: number;
}

/**
 * The layers of a model in graph order, with output shapes.
 * @example listLayers(model).map((l) => l.name).slice(0, 2) // ["/conv1/Conv", "/relu1/Relu"]
 */
export function listLayers(model: ModelIR, shapes: Map<string, ValueShape> = inferShapes(model)): Layer[] {
  // Scalars (a Dropout ratio, Clip bounds) are settings, not trained parameters.
  const init = new Map(model.graph.initializers.map((t) => [t.name, t.dims.length === 0 ? 0 : t.dims.reduce((a, b) => a * b, 1)]));
  const layers: Layer[] = [];
  for (const node of model.graph.nodes) {
    if (PLUMBING.has(node.opType)) continue;
    const out = node.outputs[0];
    const s = shapes.get(out);
    if (s && s.elemType !== DataType.FLOAT && s.elemType !== DataType.DOUBLE && s.elemType !== DataType.FLOAT16 && s.elemType !== 0) continue;
    if (isConstantOnly(node, model.graph, init)) continue;
    layers.push({
      index: layers.length,
      name: node.name || out,
      op: node.opType,
      kind: KIND_OF_OP[node.opType] ?? "other",
      output: out,
      shape: s?.shape,
      params: node.inputs.reduce((sum, i) => sum + (init.get(i) ?? 0), 0),
    });
  }
  return layers;
}

function isConstantOnly(node: NodeIR, graph: GraphIR, init: Map<string, number>): boolean {
  const inputs = new Set(graph.inputs.map((i) => i.name));
  return node.inputs.length > 0 && node.inputs.every((i) => !i || init.has(i)) && !node.inputs.some((i) => inputs.has(i));
}

/** Where the class scores are: the graph output, the logits under it, and whether a Softmax (or Sigmoid) sits between. */
export interface Head {
  /** The graph output read as the model's answer. */
  output: string;
  /** The value holding the logits (pre-softmax scores); the output itself when there is no Softmax. */
  logits: string;
  /**
   * "softmax" when the output is already probabilities, "log-softmax" for log-probabilities,
   * "sigmoid" for per-unit probabilities (one unit: the binary case), "none" for logits.
   */
  activation: "softmax" | "log-softmax" | "sigmoid" | "none";
  /** The Gemm/MatMul that produces the logits, when there is one. */
  classifier?: NodeIR;
  /** Its feature input: the penultimate ("last feature vector") layer. */
  penultimate?: string;
}

const PASS_THROUGH = new Set(["Identity", "Dropout", "Flatten", "Reshape", "Squeeze"]);

/** Finds the logits and the penultimate layer: the input of the last Gemm/MatMul(+Add) that makes the logits. */
export function findHead(model: ModelIR): Head {
  const g = model.graph;
  if (g.outputs.length === 0) throw new ModelError("the model has no outputs");
  const producer = producers(g);
  const init = new Set(g.initializers.map((t) => t.name));
  const output = g.outputs[0].name;
  let logits = output;
  let activation: Head["activation"] = "none";
  const last = producer.get(output);
  if (last?.opType === "Softmax" || last?.opType === "LogSoftmax" || last?.opType === "Sigmoid") {
    activation = last.opType === "Softmax" ? "softmax" : last.opType === "LogSoftmax" ? "log-softmax" : "sigmoid";
    logits = last.inputs[0];
  }
  let node = producer.get(logits);
  while (node && PASS_THROUGH.has(node.opType)) node = producer.get(node.inputs[0]);
  if (node?.opType === "Add") {
    const mm = node.inputs.map((i) => producer.get(i)).find((p) => p?.opType === "MatMul");
    if (mm && node.inputs.some((i) => init.has(i))) node = mm;
  }
  const head: Head = { output, logits, activation };
  if (node && (node.opType === "Gemm" || node.opType === "MatMul")) {
    head.classifier = node;
    let feature = node.inputs.find((i) => !init.has(i)) ?? node.inputs[0];
    let p = producer.get(feature);
    while (p && (p.opType === "Identity" || p.opType === "Dropout")) {
      feature = p.inputs[0];
      p = producer.get(feature);
    }
    head.penultimate = feature;
  }
  return head;
}

/** Value name → the node that outputs it. */
export function producers(g: GraphIR): Map<string, NodeIR> {
  const m = new Map<string, NodeIR>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) m.set(o, n);
  return m;
}

/**
 * A copy of the model whose graph also outputs `values` (in that order, after the existing ones),
 * so one run returns them all. The original is not changed.
 */
export function withOutputs(model: ModelIR, values: readonly string[], shapes: Map<string, ValueShape> = inferShapes(model)): ModelIR {
  const known = new Set(allValueNames(model.graph));
  const missing = values.filter((v) => !known.has(v));
  if (missing.length) throw new ModelError(`no value named ${missing.map((m) => `'${m}'`).join(", ")} in the graph`);
  const have = new Set(model.graph.outputs.map((o) => o.name));
  const extra: ValueInfoIR[] = [];
  for (const v of values) {
    if (have.has(v)) continue;
    have.add(v);
    const s = shapes.get(v);
    extra.push({ name: v, type: { kind: "tensor", elemType: s?.elemType || DataType.FLOAT } });
  }
  return { ...model, graph: { ...model.graph, outputs: [...model.graph.outputs, ...extra] } };
}

function allValueNames(g: GraphIR): string[] {
  return [...g.inputs.map((i) => i.name), ...g.initializers.map((t) => t.name), ...g.nodes.flatMap((n) => n.outputs)];
}

/**
 * The value a user means by `spec`: "penultimate", "logits", "output", "input" (the pixels as the
 * model sees them, after preprocessing), a layer (node) name, a value name, or a layer index from
 * `featurelens layers`. An unknown name lists the nearest ones.
 */
export function resolveLayer(model: ModelIR, spec: string, layers: Layer[] = listLayers(model)): { value: string; layer?: Layer } {
  const head = () => findHead(model);
  if (spec === "penultimate") {
    const p = head().penultimate;
    if (!p) throw new ModelError("cannot find the penultimate layer: the logits are not made by a Gemm or MatMul; name a layer with --layer (see `featurelens layers`)");
    return { value: p, layer: layers.find((l) => l.output === p) };
  }
  if (spec === "input") {
    const init = new Set(model.graph.initializers.map((t) => t.name));
    const input = model.graph.inputs.find((i) => !init.has(i.name));
    if (!input) throw new ModelError("the model has no image input");
    return { value: input.name };
  }
  if (spec === "logits" || spec === "output") {
    const v = spec === "logits" ? head().logits : head().output;
    return { value: v, layer: layers.find((l) => l.output === v) };
  }
  const byName = layers.find((l) => l.name === spec || l.output === spec);
  if (byName) return { value: byName.output, layer: byName };
  if (/^\d+$/.test(spec) && Number(spec) < layers.length) return { value: layers[Number(spec)].output, layer: layers[Number(spec)] };
  if (allValueNames(model.graph).includes(spec)) return { value: spec };
  const near = nearest(spec, layers.map((l) => l.name), 5);
  throw new ModelError(`no layer named '${spec}'${near.length ? `; nearest: ${near.join(", ")}` : ""} (list them with \`featurelens layers\`; or use penultimate, logits)`);
}

/** The `k` candidates closest to `s` by edit distance. */
export function nearest(s: string, candidates: string[], k: number): string[] {
  return candidates
    .map((c) => [c, editDistance(s.toLowerCase(), c.toLowerCase())] as const)
    .sort((a, b) => a[1] - b[1])
    .slice(0, k)
    .map(([c]) => c);
}

/** Levenshtein distance (Wagner & Fischer 1974). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length];
}

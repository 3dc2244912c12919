import { type AttributeIR, DataType, type GraphIR, intAttr, type ModelIR, type NodeIR } from "../engine/onnx/ir.js";
import { METADATA_KEYS } from "../engine/onnx/modelInfo.js";
import { findHead, type Head } from "../engine/onnx/surgery.js";
import { ModelError, UsageError } from "../util/errors.js";
import { createRng } from "../util/rng.js";
import { defaultTrainable } from "./trainSession.js";

/**
 * Transfer learning after Yosinski et al. 2014 ("How transferable are features in deep neural
 * networks?"): keep a trained network's first k layers, give it a new head for the new classes,
 * and freeze or fine-tune what was transferred.
 */

const WEIGHTED = new Set(["Conv", "ConvTranspose", "Gemm", "MatMul"]);

/** The layers with weights (convolutions and dense layers) in graph order: what "the first k layers" counts. */
export function weightedLayers(model: ModelIR): NodeIR[] {
  const init = new Set(model.graph.initializers.map((t) => t.name));
  return model.graph.nodes.filter((n) => WEIGHTED.has(n.opType) && n.inputs.some((i) => init.has(i)));
}

/**
 * The parameters of the first `k` weighted layers, plus those of the BatchNorm layers that come
 * before the (k+1)-th weighted layer: what `--freeze k` holds fixed.
 */
export function firstLayerParams(model: ModelIR, k: number): string[] {
  const layers = weightedLayers(model);
  if (!Number.isInteger(k)) throw new RangeError(`k must be an integer, got ${k}`);
  if (k < 0 || k > layers.length - 1) {
    throw new UsageError(`--freeze ${k}: the model has ${layers.length} layers with weights and the last (the classifier) is always trained; use 0..${layers.length - 1}`);
  }
  const init = new Set(model.graph.initializers.map((t) => t.name));
  const stop = layers[k];
  const out: string[] = [];
  for (const n of model.graph.nodes) {
    if (n === stop) break;
    if (WEIGHTED.has(n.opType) || n.opType === "BatchNormalization") out.push(...n.inputs.slice(1, 3).filter((i) => init.has(i)));
  }
  return out;
}

/** The trainable parameters when the first `k` layers are frozen. */
export function trainableAfterFreezing(model: ModelIR, k: number): string[] {
  const frozen = new Set(firstLayerParams(model, k));
  return defaultTrainable(model).filter((p) => !frozen.has(p));
}

/**
 * A copy of the model whose classifier has `classes` outputs, newly initialised (PyTorch's Linear
 * default, U(±1/√fan_in)) when the count changes; the class names in metadata are replaced.
 * `head` "sigmoid" makes two classes one sigmoid unit (the binary case); it is the default for a
 * model that already has a one-unit sigmoid head and two classes, and a sigmoid head that gets
 * more classes becomes a softmax.
 */
export function replaceHead(model: ModelIR, classes: string[], seed = 0, head?: "softmax" | "sigmoid"): ModelIR {
  const found = findHead(model);
  const gemm = found.classifier;
  if (!gemm || gemm.opType !== "Gemm") throw new ModelError("cannot replace the head: the logits are not made by a Gemm layer");
  const init = new Map(model.graph.initializers.map((t) => [t.name, t]));
  const w = init.get(gemm.inputs[1]);
  if (!w) throw new ModelError(`the classifier '${gemm.name}' has no weight initializer`);
  const transB = intAttr(gemm, "transB", 0) === 1;
  const [outDim, inDim] = transB ? w.dims : [w.dims[1], w.dims[0]];
  const sigmoid = head ? head === "sigmoid" : found.activation === "sigmoid" && classes.length === 2;
  if (sigmoid && classes.length !== 2) throw new ModelError(`a sigmoid head is for two classes, got ${classes.length}; use the softmax head`);
  const k = sigmoid ? 1 : classes.length;
  const metadata = [...model.metadata.filter((m) => m.key !== METADATA_KEYS.classes), { key: METADATA_KEYS.classes, value: JSON.stringify(classes) }];
  const graph = withActivation(model.graph, found, sigmoid ? "sigmoid" : found.activation === "sigmoid" ? "softmax" : found.activation);
  if (outDim === k) return { ...model, metadata, graph };
  const rng = createRng(seed);
  const bound = 1 / Math.sqrt(inDim);
  const uniform = (n: number) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * bound);
  const initializers = graph.initializers.map((t) => {
    if (t.name === gemm.inputs[1]) return { ...t, dims: transB ? [k, inDim] : [inDim, k], raw: new Uint8Array(uniform(k * inDim).buffer) };
    if (t.name === gemm.inputs[2]) return { ...t, dataType: DataType.FLOAT, dims: [k], raw: new Uint8Array(uniform(k).buffer) };
    return t;
  });
  const outputs = graph.outputs.map((o) => (o.type?.kind === "tensor" && o.type.shape?.length === 2 ? { ...o, type: { ...o.type, shape: [o.type.shape[0], k] } } : o));
  return { ...model, metadata, graph: { ...graph, initializers, outputs } };
}

/** The graph with its output activation set to `activation` (the op changed in place of the old one, or added after logits). */
function withActivation(graph: GraphIR, head: Head, activation: Head["activation"]): GraphIR {
  if (activation === head.activation) return graph;
  const opType = { softmax: "Softmax", "log-softmax": "LogSoftmax", sigmoid: "Sigmoid" } as const;
  if (activation === "none") throw new ModelError("cannot remove the output activation");
  const attributes: AttributeIR[] = activation === "sigmoid" ? [] : [{ name: "axis", value: { type: "int", value: 1 } }];
  if (head.activation === "none") {
    const output = `${head.logits}/${activation}`;
    const node: NodeIR = { name: `/head/${opType[activation]}`, opType: opType[activation], domain: "", inputs: [head.logits], outputs: [output], attributes };
    return { ...graph, nodes: [...graph.nodes, node], outputs: graph.outputs.map((o) => (o.name === head.output ? { ...o, name: output } : o)) };
  }
  const nodes = graph.nodes.map((n) => (n.outputs[0] === head.output ? { ...n, opType: opType[activation], attributes } : n));
  return { ...graph, nodes };
}

import { Emitter } from "../engine/autodiff/emit.js";
import { backward } from "../engine/autodiff/gradients.js";
import { batchStatisticsNormRule } from "../engine/autodiff/rules/norm.js";
import type { GradRule } from "../engine/autodiff/types.js";
import { DataType, type GraphIR, intAttr, type ModelIR, type NodeIR, type TensorIR, type ValueInfoIR } from "../engine/onnx/ir.js";
import { inferShapes } from "../engine/onnx/shapeInference.js";
import { findHead, producers } from "../engine/onnx/surgery.js";
import { ModelError } from "../util/errors.js";
import { dropoutAsMask, type DropoutMask } from "./dropout.js";
import { emitUpdate, type OptimizerSpec, STEP_INPUTS, stateSlots } from "./optimizers.js";

/**
 * The training-step graph: the model in training mode (batch statistics, dropout by masks fed
 * as inputs), softmax cross-entropy on its logits, the backward pass from our autodiff, and the
 * optimizer update — one onnxruntime session that takes parameters, optimizer state, dropout
 * masks and a batch, and returns the loss, the number of correct predictions, the new parameters
 * and the new state.
 */

export interface TrainGraphOptions {
  /** Initializers to train; the rest stay constant (frozen). */
  trainable: readonly string[];
  optimizer: OptimizerSpec;
  /**
   * Gradient rules by op type in place of GRAD_RULES' (not for the trainer's BatchNormalization
   * nodes): how a benchmark or a test builds the step with an earlier formulation to compare.
   */
  rules?: Readonly<Record<string, GradRule>>;
  /**
   * One optimizer update over all parameters at once (default true): their gradients concatenated
   * into one flat buffer, the state one flat buffer a slot, so the update is a dozen nodes instead
   * of a dozen a parameter. False: one update a parameter (the same arithmetic, element by element).
   */
  flatOptimizer?: boolean;
}

export interface TrainGraph {
  model: ModelIR;
  /** Graph input of the images. */
  input: string;
  /** Graph input of the targets, N×K: (smoothed) one-hot rows, or N×1 probabilities of class 1 for a one-unit (binary) head. */
  targets: string;
  /** Trainable parameters, in order: graph input name = parameter name; output = `updated[i]`. */
  params: string[];
  updated: string[];
  /**
   * Optimizer state per parameter (same order), slots by `stateSlots`: its name among the
   * session's values and, without `flat`, the graph input and output of its new value ("" with `flat`).
   */
  state: { input: string; output: string; param: string; slot: string }[];
  /**
   * The flat optimizer ({@link TrainGraphOptions.flatOptimizer}): the new parameters as one output
   * (`updated` is then empty), each state slot as one input and one output, and where parameter i
   * sits in them (`offsets[i]`, `sizes[i]` elements, in `params` order).
   */
  flat?: { updated: string; state: { slot: string; input: string; output: string }[]; offsets: number[]; sizes: number[] };
  /** BatchNorm running statistics: input (the initializer name) and its new value. */
  running: { input: string; output: string }[];
  /** A mask input per Dropout node, drawn for each step by {@link drawMasks} (dropout.ts). */
  masks: DropoutMask[];
  loss: string;
  correct: string;
  /** Units of the classifier: K, or 1 for the binary case (sigmoid, binary cross-entropy). */
  numClasses: number;
}

const TRAIN_OPSET = 17;
const TARGETS = "train/targets";

export function buildTrainGraph(model: ModelIR, options: TrainGraphOptions): TrainGraph {
  const head = findHead(model);
  const graph: GraphIR = { ...model.graph, nodes: prune(model.graph, head.logits), initializers: [...model.graph.initializers], inputs: [...model.graph.inputs], valueInfo: [] };
  const em = new Emitter(graph);
  const init = new Map(graph.initializers.map((t) => [t.name, t]));
  const trainable = new Set(options.trainable);
  for (const p of trainable) if (!init.has(p)) throw new ModelError(`no parameter named '${p}' to train`);

  const overrides = new Map<string, GradRule>();
  const { running, masks } = trainingMode(model, graph, em, overrides);
  for (const n of graph.nodes) {
    const rule = options.rules?.[n.opType];
    if (rule && !overrides.has(n.name)) overrides.set(n.name, rule);
  }
  const logits = head.logits;

  const k = classesFrom(init, head.classifier);
  const { loss, correct, dlogits } = k === 1 ? binaryCrossEntropy(em, logits) : softmaxCrossEntropy(em, logits);

  const params = options.trainable.slice();
  const stateInputs = new Set(running.map((r) => r.input));
  // Trainable parameters and running statistics become graph inputs; frozen ones stay constants.
  graph.initializers = graph.initializers.filter((t) => !trainable.has(t.name) && !stateInputs.has(t.name));
  const floatInput = (name: string, dims: (number | string)[]): ValueInfoIR => ({ name, type: { kind: "tensor", elemType: DataType.FLOAT, shape: dims } });
  graph.inputs.push(floatInput(TARGETS, ["N", k]), floatInput(STEP_INPUTS.lr, []));
  if (options.optimizer.kind !== "sgd") graph.inputs.push(floatInput(STEP_INPUTS.biasCorrection1, []), floatInput(STEP_INPUTS.biasCorrection2, []));
  for (const p of params) graph.inputs.push(floatInput(p, init.get(p)!.dims));
  for (const r of running) graph.inputs.push(floatInput(r.input, init.get(r.input)!.dims));
  for (const m of masks) graph.inputs.push(floatInput(m.input, m.shape));

  const withGrads = backward({ ...model, graph, opsetImports: [{ domain: "", version: TRAIN_OPSET }] }, { wrt: params, seeds: new Map([[logits, dlogits]]), overrides });
  const out = withGrads.model;
  const em2 = new Emitter(out.graph);
  const slots = stateSlots(options.optimizer);
  const state: TrainGraph["state"] = [];
  const updated: string[] = [];
  let flat: TrainGraph["flat"];
  if (options.flatOptimizer ?? true) {
    const sizes = params.map((p) => init.get(p)!.dims.reduce((a, b) => a * b, 1));
    const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
    const total = sizes.reduce((a, b) => a + b, 0);
    const minus1 = em2.ints("/optim", [-1]);
    const concat = (values: string[]) => em2.op("/optim", "Concat", values.map((v) => em2.op("/optim", "Reshape", [v, minus1])), { axis: 0 });
    const inputs = slots.map((slot) => {
      out.graph.inputs.push(floatInput(`opt/${slot}`, [total]));
      return `opt/${slot}`;
    });
    const u = emitUpdate(em2, options.optimizer, concat(params), concat(params.map((p) => withGrads.gradients.get(p)!)), inputs, "/optim");
    flat = { updated: u.param, state: slots.map((slot, i) => ({ slot, input: inputs[i], output: u.state[i] })), offsets, sizes };
    for (const p of params) for (const slot of slots) state.push({ input: `opt/${slot}/${p}`, output: "", param: p, slot });
  } else {
    for (const p of params) {
      const inputs = slots.map((slot) => {
        const name = `opt/${slot}/${p}`;
        out.graph.inputs.push(floatInput(name, init.get(p)!.dims));
        return name;
      });
      const u = emitUpdate(em2, options.optimizer, p, withGrads.gradients.get(p)!, inputs);
      updated.push(u.param);
      slots.forEach((slot, i) => state.push({ input: inputs[i], output: u.state[i], param: p, slot }));
    }
  }
  const newState = flat ? flat.state.map((s) => s.output) : state.map((s) => s.output);
  const outputs = [loss, correct, ...(flat ? [flat.updated] : updated), ...newState, ...running.map((r) => r.output)];
  out.graph.outputs = outputs.map((name) => ({ name, type: { kind: "tensor", elemType: DataType.FLOAT } }));
  return { model: out, input: model.graph.inputs[0].name, targets: TARGETS, params, updated, state, ...(flat ? { flat } : {}), running, masks, loss, correct, numClasses: k };
}

interface Loss {
  /** Mean loss over the batch (scalar). */
  loss: string;
  /** Number of correct predictions (scalar float). */
  correct: string;
  /** d loss / d logits. */
  dlogits: string;
}

/** Softmax cross-entropy against target distributions (label smoothing is in the targets). */
function softmaxCrossEntropy(em: Emitter, logits: string): Loss {
  const op = (type: string, inputs: string[], attrs = {}) => em.op("/loss", type, inputs, attrs);
  const n = batchSize(em, logits);
  const logp = op("LogSoftmax", [logits], { axis: 1 });
  const loss = op("Div", [op("Neg", [op("ReduceSum", [op("Mul", [TARGETS, logp])], { keepdims: 0 })]), n]);
  const hits = op("Equal", [op("ArgMax", [logits], { axis: 1, keepdims: 0 }), op("ArgMax", [TARGETS], { axis: 1, keepdims: 0 })]);
  const correct = op("ReduceSum", [op("Cast", [hits], { to: DataType.FLOAT })], { keepdims: 0 });
  // d loss / d logits = (softmax − targets) / N, the fused rule (no LogSoftmax rule needed).
  const dlogits = em.op("/grad/loss", "Div", [em.op("/grad/loss", "Sub", [em.op("/grad/loss", "Softmax", [logits], { axis: 1 }), TARGETS]), n]);
  return { loss, correct, dlogits };
}

/**
 * Binary cross-entropy on a one-unit head's sigmoid, from the logit z as PyTorch's
 * BCEWithLogitsLoss computes it without overflow: max(z, 0) − z·y + log(1 + exp(−|z|)).
 */
function binaryCrossEntropy(em: Emitter, logits: string): Loss {
  const op = (type: string, inputs: string[], attrs = {}) => em.op("/loss", type, inputs, attrs);
  const n = batchSize(em, logits);
  const softplus = op("Log", [op("Add", [op("Exp", [op("Neg", [op("Abs", [logits])])]), em.scalar("/loss", 1)])]);
  const perSample = op("Add", [op("Sub", [op("Relu", [logits]), op("Mul", [logits, TARGETS])]), softplus]);
  const loss = op("Div", [op("ReduceSum", [perSample], { keepdims: 0 }), n]);
  const zero = em.scalar("/loss", 0);
  const hits = op("Equal", [op("Greater", [logits, zero]), op("Greater", [TARGETS, em.scalar("/loss", 0.5)])]);
  const correct = op("ReduceSum", [op("Cast", [hits], { to: DataType.FLOAT })], { keepdims: 0 });
  // d loss / d z = (sigmoid(z) − y) / N.
  const dlogits = em.op("/grad/loss", "Div", [em.op("/grad/loss", "Sub", [em.op("/grad/loss", "Sigmoid", [logits]), TARGETS]), n]);
  return { loss, correct, dlogits };
}

/** The batch size N of `x` as a float scalar. */
function batchSize(em: Emitter, x: string): string {
  return em.op("/loss", "Cast", [em.op("/loss", "Gather", [em.op("/loss", "Shape", [x]), em.ints("/loss", [0])])], { to: DataType.FLOAT });
}

/** The nodes needed to compute `value` (drops a final Softmax and anything after the logits). */
function prune(g: GraphIR, value: string): NodeIR[] {
  const prod = producers(g);
  const need = new Set<NodeIR>();
  const stack = [value];
  while (stack.length) {
    const n = prod.get(stack.pop()!);
    if (!n || need.has(n)) continue;
    need.add(n);
    stack.push(...n.inputs.filter(Boolean));
  }
  return g.nodes.filter((n) => need.has(n)).map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs] }));
}

/** Units of the model's classifier: K, or 1 for a one-unit (binary) head. */
export function classifierUnits(model: ModelIR): number {
  return classesFrom(new Map(model.graph.initializers.map((t) => [t.name, t])), findHead(model).classifier);
}

function classesFrom(init: Map<string, TensorIR>, classifier: NodeIR | undefined): number {
  const w = classifier && init.get(classifier.inputs[1]);
  if (!w) throw new ModelError("cannot find the classifier layer (a Gemm/MatMul producing the logits) to train");
  const transB = classifier.opType === "Gemm" ? intAttr(classifier, "transB", 0) : 0;
  return transB ? w.dims[0] : w.dims[1];
}

/**
 * Switches the graph to training behaviour, in place: BatchNormalization normalises by the batch's
 * statistics ({@link batchStatisticsNorm}) and returns its running-average updates; Dropout
 * multiplies by a mask fed as a graph input ({@link dropoutAsMask}).
 */
function trainingMode(model: ModelIR, graph: GraphIR, em: Emitter, overrides: Map<string, GradRule>): { running: { input: string; output: string }[]; masks: DropoutMask[] } {
  const running: { input: string; output: string }[] = [];
  const masks: DropoutMask[] = [];
  const nodes: NodeIR[] = [];
  const batch = "N";
  let shapes: ReturnType<typeof inferShapes> | undefined;
  for (const node of graph.nodes) {
    if (node.opType === "Dropout") {
      shapes ??= inferShapes(model, { batch });
      const label = node.name || node.outputs[0];
      const d = dropoutAsMask(graph, node, shapes.get(node.inputs[0])?.shape, batch, em.fresh(`train/dropout_mask${label.startsWith("/") ? "" : "/"}${label}`));
      nodes.push(d.node);
      if (d.mask) masks.push(d.mask);
      continue;
    }
    if (node.opType !== "BatchNormalization") {
      nodes.push(node);
      continue;
    }
    // The emitter appends to graph.nodes: point it at the list being built.
    const before = graph.nodes;
    graph.nodes = nodes;
    running.push(...batchStatisticsNorm(node, em, overrides));
    graph.nodes = before;
  }
  graph.nodes = nodes;
  return { running, masks };
}

/**
 * BatchNormalization in training mode (Ioffe & Szegedy 2015, Alg. 1): the batch's mean and
 * (biased) variance, computed here, go into the node in place of the running statistics, so
 * onnxruntime's fast inference kernel normalises by the batch; its gradient comes from
 * {@link batchStatisticsNormRule} (registered in `overrides` under the node's name). Returns the
 * running-average updates as PyTorch keeps them: the variance unbiased by n/(n−1), n = N·H·W.
 * Appends to em.graph.nodes.
 */
function batchStatisticsNorm(node: NodeIR, em: Emitter, overrides: Map<string, GradRule>): { input: string; output: string }[] {
  const [x, scale, bias, mean, varName] = node.inputs;
  const momentum = (node.attributes.find((a) => a.name === "momentum")?.value as { value?: number } | undefined)?.value ?? 0.9;
  const s = node.name || node.outputs[0];
  const op = (type: string, inputs: string[], attrs = {}) => em.op(s, type, inputs, attrs);
  const axes = [0, 2, 3];
  const flat = em.ints(s, [-1]);
  const mu = op("ReduceMean", [x], { axes, keepdims: 1 });
  const xc = op("Sub", [x, mu]);
  const batchMean = op("Reshape", [mu, flat]);
  const batchVar = op("Reshape", [op("ReduceMean", [op("Mul", [xc, xc])], { axes, keepdims: 1 }), flat]);
  const name = em.fresh(`${s}/BatchNormalization`);
  const epsilon = node.attributes.filter((a) => a.name === "epsilon");
  em.graph.nodes.push({ name, opType: "BatchNormalization", domain: "", inputs: [x, scale, bias, batchMean, batchVar], outputs: [node.outputs[0]], attributes: epsilon });
  overrides.set(name, batchStatisticsNormRule);
  const count = op("Cast", [op("ReduceProd", [op("Gather", [op("Shape", [x]), em.ints(s, [0, 2, 3])])], { keepdims: 0 })], { to: DataType.FLOAT });
  const unbias = op("Div", [count, op("Sub", [count, em.scalar(s, 1)])]);
  const newMean = op("Add", [op("Mul", [mean, em.scalar(s, momentum)]), op("Mul", [batchMean, em.scalar(s, 1 - momentum)])]);
  const newVar = op("Add", [op("Mul", [varName, em.scalar(s, momentum)]), op("Mul", [op("Mul", [batchVar, unbias]), em.scalar(s, 1 - momentum)])]);
  return [
    { input: mean, output: newMean },
    { input: varName, output: newVar },
  ];
}

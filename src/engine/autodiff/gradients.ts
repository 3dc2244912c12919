import { ModelError } from "../../util/errors.js";
import type { Dim, GraphIR, ModelIR, NodeIR } from "../onnx/ir.js";
import { inferShapes, type ValueShape } from "../onnx/shapeInference.js";
import { Emitter } from "./emit.js";
import { GRAD_RULES } from "./rules/index.js";
import type { GradContext, GradRule } from "./types.js";

/** Options for {@link backward}. */
export interface BackwardOptions {
  /** Values (initializers, inputs or intermediates) to differentiate with respect to. */
  wrt: readonly string[];
  /** A scalar loss value: its gradient is seeded with 1. */
  loss?: string;
  /** Or: gradients given directly for some values (value → name of its gradient), e.g. dlogits. */
  seeds?: ReadonlyMap<string, string>;
  /**
   * Rules for particular nodes (by node name) instead of their op's rule in GRAD_RULES: for nodes
   * whose meaning the op alone does not tell, such as the trainer's BatchNormalization nodes that
   * normalise by the batch's own statistics ({@link batchStatisticsNormRule}).
   */
  overrides?: ReadonlyMap<string, GradRule>;
}

export interface BackwardResult {
  /** The forward graph extended with the backward pass (the input model is not changed). */
  model: ModelIR;
  /** wrt value → the name of its gradient value in `model`. */
  gradients: Map<string, string>;
}

/**
 * Reverse-mode differentiation of an ONNX graph into standard ONNX ops (Griewank & Walther 2008,
 * ch. 3): walks the nodes between `wrt` and the loss backwards, applying one rule per op from
 * {@link GRAD_RULES} and summing the contributions to values used more than once.
 * @example backward(model, { wrt: ["fc.weight"], loss: "loss" }).gradients.get("fc.weight") // "/grad/fc/Gemm/Gemm_output_0"
 */
export function backward(model: ModelIR, options: BackwardOptions): BackwardResult {
  const graph: GraphIR = {
    ...model.graph,
    nodes: model.graph.nodes.map((n) => ({ ...n, outputs: [...n.outputs] })),
    initializers: [...model.graph.initializers],
    outputs: [...model.graph.outputs],
  };
  const out: ModelIR = { ...model, graph };
  const shapes = inferShapes(out);
  const em = new Emitter(graph);
  const forwardNodes = graph.nodes.slice();

  // Values that depend on a wrt value (gradients can flow into them).
  const requires = new Set(options.wrt);
  for (const n of forwardNodes) if (n.inputs.some((i) => requires.has(i))) n.outputs.forEach((o) => requires.add(o));
  const producer = new Map(forwardNodes.flatMap((n) => n.outputs.filter(Boolean).map((o) => [o, n] as const)));
  const custom = forwardNodes.find((n) => !isStandard(n) && n.inputs.some((i) => requires.has(i)) && feedsInto(n, [...(options.seeds?.keys() ?? []), options.loss ?? ""], producer));
  if (custom) throw customOpError(custom, "the gradient has to flow back through it");

  const contributions = new Map<string, string[]>();
  const add = (value: string, grad: string) => {
    const list = contributions.get(value) ?? [];
    list.push(grad);
    contributions.set(value, list);
  };
  if (options.loss !== undefined) add(options.loss, em.scalar("/grad/seed", 1));
  for (const [v, g] of options.seeds ?? []) add(v, g);
  if (contributions.size === 0) throw new RangeError("backward needs a loss or seeds");

  const total = (value: string): string | null => {
    const list = contributions.get(value);
    if (!list || list.length === 0) return null;
    if (list.length > 1) contributions.set(value, [em.op(`/grad${value}`, "Sum", list)]);
    return contributions.get(value)![0];
  };

  for (let k = forwardNodes.length - 1; k >= 0; k--) {
    const node = forwardNodes[k];
    if (!node.outputs.some((o) => contributions.has(o))) continue;
    if (!node.inputs.some((i) => requires.has(i))) continue;
    const rule = options.overrides?.get(node.name) ?? (isStandard(node) ? GRAD_RULES[node.opType] : undefined);
    if (!rule) {
      throw new ModelError(`no gradient rule for op '${node.opType}' (node '${node.name}'); inference still works, but this model cannot be trained here`);
    }
    const grads = rule(context(node, em, shapes, requires, total, producer));
    node.inputs.forEach((input, i) => {
      const g = grads[i];
      if (g && input && requires.has(input)) add(input, g);
    });
  }

  const gradients = new Map<string, string>();
  for (const w of options.wrt) {
    const g = total(w);
    if (!g) throw new ModelError(`'${w}' does not affect the loss: no gradient flows back to it`);
    gradients.set(w, g);
  }
  return { model: out, gradients };
}

function context(
  node: NodeIR,
  em: Emitter,
  shapes: Map<string, ValueShape>,
  requires: Set<string>,
  total: (value: string) => string | null,
  producer: ReadonlyMap<string, NodeIR>,
): GradContext {
  const scope = `/grad${node.name.startsWith("/") ? node.name : `/${node.name}`}`;
  const shape = (v: string): Dim[] => {
    const s = shapes.get(v)?.shape;
    if (s) return s;
    const custom = customSource(v, shapes, producer);
    const needs = `the gradient of ${describeNode(node)} needs the shape of '${v}'`;
    if (custom) throw customOpError(custom, `${needs}, which depends on it and cannot be inferred`);
    throw new ModelError(`${needs}, which shape inference could not find`);
  };
  const ctx: GradContext = {
    node,
    emitter: em,
    I: (i) => node.inputs[i] ?? "",
    O: (i) => {
      while (node.outputs.length <= i) node.outputs.push("");
      if (!node.outputs[i]) {
        node.outputs[i] = em.fresh(`${node.name}_output_${i}`);
        shapes.set(node.outputs[i], { elemType: 0, shape: undefined });
      }
      return node.outputs[i];
    },
    GO: (i) => (node.outputs[i] ? total(node.outputs[i]) : null),
    needs: (i) => !!node.inputs[i] && requires.has(node.inputs[i]),
    shape,
    op: (opType, inputs, attrs) => em.op(scope, opType, inputs, attrs),
    ops: (opType, inputs, attrs, n) => em.node(scope, opType, inputs, attrs, n),
    scalar: (v) => em.scalar(scope, v),
    ints: (values) => em.ints(scope, values),
    sumToShape: (grad, like) => sumToShape(ctx, grad, shape(node.outputs[0]), shape(like)),
  };
  return ctx;
}

/** ONNX's own operator set ("" and "ai.onnx"): the ops GRAD_RULES has rules for. */
function isStandard(node: NodeIR): boolean {
  return !node.domain || node.domain === "ai.onnx";
}

/** "node '/fc/Gemm'", or for a node without a name, the value it computes. */
function nodeLabel(node: NodeIR): string {
  return node.name ? `node '${node.name}'` : `the unnamed node computing '${node.outputs[0] ?? ""}'`;
}

/** "Gemm node '/fc/Gemm'". */
function describeNode(node: NodeIR): string {
  return node.name ? `${node.opType} node '${node.name}'` : `the unnamed ${node.opType} node computing '${node.outputs[0] ?? ""}'`;
}

function customOpError(node: NodeIR, why: string): ModelError {
  return new ModelError(
    `custom op '${node.opType}' (domain '${node.domain}', ${nodeLabel(node)}): ${why}. Custom ops cannot be trained here (featurelens knows neither ` +
      "their gradients nor their output shapes); inference still works. Train a model exported with standard ONNX ops",
  );
}

/** Whether `node`'s outputs reach any of `targets`. */
function feedsInto(node: NodeIR, targets: string[], producer: ReadonlyMap<string, NodeIR>): boolean {
  const seen = new Set<NodeIR>();
  const stack = targets.map((t) => producer.get(t)).filter((n): n is NodeIR => !!n);
  while (stack.length) {
    const n = stack.pop()!;
    if (n === node) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const i of n.inputs) {
      const p = producer.get(i);
      if (p) stack.push(p);
    }
  }
  return false;
}

/** The custom-domain node a value of unknown shape comes from, through other values of unknown shape. */
function customSource(value: string, shapes: Map<string, ValueShape>, producer: ReadonlyMap<string, NodeIR>): NodeIR | undefined {
  const seen = new Set<string>();
  const stack = [value];
  while (stack.length) {
    const v = stack.pop()!;
    const n = producer.get(v);
    if (!n || seen.has(v)) continue;
    seen.add(v);
    if (!isStandard(n)) return n;
    for (const i of n.inputs) if (i && !shapes.get(i)?.shape) stack.push(i);
  }
  return undefined;
}

/**
 * The shared broadcast reduction (onnxruntime's ComputeBroadcastBackwardAxes): sums `grad` (of
 * shape `from`) over the leading axes `to` lacks and the axes where `to` has size 1, so it matches `to`.
 */
export function sumToShape(ctx: Pick<GradContext, "op" | "ints">, grad: string, from: Dim[], to: Dim[]): string {
  const lead = from.length - to.length;
  const axes: number[] = [];
  for (let i = 0; i < from.length; i++) {
    if (i < lead) axes.push(i);
    else if (to[i - lead] === 1 && from[i] !== 1) axes.push(i);
  }
  if (axes.length === 0) return grad;
  const summed = ctx.op("ReduceSum", [grad, ctx.ints(axes)], { keepdims: 1 });
  return lead > 0 || to.length !== from.length ? ctx.op("Reshape", [summed, ctx.ints(to.map((d) => (typeof d === "number" ? d : -1)))]) : summed;
}

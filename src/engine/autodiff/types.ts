import type { Dim, NodeIR } from "../onnx/ir.js";
import type { AttrInput, Emitter } from "./emit.js";

/**
 * The vocabulary gradient rules are written in (after onnxruntime's gradient_builder: I, O, GO, GI):
 * a rule reads the forward node's inputs `I(i)` and outputs `O(i)`, the incoming gradients
 * `GO(i)`, and emits standard-domain ONNX nodes that compute one gradient per input.
 */
export interface GradContext {
  readonly node: NodeIR;
  /** Name of forward input i ("" when the optional input is absent). */
  I(i: number): string;
  /**
   * Name of forward output i. Asking for an output the node does not produce yet (MaxPool's
   * Indices, Dropout's mask) adds it to the forward node.
   */
  O(i: number): string;
  /** Gradient of the loss with respect to output i, or null when none flows back through it. */
  GO(i: number): string | null;
  /** Whether the gradient of input i is wanted (rules skip work for the rest, e.g. dX of a frozen first layer). */
  needs(i: number): boolean;
  /** Static shape of a value (symbolic batch "N" allowed), from shape inference. */
  shape(value: string): Dim[];
  /** Emits a one-output node in this rule's scope. */
  op(opType: string, inputs: string[], attrs?: Record<string, AttrInput>): string;
  /** Emits a node with several outputs. */
  ops(opType: string, inputs: string[], attrs: Record<string, AttrInput>, outputs: number): string[];
  /** float32 scalar / int64 vector constants. */
  scalar(v: number): string;
  ints(values: number[]): string;
  /** Sums `grad` over the axes along which `like` was broadcast, and reshapes it to `like`'s shape. */
  sumToShape(grad: string, like: string): string;
  readonly emitter: Emitter;
}

/**
 * One gradient rule: returns, for each forward input, the name of the gradient value, or null for
 * an input that is not differentiable (indices, shapes, axes) or whose gradient is not needed.
 */
export type GradRule = (g: GradContext) => (string | null)[];

import { type AttributeIR, DataType, type GraphIR, type NodeIR, type TensorIR } from "../onnx/ir.js";

/** A value for an attribute, written the short way: numbers, number lists, strings, tensors. */
export type AttrInput = number | string | number[] | { float: number } | { floats: number[] } | { tensor: TensorIR };

/**
 * Appends nodes and constants to a graph under unique, readable names (`${scope}/${Op}_k`), so
 * the gradient and training graphs read like the forward graph they extend.
 */
export class Emitter {
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(readonly graph: GraphIR) {
    for (const n of graph.nodes) {
      this.used.add(n.name);
      for (const o of n.outputs) this.used.add(o);
    }
    for (const t of graph.initializers) this.used.add(t.name);
    for (const i of graph.inputs) this.used.add(i.name);
  }

  /** A fresh name that starts with `base`. */
  fresh(base: string): string {
    let name = base;
    while (this.used.has(name)) name = `${base}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /**
   * Adds a node; returns its output names. Ints are written as INT attributes, whole-number lists
   * as INTS; use `{ float }` / `{ floats }` for float attributes.
   */
  node(scope: string, opType: string, inputs: string[], attrs: Record<string, AttrInput> = {}, outputs = 1): string[] {
    const name = this.fresh(`${scope}/${opType}`);
    const outs = Array.from({ length: outputs }, (_, i) => this.fresh(`${name}_output_${i}`));
    const node: NodeIR = { name, opType, domain: "", inputs, outputs: outs, attributes: Object.entries(attrs).map(([k, v]) => toAttr(k, v)) };
    this.graph.nodes.push(node);
    return outs;
  }

  /** Shorthand for a one-output node. */
  op(scope: string, opType: string, inputs: string[], attrs: Record<string, AttrInput> = {}): string {
    return this.node(scope, opType, inputs, attrs, 1)[0];
  }

  /** A float32 constant as an initializer. */
  floats(scope: string, values: ArrayLike<number>, dims: number[] = [values.length]): string {
    const name = this.fresh(`${scope}/const`);
    this.graph.initializers.push({ name, dataType: DataType.FLOAT, dims, raw: new Uint8Array(Float32Array.from(values).buffer) });
    return name;
  }

  /** A float32 scalar constant. */
  scalar(scope: string, value: number): string {
    return this.floats(scope, [value], []);
  }

  /** An int64 vector constant (shapes, axes). */
  ints(scope: string, values: number[]): string {
    const name = this.fresh(`${scope}/ints`);
    this.graph.initializers.push({ name, dataType: DataType.INT64, dims: [values.length], raw: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) });
    return name;
  }
}

function toAttr(name: string, v: AttrInput): AttributeIR {
  if (typeof v === "number") return { name, value: Number.isInteger(v) ? { type: "int", value: v } : { type: "float", value: v } };
  if (typeof v === "string") return { name, value: { type: "string", value: v } };
  if (Array.isArray(v)) return { name, value: { type: "ints", value: v } };
  if ("float" in v) return { name, value: { type: "float", value: v.float } };
  if ("floats" in v) return { name, value: { type: "floats", value: v.floats } };
  return { name, value: { type: "tensor", value: v.tensor } };
}

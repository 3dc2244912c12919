import { createRng, type Rng } from "../../../util/rng.js";
import { DataType, type GraphIR, type ModelIR, type TensorIR } from "../../onnx/ir.js";
import { Session } from "../../runtime/session.js";
import type { Tensor } from "../../tensor.js";
import { type AttrInput, Emitter } from "../emit.js";
import { backward } from "../gradients.js";
import type { GradRule } from "../types.js";

/**
 * Gradient checks for the rules (after onnxruntime's gradient_checker.h): a one-op graph, a seeded
 * input, loss = Σ Y·R for a fixed random R fed to `backward` as the seed of Y; the backward graph
 * run in ORT is compared with central finite differences of the forward graph run in ORT.
 */

/** Draws one input element. */
export type Draw = (rng: Rng) => number;

export const uniform = (lo: number, hi: number): Draw => (rng) => lo + (hi - lo) * rng.next();

/** Uniform in [lo, hi], at least `margin` from each kink (where the op's derivative jumps). */
export const awayFrom = (lo: number, hi: number, kinks: number[], margin = 0.1): Draw => (rng) => {
  for (;;) {
    const v = lo + (hi - lo) * rng.next();
    if (kinks.every((k) => Math.abs(v - k) >= margin)) return v;
  }
};

/** One test graph for one rule. */
export interface GradCase {
  /** What the test is called after "GRAD_RULES.": the op, and what this case exercises. */
  name: string;
  op: string;
  /** float64 where ORT has float64 kernels for every forward and backward op, else float32. */
  dtype: "float32" | "float64";
  opset?: number;
  /** Adds the inputs and nodes; returns the output Y. */
  build(c: CaseGraph): string;
  /** Finite-difference step (default 1e-6 in float64, 1e-2 in float32). */
  eps?: number;
  /** Allowed max |analytic − FD| / max |FD| (default 1e-7 in float64, 1e-4 in float32). */
  tol?: number;
  /** A new session for every forward run: for ops whose kernels keep state across runs (Dropout's RNG). */
  freshSession?: boolean;
  /** Rules for particular nodes of the built graph (backward's `overrides`). */
  overrides?: (graph: GraphIR) => Map<string, GradRule>;
}

/** A graph under construction: inputs with drawn values, constants, and nodes. */
export class CaseGraph {
  readonly graph: GraphIR = { name: "case", nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] };
  readonly values = new Map<string, { dims: number[]; data: number[] }>();
  readonly wrt: string[] = [];
  private readonly em = new Emitter(this.graph);

  constructor(private readonly rng: Rng) {}

  /** A float graph input drawn from `draw`; differentiated unless `wrt` is false. */
  input(name: string, dims: number[], draw: Draw = uniform(-1, 1), wrt = true): string {
    const n = dims.reduce((a, b) => a * b, 1);
    this.values.set(name, { dims, data: Array.from({ length: n }, () => draw(this.rng)) });
    this.graph.inputs.push({ name, type: { kind: "tensor", elemType: DataType.FLOAT, shape: dims } });
    if (wrt) this.wrt.push(name);
    return name;
  }

  /** A float constant (initializer). */
  floats(name: string, dims: number[], values: number[]): string {
    return this.init(name, DataType.FLOAT, dims, new Uint8Array(Float32Array.from(values).buffer));
  }

  /** An int64 constant (axes, pads, indices). */
  ints(name: string, values: number[], dims = [values.length]): string {
    return this.init(name, DataType.INT64, dims, new Uint8Array(BigInt64Array.from(values, BigInt).buffer));
  }

  bool(name: string, value: boolean): string {
    return this.init(name, DataType.BOOL, [], Uint8Array.of(value ? 1 : 0));
  }

  /** A node; returns its outputs. Float attributes must be written { float: v }. */
  node(opType: string, inputs: string[], attrs: Record<string, AttrInput> = {}, outputs = 1): string[] {
    return this.em.node("/case", opType, inputs, attrs, outputs);
  }

  op(opType: string, inputs: string[], attrs: Record<string, AttrInput> = {}): string {
    return this.node(opType, inputs, attrs)[0];
  }

  private init(name: string, dataType: number, dims: number[], raw: Uint8Array): string {
    this.graph.initializers.push({ name, dataType, dims, raw });
    return name;
  }
}

/** A case made ready to run: the forward model, its output and the input values. */
export interface Prepared {
  c: GradCase;
  model: ModelIR;
  y: string;
  wrt: string[];
  values: Map<string, { dims: number[]; data: number[] }>;
}

export function prepare(c: GradCase, seed = 1): Prepared {
  const cg = new CaseGraph(createRng(seed));
  const y = c.build(cg);
  const graph = { ...cg.graph, outputs: [{ name: y, type: { kind: "tensor" as const, elemType: DataType.FLOAT } }] };
  const model: ModelIR = {
    irVersion: 8, opsetImports: [{ domain: "", version: c.opset ?? 17 }], producerName: "gradCheck", producerVersion: "",
    domain: "", modelVersion: 0, docString: "", graph, metadata: [],
  };
  return { c, model, y, wrt: cg.wrt, values: cg.values };
}

export const feedOf = (dtype: GradCase["dtype"], dims: number[], data: ArrayLike<number>): Tensor =>
  dtype === "float64" ? { dtype, dims, data: Float64Array.from(data) } : { dtype, dims, data: Float32Array.from(data) };

function feedsOf(p: Prepared): Record<string, Tensor> {
  return Object.fromEntries([...p.values].map(([k, v]) => [k, feedOf(p.c.dtype, v.dims, v.data)]));
}

async function session(p: Prepared, model: ModelIR): Promise<Session> {
  return Session.create(p.c.dtype === "float64" ? toFloat64(model) : model, { threads: 1, source: p.c.name });
}

/** Runs the forward graph once: Y. */
export async function forward(p: Prepared, feeds = feedsOf(p)): Promise<Tensor> {
  const s = await session(p, p.model);
  const y = (await s.run(feeds))[p.y];
  await s.release();
  return y;
}

/** The gradients `backward` emits for every wrt input, run in ORT with seed R for Y. */
export async function analytic(p: Prepared, r: Tensor): Promise<Map<string, Tensor>> {
  const withR = structuredClone(p.model);
  // R without a shape, as gradients inside a graph are: a rule must not ask for the shape of a gradient.
  withR.graph.inputs.push({ name: "R", type: { kind: "tensor", elemType: DataType.FLOAT } });
  const { model, gradients } = backward(withR, { wrt: p.wrt, seeds: new Map([[p.y, "R"]]), ...(p.c.overrides ? { overrides: p.c.overrides(p.model.graph) } : {}) });
  model.graph.outputs = [...gradients.values()].map((name) => ({ name, type: { kind: "tensor", elemType: DataType.FLOAT } }));
  const s = await session(p, model);
  const out = await s.run({ ...feedsOf(p), R: r });
  await s.release();
  return new Map(p.wrt.map((w) => [w, out[gradients.get(w)!]]));
}

/** Result of one check: per input, the largest |analytic − FD| and the largest |FD| over the checked elements. */
export interface CheckResult {
  inputs: { name: string; maxErr: number; maxFd: number; checked: number }[];
  /** max over inputs of maxErr / maxFd. */
  relErr: number;
  /** Names of gradients with a NaN or a shape other than their input's. */
  malformed: string[];
}

/** Central differences of L = Σ Y·R on up to `maxPerInput` elements of each wrt input. */
export async function check(c: GradCase, options: { seed?: number; maxPerInput?: number } = {}): Promise<CheckResult> {
  const p = prepare(c, options.seed ?? 1);
  const rng = createRng((options.seed ?? 1) + 1000);
  const y0 = await forward(p);
  const r = feedOf(c.dtype, y0.dims, Array.from(y0.data as Float64Array, () => 2 * rng.next() - 1));
  const grads = await analytic(p, r);
  const eps = c.eps ?? (c.dtype === "float64" ? 1e-6 : 1e-2);
  const shared = c.freshSession ? undefined : await session(p, p.model);
  const loss = async (feeds: Record<string, Tensor>): Promise<number> => {
    const s = shared ?? (await session(p, p.model));
    const y = (await s.run(feeds))[p.y].data as Float64Array;
    if (!shared) await s.release();
    let sum = 0;
    const rData = r.data as Float64Array;
    for (let i = 0; i < y.length; i++) sum += y[i] * rData[i];
    return sum;
  };
  const result: CheckResult = { inputs: [], relErr: 0, malformed: [] };
  for (const name of p.wrt) {
    const g = grads.get(name)!;
    const base = feedsOf(p);
    const x = base[name].data as Float64Array;
    const picks = pick(x.length, options.maxPerInput ?? 48, rng);
    let maxErr = 0;
    let maxFd = 0;
    if (g.dims.join() !== base[name].dims.join() || (g.data as Float64Array).some((v) => Number.isNaN(v))) result.malformed.push(name);
    for (const i of picks) {
      const x0 = x[i];
      x[i] = x0 + eps;
      const [hi, up] = [x[i], await loss(base)];
      x[i] = x0 - eps;
      const [lo, down] = [x[i], await loss(base)];
      x[i] = x0;
      const fd = (up - down) / (hi - lo);
      maxErr = Math.max(maxErr, Math.abs(fd - (g.data[i] as number)));
      maxFd = Math.max(maxFd, Math.abs(fd));
    }
    result.inputs.push({ name, maxErr, maxFd, checked: picks.length });
    result.relErr = Math.max(result.relErr, maxErr / maxFd);
  }
  await shared?.release();
  return result;
}

/** Up to `k` distinct indices of [0, n), in order. */
function pick(n: number, k: number, rng: Rng): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  const chosen = new Set<number>();
  while (chosen.size < k) chosen.add(rng.int(n));
  return [...chosen].sort((a, b) => a - b);
}

/** The same model computing in float64: float initializers, values, constants and casts to float become double. */
export function toFloat64(model: ModelIR): ModelIR {
  const m = structuredClone(model);
  const g = m.graph;
  g.initializers = g.initializers.map(promote);
  for (const v of [...g.inputs, ...g.outputs, ...g.valueInfo]) if (v.type?.kind === "tensor" && v.type.elemType === DataType.FLOAT) v.type.elemType = DataType.DOUBLE;
  for (const n of g.nodes) {
    for (const a of n.attributes) {
      if (n.opType === "Cast" && a.name === "to" && a.value.type === "int" && Number(a.value.value) === DataType.FLOAT) a.value.value = DataType.DOUBLE;
      if (a.value.type === "tensor") a.value.value = promote(a.value.value);
    }
  }
  return m;
}

function promote(t: TensorIR): TensorIR {
  if (t.dataType !== DataType.FLOAT) return t;
  const f = new Float32Array(t.raw.slice().buffer);
  return { ...t, dataType: DataType.DOUBLE, raw: new Uint8Array(Float64Array.from(f).buffer) };
}

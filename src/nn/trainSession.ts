import type { ModelIR, TensorIR } from "../engine/onnx/ir.js";
import { DataType } from "../engine/onnx/ir.js";
import { Session, type SessionOptions } from "../engine/runtime/session.js";
import type { Tensor } from "../engine/tensor.js";
import { drawMasks } from "./dropout.js";
import { biasCorrections, type OptimizerSpec, STEP_INPUTS } from "./optimizers.js";
import { draw, type RngStreamState, startStreams } from "./rngStreams.js";
import { buildTrainGraph, type TrainGraph, type TrainGraphOptions } from "./trainGraph.js";

/** Options for {@link TrainSession.create}. */
export interface TrainSessionOptions {
  /** Initializers to train (default: every float weight and bias). */
  trainable?: readonly string[];
  optimizer: OptimizerSpec;
  /** Seed of the dropout masks (a fresh `dropout` stream); ignored with `dropout`. */
  seed?: number;
  /** The stream the dropout masks are drawn from, advanced in place by every step (a resumed run passes its saved state). */
  dropout?: RngStreamState;
  threads?: number;
  /**
   * onnxruntime settings of the step's session (spinning, execution mode, the profiler):
   * runtime/session.ts; defaults in {@link TRAIN_SESSION_DEFAULTS}.
   */
  session?: Pick<SessionOptions, "spinning" | "executionMode" | "interOpThreads" | "optimization" | "profile">;
  /** How the step graph is built (earlier gradient formulations, for comparison): trainGraph.ts. */
  graph?: Pick<TrainGraphOptions, "rules" | "flatOptimizer">;
}

/**
 * The step's session settings unless told otherwise: idle threads sleep instead of spinning, which
 * on a 2-core machine shared with other work halved the step's time (BENCHMARKS.md, issue 15).
 */
export const TRAIN_SESSION_DEFAULTS = { spinning: false } as const;

/**
 * A model being trained: its parameters, optimizer state and BatchNorm running statistics live
 * here in JavaScript and go through one onnxruntime session per step, with dropout masks drawn
 * from the session's `dropout` stream (so nothing random is hidden inside onnxruntime).
 */
export class TrainSession {
  /** Steps taken so far (Adam's t). */
  steps = 0;

  private constructor(
    readonly base: ModelIR,
    readonly graph: TrainGraph,
    private readonly session: Session,
    readonly optimizer: OptimizerSpec,
    /** Current values of parameters, optimizer state and running statistics, by graph input name. */
    readonly values: Map<string, Float32Array>,
    /** The dropout masks' random stream: one draw per step. */
    readonly dropout: RngStreamState,
  ) {}

  static async create(model: ModelIR, options: TrainSessionOptions): Promise<TrainSession> {
    const trainable = options.trainable ?? defaultTrainable(model);
    const graph = buildTrainGraph(model, { ...options.graph, trainable, optimizer: options.optimizer });
    const session = await Session.create(graph.model, { ...TRAIN_SESSION_DEFAULTS, ...options.session, ...(options.threads ? { threads: options.threads } : {}), source: "training graph" });
    const init = new Map(model.graph.initializers.map((t) => [t.name, t]));
    const values = new Map<string, Float32Array>();
    for (const p of graph.params) values.set(p, floatsOf(init.get(p)!));
    if (graph.flat) {
      const { offsets, sizes } = graph.flat;
      const total = sizes.reduce((a, b) => a + b, 0);
      for (const slot of new Set(graph.state.map((s) => s.slot))) {
        const buffer = new Float32Array(total);
        graph.params.forEach((p, i) => values.set(`opt/${slot}/${p}`, buffer.subarray(offsets[i], offsets[i] + sizes[i])));
      }
    } else {
      for (const s of graph.state) values.set(s.input, new Float32Array(values.get(s.param)!.length));
    }
    for (const r of graph.running) values.set(r.input, floatsOf(init.get(r.input)!));
    return new TrainSession(model, graph, session, options.optimizer, values, options.dropout ?? startStreams(options.seed ?? 0).dropout);
  }

  /** One optimizer step on a batch; returns the batch's mean loss and number of correct predictions. */
  async step(x: Tensor<"float32">, targets: Float32Array, lr: number): Promise<{ loss: number; correct: number }> {
    const g = this.graph;
    const n = x.dims[0];
    this.steps++;
    const feeds: Record<string, Tensor> = {
      [g.input]: x,
      [g.targets]: { dtype: "float32", dims: [n, g.numClasses], data: targets },
      [STEP_INPUTS.lr]: scalar(lr),
    };
    const rng = draw(this.dropout);
    if (g.masks.length > 0) Object.assign(feeds, drawMasks(g.masks, n, rng));
    if (this.optimizer.kind !== "sgd") {
      const [c1, c2] = biasCorrections(this.optimizer, this.steps);
      feeds[STEP_INPUTS.biasCorrection1] = scalar(c1);
      feeds[STEP_INPUTS.biasCorrection2] = scalar(c2);
    }
    const f = g.flat;
    const inputs = [...g.params, ...(f ? [] : g.state.map((s) => s.input)), ...g.running.map((r) => r.input)];
    for (const name of inputs) {
      const v = this.values.get(name)!;
      feeds[name] = { dtype: "float32", dims: this.dims(name), data: v };
    }
    for (const s of f?.state ?? []) {
      const data = joined(g.params.map((p) => this.values.get(`opt/${s.slot}/${p}`)!));
      feeds[s.input] = { dtype: "float32", dims: [data.length], data };
    }
    const newState = f ? f.state.map((s) => s.output) : g.state.map((s) => s.output);
    const outputs = [g.loss, g.correct, ...(f ? [f.updated] : g.updated), ...newState, ...g.running.map((r) => r.output)];
    const out = await this.session.run(feeds, outputs);
    if (f) {
      // The new values stay in onnxruntime's output buffers; each parameter is a view into them.
      const split = (flat: Float32Array, name: (p: string) => string) =>
        g.params.forEach((p, i) => this.values.set(name(p), flat.subarray(f.offsets[i], f.offsets[i] + f.sizes[i])));
      split(out[f.updated].data as Float32Array, (p) => p);
      for (const s of f.state) split(out[s.output].data as Float32Array, (p) => `opt/${s.slot}/${p}`);
    } else {
      g.params.forEach((p, i) => this.values.set(p, out[g.updated[i]].data as Float32Array));
      for (const s of g.state) this.values.set(s.input, out[s.output].data as Float32Array);
    }
    for (const r of g.running) this.values.set(r.input, out[r.output].data as Float32Array);
    return { loss: (out[g.loss].data as Float32Array)[0], correct: (out[g.correct].data as Float32Array)[0] };
  }

  /** The inference model with the current parameters and running statistics as its initializers. */
  exportModel(): ModelIR {
    const initializers = this.base.graph.initializers.map((t) => {
      const v = this.values.get(t.name);
      return v ? { ...t, raw: new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength)) } : t;
    });
    return { ...this.base, graph: { ...this.base.graph, initializers } };
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  /** Ends the profiler of a session made with `session.profile`; returns the trace file's path. */
  endProfiling(): string {
    return this.session.endProfiling();
  }

  private shapes: Map<string, number[]> | undefined;

  /** Static shape of a parameter, state or running-statistic input. */
  private dims(name: string): number[] {
    this.shapes ??= new Map(this.graph.model.graph.inputs.map((i) => [i.name, i.type?.kind === "tensor" && i.type.shape ? (i.type.shape as number[]) : []]));
    return this.shapes.get(name) ?? [];
  }
}

/** The parts as one buffer: a view when they already lie one after another in one buffer (as a step leaves them), else a copy. */
function joined(parts: Float32Array[]): Float32Array {
  const first = parts[0];
  const length = parts.reduce((a, p) => a + p.length, 0);
  let end = first.byteOffset;
  let contiguous = true;
  for (const p of parts) {
    contiguous &&= p.buffer === first.buffer && p.byteOffset === end;
    end += p.byteLength;
  }
  if (contiguous) return new Float32Array(first.buffer, first.byteOffset, length);
  const all = new Float32Array(length);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

const scalar = (v: number): Tensor<"float32"> => ({ dtype: "float32", dims: [], data: Float32Array.of(v) });

function floatsOf(t: TensorIR): Float32Array {
  return new Float32Array(t.raw.buffer.slice(t.raw.byteOffset, t.raw.byteOffset + t.raw.byteLength));
}

/** Every float initializer that is a weight or bias: not a scalar setting, not a BatchNorm running statistic. */
export function defaultTrainable(model: ModelIR): string[] {
  const runningStats = new Set(model.graph.nodes.filter((n) => n.opType === "BatchNormalization").flatMap((n) => n.inputs.slice(3, 5)));
  const used = new Set(model.graph.nodes.flatMap((n) => n.inputs));
  return model.graph.initializers
    .filter((t) => t.dataType === DataType.FLOAT && t.dims.length > 0 && !runningStats.has(t.name) && used.has(t.name))
    .filter((t) => !model.graph.nodes.some((n) => (n.opType === "Reshape" || n.opType === "Clip" || n.opType === "Dropout") && n.inputs.slice(1).includes(t.name)))
    .map((t) => t.name);
}

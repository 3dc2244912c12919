import { readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { ModelError } from "../../util/errors.js";
import type { ModelIR, ValueInfoIR } from "../onnx/ir.js";
import { DTYPE_OF_ELEM } from "../onnx/ir.js";
import { serializeModel } from "../onnx/io.js";
import { type Dtype, formatShape, type Tensor } from "../tensor.js";

/**
 * The one module that touches onnxruntime-node (STYLE.md §4): a session created from our IR, a
 * file or bytes, run on our {@link Tensor} type.
 */

export interface SessionOptions {
  /** Threads inside one operator (default: every core). */
  threads?: number;
  /** "cpu" (default) or "cuda" where onnxruntime-node was installed with ONNXRUNTIME_NODE_INSTALL=cuda12. */
  executionProvider?: "cpu" | "cuda";
  /** ORT graph optimisation level (default "all"). */
  optimization?: "disabled" | "basic" | "extended" | "all";
  /** Names the model in errors. */
  source?: string;
  /**
   * Whether idle intra-op threads spin waiting for work (onnxruntime's default, true) or sleep
   * (`session.intra_op.allow_spinning` = 0), which leaves the cores to other work between ops.
   */
  spinning?: boolean;
  /** "sequential" (default) runs one node at a time; "parallel" runs independent branches on `interOpThreads` threads. */
  executionMode?: "sequential" | "parallel";
  /** Threads for independent nodes in "parallel" mode (default 2). */
  interOpThreads?: number;
  /**
   * onnxruntime's profiler: writes a Chrome-trace JSON of every node's time to `<profile>_<date>.json`;
   * {@link Session.endProfiling} closes it and returns its path.
   */
  profile?: string;
}

export const SESSION_DEFAULTS = { executionProvider: "cpu", optimization: "all" } as const;

export class Session {
  private constructor(
    private readonly ort: ort.InferenceSession,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
    /** Declared inputs (shape and type) when the session was made from IR. */
    private readonly declared: readonly ValueInfoIR[],
    private readonly source: string,
    private readonly profile?: string,
  ) {}

  /** Creates a session; unsupported ops and bad graphs become one ModelError naming the op and node. */
  static async create(model: ModelIR | Uint8Array | string, options: SessionOptions = {}): Promise<Session> {
    const source = options.source ?? (typeof model === "string" ? model : "<model>");
    const ep = options.executionProvider ?? SESSION_DEFAULTS.executionProvider;
    const opts: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: options.threads ?? availableParallelism(),
      interOpNumThreads: options.executionMode === "parallel" ? (options.interOpThreads ?? 2) : 1,
      executionMode: options.executionMode ?? "sequential",
      graphOptimizationLevel: options.optimization ?? SESSION_DEFAULTS.optimization,
      executionProviders: ep === "cuda" ? ["cuda", "cpu"] : ["cpu"],
      logSeverityLevel: 4,
      ...(options.spinning === false ? { extra: { session: { intra_op: { allow_spinning: "0" }, inter_op: { allow_spinning: "0" } } } } : {}),
      ...(options.profile ? { enableProfiling: true, profileFilePrefix: options.profile } : {}),
    };
    const isIr = typeof model === "object" && !(model instanceof Uint8Array);
    // onnxruntime's environment logs to stderr (e.g. a CUDA provider that fails to load, in red)
    // before the error we raise says the same in one line; it takes this level when the first
    // session is created, and keeps it.
    ort.env.logLevel = "fatal";
    try {
      const s =
        typeof model === "string" ? await ort.InferenceSession.create(model, opts) : await ort.InferenceSession.create(isIr ? serializeModel(model) : model, opts);
      return new Session(s, s.inputNames, s.outputNames, isIr ? model.graph.inputs : [], source, options.profile);
    } catch (err) {
      throw translateCreateError(err, source, ep);
    }
  }

  /** Runs the model on `feeds`; returns the outputs asked for (default: all). */
  async run(feeds: Record<string, Tensor>, outputs: readonly string[] = this.outputNames): Promise<Record<string, Tensor>> {
    this.checkFeeds(feeds);
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.dtype, t.data, t.dims);
    let result: ort.InferenceSession.ReturnType;
    try {
      result = await this.ort.run(ortFeeds, outputs as string[]);
    } catch (err) {
      const shapes = Object.entries(feeds).map(([n, t]) => `${n} ${formatShape(t.dims)}`).join(", ");
      throw new ModelError(
        `${this.source}: onnxruntime failed to run the model on ${shapes}: ${firstLine(err)}; if the images are too small or too large for the model, resize them (--size)`,
      );
    }
    const out: Record<string, Tensor> = {};
    for (const name of outputs) {
      const t = result[name];
      out[name] = { dtype: t.type as Dtype, dims: [...t.dims], data: t.data as Tensor["data"] };
    }
    return out;
  }

  async release(): Promise<void> {
    await this.ort.release();
  }

  /** Ends onnxruntime's profiling (the session was made with `profile`) and returns the trace file's path. */
  endProfiling(): string {
    if (!this.profile) throw new RangeError("endProfiling(): the session was created without the `profile` option");
    const dir = dirname(this.profile);
    const before = new Set(readdirSync(dir));
    this.ort.endProfiling();
    const prefix = `${basename(this.profile)}_`;
    const written = readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith(".json"));
    const fresh = written.filter((f) => !before.has(f));
    const file = (fresh.length > 0 ? fresh : written).sort().at(-1);
    if (!file) throw new Error(`endProfiling(): onnxruntime wrote no trace next to ${this.profile}`);
    return join(dir, file);
  }

  private checkFeeds(feeds: Record<string, Tensor>): void {
    const problems: string[] = [];
    for (const name of this.inputNames) if (!(name in feeds)) problems.push(`missing input '${name}'`);
    for (const name of Object.keys(feeds)) if (!this.inputNames.includes(name)) problems.push(`unknown input '${name}'`);
    for (const info of this.declared) {
      const t = feeds[info.name];
      if (!t || info.type?.kind !== "tensor" || !info.type.shape) continue;
      const want = info.type.shape;
      const bad = want.length !== t.dims.length || want.some((d, i) => typeof d === "number" && d !== t.dims[i]);
      if (bad) problems.push(`input '${info.name}' has shape ${formatShape(t.dims)}, the model expects ${formatShape(want)}`);
      const wantType = DTYPE_OF_ELEM[info.type.elemType];
      if (wantType && wantType !== t.dtype) problems.push(`input '${info.name}' is ${t.dtype}, the model expects ${wantType}`);
    }
    if (problems.length) {
      const takes = this.declared.map((i) => `${i.name} ${i.type?.kind === "tensor" && i.type.shape ? formatShape(i.type.shape) : ""}`.trim());
      throw new ModelError(`${this.source}: ${problems.join("; ")}${takes.length ? ` (the model takes: ${takes.join(", ")})` : ""}`);
    }
  }
}

/** onnxruntime's message without the C++ source location and function signature it starts with. */
function firstLine(err: unknown): string {
  let msg = (err instanceof Error ? err.message : String(err)).split("\n")[0];
  const at = /^\/\S+\.(?:h|cc|cpp):\d+ /.exec(msg);
  if (at) {
    msg = msg.slice(at[0].length);
    // "void onnxruntime::f(const std::map<…>&, int) What went wrong": skip to the signature's closing parenthesis.
    const open = msg.indexOf("(");
    if (open > 0 && /^[\w:<>,*& ~]+$/.test(msg.slice(0, open))) {
      let depth = 0;
      for (let i = open; i < msg.length; i++) {
        if (msg[i] === "(") depth++;
        else if (msg[i] === ")" && --depth === 0) {
          msg = msg.slice(i + 1).replace(/^(?:\s*(?:const|noexcept|override))*\s*/, "");
          break;
        }
      }
    }
  }
  return msg.trim();
}

function translateCreateError(err: unknown, source: string, ep: string): ModelError {
  const msg = firstLine(err);
  const noKernel = /Could not find an implementation for (\w+)\((\d+)\) node with name '([^']*)'/.exec(msg);
  if (noKernel) {
    return new ModelError(
      `${source}: op '${noKernel[1]}' (opset ${noKernel[2]}, node '${noKernel[3]}') is not supported by onnxruntime ${ort.env.versions.common} on ${ep}; re-export the model with other ops or another opset`,
    );
  }
  const opset = /Opset (\d+) is under development.*support for domain (\S+) is till opset (\d+)/.exec(msg);
  if (opset) {
    const [, used, domain, max] = opset;
    const which = domain === "ai.onnx" ? "ONNX opset" : `opset of domain '${domain}'`;
    return new ModelError(`${source} uses ${which} ${used}; onnxruntime ${ort.env.versions.common} here supports up to ${max}; export with opset_version ≤ ${max}`);
  }
  const irVersion = /Unsupported model IR version: (\d+), max supported IR version: (\d+)/.exec(msg);
  if (irVersion) {
    return new ModelError(`${source} is ONNX IR version ${irVersion[1]}; onnxruntime ${ort.env.versions.common} here reads up to ${irVersion[2]}; export it with an older exporter or opset`);
  }
  const unknownOp = /No Op registered for (\w+) with domain_version of (\d+)/.exec(msg);
  if (unknownOp) {
    return new ModelError(`${source}: op '${unknownOp[1]}' (opset ${unknownOp[2]}) is not an op onnxruntime knows; re-export with standard ONNX ops`);
  }
  if (ep === "cuda" && /cuda/i.test(msg)) {
    return new ModelError(`${source}: the CUDA execution provider is not available (${msg}); install with ONNXRUNTIME_NODE_INSTALL=cuda12 on a machine with a GPU, or use --device cpu`);
  }
  return new ModelError(`${source}: onnxruntime cannot load the model: ${msg}`);
}

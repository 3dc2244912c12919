import type { Dataset } from "../data/dataset.js";
import type { ModelIR } from "../engine/onnx/ir.js";
import { DEFAULT_PREPROCESS, inputSpec, type InputSpec, type Preprocess, recordedPreprocess } from "../engine/onnx/modelInfo.js";
import { findHead, type Head, withOutputs } from "../engine/onnx/surgery.js";
import { inferShapes } from "../engine/onnx/shapeInference.js";
import { Session, type SessionOptions } from "../engine/runtime/session.js";
import { sizeOf, type Tensor } from "../engine/tensor.js";
import { DataError } from "../util/errors.js";
import { checkCompatible, toInputTensor } from "./preprocess.js";

/**
 * Running a classifier over a dataset in batches: the next batch is prepared in JavaScript while
 * onnxruntime computes the current one, so preprocessing costs no wall time.
 */

export interface InferOptions extends Pick<SessionOptions, "threads" | "executionProvider"> {
  /** Images per run (default 128). */
  batchSize?: number;
  /** Overrides the preprocessing (default: the model's recorded one, else pixels / 255). */
  preprocess?: Preprocess;
  onProgress?: (done: number, total: number) => void;
  /** Stops between batches; the values computed so far are returned. */
  signal?: AbortSignal;
}

export const INFER_DEFAULTS = { batchSize: 128 } as const;

/** One value's results for every image: dims[0] = N. */
export interface Collected {
  dims: number[];
  data: Float32Array;
}

/** A model opened for reading its insides: input spec, head, preprocessing. */
export interface OpenedModel {
  model: ModelIR;
  spec: InputSpec;
  head: Head;
  preprocess: Preprocess;
}

export function openModel(model: ModelIR, preprocess?: Preprocess): OpenedModel {
  return { model, spec: inputSpec(model), head: findHead(model), preprocess: preprocess ?? recordedPreprocess(model) ?? DEFAULT_PREPROCESS };
}

/**
 * Runs the model over every image and collects the named values (float32, batch first).
 * @example (await collectValues(opened, ds, ["penultimate-value-name"])).get(name)!.dims // [N, 64]
 */
export async function collectValues(opened: OpenedModel, ds: Dataset, values: readonly string[], options: InferOptions = {}): Promise<Map<string, Collected>> {
  checkCompatible(ds, opened.spec);
  if (ds.n === 0) throw new DataError("the dataset has no images", ds.name);
  const graph = withOutputs(opened.model, values, inferShapes(opened.model));
  const session = await Session.create(graph, { ...pick(options), source: "model" });
  const out = new Map<string, Collected>();
  const batchSize = options.batchSize ?? INFER_DEFAULTS.batchSize;
  try {
    const prepare = (start: number) => toInputTensor(ds, start, Math.min(batchSize, ds.n - start), opened.spec, options.preprocess ?? opened.preprocess);
    let next: Tensor | undefined = ds.n > 0 ? prepare(0) : undefined;
    for (let start = 0; start < ds.n && next; start += batchSize) {
      if (options.signal?.aborted) break;
      const running = session.run({ [opened.spec.name]: next }, values);
      next = start + batchSize < ds.n ? prepare(start + batchSize) : undefined;
      const result = await running;
      for (const v of values) store(out, v, result[v], start, ds.n);
      options.onProgress?.(Math.min(start + batchSize, ds.n), ds.n);
    }
  } finally {
    await session.release();
  }
  return out;
}

function pick(o: InferOptions): SessionOptions {
  const s: SessionOptions = {};
  if (o.threads !== undefined) s.threads = o.threads;
  if (o.executionProvider !== undefined) s.executionProvider = o.executionProvider;
  return s;
}

function store(out: Map<string, Collected>, name: string, t: Tensor, start: number, n: number): void {
  if (t.dtype !== "float32") throw new DataError(`value '${name}' is ${t.dtype}; featurelens reads float32 values`);
  let c = out.get(name);
  if (!c) {
    const dims = [n, ...t.dims.slice(1)];
    c = { dims, data: new Float32Array(sizeOf(dims)) };
    out.set(name, c);
  }
  c.data.set(t.data as Float32Array, start * (c.data.length / n));
}

/** Softmax over each row of an N×K array (max-subtracted for stability). */
export function softmaxRows(x: Float32Array, k: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i += k) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, x[i + j]);
    let s = 0;
    for (let j = 0; j < k; j++) s += out[i + j] = Math.exp(x[i + j] - m);
    for (let j = 0; j < k; j++) out[i + j] /= s;
  }
  return out;
}

/** Class probabilities N×K for every image: the model's own softmax if it has one, else softmax of the logits. */
export async function predictProbabilities(opened: OpenedModel, ds: Dataset, options: InferOptions = {}): Promise<Collected> {
  const { head } = opened;
  const name = scoreValue(head);
  const got = (await collectValues(opened, ds, [name], options)).get(name)!;
  if (got.dims.length !== 2) throw new DataError(`the model's output has shape [${got.dims.join(", ")}]; expected N×K class scores`);
  const data = probabilitiesOf(head, got.data, got.dims[1]);
  return { dims: [got.dims[0], data.length / got.dims[0]], data };
}

/** The value to read class scores from: the output when it is already (log-)probabilities, else the logits. */
export function scoreValue(head: Head): string {
  return head.activation === "none" ? head.logits : head.output;
}

/**
 * Class probabilities from rows of `k` scores read at {@link scoreValue}. A single unit (sigmoid or
 * logit) is the binary case and becomes two columns, [1 − p, p], so class 1 is "positive" as in
 * scikit-learn; several sigmoid units are returned as they are.
 * @example probabilitiesOf({ activation: "sigmoid" } as Head, Float32Array.of(0.75), 1) // Float32Array [0.25, 0.75]
 */
export function probabilitiesOf(head: Head, scores: Float32Array, k: number): Float32Array {
  if (k === 1) {
    const out = new Float32Array(scores.length * 2);
    for (let i = 0; i < scores.length; i++) {
      const p = head.activation === "sigmoid" ? scores[i] : 1 / (1 + Math.exp(-scores[i]));
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  }
  if (head.activation === "softmax" || head.activation === "sigmoid") return scores;
  if (head.activation === "log-softmax") return scores.map(Math.exp);
  return softmaxRows(scores, k);
}

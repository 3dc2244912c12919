import { type Dataset, subset } from "../data/dataset.js";
import { backward } from "../engine/autodiff/gradients.js";
import { DataType, type ModelIR, type ValueInfoIR } from "../engine/onnx/ir.js";
import { inferShapes } from "../engine/onnx/shapeInference.js";
import { type Layer, listLayers, resolveLayer } from "../engine/onnx/surgery.js";
import { Session } from "../engine/runtime/session.js";
import { DataError, ModelError, UsageError } from "../util/errors.js";
import type { InferOptions, OpenedModel } from "./infer.js";
import { checkCompatible, toInputTensor } from "./preprocess.js";

/**
 * Grad-CAM (Selvaraju et al. 2017, ICCV, "Grad-CAM: Visual Explanations from Deep Networks via
 * Gradient-based Localization", eq. 1–2) and saliency maps (Simonyan et al. 2014, ICLR workshop,
 * "Deep Inside Convolutional Networks", §3.1) through featurelens' own autodiff: one graph whose
 * outputs are the class scores, a layer's activations A, dy_c/dA and dy_c/dx, where y_c is the
 * logit of class c (before the softmax). Grad-CAM is ReLU(Σ_k α_k A_k) with α_k the spatial mean of
 * dy_c/dA_k, upsampled bilinearly to the input and scaled to [0, 1]; the saliency map is the
 * largest |dy_c/dx| over the input's channels.
 */

/** Options for {@link gradCam}; defaults in {@link GRADCAM_DEFAULTS}. */
export interface GradCamOptions extends Pick<InferOptions, "threads" | "executionProvider" | "preprocess"> {
  /** The layer (name, value or index as `featurelens layers` lists them); default {@link defaultGradCamLayer}. */
  layer?: string;
  /** The class to explain, one for all images or one per image; default each image's predicted class. */
  classIndex?: number | ArrayLike<number>;
  /** Images per onnxruntime run. */
  batchSize?: number;
}

export const GRADCAM_DEFAULTS = { batchSize: 32 } as const;

/** Grad-CAM and saliency of one image. */
export interface GradCamMap {
  /** The image's row in the dataset given. */
  row: number;
  /** The class explained, and the logit y_c. */
  classIndex: number;
  logit: number;
  /** The class with the largest logit. */
  predicted: number;
  /** The layer's activations' shape [C, h, w]. */
  dims: [number, number, number];
  /** α_k: the spatial mean of dy_c/dA_k, one per channel. */
  weights: Float32Array;
  /** ReLU(Σ_k α_k A_k) at the layer's resolution (h·w), unscaled. */
  cam: Float32Array;
  /** `cam` upsampled bilinearly to the model's input (H·W) and scaled to [0, 1] (all 0 when flat). */
  heatmap: Float32Array;
  /** max over channels of |dy_c/dx| at the model's input (H·W), unscaled. */
  saliency: Float32Array;
  /** The model's input size (H, W). */
  height: number;
  width: number;
}

/** What {@link gradCam} returns: the layer explained and one map per image. */
export interface GradCamResult {
  layer: { name: string; value: string; why: string };
  maps: GradCamMap[];
}

/** The graph input that carries the one-hot class rows (the seed of the backward pass). */
export const CLASS_SEED_INPUT = "gradcam/class_onehot";

/** The opset of the gradient graph (what the training graph uses too). */
const GRAD_OPSET = 17;

/**
 * The layer Grad-CAM looks at by default: the last convolution, followed forward through the
 * activation, residual Add or normalisation that takes its output alone and keeps its shape (the
 * rectified output of "the last conv layer", as Selvaraju et al. use; a ResNet's block output).
 * @example defaultGradCamLayer(seedCnn).name // "/relu6/Relu"
 */
export function defaultGradCamLayer(model: ModelIR, layers: Layer[] = listLayers(model)): { layer: Layer; why: string } {
  const convs = layers.filter((l) => l.kind === "conv" && l.shape?.length === 4);
  const last = convs.at(-1);
  if (!last) throw new ModelError("the model has no convolution layer with a 4-D output; Grad-CAM needs one (give one with --gradcam LAYER)");
  const consumers = (value: string) => model.graph.nodes.filter((n) => n.inputs.includes(value));
  let layer = last;
  for (;;) {
    const next = consumers(layer.output);
    if (next.length !== 1) break;
    const l = layers.find((x) => x.name === (next[0].name || next[0].outputs[0]) && x.output === next[0].outputs[0]);
    if (!l || !["activation", "add", "norm"].includes(l.kind) || !sameShape(l.shape, layer.shape)) break;
    layer = l;
  }
  const why = layer === last ? `the last convolution, ${last.name}` : `the last convolution, ${last.name}, through ${layer.name}`;
  return { layer, why };
}

function sameShape(a: unknown[] | undefined, b: unknown[] | undefined): boolean {
  return !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The gradient graph: the model's inputs plus {@link CLASS_SEED_INPUT} (N×K one-hot rows), and
 * four outputs — the logits, the layer's value A, dy_c/dA and dy_c/dx — made by our autodiff
 * (backward with the one-hot rows as the gradient of the logits, so each image gets the gradient
 * of its own class logit; images do not mix, as the model is in inference mode).
 */
export function gradCamGraph(opened: OpenedModel, layerValue: string): { model: ModelIR; outputs: { logits: string; activation: string; dActivation: string; dInput: string } } {
  const model = opened.model;
  const logits = opened.head.logits;
  const k = numClasses(model, logits);
  const seed: ValueInfoIR = { name: CLASS_SEED_INPUT, type: { kind: "tensor", elemType: DataType.FLOAT, shape: ["N", k] } };
  const graph = { ...model.graph, inputs: [...model.graph.inputs, seed] };
  const input = opened.spec.name;
  // The gradient rules emit ops of opset 16+ (ScatterElements with reduction), as the training graph does.
  const opsetImports = [...model.opsetImports.filter((o) => o.domain !== "" && o.domain !== "ai.onnx"), { domain: "", version: Math.max(GRAD_OPSET, ...model.opsetImports.filter((o) => o.domain === "" || o.domain === "ai.onnx").map((o) => o.version)) }];
  const { model: out, gradients } = backward({ ...model, graph, opsetImports }, { wrt: [layerValue, input], seeds: new Map([[logits, CLASS_SEED_INPUT]]) });
  const outputs = { logits, activation: layerValue, dActivation: gradients.get(layerValue)!, dInput: gradients.get(input)! };
  out.graph.outputs = Object.values(outputs).map((name) => ({ name, type: { kind: "tensor", elemType: DataType.FLOAT } }));
  return { model: out, outputs };
}

function numClasses(model: ModelIR, logits: string): number {
  const s = inferShapes(model).get(logits)?.shape;
  const k = s?.[s.length - 1];
  if (s?.length !== 2 || typeof k !== "number") throw new ModelError(`the logits '${logits}' have shape [${s?.join(", ") ?? "unknown"}]; Grad-CAM needs N×K class scores`);
  return k;
}

/**
 * Grad-CAM and saliency maps of `rows` of `ds` (default: every image) for a layer and class.
 * @example (await gradCam(opened, ds, { layer: "/relu6/Relu" }, [0])).maps[0].heatmap.length // 784 for 28×28 inputs
 */
export async function gradCam(opened: OpenedModel, ds: Dataset, options: GradCamOptions = {}, rows?: ArrayLike<number>): Promise<GradCamResult> {
  checkCompatible(ds, opened.spec);
  const picked = rows ? Array.from(rows) : Array.from({ length: ds.n }, (_, i) => i);
  const bad = picked.filter((r) => !Number.isInteger(r) || r < 0 || r >= ds.n);
  if (bad.length) throw new DataError(`image ${bad.slice(0, 5).join(", ")} is outside 0..${ds.n - 1}`, ds.name);
  const layers = listLayers(opened.model);
  const chosen = chooseLayer(opened.model, layers, options.layer);
  const { model, outputs } = gradCamGraph(opened, chosen.value);
  const k = numClasses(opened.model, opened.head.logits);
  const classOf = classChooser(options.classIndex, picked.length, k);
  const session = await Session.create(model, { source: "Grad-CAM graph", ...(options.threads ? { threads: options.threads } : {}), ...(options.executionProvider ? { executionProvider: options.executionProvider } : {}) });
  const maps: GradCamMap[] = [];
  const batch = options.batchSize ?? GRADCAM_DEFAULTS.batchSize;
  try {
    for (let start = 0; start < picked.length; start += batch) {
      const part = picked.slice(start, start + batch);
      const images = subset(ds, part);
      const x = toInputTensor(images, 0, part.length, opened.spec, options.preprocess ?? opened.preprocess);
      // The logits first, for the default class (the predicted one), then the gradients for the class asked.
      const classes = part.map((_, j) => classOf(start + j));
      const needLogits = classes.some((c) => c < 0);
      const predictedLogits = needLogits ? (await session.run({ [opened.spec.name]: x, [CLASS_SEED_INPUT]: oneHot(part.map(() => 0), k) }, [outputs.logits]))[outputs.logits].data as Float32Array : null;
      const target = classes.map((c, j) => (c >= 0 ? c : argmax(predictedLogits!, j * k, k)));
      const got = await session.run({ [opened.spec.name]: x, [CLASS_SEED_INPUT]: oneHot(target, k) }, Object.values(outputs));
      const channelsLast = opened.spec.layout === "NHWC";
      part.forEach((row, j) => maps.push(mapOf(row, j, target[j], k, got, outputs, channelsLast)));
    }
  } finally {
    await session.release();
  }
  return { layer: { name: chosen.name, value: chosen.value, why: chosen.why }, maps };
}

function chooseLayer(model: ModelIR, layers: Layer[], spec: string | undefined): { name: string; value: string; why: string } {
  if (spec === undefined) {
    const d = defaultGradCamLayer(model, layers);
    return { name: d.layer.name, value: d.layer.output, why: d.why };
  }
  const r = resolveLayer(model, spec, layers);
  const shape = r.layer?.shape ?? inferShapes(model).get(r.value)?.shape;
  if (shape?.length !== 4) {
    throw new UsageError(`--gradcam ${spec}: the layer's output has shape [${shape?.join(", ") ?? "unknown"}]; Grad-CAM needs a layer of 2-D maps (N×C×H×W), such as a convolution or the activation after it`);
  }
  return { name: r.layer?.name ?? r.value, value: r.value, why: "the layer asked for" };
}

/** Class of the i-th image: the one asked for, or −1 for "the predicted class". */
function classChooser(c: GradCamOptions["classIndex"], n: number, k: number): (i: number) => number {
  const check = (v: number) => {
    if (!(Number.isInteger(v) && v >= 0 && v < k)) throw new UsageError(`--class ${v}: the model has ${k} classes, 0..${k - 1}`);
    return v;
  };
  if (c === undefined) return () => -1;
  if (typeof c === "number") {
    check(c);
    return () => c;
  }
  if (c.length !== n) throw new RangeError(`classIndex has ${c.length} entries for ${n} images`);
  for (let i = 0; i < n; i++) check(c[i]);
  return (i) => c[i];
}

function oneHot(classes: number[], k: number): { dtype: "float32"; dims: number[]; data: Float32Array } {
  const data = new Float32Array(classes.length * k);
  classes.forEach((c, i) => (data[i * k + c] = 1));
  return { dtype: "float32", dims: [classes.length, k], data };
}

function argmax(x: Float32Array, off: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (x[off + j] > x[off + best]) best = j;
  return best;
}

type Got = Record<string, { dims: number[]; data: unknown }>;

function mapOf(row: number, j: number, c: number, k: number, got: Got, o: ReturnType<typeof gradCamGraph>["outputs"], channelsLast: boolean): GradCamMap {
  const logits = got[o.logits].data as Float32Array;
  const a = got[o.activation];
  const [, ch, h, w] = a.dims;
  const size = ch * h * w;
  const A = (a.data as Float32Array).subarray(j * size, (j + 1) * size);
  const dA = (got[o.dActivation].data as Float32Array).subarray(j * size, (j + 1) * size);
  const { weights, cam } = camOf(A, dA, ch, h, w);
  const dx = got[o.dInput];
  const [, d1, d2, d3] = dx.dims;
  const [channels, height, width] = channelsLast ? [d3, d1, d2] : [d1, d2, d3];
  const g = (dx.data as Float32Array).subarray(j * d1 * d2 * d3, (j + 1) * d1 * d2 * d3);
  return {
    row, classIndex: c, logit: logits[j * k + c], predicted: argmax(logits, j * k, k), dims: [ch, h, w], weights, cam,
    heatmap: normalize(upsampleBilinear(cam, h, w, height, width)), saliency: saliencyOf(g, channels, height, width, channelsLast), height, width,
  };
}

/**
 * α_k = (1/hw) Σ_ij ∂y_c/∂A_kij and ReLU(Σ_k α_k A_k) (Selvaraju et al. 2017, eq. 1 and 2).
 * @example camOf(Float32Array.of(1, 2), Float32Array.of(0.5, 0.5), 1, 1, 2).cam // Float32Array [0.5, 1]
 */
export function camOf(A: Float32Array, dA: Float32Array, channels: number, h: number, w: number): { weights: Float32Array; cam: Float32Array } {
  const hw = h * w;
  const weights = new Float32Array(channels);
  const acc = new Float64Array(hw);
  for (let c = 0; c < channels; c++) {
    let s = 0;
    for (let p = 0; p < hw; p++) s += dA[c * hw + p];
    const alpha = s / hw;
    weights[c] = alpha;
    for (let p = 0; p < hw; p++) acc[p] += alpha * A[c * hw + p];
  }
  return { weights, cam: Float32Array.from(acc, (v) => (v > 0 ? v : 0)) };
}

/**
 * Bilinear resizing with half-pixel centres, as PyTorch's `F.interpolate(mode="bilinear",
 * align_corners=False)` (source coordinate (dst + ½)·in/out − ½, clamped at 0).
 * @example upsampleBilinear(Float32Array.of(0, 1), 1, 2, 1, 4) // Float32Array [0, 0.25, 0.75, 1]
 */
export function upsampleBilinear(x: Float32Array, h: number, w: number, outH: number, outW: number): Float32Array {
  const out = new Float32Array(outH * outW);
  const axis = (outSize: number, inSize: number) => {
    const i0 = new Int32Array(outSize);
    const i1 = new Int32Array(outSize);
    const t = new Float64Array(outSize);
    for (let d = 0; d < outSize; d++) {
      const src = Math.max(0, ((d + 0.5) * inSize) / outSize - 0.5);
      i0[d] = Math.min(Math.floor(src), inSize - 1);
      i1[d] = Math.min(i0[d] + 1, inSize - 1);
      t[d] = src - i0[d];
    }
    return { i0, i1, t };
  };
  const ys = axis(outH, h);
  const xs = axis(outW, w);
  for (let y = 0; y < outH; y++) {
    const r0 = ys.i0[y] * w;
    const r1 = ys.i1[y] * w;
    const ty = ys.t[y];
    for (let xo = 0; xo < outW; xo++) {
      const a = xs.i0[xo];
      const b = xs.i1[xo];
      const tx = xs.t[xo];
      const top = x[r0 + a] * (1 - tx) + x[r0 + b] * tx;
      const bottom = x[r1 + a] * (1 - tx) + x[r1 + b] * tx;
      out[y * outW + xo] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/** (x − min) / (max − min); all 0 when x is flat. */
export function normalize(x: Float32Array): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = hi - lo;
  return x.map((v) => (span > 0 ? (v - lo) / span : 0));
}

/** max over channels of |g| per pixel (Simonyan et al. 2014, §3.1). */
export function saliencyOf(g: Float32Array, channels: number, h: number, w: number, channelsLast = false): Float32Array {
  const hw = h * w;
  const out = new Float32Array(hw);
  for (let p = 0; p < hw; p++) {
    let m = 0;
    for (let c = 0; c < channels; c++) m = Math.max(m, Math.abs(channelsLast ? g[p * channels + c] : g[c * hw + p]));
    out[p] = m;
  }
  return out;
}

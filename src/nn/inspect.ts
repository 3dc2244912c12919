import { activationStats, type ActivationStats } from "../analysis/activations/stats.js";
import { type Dataset, subset } from "../data/dataset.js";
import { type Layer, listLayers } from "../engine/onnx/surgery.js";
import { DataError, ModelError } from "../util/errors.js";
import { collectValues, type InferOptions, type OpenedModel, probabilitiesOf, scoreValue } from "./infer.js";

/** One layer's output for one image. */
export interface LayerActivation {
  layer: Layer;
  /** Shape without the batch dim, e.g. [16, 28, 28]. */
  dims: number[];
  values: Float32Array;
  stats: ActivationStats;
}

export interface Inspection {
  index: number;
  label: number;
  predicted: number;
  probabilities: Float32Array;
  layers: LayerActivation[];
}

/** Which layers `inspect` reads by default: everything a person names but reshapes and dropouts. */
const INSPECTED = new Set(["conv", "activation", "pool", "norm", "dense", "add", "concat", "softmax"]);

/**
 * Runs one image through the model and returns every layer's output with its statistics, and the
 * softmax probabilities: "slice the CNN and look at what each layer sees".
 */
export async function inspectImage(opened: OpenedModel, ds: Dataset, index: number, options: InferOptions = {}): Promise<Inspection> {
  if (!Number.isInteger(index) || index < 0 || index >= ds.n) {
    throw new DataError(`--index ${index} is outside 0..${ds.n - 1}`, ds.name);
  }
  const layers = listLayers(opened.model).filter((l) => INSPECTED.has(l.kind));
  const { head } = opened;
  const scores = scoreValue(head);
  const values = [...new Set([...layers.map((l) => l.output), scores])];
  const one = subset(ds, [index]);
  const got = await collectValues(opened, one, values, { ...options, batchSize: 1 });
  const probabilities = probabilitiesOf(head, got.get(scores)!.data, got.get(scores)!.data.length);
  const k = probabilities.length;
  const label = ds.labels[index];
  if (label >= k) {
    throw new DataError(`image #${index} is of class ${label} (${ds.classes[label]}), but the model has ${k} classes; pick an image of the model's classes, or keep those with --only`, ds.name);
  }
  const nonFinite = probabilities.filter((p) => !Number.isFinite(p)).length;
  if (nonFinite > 0) {
    throw new ModelError(`the model's output for image #${index} of ${ds.name} holds ${nonFinite} NaN or infinite value(s) of ${k}; its weights are probably broken (a diverged training run)`);
  }
  let predicted = 0;
  for (let j = 1; j < k; j++) if (probabilities[j] > probabilities[predicted]) predicted = j;
  return {
    index,
    label,
    predicted,
    probabilities,
    layers: layers.map((layer) => {
      const v = got.get(layer.output)!;
      return { layer, dims: v.dims.slice(1), values: v.data, stats: activationStats(v.data) };
    }),
  };
}

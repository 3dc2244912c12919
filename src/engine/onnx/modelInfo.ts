import { ModelError } from "../../util/errors.js";
import { type Dim, metadataValue, type ModelIR } from "./ir.js";

/**
 * What a model expects of its input and what featurelens recorded about it. Models featurelens
 * writes carry their class names and preprocessing in metadata_props under these keys.
 */
export const METADATA_KEYS = {
  classes: "featurelens.classes",
  preprocess: "featurelens.preprocess",
  penultimate: "featurelens.penultimate",
} as const;

export interface InputSpec {
  name: string;
  layout: "NCHW" | "NHWC";
  channels: number;
  /** null when the model takes any size. */
  height: number | null;
  width: number | null;
  batch: Dim;
}

/** x = (pixel · scale − mean[c]) / std[c], per channel (one value applies to every channel). */
export interface Preprocess {
  scale: number;
  mean: number[];
  std: number[];
}

/** torchvision's ToTensor and Keras' rescale=1/255: pixels to [0, 1], nothing else. */
export const DEFAULT_PREPROCESS: Preprocess = { scale: 1 / 255, mean: [0], std: [1] };

/** Reads the image input of a classifier: layout, channels and size. */
export function inputSpec(model: ModelIR): InputSpec {
  const init = new Set(model.graph.initializers.map((t) => t.name));
  const inputs = model.graph.inputs.filter((i) => !init.has(i.name));
  if (inputs.length !== 1) {
    throw new ModelError(`featurelens reads image classifiers with one input; this model has ${inputs.length}: ${inputs.map((i) => i.name).join(", ")}`);
  }
  const input = inputs[0];
  const shape = input.type?.kind === "tensor" ? input.type.shape : undefined;
  if (!shape || shape.length !== 4) {
    throw new ModelError(`input '${input.name}' must be a 4-D image batch (N×C×H×W or N×H×W×C), got ${shape ? `[${shape.join(", ")}]` : "no shape"}`);
  }
  const isCh = (d: Dim) => d === 1 || d === 3;
  const nhwc = isCh(shape[3]) && !isCh(shape[1]);
  const [c, h, w] = nhwc ? [shape[3], shape[1], shape[2]] : [shape[1], shape[2], shape[3]];
  if (typeof c !== "number") throw new ModelError(`input '${input.name}' has an unknown channel count: [${shape.join(", ")}]`);
  return {
    name: input.name,
    layout: nhwc ? "NHWC" : "NCHW",
    channels: c,
    height: typeof h === "number" ? h : null,
    width: typeof w === "number" ? w : null,
    batch: shape[0],
  };
}

/** The preprocessing recorded in the model's metadata, if featurelens wrote it. */
export function recordedPreprocess(model: ModelIR): Preprocess | undefined {
  const raw = metadataValue(model, METADATA_KEYS.preprocess);
  if (!raw) return undefined;
  try {
    const p = JSON.parse(raw) as Preprocess;
    if (typeof p.scale === "number" && Array.isArray(p.mean) && Array.isArray(p.std)) return p;
  } catch {
    // fall through
  }
  throw new ModelError(`metadata '${METADATA_KEYS.preprocess}' is not valid: ${raw.slice(0, 80)}`);
}

/** Class names recorded in the model's metadata, if any. */
export function recordedClasses(model: ModelIR): string[] | undefined {
  const raw = metadataValue(model, METADATA_KEYS.classes);
  if (!raw) return undefined;
  const v = JSON.parse(raw) as unknown;
  return Array.isArray(v) && v.every((x) => typeof x === "string") ? v : undefined;
}

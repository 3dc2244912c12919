import { readdirSync } from "node:fs";
import { join } from "node:path";
import { imageAt, sourceIndex } from "../data/dataset.js";
import { loadDataset, type LoadOptions } from "../data/load.js";
import { classNamesFor } from "../nn/classes.js";
import type { InferOptions } from "../nn/infer.js";
import { inspectImage } from "../nn/inspect.js";
import { openModelFile, type PreprocessOverrides } from "../nn/open.js";
import { type LayerSummary, writeInspection } from "../report/inspection.js";
import { type InspectGradCam, writeInspectGradCam } from "./inspectGradCam.js";

/**
 * `featurelens inspect`: what each layer of a model sees of one image — feature maps, activation
 * histograms, the softmax — written to a folder with summary.json.
 */

export interface InspectOptions {
  model: string;
  preprocess?: PreprocessOverrides;
  data: string;
  load?: Omit<LoadOptions, "onProgress" | "onNotice">;
  /** The image's row in the (limited) dataset. */
  index: number;
  out: string;
  infer?: Pick<InferOptions, "threads" | "executionProvider">;
  /** Also Grad-CAM and saliency (gradcam.png, saliency.png, gradcam.json): the layer (default: the last conv layer) and class (default: the predicted one, by name or index). */
  gradcam?: { layer?: string; class?: string };
  onProgress?: (label: string, done: number, total: number | undefined) => void;
}

export interface InspectResult {
  index: number;
  /** The image's index in the source dataset. */
  sourceIndex: number;
  label: string | null;
  predicted: string;
  confidence: number;
  layers: LayerSummary[];
  /** What Grad-CAM explained, when asked for. */
  gradcam?: InspectGradCam;
  /** Every file written. */
  files: string[];
}

export async function inspectToFolder(o: InspectOptions): Promise<InspectResult> {
  const opened = openModelFile(o.model, o.preprocess ?? {});
  const ds = await loadDataset(o.data, { ...o.load, ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
  const result = await inspectImage(opened, ds, o.index, o.infer ?? {});
  const names = classNamesFor(opened.model, ds, result.probabilities.length);
  const summary = await writeInspection(o.out, result, names, { height: ds.height, width: ds.width, channels: ds.channels, pixels: imageAt(ds, o.index) }, (d, t) => o.onProgress?.("drawing", d, t));
  const gradcam = o.gradcam ? await writeInspectGradCam(o.out, opened, ds, o.index, names, result, { ...o.gradcam, ...(o.infer?.threads ? { threads: o.infer.threads } : {}) }) : undefined;
  return {
    index: o.index, sourceIndex: sourceIndex(ds, o.index), label: result.label >= 0 ? names[result.label] : null, predicted: names[result.predicted],
    confidence: result.probabilities[result.predicted], layers: summary.layers, ...(gradcam ? { gradcam } : {}),
    files: readdirSync(o.out, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)),
  };
}

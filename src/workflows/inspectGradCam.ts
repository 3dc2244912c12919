import { join } from "node:path";
import { type Dataset, imageAt, sourceIndex } from "../data/dataset.js";
import { gradCam, type GradCamMap } from "../nn/gradcam.js";
import type { Loaded } from "../report/html/types.js";
import type { OpenedModel } from "../nn/infer.js";
import type { Inspection } from "../nn/inspect.js";
import { writeGradCamPicture } from "../report/gradcamPicture.js";
import { writeFileAtomic } from "../util/atomic.js";
import { resolveClass } from "./classArg.js";

/**
 * `inspect --gradcam [LAYER] --class C`: Grad-CAM and the saliency map of the inspected image
 * (nn/gradcam.ts) as gradcam.png and saliency.png over the image, and gradcam.json with the numbers.
 */

/** What was explained: in the command's output and in gradcam.json. */
export interface InspectGradCam {
  layer: string;
  /** Why this layer: "the last convolution, /conv6/Conv, through /relu6/Relu", or "the layer asked for". */
  why: string;
  classIndex: number;
  className: string;
  /** Whether the class is the one the model predicts. */
  predicted: boolean;
  logit: number;
  files: string[];
}

/** Grad-CAM of image `index` of `ds` written into `out`. */
export async function writeInspectGradCam(
  out: string,
  opened: OpenedModel,
  ds: Dataset,
  index: number,
  names: string[],
  inspection: Pick<Inspection, "label" | "predicted">,
  o: { layer?: string; class?: string; threads?: number },
): Promise<InspectGradCam> {
  const classIndex = o.class === undefined ? inspection.predicted : resolveClass(o.class, names, "--class");
  const r = await gradCam(opened, ds, { ...(o.layer ? { layer: o.layer } : {}), classIndex, ...(o.threads ? { threads: o.threads } : {}) }, [index]);
  const m = r.maps[0];
  const image = { height: ds.height, width: ds.width, channels: ds.channels, pixels: imageAt(ds, index) };
  const about = describeImage(ds, index, names, inspection, m);
  const files = [join(out, "gradcam.png"), join(out, "saliency.png"), join(out, "gradcam.json")];
  await writeGradCamPicture(files[0], { image, map: m, kind: "gradcam", title: `Grad-CAM for ${names[classIndex]}`, notes: [`layer ${r.layer.name} (${r.layer.why}), ${m.dims[1]}x${m.dims[2]} upsampled`, about] });
  await writeGradCamPicture(files[1], { image, map: m, kind: "saliency", title: `Saliency for ${names[classIndex]}`, notes: ["max over channels of |d logit / d pixel|", about] });
  const json = {
    index: sourceIndex(ds, index), layer: r.layer.name, value: r.layer.value, why: r.layer.why, class: classIndex, class_name: names[classIndex], logit: m.logit,
    predicted: m.predicted, predicted_name: names[m.predicted], shape: m.dims, weights: Array.from(m.weights), cam: Array.from(m.cam),
  };
  writeFileAtomic(files[2], `${JSON.stringify(json, null, 1)}\n`);
  return { layer: r.layer.name, why: r.layer.why, classIndex, className: names[classIndex], predicted: classIndex === m.predicted, logit: m.logit, files };
}

function describeImage(ds: Dataset, index: number, names: string[], inspection: Pick<Inspection, "label" | "predicted">, m: GradCamMap): string {
  const label = inspection.label >= 0 ? `true ${names[inspection.label]}, ` : "";
  return `image #${sourceIndex(ds, index)}: ${label}predicted ${names[inspection.predicted]}; logit of the class ${m.logit.toFixed(2)}`;
}

/** Grad-CAM of the predicted class of each of `rows` (the report's inspected images), or why there is none (a model without conv layers). */
export async function gradCamsOf(opened: OpenedModel, ds: Dataset, rows: number[]): Promise<Loaded<{ layer: string; why: string; map: GradCamMap }>[]> {
  if (rows.length === 0) return [];
  try {
    const r = await gradCam(opened, ds, { threads: 1 }, rows);
    return r.maps.map((map) => ({ value: { layer: r.layer.name, why: r.layer.why, map } }));
  } catch (err) {
    return rows.map(() => ({ missing: `no Grad-CAM: ${(err as Error).message}` }));
  }
}

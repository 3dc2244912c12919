import { join } from "node:path";
import { formatShape } from "../engine/tensor.js";
import type { Inspection } from "../nn/inspect.js";
import { writeFileAtomic } from "../util/atomic.js";
import { ModelError } from "../util/errors.js";
import { probabilityBarsSpec } from "./charts/bars.js";
import { histogramSpec } from "./charts/histogram.js";
import { writeFeatureMaps } from "./featureMaps.js";
import { writeImageGrid } from "./imageGrid.js";
import { writeChart } from "./vega.js";

/** One layer's line in summary.json. */
export interface LayerSummary {
  index: number;
  name: string;
  op: string;
  kind: string;
  shape: number[];
  mean: number;
  std: number;
  zeros: number;
  min: number;
  max: number;
  maps: string | null;
  histogram: string;
}

/** A file-name-safe form of a layer name ("/layer1/layer1.0/relu/Relu" → "layer1-layer1.0-relu-Relu"). */
export const safeName = (s: string) => s.replace(/^\/+/, "").replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 80);

/** The image that was inspected, as the dataset holds it. */
export interface InspectedImage {
  height: number;
  width: number;
  channels: number;
  pixels: Uint8Array;
}

/**
 * Writes what `inspect` shows: input.png, softmax.png/.svg, maps/NN-layer.png for every conv,
 * activation and pool layer, histograms/NN-layer.png for every layer, and summary.json.
 */
export async function writeInspection(
  out: string,
  r: Inspection,
  names: string[],
  img: InspectedImage,
  onProgress?: (done: number, total: number) => void,
): Promise<{ layers: LayerSummary[] }> {
  const { height, width, channels } = img;
  const image = img.pixels;
  const caption = r.label >= 0 ? `true: ${names[r.label]}` : "no label";
  await writeImageGrid(join(out, "input.png"), { height, width, channels, cells: [{ image, caption }], columns: 1, scale: Math.max(1, Math.ceil(160 / width)), title: `#${r.index}` });
  await writeChart(join(out, "softmax"), probabilityBarsSpec({
    classes: names,
    probabilities: r.probabilities,
    ...(r.label >= 0 ? { label: r.label } : {}),
    predicted: r.predicted,
    title: `Softmax output for image #${r.index}`,
  }));
  const layers: LayerSummary[] = [];
  for (const [i, a] of r.layers.entries()) {
    const stem = `${String(a.layer.index).padStart(2, "0")}-${safeName(a.layer.name)}`;
    let maps: string | null = null;
    if (a.dims.length === 3 && (a.layer.kind === "conv" || a.layer.kind === "activation" || a.layer.kind === "pool")) {
      maps = join("maps", `${stem}.png`);
      const [c, h, w] = a.dims;
      await writeFeatureMaps(join(out, maps), { maps: a.values, channels: c, height: h, width: w, title: `${a.layer.name}  ${formatShape(a.dims)}` });
    }
    if (!a.values.some(Number.isFinite)) {
      throw new ModelError(`layer '${a.layer.name}' gives no finite value for image #${r.index} (${a.values.length} values, all NaN or infinite); the model's weights are probably broken`);
    }
    const histogram = join("histograms", `${stem}.png`);
    await writeChart(join(out, histogram), histogramSpec({ values: a.values, title: a.layer.name, xTitle: `${a.layer.op} output value` }));
    layers.push({
      index: a.layer.index,
      name: a.layer.name,
      op: a.layer.op,
      kind: a.layer.kind,
      shape: a.dims,
      ...a.stats,
      maps,
      histogram,
    });
    onProgress?.(i + 1, r.layers.length);
  }
  const summary = {
    index: r.index,
    label: r.label,
    label_name: r.label >= 0 ? names[r.label] : null,
    predicted: r.predicted,
    predicted_name: names[r.predicted],
    probabilities: Array.from(r.probabilities),
    classes: names,
    layers: layers.map(({ count: _c, ...l }: LayerSummary & { count?: number }) => l),
  };
  writeFileAtomic(join(out, "summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}


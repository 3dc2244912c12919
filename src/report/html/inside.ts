import { formatShape } from "../../engine/tensor.js";
import type { LayerActivation } from "../../nn/inspect.js";
import { probabilityBarsSpec } from "../charts/bars.js";
import { histogramSpec } from "../charts/histogram.js";
import { renderFeatureMaps } from "../featureMaps.js";
import { encodePng } from "../raster.js";
import { chart, esc, figure, note, pct, pngImg } from "./html.js";
import { gradCamFigures } from "./insideGradcam.js";
import { imagePng } from "./thumbs.js";
import type { InspectedView, RunView, Section } from "./types.js";

/**
 * "What does each layer see?": a few images run through the model layer by layer — the feature
 * maps of a handful of layers from the first to the last (the renderer `inspect` uses) and the
 * histogram of each of those layers' activations — one tab per image.
 */

export const INSIDE_SECTION_DEFAULTS = { layers: 5 } as const;

/**
 * The layers to show: up to `count` spatial layers (activations and pools, else any),
 * spread evenly from the first to the last, and the last one-dimensional layer before the output
 * (the penultimate features) for its histogram.
 */
export function pickLayers(layers: LayerActivation[], count: number): LayerActivation[] {
  const seen = (a: LayerActivation) => a.layer.kind === "activation" || a.layer.kind === "pool";
  const spatial = layers.filter((a) => isMap(a) && seen(a));
  const pool = spatial.length ? spatial : layers.filter(isMap);
  const chosen = pool.length <= count ? pool : Array.from({ length: count }, (_, j) => pool[Math.round((j * (pool.length - 1)) / (count - 1))]);
  const flat = layers.filter((a) => !isMap(a) && seen(a)).at(-1);
  return flat ? [...new Set([...chosen, flat])] : chosen;
}

/** Whether a layer's output is channels of 2-D maps (not 1×1, as after a global pool). */
function isMap(a: LayerActivation): boolean {
  return a.dims.length === 3 && a.dims[1] * a.dims[2] > 1;
}

async function layerRow(a: LayerActivation, key: string): Promise<string> {
  const parts: string[] = [];
  const name = `${a.layer.name}  ${formatShape(a.dims)}`;
  if (isMap(a)) {
    const [c, h, w] = a.dims;
    const maps = renderFeatureMaps({ maps: a.values, channels: c, height: h, width: w, title: name });
    parts.push(figure(pngImg(await encodePng(maps), `feature maps of ${a.layer.name}`, "pixelated"), `${esc(a.layer.op)}: each square is one channel's map, in false colour from its lowest (dark) to its highest value (yellow).`));
  }
  if (a.values.some(Number.isFinite)) {
    parts.push(figure(await chart(histogramSpec({ values: a.values, title: name, xTitle: `${a.layer.op} output value` }), `activations of ${a.layer.name}`, key)));
  }
  return `<div class="layer">${parts.join("")}</div>`;
}

async function imagePanel(run: RunView, v: InspectedView, j: number): Promise<string> {
  const r = v.inspection;
  const classes = run.record.classes;
  const d = run.record.data;
  const size = d ? { height: d.height, width: d.width, channels: d.channels } : null;
  const picture = size ? figure(pngImg(await imagePng(size, v.pixels), `image #${r.index}`, "input"), `image #${r.index}`) : "";
  const softmax = probabilityBarsSpec({
    classes, probabilities: r.probabilities, ...(r.label >= 0 ? { label: r.label } : {}), predicted: r.predicted,
    title: `Softmax output of ${run.model} for image #${r.index} of ${d?.spec ?? "the data"}`,
  });
  const layers = pickLayers(r.layers, INSIDE_SECTION_DEFAULTS.layers);
  const rows = await Promise.all(layers.map((a, i) => layerRow(a, `inside-${j}-h${i}`)));
  return [
    `<p class="lead">${esc(v.why)}</p>`,
    `<div class="figures">${picture}${figure(await chart(softmax, `softmax output for image #${r.index}`, `inside-${j}-softmax`))}</div>`,
    await gradCamFigures(run, v),
    `<p class="explain">${layers.length} of its ${r.layers.length} layers, from the first to the last: what each one makes of the image (feature maps) and how its values spread (histogram; the red line counts the values that are exactly 0).</p>`,
    ...rows,
  ].join("");
}

export async function insideSection(run: RunView): Promise<Section> {
  const id = "inside";
  const title = "What does each layer see?";
  if (!("value" in run.inspected)) return { id, title, html: note(`no images looked at layer by layer: ${run.inspected.missing}`) };
  const views = run.inspected.value;
  if (views.length === 0) return { id, title, html: note("no images to look at") };
  const classes = run.record.classes;
  const label = (v: InspectedView) => {
    const r = v.inspection;
    return `#${r.index} ${r.label >= 0 ? classes[r.label] : "unlabelled"}${r.label >= 0 && r.label !== r.predicted ? ` → ${classes[r.predicted]}` : ""} (${pct(r.probabilities[r.predicted], 0)})`;
  };
  const tabs = views.map((v, j) => `<button type="button" role="tab" data-tab="${id}-${j}">${esc(label(v))}</button>`).join("");
  const panels = await Promise.all(views.map(async (v, j) => `<div class="tab-panel" role="tabpanel" id="${id}-${j}">${await imagePanel(run, v, j)}</div>`));
  return { id, title, html: `<div class="tabs" role="tablist">${tabs}</div>${panels.join("")}` };
}

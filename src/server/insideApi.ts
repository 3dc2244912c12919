import type { InsideLayer, InsideResponse } from "../api/types.js";
import { formatShape } from "../engine/tensor.js";
import { type Inspection, inspectImage } from "../nn/inspect.js";
import { probabilityBarsSpec } from "../report/charts/bars.js";
import { histogramSpec } from "../report/charts/histogram.js";
import { renderFeatureMaps } from "../report/featureMaps.js";
import { encodePng } from "../report/raster.js";
import { notFound } from "./http.js";
import { rowParam } from "./imagesApi.js";
import { nameParam, onlyParams, parseInteger } from "./params.js";
import type { ApiContext, ApiRequest, Reply } from "./reply.js";
import type { ScopeRef } from "./runStore.js";

/**
 * GET /api/runs/:run/inside/:row and /inside/:row/:layer.png: the run's model on one image
 * (nn/inspect.ts) — each layer's statistics and histogram spec, the softmax bars, and each
 * layer's feature maps as a picture (report/featureMaps.ts), as `featurelens inspect` writes them.
 * The last few inspections are kept.
 */

/** Inspections kept (each holds every layer's output for one image). */
const KEEP_INSPECTIONS = 8;

/** Which layers get a feature-map picture: C×H×W outputs of conv, activation and pool layers. */
function hasMaps(a: Inspection["layers"][number]): boolean {
  return a.dims.length === 3 && (a.layer.kind === "conv" || a.layer.kind === "activation" || a.layer.kind === "pool");
}

async function inspection(ctx: ApiContext, s: ScopeRef, row: number): Promise<Inspection> {
  const key = `inside\0${row}`;
  ctx.store.keepRecent("inside", `${s.key}${key}`, KEEP_INSPECTIONS);
  return ctx.store.cached(s, key, async () => {
    const [opened, ds] = await Promise.all([ctx.store.model(s.open), ctx.store.images(s)]);
    const r = await inspectImage(opened, ds, row, { threads: 1 });
    return { value: r, bytes: r.layers.reduce((sum, l) => sum + l.values.byteLength, 0) + 1024 };
  });
}

function scopeAndRow(ctx: ApiContext, req: ApiRequest): { s: ScopeRef; rowText: string } {
  const open = ctx.store.open(req.params[0]);
  return { s: ctx.store.scope(open, nameParam(req.url, "domain")), rowText: req.params[1] };
}

/** GET /api/runs/:run/inside/:row[?domain=] */
export async function insideGet(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, ["domain"]);
  const { s, rowText } = scopeAndRow(ctx, req);
  const p = await ctx.store.predictions(s);
  const row = rowParam(rowText, p.n);
  const r = await inspection(ctx, s, row);
  const record = s.open.run.record;
  const classes = record.classes.length === r.probabilities.length ? record.classes : Array.from(r.probabilities, (_, i) => String(i));
  const label = p.label[row];
  const index = p.index[row];
  const layers: InsideLayer[] = r.layers.map((a) => ({
    index: a.layer.index, name: a.layer.name, op: a.layer.op, kind: a.layer.kind, shape: a.dims,
    mean: a.stats.mean, std: a.stats.std, min: a.stats.min, max: a.stats.max, zeros: a.stats.zeros, maps: hasMaps(a),
    histogram: a.values.some(Number.isFinite) ? histogramSpec({ values: a.values, title: a.layer.name, xTitle: `${a.layer.op} output value` }) : null,
  }));
  const body: InsideResponse = {
    row, index, label, predicted: r.predicted, probabilities: Array.from(r.probabilities),
    softmax: probabilityBarsSpec({ classes, probabilities: r.probabilities, ...(label >= 0 ? { label } : {}), predicted: r.predicted, title: `Softmax output for image #${index}` }),
    layers,
  };
  return { json: body };
}

/** GET /api/runs/:run/inside/:row/:layer.png[?domain=] (layer: its index in `layers`) */
export async function insideLayerGet(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, ["domain"]);
  const { s, rowText } = scopeAndRow(ctx, req);
  const p = await ctx.store.predictions(s);
  const row = rowParam(rowText, p.n);
  const layerIndex = parseInteger(req.params[2], "layer", 0, 100_000);
  const png = await ctx.store.cached(s, `inside\0${row}\0${layerIndex}.png`, async () => {
    const r = await inspection(ctx, s, row);
    const a = r.layers.find((l) => l.layer.index === layerIndex);
    if (!a) throw notFound(`the model has no layer ${layerIndex} among those inspected (${r.layers.map((l) => l.layer.index).join(", ")})`);
    if (!hasMaps(a)) throw notFound(`layer ${layerIndex} (${a.layer.name}, ${a.layer.kind}, shape ${formatShape(a.dims)}) has no feature maps to draw`);
    const [c, h, w] = a.dims;
    const bytes = await encodePng(renderFeatureMaps({ maps: a.values, channels: c, height: h, width: w, title: `${a.layer.name}  ${formatShape(a.dims)}` }));
    return { value: bytes, bytes: bytes.byteLength };
  });
  return { bytes: png, type: "image/png" };
}

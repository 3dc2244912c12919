import type { LayerRowJson, LayersJson } from "../analysis/diagnose/diagnoseJson.js";
import { deadUnits, knnVoteAccuracy, layerWords } from "../analysis/diagnose/layerSeparation.js";
import { heldOutSplit, stratifiedSample } from "../analysis/diagnose/rowSample.js";
import { knnQuery } from "../analysis/node/neighbors.js";
import { withDenseBackend } from "./dense.js";
import { type Dataset, subset } from "../data/dataset.js";
import type { OpenedModel } from "../nn/infer.js";
import { DataError } from "../util/errors.js";
import { pick } from "./diagnoseSeparation.js";
import { pooledLayerValues } from "./layerValues.js";

/**
 * How separable the classes are at each layer: the kNN accuracy (k = 10, fitted on 80% of the
 * images analysed and scored on the other 20%, stratified and seeded) of every layer's pooled
 * values, from the pixels to the logits, and the units of each ReLU layer that never fire. The
 * images are a stratified, seeded sample of the scope's, capped for speed.
 */

export const LAYERS_DEFAULTS = { maxImages: 5000, k: 10, heldOut: 0.2, seed: 0 } as const;

export interface LayersInput {
  run: string;
  domain: string | null;
  data: string;
  opened: OpenedModel;
  /** The scope's images, row i = row i of `labels`. */
  images: Dataset;
  /** The scope's labels (aligned to the run's classes; −1 unlabelled), from its predictions. */
  labels: Int32Array;
  /** Classes to leave out (fewer than 2 images). */
  include: (c: number) => boolean;
  maxImages?: number;
  seed?: number;
  threads?: number;
  onStage?: (stage: string) => void;
  onProgress?: (label: string, done: number, total: number) => void;
}

/** The layer curve of one scope, as stored in diagnose/layers.json (without its chart). */
export async function layerSeparation(o: LayersInput): Promise<LayersJson> {
  const t0 = performance.now();
  const seed = o.seed ?? LAYERS_DEFAULTS.seed;
  const k = LAYERS_DEFAULTS.k;
  if (o.images.n !== o.labels.length) throw new DataError(`the run's images (${o.images.n}) and its predictions (${o.labels.length} rows) differ; run featurelens analyze again`, o.data);
  const usable = Int32Array.from(o.labels, (y) => (y >= 0 && o.include(y) ? y : -1));
  const rows = stratifiedSample(usable, o.maxImages ?? LAYERS_DEFAULTS.maxImages, seed);
  const labels = Int32Array.from(rows, (i) => usable[i]);
  const split = heldOutSplit(labels, LAYERS_DEFAULTS.heldOut, seed);
  if (split.fit.length < k || split.score.length === 0) {
    throw new DataError(`${rows.length} labelled images are too few to measure the layers (${k} neighbours among 80% of them, scored on 20%)`, o.data);
  }
  o.onStage?.(`every layer's values for ${rows.length.toLocaleString("en-US")} images`);
  const layers = await pooledLayerValues(o.opened, subset(o.images, rows), { ...(o.threads ? { threads: o.threads } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
  const fitLabels = Int32Array.from(split.fit, (i) => labels[i]);
  const scoreLabels = Int32Array.from(split.score, (i) => labels[i]);
  const out: LayerRowJson[] = [];
  const graphs = await withDenseBackend(async (dense) => {
    const all = [];
    for (const l of layers) {
      o.onStage?.(`kNN accuracy at ${l.name}`);
      all.push(await knnQuery(pick(l.points, split.fit), pick(l.points, split.score), k, { method: "exact", dense, ...(o.threads ? { threads: o.threads } : {}) }));
    }
    return all;
  });
  for (const [i, l] of layers.entries()) {
    const graph = graphs[i];
    const accuracy = knnVoteAccuracy(graph, fitLabels, scoreLabels);
    const dead = l.max ? deadUnits(l.max) : null;
    out.push({
      position: l.position, index: l.layer?.index ?? null, name: l.name, op: l.layer?.op ?? "input", kind: l.layer?.kind ?? "input", value: l.value, shape: l.shape, d: l.points.d,
      pooling: l.pooling, knn_accuracy: accuracy, se: Math.sqrt((accuracy * (1 - accuracy)) / split.score.length), role: l.role,
      dead: dead && l.max ? { units: l.max.length, count: dead.length, channels: Array.from(dead) } : null,
    });
  }
  const words = layerWords(out.map((r) => ({ name: r.name, accuracy: r.knn_accuracy, role: r.role })), split.score.length);
  const relu = out.filter((r) => r.dead);
  return {
    featurelens: "diagnose/layers", run: o.run, domain: o.domain, data: o.data, images: rows.length, of: o.images.n, fit: split.fit.length, scored: split.score.length, k, seed,
    layers: out,
    summary: { text: words.text, details: [...words.details, ...deadWords(out)], how: words.how, pixels_beat_penultimate: words.pixelsBeatPenultimate, separate_from: words.separateFrom, best: words.best },
    dead: { layers: relu.length, units: relu.reduce((s, r) => s + r.dead!.units, 0), dead: relu.reduce((s, r) => s + r.dead!.count, 0) },
    chart: null, seconds: (performance.now() - t0) / 1000,
  };
}

/** "Dead units: 3 of 16 in /relu5/Relu, …" or that every ReLU unit fires. */
function deadWords(rows: LayerRowJson[]): string[] {
  const relu = rows.filter((r) => r.dead);
  if (relu.length === 0) return [];
  const withDead = relu.filter((r) => r.dead!.count > 0);
  if (withDead.length === 0) return [`Every unit of the ${relu.length} ReLU layers fires on some image.`];
  return [`Units that never fire (0 for every image analysed): ${withDead.map((r) => `${r.dead!.count} of ${r.dead!.units} in ${r.name}`).join(", ")}.`];
}

import { existsSync, readFileSync } from "node:fs";
import { evaluate, type MetricsReport } from "../analysis/metrics/index.js";
import { type Dataset, imageAt } from "../data/dataset.js";
import { datasetHash } from "../data/hash.js";
import { loadDataset } from "../data/load.js";
import { alignLabels } from "../nn/classes.js";
import type { OpenedModel } from "../nn/infer.js";
import { inspectImage } from "../nn/inspect.js";
import { gradCamsOf } from "./inspectGradCam.js";
import type { HistoryPoint } from "../report/charts/history.js";
import type { DomainView, EvaluationView, InspectedView, Loaded, MapView, RunView } from "../report/html/types.js";
import { readMap } from "../store/maps.js";
import { readPredictions } from "../store/predictions.js";
import type { PredictionsTable } from "../store/predictionsSchema.js";
import type { Run } from "../store/run.js";
import type { Scope } from "../store/runRecord.js";
import { aName } from "../report/html/summary.js";
import { modelLabel } from "./modelLabel.js";

/**
 * A run read for the report: each part (predictions, evaluation, map, images, history, a few
 * images looked at layer by layer, domains) read on its own, so that a missing or damaged file
 * leaves a note saying what is missing instead of stopping the report.
 */

/** The map the report shows: t-SNE when there is one, then UMAP, then PCA. */
export const MAP_PREFERENCE = ["tsne", "umap", "pca"] as const;

/** Runs `read`, turning a failure into the reason it gives. */
export async function attempt<T>(read: () => Promise<T> | T): Promise<Loaded<T>> {
  try {
    return { value: await read() };
  } catch (err) {
    return { missing: (err as Error).message };
  }
}

async function scopePredictions(run: Run, domain?: string): Promise<Loaded<PredictionsTable>> {
  const file = `${run.scopePrefix(domain)}predictions.parquet`;
  if (!existsSync(run.path(file))) return { missing: `${file} is not in the run folder${run.scope(domain).artifacts[file] ? " (run.json records it: it was deleted)" : ""}; make it with featurelens analyze` };
  return attempt(() => readPredictions(run.path(file)));
}

/** Every metric with its curves from the predictions, else the report alone from evaluation/report.json. */
async function readEvaluation(run: Run, p: Loaded<PredictionsTable>): Promise<Loaded<EvaluationView>> {
  if ("value" in p) {
    const t = p.value;
    const rows = Int32Array.from({ length: t.n }, (_, i) => i).filter((i) => t.label[i] >= 0);
    if (rows.length === 0) return { missing: "no image of the run's data has a label, so there is nothing to score" };
    const labels = Int32Array.from(rows, (i) => t.label[i]);
    const probs = new Float32Array(rows.length * t.k);
    rows.forEach((i, r) => probs.set(t.probabilities.subarray(i * t.k, (i + 1) * t.k), r * t.k));
    const computed = await attempt(() => evaluate(labels, probs, t.k, { curves: true }));
    if ("value" in computed) return { value: { ...computed.value, source: "predictions.parquet" } };
  }
  const file = run.path("evaluation/report.json");
  if (!existsSync(file)) return { missing: `predictions.parquet could not be read (${"missing" in p ? p.missing : "it could not be scored"}) and evaluation/report.json is missing` };
  return attempt(() => ({ report: JSON.parse(readFileSync(file, "utf8")) as MetricsReport, curves: null, samples: null, source: "evaluation/report.json" as const }));
}

function readMapView(run: Run, scope: Scope, name: string | undefined): Loaded<MapView> {
  if (!name) return { missing: "the run has no map of its features; make one with featurelens analyze --maps tsne" };
  try {
    const { record, embedding, meta } = readMap(run, scope, name);
    return { value: { name, method: record.method, dims: record.dims, n: embedding.length / record.dims, embedding, kl: record.kl, quality: record.quality ?? (meta.quality as Record<string, unknown> | null) } };
  } catch (err) {
    return { missing: (err as Error).message };
  }
}

/** The run's images as analyze saw them (labels aligned to the model's classes), checked against run.json's hash. */
async function readImages(run: Run): Promise<Loaded<Dataset>> {
  const d = run.record.data;
  if (!d) return { missing: "run.json records no data" };
  const loaded = await attempt(() => loadDataset(d.spec, { ...(d.limit !== null ? { limit: d.limit } : {}), ...(d.only !== null ? { only: d.only } : {}), seed: d.seed, download: false }));
  if ("missing" in loaded) return { missing: `the images of ${d.spec} could not be loaded (${loaded.missing}); the report goes on without them` };
  const raw = loaded.value;
  const ds = run.record.classes.length ? { ...raw, classes: run.record.classes, labels: alignLabels(raw.classes, raw.labels, run.record.classes, raw.name) } : raw;
  if (datasetHash(ds) !== d.hash) return { missing: `the images ${d.spec} loads now differ from those the run was made from (their hash is not run.json's); the report goes on without them` };
  return { value: ds };
}

function readHistory(run: Run): Loaded<HistoryPoint[]> | null {
  const trained = run.record.config.train !== undefined || run.record.artifacts["history.json"] !== undefined;
  if (!trained) return null;
  const file = run.path("history.json");
  if (!existsSync(file)) return { missing: "history.json is not in the run folder" };
  try {
    const h = JSON.parse(readFileSync(file, "utf8")) as HistoryPoint[];
    if (!Array.isArray(h)) return { missing: "history.json is not a list of epochs" };
    return { value: h };
  } catch (err) {
    return { missing: `history.json cannot be read (${(err as Error).message})` };
  }
}

/**
 * Up to three images worth a look inside: the most confident right answer, the most confident
 * mistake, and the one the model hesitates most over (smallest margin).
 */
export function pickImages(p: PredictionsTable, classes: string[]): { index: number; why: string }[] {
  const name = (k: number) => classes[k] ?? String(k);
  let right = -1;
  let wrong = -1;
  let unsure = -1;
  for (let i = 0; i < p.n; i++) {
    if (p.label[i] < 0) continue;
    if (p.predicted[i] === p.label[i] && (right < 0 || p.confidence[i] > p.confidence[right])) right = i;
    if (p.predicted[i] !== p.label[i] && (wrong < 0 || p.confidence[i] > p.confidence[wrong])) wrong = i;
    if (unsure < 0 || p.margin[i] < p.margin[unsure]) unsure = i;
  }
  const pc = (v: number) => `${(100 * v).toFixed(0)}%`;
  const out: { index: number; why: string }[] = [];
  if (right >= 0) out.push({ index: right, why: `Its surest right answer: ${aName(name(p.label[right]))}, ${pc(p.confidence[right])} sure.` });
  if (wrong >= 0) out.push({ index: wrong, why: `Its surest mistake: ${aName(name(p.label[wrong]))} called ${name(p.predicted[wrong])}, ${pc(p.confidence[wrong])} sure.` });
  if (unsure >= 0 && unsure !== right && unsure !== wrong) {
    const second = pc(p.confidence[unsure] - p.margin[unsure]);
    out.push({ index: unsure, why: `Where it hesitates most: ${aName(name(p.label[unsure]))}, called ${name(p.predicted[unsure])} at ${pc(p.confidence[unsure])} with the runner-up at ${second}.` });
  }
  return out;
}

async function readInspected(opened: Loaded<OpenedModel>, images: Loaded<Dataset>, p: Loaded<PredictionsTable>, classes: string[]): Promise<Loaded<InspectedView[]>> {
  if ("missing" in opened) return { missing: `the run's model cannot be opened (${opened.missing})` };
  if ("missing" in images) return { missing: images.missing };
  if ("missing" in p) return { missing: `the predictions could not be read to pick the images (${p.missing})` };
  const ds = images.value;
  if (p.value.n !== ds.n) return { missing: `the predictions have ${p.value.n} rows for ${ds.n} images` };
  return attempt(async () => {
    const out: InspectedView[] = [];
    const picked = pickImages(p.value, classes);
    const cams = await gradCamsOf(opened.value, ds, picked.map((x) => x.index));
    for (const [j, { index, why }] of picked.entries()) {
      out.push({ why, inspection: { ...(await inspectImage(opened.value, ds, index, { threads: 1 })), index: p.value.index[index] }, pixels: imageAt(ds, index), gradcam: cams[j] });
    }
    return out;
  });
}

/** Options for {@link readRunView}. */
export interface ReadRunViewOptions {
  /** The run's model, opened (or why it cannot be): needed to look inside it. */
  model: Loaded<OpenedModel>;
  /** Look inside a few images (default true). */
  inspect?: boolean;
  /** The map to show (default: the first of MAP_PREFERENCE the run has). */
  map?: string;
}

/** Reads a run for the report. */
export async function readRunView(run: Run, o: ReadRunViewOptions): Promise<RunView> {
  const predictions = await scopePredictions(run);
  const mapName = o.map ?? MAP_PREFERENCE.find((m) => run.record.maps[m]) ?? Object.keys(run.record.maps)[0];
  const images = await readImages(run);
  const domains: DomainView[] = [];
  for (const [slug, scope] of Object.entries(run.record.domains ?? {})) {
    domains.push({ slug, scope, predictions: await scopePredictions(run, slug), map: mapName && scope.maps[mapName] ? readMapView(run, scope, mapName) : { missing: `the domain was not placed into the run's ${mapName ?? ""} map` } });
  }
  return {
    id: run.id,
    dir: run.dir,
    record: run.record,
    model: modelLabel(run.record),
    predictions,
    evaluation: await readEvaluation(run, predictions),
    map: readMapView(run, run.record, mapName),
    images,
    history: readHistory(run),
    inspected: o.inspect === false ? { missing: "not asked for" } : await readInspected(o.model, images, predictions, run.record.classes),
    domains,
  };
}

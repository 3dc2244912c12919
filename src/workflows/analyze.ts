import { embed, type EmbedMethod, mapQuality, placeInto, QUALITY_K } from "../analysis/node/pipeline.js";
import { knn, type KnnGraph } from "../analysis/node/neighbors.js";
import { evaluate } from "../analysis/metrics/index.js";
import type { Dataset } from "../data/dataset.js";
import { sourceIndices } from "../data/dataset.js";
import { datasetHash } from "../data/hash.js";
import { parseDataSpec } from "../data/spec.js";
import { resolveLayer } from "../engine/onnx/surgery.js";
import { alignLabels, classNamesFor } from "../nn/classes.js";
import { collectValues, type OpenedModel, probabilitiesOf, scoreValue } from "../nn/infer.js";
import { writeEvaluation } from "../report/evaluation.js";
import { readFeatures, writeFeatures } from "../store/features.js";
import { readMapReference, writeMap } from "../store/maps.js";
import { predictionsTable, readPredictions, writePredictions } from "../store/predictions.js";
import type { Run } from "../store/run.js";
import type { DataRecord, Scope } from "../store/runRecord.js";
import { DataError, UsageError } from "../util/errors.js";
import { withDenseBackend } from "./dense.js";

/**
 * `analyze`: one model on one dataset, into a run — predictions, the features of the layers asked
 * for, every metric with its charts, and maps of the penultimate features with their quality. A
 * second dataset goes into a domain of the run (`domains/<slug>/`), its points placed into the
 * run's maps. Each stage is recorded in run.json as it finishes; a rerun skips what is recorded
 * with the same settings, so an interrupted analysis completes where it stopped.
 */

/** The images of an analysis, and how they were chosen. */
export interface AnalyzedData {
  dataset: Dataset;
  /** The `--data` spec as the user gave it. */
  spec: string;
  limit?: number;
  only?: string;
  seed: number;
  /** The split's name when the spec does not say (a validation split: "val"). */
  split?: string;
}

export interface AnalyzeOptions {
  /** The run, opened to write. */
  run: Run;
  opened: OpenedModel;
  data: AnalyzedData;
  /** Add the data as this domain of the run instead of as the run's own dataset. */
  domain?: string;
  /** Layers whose features to keep (default: penultimate). */
  layers?: string[];
  /** Maps of the penultimate features (default: t-SNE and PCA). A domain is placed into the run's maps instead. */
  maps?: EmbedMethod[];
  seed?: number;
  threads?: number;
  batchSize?: number;
  /**
   * Predictions and features computed elsewhere (e.g. `assemble` from the parts of sharded
   * workers), row i being image i of `data.dataset`: the model is not run, and the features kept
   * are those given, by layer key ("penultimate", a layer name) instead of `layers`.
   */
  precomputed?: Precomputed;
  onStage?: (stage: string) => void;
  onProgress?: (label: string, done: number, total: number) => void;
}

/** What the inference stage makes: N×K probabilities and each layer's N×D features, by layer key. */
export interface Precomputed {
  probabilities: Float32Array;
  features: Map<string, { d: number; data: Float32Array }>;
}

/** The map methods an analysis makes. */
export const MAP_METHODS: readonly EmbedMethod[] = ["tsne", "pca", "umap"];

/** `--maps tsne,pca` (or `none`) as methods; an unknown one is a UsageError naming the flag. */
export function parseMapMethods(list: readonly string[]): EmbedMethod[] {
  if (list.length === 1 && list[0] === "none") return [];
  const bad = list.filter((m) => !MAP_METHODS.includes(m as EmbedMethod));
  if (bad.length) throw new UsageError(`--maps takes ${MAP_METHODS.join(", ")} or none, got '${bad.join(",")}'`);
  return [...new Set(list)] as EmbedMethod[];
}

export const ANALYZE_DEFAULTS = { layers: ["penultimate"], maps: ["tsne", "pca"] as EmbedMethod[], seed: 0 };

/** How long each stage took, and whether it was already done. */
export interface StageTiming {
  stage: string;
  seconds: number;
  skipped: boolean;
}

export interface AnalyzeResult {
  scope: Scope;
  domain?: string;
  stages: StageTiming[];
}

/** Runs (or completes) the analysis; see the module comment. */
export async function analyze(o: AnalyzeOptions): Promise<AnalyzeResult> {
  const run = o.run;
  const layers = o.precomputed ? [...o.precomputed.features.keys()] : o.layers?.length ? o.layers : ANALYZE_DEFAULTS.layers;
  const methods = o.maps ?? ANALYZE_DEFAULTS.maps;
  const seed = o.seed ?? ANALYZE_DEFAULTS.seed;
  const stages: StageTiming[] = [];
  const timed = async <T>(stage: string, skip: boolean, work: () => Promise<T>): Promise<T | undefined> => {
    const t0 = performance.now();
    if (!skip) o.onStage?.(stage);
    const r = skip ? undefined : await work();
    stages.push({ stage, seconds: (performance.now() - t0) / 1000, skipped: skip });
    return r;
  };

  const k = outputCount(o.opened);
  const classes = run.record.classes.length === k ? run.record.classes : classNamesFor(o.opened.model, o.data.dataset, k);
  const ds = { ...o.data.dataset, labels: alignLabels(o.data.dataset.classes, o.data.dataset.labels, classes, o.data.dataset.name) };
  const dataRecord = describeData(o.data, ds);
  const domain = o.domain === undefined ? undefined : run.ensureDomain(o.domain);
  const scope = run.scope(domain);
  claimData(run, scope, dataRecord, domain);
  if (domain === undefined && run.record.classes.length === 0) run.record.classes = classes;
  scope.status = "incomplete";
  run.save();

  const modelId = run.record.model?.sha256 ?? "";
  const prefix = run.scopePrefix(domain);
  const values = layers.map((l) => {
    const r = resolveLayer(o.opened.model, l);
    return { key: l, value: r.value, name: r.layer?.name ?? r.value };
  });
  const inferParams = { model: modelId, data: dataRecord.hash };
  const predictionsFile = `${prefix}predictions.parquet`;
  const haveInference = run.hasArtifact(scope, predictionsFile, inferParams) && values.every((v) => scope.features[v.key] && run.hasArtifact(scope, scope.features[v.key].file, { ...inferParams, layer: v.value }));
  await timed("predictions and features", haveInference, async () => {
    const { probabilities, features } = o.precomputed ?? (await infer(o, ds, values));
    if (probabilities.length !== ds.n * k) throw new RangeError(`precomputed probabilities: ${probabilities.length} values for ${ds.n} images × ${k} classes`);
    for (const v of values) {
      const c = features.get(v.key)!;
      writeFeatures(run, scope, { key: v.key, layer: v.name, value: v.value, n: ds.n, d: c.d, data: c.data, params: inferParams, ...(domain !== undefined ? { domain } : {}) });
    }
    const table = predictionsTable({ probabilities, k, labels: ds.labels, index: sourceIndices(ds), split: dataRecord.split });
    await writePredictions(run.path(predictionsFile), table);
    run.recordArtifact(scope, { file: predictionsFile, kind: "predictions", params: inferParams });
    return probabilities;
  });

  const evalDir = `${prefix}evaluation`;
  const evalParams = { ...inferParams };
  await timed("evaluation", run.hasArtifact(scope, evalDir, evalParams), async () => {
    const p = await readPredictions(run.path(predictionsFile));
    const labelled = Int32Array.from({ length: p.n }, (_, i) => i).filter((i) => p.label[i] >= 0);
    if (labelled.length === 0) return;
    const labels = Int32Array.from(labelled, (i) => p.label[i]);
    const probs = new Float32Array(labelled.length * k);
    labelled.forEach((i, r) => probs.set(p.probabilities.subarray(i * k, (i + 1) * k), r * k));
    const evaluation = evaluate(labels, probs, k, { curves: true });
    const title = `${modelName(run)} on ${dataRecord.name}`;
    await writeEvaluation(run.path(evalDir), evaluation, classes, title);
    const r = evaluation.report;
    scope.summary = {
      ...scope.summary, n: p.n, labelled: labelled.length, accuracy: r.accuracy, balanced_accuracy: r.balanced_accuracy, macro_f1: r.macro.f1, weighted_f1: r.weighted.f1,
      log_loss: r.log_loss, ece: r.ece, roc_auc_macro: r.roc_auc.macro,
    };
    run.recordArtifact(scope, { file: evalDir, kind: "evaluation", params: evalParams });
  });

  const source = "penultimate";
  const hasSource = !!scope.features[source];
  if (domain === undefined) {
    // The features' own 10 nearest neighbours, found once: every map's quality is measured against them.
    let featureGraph: KnnGraph | null = null;
    for (const method of methods) {
      const mapParams = { ...inferParams, method, source, seed };
      await timed(`${method} map`, !hasSource || run.hasArtifact(scope, `maps/${method}.npy`, mapParams), async () => {
        const f = readFeatures(run, scope, source);
        const labels = await labelsOf(run, predictionsFile);
        const t0 = performance.now();
        const e = await withDenseBackend((dense) => embed({ n: f.n, d: f.d, data: f.data }, { method, seed, dense, ...(o.threads ? { threads: o.threads } : {}), onProgress: (p) => void o.onProgress?.(method, p.iteration, 1000) }));
        const points = { n: f.n, d: f.d, data: f.data };
        featureGraph ??= await withDenseBackend((dense) => knn(points, Math.min(QUALITY_K, f.n - 1), { dense, ...(o.threads ? { threads: o.threads } : {}) }));
        const quality = await mapQuality(points, { n: f.n, d: e.dims, data: e.embedding }, labels, { inputKnn: featureGraph, seed, ...(o.threads ? { threads: o.threads } : {}) });
        writeMap(run, scope, { name: method, method, source, layer: f.record.layer, params: mapParams, embedded: e, quality, seconds: (performance.now() - t0) / 1000 });
      });
    }
  } else {
    for (const [name, map] of Object.entries(run.record.maps)) {
      const mapParams = { ...inferParams, placed_into: name, map: run.record.artifacts[map.file]?.created ?? "" };
      await timed(`placing into the ${name} map`, !scope.features[map.source] || run.hasArtifact(scope, `${prefix}maps/${name}.npy`, mapParams), async () => {
        const f = readFeatures(run, scope, map.source);
        const ref = readMapReference(run, name);
        const t0 = performance.now();
        const e = await withDenseBackend((dense) => placeInto(map.method, ref, { n: f.n, d: f.d, data: f.data }, { seed, dense, ...(o.threads ? { threads: o.threads } : {}) }));
        writeMap(run, scope, { name, method: map.method, source: map.source, layer: f.record.layer, params: mapParams, embedded: e, quality: null, seconds: (performance.now() - t0) / 1000, domain, placedInto: name });
      });
    }
  }
  scope.status = "complete";
  if (domain === undefined || run.record.status === "complete") run.record.status = "complete";
  run.save();
  return { scope, ...(domain !== undefined ? { domain } : {}), stages };
}

/** Runs the model once over the images for the class scores and every layer's values. */
async function infer(o: AnalyzeOptions, ds: Dataset, values: { key: string; value: string }[]): Promise<Precomputed> {
  const score = scoreValue(o.opened.head);
  const got = await collectValues(o.opened, ds, [...new Set([score, ...values.map((v) => v.value)])], {
    ...(o.batchSize ? { batchSize: o.batchSize } : {}), ...(o.threads ? { threads: o.threads } : {}),
    onProgress: (d, t) => o.onProgress?.("predicting", d, t),
  });
  const scores = got.get(score)!;
  const features = new Map(values.map((v) => [v.key, { d: got.get(v.value)!.data.length / ds.n, data: got.get(v.value)!.data }]));
  return { probabilities: probabilitiesOf(o.opened.head, scores.data, scores.data.length / ds.n), features };
}

/** The labels of a scope's predictions (−1 where unlabelled), or null when none is labelled. */
async function labelsOf(run: Run, predictionsFile: string): Promise<Int32Array | null> {
  const p = await readPredictions(run.path(predictionsFile));
  return p.label.some((y) => y >= 0) && p.label.every((y) => y >= 0) ? p.label : null;
}

/** The number of class scores the model gives (its logits' width, or 2 for one sigmoid unit). */
function outputCount(opened: OpenedModel): number {
  const shape = opened.model.graph.outputs[0]?.type?.kind === "tensor" ? opened.model.graph.outputs[0].type.shape : undefined;
  const k = shape?.at(-1);
  if (typeof k !== "number") throw new DataError("the model's output has no fixed number of classes; export it with a fixed class dimension");
  return k === 1 ? 2 : k;
}

/** What run.json records about the images. */
export function describeData(d: AnalyzedData, ds: Dataset): DataRecord {
  return {
    spec: d.spec, name: ds.name, split: d.split ?? splitOf(d.spec), n: ds.n, height: ds.height, width: ds.width, channels: ds.channels,
    hash: datasetHash(ds), limit: d.limit ?? null, only: d.only ?? null, seed: d.seed,
  };
}

function splitOf(spec: string): string {
  try {
    const p = parseDataSpec(spec);
    return "split" in p ? p.split : "";
  } catch {
    return "";
  }
}

/** A scope analyzes one dataset: the same images again complete it; other images are refused. */
function claimData(run: Run, scope: Scope, data: DataRecord, domain: string | undefined): void {
  if (!scope.data) {
    scope.data = data;
    return;
  }
  if (scope.data.hash === data.hash) return;
  const where = domain === undefined ? `run ${run.id}` : `domain '${domain}' of run ${run.id}`;
  throw new UsageError(
    `${where} holds the analysis of other images (${scope.data.spec}, ${scope.data.n} images); ` +
      (domain === undefined ? `add these as a domain with featurelens analyze --run ${run.id} --data ${data.spec}, or write a new run with another --out` : "give this dataset another domain name with --domain"),
  );
}

/** A readable name for the run's model (for chart titles). */
export function modelName(run: Run): string {
  const m = run.record.model;
  return m?.arch ?? (m?.source ? m.source.split("/").pop()! : run.id);
}

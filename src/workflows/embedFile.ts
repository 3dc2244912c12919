import { existsSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { rowChecks } from "../analysis/embed/checks.js";
import type { PcaModel } from "../analysis/embed/pca.js";
import { embed, type Embedded, EMBED_DEFAULTS, type EmbedMethod, mapQuality, type MapQuality, placeInto } from "../analysis/node/pipeline.js";
import { decodeMap, encodeMap } from "../analysis/embed/tsne/mapFile.js";
import type { TsneProgress } from "../analysis/embed/tsne/optimize.js";
import type { Metric } from "../analysis/neighbors/types.js";
import { encodeNpy } from "../data/npy.js";
import { renderMapPng } from "../report/mapPicture.js";
import { deserializePca, type SerializedPca, serializePca } from "../store/maps.js";
import { acquireLock } from "../store/lock.js";
import { writeFilesAtomic } from "../util/atomic.js";
import { checkOutputs, recordOutputs } from "../util/outputs.js";
import { DataError, UsageError } from "../util/errors.js";
import { withDenseBackend } from "./dense.js";
import { readFeatureSource } from "./featureSource.js";

/**
 * `featurelens embed` on files: a map of feature vectors (PCA, t-SNE, UMAP), or new points placed
 * into a saved map, with its quality measures and picture. Everything is checked before anything
 * is written, and the map and its sidecars (M.npy, M.png, M.map, M.pca.json) are written as one
 * unit: all under temporary names first, then renamed into place, a stale sidecar removed.
 */

export const EMBED_METHODS: readonly EmbedMethod[] = ["pca", "tsne", "umap"];
export const METRICS: readonly Metric[] = ["l2", "l1", "cosine"];

/** Maps of more points are drawn by the direct raster (0.3 s at 10,000 points, where Vega's SVG and PNG took 2.2 s). */
const PICTURE_RASTER_ABOVE = 5000;

export interface EmbedFileOptions {
  in: string;
  out: string;
  method?: EmbedMethod;
  dims?: number;
  perplexity?: number;
  seed?: number;
  init?: "pca" | "random";
  metric?: Metric;
  pcaComponents?: number;
  /** A map saved by an earlier embed (its .npy): place the points into it. */
  into?: string;
  labels?: string;
  classes?: string[];
  dropInvalid?: boolean;
  threads?: number;
  /** Replace output files featurelens did not write. */
  force?: boolean;
  onStage?: (stage: string) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface EmbedFileResult {
  method: string;
  n: number;
  d: number;
  dims: number;
  input_dims: number;
  kl: number | null;
  iterations: number | null;
  stopped_early: boolean;
  seconds: number;
  dropped_rows: number[];
  files: string[];
  quality: MapQuality | null;
  /** Things worth knowing that did not stop the map (duplicate rows, constant features). */
  notes: string[];
  pca_to: number | null;
  /** PCA: the share of the total variance its components keep (the sum of their explained variance ratios). */
  variance_kept: number | null;
}

/** The files of a saved map `M.npy`: its reference points and its PCA. */
export function mapSidecars(out: string): { map: string; pca: string; png: string } {
  const stem = out.replace(/\.npy$/, "");
  return { map: `${stem}.map`, pca: `${stem}.pca.json`, png: `${stem}.png` };
}

export async function embedFile(o: EmbedFileOptions): Promise<EmbedFileResult> {
  const started = performance.now();
  const method = o.method ?? "tsne";
  const metric = o.metric ?? EMBED_DEFAULTS.metric;
  checkOptions(o, method, metric);
  const lock = acquireLock(`${o.out}.lock`, "embed");
  try {
    return await embedLocked(o, method, metric, started);
  } finally {
    lock.release();
  }
}

async function embedLocked(o: EmbedFileOptions, method: EmbedMethod, metric: Metric, started: number): Promise<EmbedFileResult> {
  const src = await readFeatureSource(o.in, { ...(o.labels ? { labels: o.labels } : {}), ...(o.classes ? { classes: o.classes } : {}), ...(o.dropInvalid ? { dropInvalid: true } : {}) });
  const points = src.points;
  const checks = rowChecks(points);
  if (checks.constant === points.d) throw new DataError("every feature is constant: all points are the same, there is nothing to map", o.in);
  const notes = [
    ...(src.dropped.length ? [`left out ${src.dropped.length} rows holding NaN or ±Infinity (first: row ${src.dropped[0]})`] : []),
    ...(checks.duplicates ? [`${checks.duplicates} rows repeat an earlier row exactly; they will lie on top of it in the map`] : []),
    ...(checks.constant ? [`${checks.constant} of ${points.d} features are constant (they carry no information; fine)`] : []),
    ...scaleNote(points.data),
  ];
  const reference = o.into ? loadSavedMap(o.into) : null;
  const dims = reference ? reference.map.dims : ((o.dims ?? 2) as 2 | 3);
  const onProgress = (p: TsneProgress) => o.onProgress?.(p.iteration, reference ? 250 : 1000);
  const threads = o.threads ? { threads: o.threads } : {};
  const result: Embedded = reference
    ? await withDenseBackend((dense) => placeInto("tsne", reference, points, { metric, seed: o.seed ?? 0, onProgress, dense, ...threads, ...(o.onStage ? { onStage: o.onStage } : {}) }))
    : await withDenseBackend((dense) => embed(points, {
        method, dims, perplexity: o.perplexity ?? EMBED_DEFAULTS.perplexity, seed: o.seed ?? 0, init: o.init ?? "pca", metric, pcaComponents: o.pcaComponents ?? EMBED_DEFAULTS.pcaComponents,
        onProgress, onUmapProgress: (e, t) => o.onProgress?.(e, t), dense, ...threads, ...(o.onStage ? { onStage: o.onStage } : {}),
      }));
  const seconds = (performance.now() - started) / 1000;
  const drawable = result.dims === 2 || result.dims === 3;
  if (!drawable) notes.push(`${result.dims} components are a reduction to keep or hand on, not a map: no picture and no map-quality measures (those are for 2 or 3 dimensions)`);
  let quality: MapQuality | null = null;
  if (drawable && points.n > 2) {
    o.onStage?.("quality measures");
    quality = await mapQuality(result.input, { n: points.n, d: result.dims, data: result.embedding }, src.labels, { inputKnn: result.knn, seed: o.seed ?? 0, ...threads });
  }
  const methodName = reference ? "t-SNE (placed into a map)" : { tsne: "t-SNE", umap: "UMAP", pca: "PCA" }[method];
  const subtitle = [
    result.kl !== null && !reference ? `KL ${result.kl.toFixed(3)}` : "",
    quality ? `trustworthiness ${quality.trustworthiness.toFixed(3)} · 10-NN preservation ${quality.knn_preservation.toFixed(3)}` : "",
    quality?.knn_accuracy !== null && quality?.knn_accuracy !== undefined ? `10-NN label accuracy ${quality.knn_accuracy.toFixed(3)}` : "",
  ].filter(Boolean).join(" · ");
  o.onStage?.("drawing the map");
  const files = mapSidecars(o.out);
  const unit: [string, Uint8Array | string | null][] = [[o.out, encodeNpy({ dtype: "float32", shape: [points.n, result.dims], data: result.embedding })]];
  if (drawable) {
    const title = `${methodName} of ${src.description === o.in ? `${points.n} feature vectors (${basename(o.in)})` : src.description}`;
    const picture = { embedding: result.embedding, dims: result.dims, ...(src.labels ? { labels: src.labels } : {}), ...(src.classes ? { classes: src.classes } : {}), title, subtitle };
    unit.push([files.png, (await renderMapPng(picture, PICTURE_RASTER_ABOVE)).png]);
  } else {
    unit.push([files.png, null]); // an earlier map's picture would no longer match M.npy
  }
  if (method === "tsne" && !reference) {
    unit.push([files.map, encodeMap({ dims: result.dims, embedding: result.embedding, points: result.input })]);
    unit.push([files.pca, result.pca ? `${JSON.stringify(serializePca(result.pca))}\n` : null]);
  }
  writeFilesAtomic(unit);
  recordOutputs(unit.filter(([, d]) => d !== null).map(([f]) => f), "embed");
  return {
    method: reference ? "tsne-transform" : method, n: points.n, d: points.d, dims: result.dims, input_dims: result.input.d, kl: result.kl, iterations: result.iterations,
    stopped_early: result.stoppedEarly, seconds, dropped_rows: src.dropped, files: unit.filter(([, d]) => d !== null).map(([f]) => f), quality, notes,
    pca_to: result.pca && method !== "pca" ? result.input.d : null,
    variance_kept: method === "pca" && !reference && result.pca ? result.pca.explainedVarianceRatio.reduce((a, b) => a + b, 0) : null,
  };
}

/** Refuses bad settings and outputs that would overwrite an input, before any work. */
function checkOptions(o: EmbedFileOptions, method: EmbedMethod, metric: Metric): void {
  if (!EMBED_METHODS.includes(method)) throw new UsageError(`--method takes ${EMBED_METHODS.join(", ")}, got '${String(method)}'`);
  if (!METRICS.includes(metric)) throw new UsageError(`--metric takes ${METRICS.join(", ")}, got '${String(metric)}'`);
  const dims = o.dims ?? 2;
  const maxDims = method === "pca" ? 10000 : 3;
  if (!Number.isInteger(dims) || dims < 1 || dims > maxDims || (method !== "pca" && dims < 2)) {
    throw new UsageError(`--dims takes ${method === "pca" ? "a number of components (1 or more)" : "2 or 3"} for ${method}, got '${dims}'`);
  }
  if (o.into && (o.method ?? "tsne") !== "tsne") throw new UsageError("--into places points into a t-SNE map; leave out --method (or use --method tsne)");
  if (o.init !== undefined && o.init !== "pca" && o.init !== "random") throw new UsageError(`--init takes pca or random, got '${String(o.init)}'`);
  if (o.pcaComponents !== undefined && !(Number.isInteger(o.pcaComponents) && o.pcaComponents >= 0)) throw new UsageError(`--pca takes 0 (never) or a number of components, got '${o.pcaComponents}'`);
  if (o.perplexity !== undefined && !(o.perplexity > 0)) throw new UsageError(`--perplexity must be a positive number, got '${o.perplexity}'`);
  if (!o.out.endsWith(".npy") || basename(o.out) === ".npy") throw new UsageError(`--out must be a file name ending in .npy, got '${o.out}'`);
  const outs = [o.out, ...Object.values(mapSidecars(o.out))];
  const inputs: [string, string][] = [[o.in, "--in"], ...(o.labels ? [[o.labels, "--labels"] as [string, string]] : []), ...(o.into ? [[o.into, "--into"] as [string, string], ...Object.values(mapSidecars(o.into)).map((f) => [f, "--into"] as [string, string])] : [])];
  for (const out of outs) {
    for (const [input, flag] of inputs) {
      if (samePath(out, input)) throw new UsageError(`--out ${o.out} would overwrite ${flag} ${input}; write the map to another file`);
    }
  }
  checkOutputs(outs.map((path) => ({ path, flag: path === o.out ? "--out" : "--out (its sidecar)" })), [], { command: "embed", ...(o.force ? { force: true } : {}) });
  if (!existsSync(dirname(resolve(o.out)))) throw new UsageError(`--out ${o.out}: the folder ${dirname(resolve(o.out))} does not exist`);
}

/** Whether two paths name the same file (through links), or would. */
export function samePath(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return real(a) === real(b);
}

/** The saved map at `into` (M.npy's M.map and M.pca.json). */
function loadSavedMap(into: string): { map: ReturnType<typeof decodeMap>; pca: PcaModel | null } {
  const files = mapSidecars(into);
  if (!existsSync(files.map)) throw new UsageError(`--into ${into}: no ${files.map}; make the map first with \`featurelens embed --method tsne --out ${into}\``);
  const map = decodeMap(readFileSync(files.map), files.map);
  if (!existsSync(files.pca)) return { map, pca: null };
  try {
    return { map, pca: deserializePca(JSON.parse(readFileSync(files.pca, "utf8")) as SerializedPca) };
  } catch (err) {
    throw new DataError(`not a PCA saved by featurelens embed (${(err as Error).message})`, files.pca);
  }
}

/** A word when the features' scale is far from what the maps' defaults expect. */
function scaleNote(data: Float32Array): string[] {
  let max = 0;
  for (let i = 0; i < data.length; i++) {
    const a = data[i] < 0 ? -data[i] : data[i];
    if (a > max) max = a;
  }
  if (max > 1e12 || (max > 0 && max < 1e-12)) return [`the features' values reach ${max.toExponential(1)}; maps assume ordinary scales — standardise them (the map may be degraded)`];
  return [];
}

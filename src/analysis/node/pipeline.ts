import { knn, knnQuery } from "./neighbors.js";
import type { KnnGraph, Metric, Points } from "../neighbors/types.js";
import { type PcaModel, transformPca } from "../embed/pca.js";
import { pcaThreaded } from "./pcaThreads.js";
import { pcaDense } from "../embed/pca/dense.js";
import type { DenseBackend } from "../dense/backend.js";
import { knnAccuracy, knnPreservation, silhouette, trustworthiness } from "../embed/quality.js";
import { mapKnn } from "../embed/mapKnn.js";
import { neighboursFor } from "../embed/tsne/affinities.js";
import { createFftRepulsion } from "../embed/tsne/fft.js";
import { createParallelFftRepulsion } from "./fftWorker.js";
import { createParallelBarnesHut } from "./tsneParallel.js";
import { transform, TRANSFORM_DEFAULTS, type TsneMap } from "../embed/tsne/transform.js";
import { resolveMethod, tsne, TSNE_DEFAULTS } from "../embed/tsne/tsne.js";
import type { TsneProgress } from "../embed/tsne/optimize.js";
import { UsageError } from "../../util/errors.js";
import { umap, UMAP_DEFAULTS } from "../embed/umap.js";

/**
 * The feature-space map as `featurelens embed` makes it (Node-only: worker threads): PCA to
 * `pcaComponents` dimensions first when the features are wider (the standard pre-step), the kNN
 * graph on both cores, then PCA, t-SNE, UMAP or placement into an existing t-SNE map; and the numbers
 * that say how faithful the map is.
 */

export type EmbedMethod = "pca" | "tsne" | "umap";

export interface EmbedOptions {
  method: EmbedMethod;
  /** 2 or 3 (PCA: any number of components, typed as these two; a reduction, not a map, above 3). */
  dims?: 2 | 3;
  perplexity?: number;
  seed?: number;
  init?: "pca" | "random";
  metric?: Metric;
  /** Reduce wider features to this many principal components before t-SNE (0: never). */
  pcaComponents?: number;
  threads?: number;
  /**
   * Dense products by this backend, e.g. engine/dense's onnxruntime one: PCA's passes and the exact
   * l2/cosine kNN graph of t-SNE and UMAP; without it, both run their WebAssembly kernels on worker threads.
   */
  dense?: DenseBackend;
  onStage?: (stage: string) => void;
  onProgress?: (p: TsneProgress) => boolean | void;
  /** UMAP: every 10 epochs. */
  onUmapProgress?: (epoch: number, total: number) => boolean | void;
}

export const EMBED_DEFAULTS = { dims: 2 as 2 | 3, perplexity: 30, seed: 0, init: "pca" as const, metric: "l2" as Metric, pcaComponents: 50 };

export interface Embedded {
  /** N×dims. */
  embedding: Float32Array;
  dims: 2 | 3;
  /** The points the map was made from (after the PCA pre-step). */
  input: Points;
  /** The PCA pre-step (or the PCA map itself), to project new points the same way. */
  pca: PcaModel | null;
  /** Final KL divergence (t-SNE); placing points: the mean over the new points of KL(P_i ‖ Q_i) against the map. */
  kl: number | null;
  iterations: number | null;
  stoppedEarly: boolean;
  /** The input-space kNN graph t-SNE used (k = 3·perplexity), when there was one. */
  knn: KnnGraph | null;
}

/** Makes a map of `points` with PCA, t-SNE or UMAP. */
export async function embed(points: Points, options: EmbedOptions): Promise<Embedded> {
  const o = { ...EMBED_DEFAULTS, ...options };
  const dims = o.dims;
  if (o.method === "pca") {
    o.onStage?.("PCA");
    const { model, projected } = await fitPcaOn(points, { components: dims, seed: o.seed }, o.threads, o.dense);
    return { embedding: projected.data, dims, input: points, pca: model, kl: null, iterations: null, stoppedEarly: false, knn: null };
  }
  if (o.method !== "tsne" && o.method !== "umap") throw new UsageError(`unknown method '${String(o.method)}' (pca, tsne, umap)`);
  const { input, pca } = await reduce(points, o.pcaComponents, o.seed, o.threads, o.onStage, o.dense);
  if (o.method === "umap") {
    const k = UMAP_DEFAULTS.nNeighbors - 1;
    if (input.n <= k + 1) throw new UsageError(`UMAP needs more than ${k + 1} points, got ${input.n}`);
    o.onStage?.(`${k} nearest neighbours`);
    const graph = await knn(input, k, { metric: o.metric, ...(o.dense ? { dense: o.dense } : {}), ...(o.threads ? { threads: o.threads } : {}) });
    o.onStage?.("UMAP");
    const r = await umap(input, { dims, seed: o.seed, knn: graph, ...(o.onUmapProgress ? { onProgress: o.onUmapProgress } : {}) });
    return { embedding: r.embedding, dims, input, pca, kl: null, iterations: r.epochs, stoppedEarly: r.stoppedEarly, knn: graph };
  }
  const k = neighboursFor(o.perplexity, input.n);
  o.onStage?.(`${k} nearest neighbours`);
  const graph = await knn(input, k, { metric: o.metric, ...(o.dense ? { dense: o.dense } : {}), ...(o.threads ? { threads: o.threads } : {}) });
  o.onStage?.("t-SNE");
  const method = resolveMethod("auto", input.n, dims);
  const threads = o.threads ?? 2;
  const parallel = threads > 1 && method === "barnes-hut" ? createParallelBarnesHut({ threads }) : null;
  const fft = method === "fft" ? (threads > 1 ? createParallelFftRepulsion() : { repulsion: createFftRepulsion() }) : null;
  try {
    const r = await tsne(input, {
      dims, perplexity: o.perplexity, seed: o.seed, init: o.init, metric: o.metric, knn: graph,
      ...(parallel ? { repulsion: parallel.repulsion, attraction: parallel.attraction } : {}),
      ...(fft ? ("attraction" in fft ? { repulsion: fft, attraction: fft.attraction } : { repulsion: fft.repulsion }) : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    return { embedding: r.embedding, dims, input, pca, kl: r.kl, iterations: r.iterations, stoppedEarly: r.stoppedEarly, knn: graph };
  } finally {
    await parallel?.close();
    if (fft && "close" in fft) await fft.close();
  }
}

/** Places new points into a finished t-SNE map (openTSNE's transform), projecting them with the map's PCA first. */
export async function embedInto(map: TsneMap, pca: PcaModel | null, points: Points, options: Pick<EmbedOptions, "metric" | "seed" | "threads" | "dense" | "onProgress" | "onStage"> = {}): Promise<Embedded> {
  const input = pca ? transformPca(pca, points) : points;
  if (input.d !== map.points.d) {
    throw new UsageError(`the points have ${points.d} features but the map was made from ${pca ? pca.d : map.points.d}; place points from the same layer of the same model`);
  }
  options.onStage?.("nearest map points");
  const metric = options.metric ?? EMBED_DEFAULTS.metric;
  const graph = await knnQuery(map.points, input, Math.min(map.points.n, Math.floor(3 * TRANSFORM_DEFAULTS.perplexity)), { metric, ...(options.dense ? { dense: options.dense } : {}), ...(options.threads ? { threads: options.threads } : {}) });
  options.onStage?.("placing points into the map");
  const r = await transform(map, input, { metric, knn: graph, ...(options.seed !== undefined ? { seed: options.seed } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  // transform's KL is summed over the new points, each against the map: report the mean per point.
  return { embedding: r.embedding, dims: map.dims, input, pca, kl: r.kl / points.n, iterations: r.iterations, stoppedEarly: r.stoppedEarly, knn: null };
}

/**
 * Places new points into a finished map of any method, without moving it: a PCA map projects them
 * with its own axes; a t-SNE map runs openTSNE's transform ({@link embedInto}); a UMAP map puts each
 * point at the affinity-weighted mean of its nearest map points (the start umap-learn's transform
 * refines; good enough to see where a second domain falls).
 */
export async function placeInto(
  method: EmbedMethod,
  ref: { map: TsneMap | null; pca: PcaModel | null },
  points: Points,
  options: Pick<EmbedOptions, "metric" | "seed" | "threads" | "dense" | "onProgress" | "onStage"> = {},
): Promise<Embedded> {
  if (method === "pca") {
    if (!ref.pca) throw new UsageError("the PCA map keeps no axes to project new points with; make it again");
    if (points.d !== ref.pca.d) throw new UsageError(`the points have ${points.d} features but the map was made from ${ref.pca.d}; place points from the same layer of the same model`);
    const projected = transformPca(ref.pca, points);
    return { embedding: projected.data, dims: projected.d as 2 | 3, input: points, pca: ref.pca, kl: null, iterations: null, stoppedEarly: false, knn: null };
  }
  if (!ref.map) throw new UsageError(`the ${method} map keeps no reference points to place new points among; make it again`);
  if (method === "tsne") return embedInto(ref.map, ref.pca, points, options);
  const input = ref.pca ? transformPca(ref.pca, points) : points;
  if (input.d !== ref.map.points.d) throw new UsageError(`the points have ${points.d} features but the map was made from ${ref.pca ? ref.pca.d : ref.map.points.d}; place points from the same layer of the same model`);
  const graph = await knnQuery(ref.map.points, input, Math.min(ref.map.points.n, TRANSFORM_DEFAULTS.k), { metric: options.metric ?? EMBED_DEFAULTS.metric, ...(options.dense ? { dense: options.dense } : {}), ...(options.threads ? { threads: options.threads } : {}) });
  const r = await transform(ref.map, input, { knn: graph, init: "weighted", iterations: 0 });
  return { embedding: r.embedding, dims: ref.map.dims, input, pca: ref.pca, kl: null, iterations: 0, stoppedEarly: false, knn: null };
}

/** PCA to `components` dimensions when the points are wider and there are enough of them. */
async function reduce(points: Points, components: number, seed: number, threads: number | undefined, onStage?: (s: string) => void, dense?: DenseBackend): Promise<{ input: Points; pca: PcaModel | null }> {
  if (!(components > 0) || points.d <= components || points.n <= components) return { input: points, pca: null };
  onStage?.(`PCA to ${components} dimensions`);
  const { model, projected } = await fitPcaOn(points, { components, seed }, threads, dense);
  return { input: projected, pca: model };
}

/** PCA through the dense backend when there is one, else on worker threads. */
function fitPcaOn(points: Points, options: { components: number; seed: number }, threads: number | undefined, dense: DenseBackend | undefined): Promise<{ model: PcaModel; projected: Points }> {
  return dense ? pcaDense(points, options, dense) : pcaThreaded(points, { ...options, ...(threads ? { threads } : {}) });
}

/** How faithful a map is (the numbers behind "which classes separate"). */
export interface MapQuality {
  /** Venna & Kaski's trustworthiness at k = 10 (estimated on `samples.trustworthiness` rows: within ~0.003 at 1,000). */
  trustworthiness: number;
  /** Share of each point's 10 nearest input-space neighbours that are among its 10 nearest in the map. */
  knn_preservation: number;
  /** Leave-one-out 10-NN classification accuracy of the labels in the map, and in the input space. */
  knn_accuracy: number | null;
  knn_accuracy_input: number | null;
  /** Mean silhouette (by label) in the input space and in the map, overall and per class (within `samples.silhouette` rows). */
  silhouette: { input: number; map: number; input_per_class: number[]; map_per_class: number[] } | null;
  /** Rows the sampled measures used (N: all of them); the other measures use every row. */
  samples: { trustworthiness: number; silhouette: number | null };
}

export const QUALITY_K = 10;
/**
 * Silhouettes are O(m²·D) in their m rows: 2,000 seeded rows (scikit-learn's sample_size) keep the
 * input space's to a fraction of a second. Over 5 seeds on 10,000 Fashion-MNIST points the estimate
 * was within 0.007 of all rows' in the input space, 0.014 in the t-SNE map (quality.test.ts: 0.02).
 */
const SILHOUETTE_SAMPLE = 2000;
/**
 * Trustworthiness ranks every point for each sampled row (up to N·D work each; the map neighbours
 * of a t-SNE map are too often beyond the input's 90-NN for its graph to rank them): every row up
 * to 5,000 points, 1,000 rows up to N·D = 2·10⁹ / 1,000 (40,000 points of 50 features), then fewer,
 * at least 300. Over 10 seeds on a 10,000-point Fashion-MNIST t-SNE map the estimate's standard
 * deviation was 0.0004 at 1,000 rows and 0.0008 at 300 (all rows: 0.99537).
 */
const TRUST_WORK = 2e9;
const trustRows = (n: number, d: number): number => (n <= 5000 ? n : Math.max(300, Math.min(1000, Math.floor(TRUST_WORK / (n * d)))));

/**
 * The quality measures of a map of `input` (labels optional). `inputKnn` is the input's kNN graph
 * when one was built already (t-SNE's, k = 90): the input-space neighbours come from it. The map's
 * own neighbours are found on a grid (2-D and 3-D maps), exactly.
 */
export async function mapQuality(input: Points, embedding: Points, labels: Int32Array | null, options: { inputKnn?: KnnGraph | null; seed?: number; threads?: number } = {}): Promise<MapQuality> {
  const k = Math.min(QUALITY_K, input.n - 1);
  const seed = options.seed ?? 0;
  const inputGraph = options.inputKnn && options.inputKnn.k >= k ? firstK(options.inputKnn, k) : await knn(input, k, options.threads ? { threads: options.threads } : {});
  const mapGraph = embedding.d <= 3 ? mapKnn(embedding, k) : await knn(embedding, k, options.threads ? { threads: options.threads } : {});
  const silRows = Math.min(input.n, SILHOUETTE_SAMPLE);
  const sample = { sample: silRows, seed };
  const sil = labels ? { input: silhouette(input, labels, sample), map: silhouette(embedding, labels, sample) } : null;
  const tRows = trustRows(input.n, input.d);
  return {
    trustworthiness: trustworthiness(input, mapGraph, { k, sample: tRows, seed }),
    knn_preservation: knnPreservation(inputGraph, mapGraph, { k }),
    knn_accuracy: labels ? knnAccuracy(mapGraph, labels, { k }) : null,
    knn_accuracy_input: labels ? knnAccuracy(inputGraph, labels, { k }) : null,
    silhouette: sil ? { input: sil.input.score, map: sil.map.score, input_per_class: Array.from(sil.input.perClass), map_per_class: Array.from(sil.map.perClass) } : null,
    samples: { trustworthiness: tRows, silhouette: sil ? silRows : null },
  };
}

/** The first k neighbours of each row of a graph with more. */
function firstK(g: KnnGraph, k: number): KnnGraph {
  if (g.k === k) return g;
  const indices = new Int32Array(g.n * k);
  const distances = new Float32Array(g.n * k);
  for (let i = 0; i < g.n; i++) {
    indices.set(g.indices.subarray(i * g.k, i * g.k + k), i * k);
    distances.set(g.distances.subarray(i * g.k, i * g.k + k), i * k);
  }
  return { ...g, k, indices, distances };
}

export { TSNE_DEFAULTS };

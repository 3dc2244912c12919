/**
 * Places new points into a frozen t-SNE map (openTSNE `TSNEEmbedding.transform` and
 * `prepare_partial`; Poličar, Stražar & Zupan 2019, "Embedding to reference t-SNE space addresses
 * batch effects", §2): each new point gets perplexity affinities to its nearest reference points
 * (rows normalised, not symmetrised), starts at the median of those neighbours' map positions,
 * and is optimised alone against the reference map: attraction to its reference neighbours,
 * repulsion from all reference points normalised per point, reference points fixed. Browser-safe.
 */
import { DataError, UsageError } from "../../../util/errors.js";
import { createRng } from "../../../util/rng.js";
import { exactKnnQuery } from "../../neighbors/exact.js";
import type { KnnGraph, Metric, Points } from "../../neighbors/types.js";
import { checkPoints } from "../../neighbors/validate.js";
import { conditionalAffinities } from "./affinities.js";
import { barnesHutQuery, checkTheta } from "./barnesHut.js";
import { attractionRows, klDivergence } from "./gradient.js";
import { randomInit } from "./init.js";
import { createEmbedding, descend, type Objective, type ProgressCallback } from "./optimize.js";
import { createTreeBuilder } from "./tree.js";
import type { SparseAffinities } from "./types.js";

/** A finished map that new points can be placed into: its coordinates and the input vectors it was made from. */
export interface TsneMap {
  dims: 2 | 3;
  /** Map coordinates of the reference points, row-major n×dims. */
  embedding: Float32Array;
  /** The reference points' input vectors (n×d), in the same order. */
  points: Points;
}

/** Options of {@link transform}; defaults (openTSNE's `transform`) in {@link TRANSFORM_DEFAULTS}. */
export interface TransformOptions {
  /** Perplexity of the new points' affinities to their 3·perplexity nearest reference points (default 5). */
  perplexity?: number;
  /** Start: "median" (default) or "weighted" (affinity-weighted mean) of the neighbours' positions, "random", or N×dims positions. */
  init?: "median" | "weighted" | "random" | Float32Array | Float64Array;
  /** At most this many nearest neighbours place a point initially (default 25; openTSNE's `k`). */
  k?: number;
  /** Default 0.1: far below the "auto" rate of a full run, as openTSNE advises for adding points. */
  learningRate?: number;
  earlyExaggeration?: number;
  /** Default 0 (no early exaggeration). */
  exaggerationIterations?: number;
  /** Exaggeration of the main phase (default 1.5). */
  exaggeration?: number;
  /** Iterations of the main phase (default 250). */
  iterations?: number;
  momentum?: number;
  /** Each new point's gradient is clipped to this norm (default 0.25) so points overlapping the map do not shoot off. */
  maxGradNorm?: number;
  /** Repulsion from the reference map: "auto" (default: exact for small maps, else Barnes–Hut), "exact" or "barnes-hut". */
  method?: "auto" | "exact" | "barnes-hut";
  theta?: number;
  /** Metric of the kNN search when `knn` is not given (default "l2", as the map's should be). */
  metric?: Metric;
  /** Precomputed neighbours of the new points among the reference points (rows: new points). */
  knn?: KnnGraph;
  /** Seeds the "random" start (default 0). */
  seed?: number;
  onProgress?: ProgressCallback;
}

export const TRANSFORM_DEFAULTS = {
  perplexity: 5,
  init: "median" as NonNullable<TransformOptions["init"]>,
  k: 25,
  learningRate: 0.1,
  earlyExaggeration: 4,
  exaggerationIterations: 0,
  exaggeration: 1.5,
  iterations: 250,
  momentum: 0.8,
  maxGradNorm: 0.25,
  method: "auto" as "auto" | "exact" | "barnes-hut",
  theta: 0.5,
  metric: "l2" as Metric,
  seed: 0,
};

/** "auto" uses the exact repulsion while reference × new points stays below this. */
const EXACT_PAIRS_BELOW = 2e6;

export interface TransformResult {
  /** Map coordinates of the new points, row-major N×dims (in the reference map's frame). */
  embedding: Float32Array;
  /** Σ over the new points of KL(P_i ‖ Q_i), each against the reference points. */
  kl: number;
  iterations: number;
  stoppedEarly: boolean;
}

/**
 * Places `points` into the reference map without moving it.
 * @example (await transform(map, heldOut)).embedding // Float32Array(2·heldOut.n), near their classes' clusters
 */
export async function transform(map: TsneMap, points: Points, options: TransformOptions = {}): Promise<TransformResult> {
  const o = { ...TRANSFORM_DEFAULTS, ...defined(options) };
  checkMap(map);
  checkPoints(points, "points");
  if (points.d !== map.points.d) {
    throw new DataError(`points have ${points.d} dimensions but the map was made from ${map.points.d}; place points of the same feature space`);
  }
  checkTheta(o.theta);
  const m = map.points.n;
  const dims = map.dims;
  const kq = Math.floor(3 * o.perplexity);
  if (!(o.perplexity > 0) || kq > m) {
    throw new UsageError(`perplexity must be > 0 and at most ${Math.floor((m / 3) * 100) / 100} (reference points / 3) for this map, got ${o.perplexity}`);
  }
  const graph = o.knn ?? exactKnnQuery(map.points, points, kq, { metric: o.metric });
  if (graph.n !== points.n || graph.k < kq) {
    throw new DataError(`knn must hold ≥ ${kq} reference neighbours (3·perplexity) of each of the ${points.n} new points, got ${graph.n}×${graph.k}`);
  }
  const p = conditionalAffinities(graph, o.perplexity);
  const reference = Float64Array.from(map.embedding);
  const init = startingMap(o.init, graph, p, reference, dims, Math.min(o.k, kq), o.seed, points.n);
  const e = createEmbedding(init, points.n, dims);
  const exact = o.method === "exact" || (o.method === "auto" && m * points.n < EXACT_PAIRS_BELOW);
  const objective = partialObjective(p, reference, m, dims, exact ? 0 : o.theta);
  const common = { learningRate: o.learningRate, maxGradNorm: o.maxGradNorm, maxStepNorm: Infinity, recentre: false, phase: "transform" as const };
  let done = await descend(e, objective, {
    ...common,
    iterations: o.exaggerationIterations,
    exaggeration: o.earlyExaggeration,
    momentum: o.momentum,
    onProgress: o.onProgress,
  });
  if (done) done = await descend(e, objective, { ...common, iterations: o.iterations, exaggeration: o.exaggeration, momentum: o.momentum, onProgress: o.onProgress });
  const kl = await objective(e.y, 1, new Float64Array(e.y.length), true);
  return { embedding: Float32Array.from(e.y), kl, iterations: e.iteration, stoppedEarly: !done };
}

/**
 * The gradient of new points against a fixed reference map (openTSNE `kl_divergence_bh` with a
 * `reference_embedding`): repulsion from reference points only, normalised by each point's own
 * Z_i = Σ_j q̃_ij. θ = 0 sums every reference point exactly.
 */
export function partialObjective(p: SparseAffinities, reference: Float64Array, m: number, dims: 2 | 3, theta: number): Objective {
  const tree = theta > 0 ? createTreeBuilder().build(reference, m, dims) : null;
  const forces = new Float64Array(p.n * dims);
  const zPer = new Float64Array(p.n);
  return (y, exaggeration, out, wantKl) => {
    attractionRows(p, y, reference, dims, 0, p.n, out);
    if (tree) barnesHutQuery(tree, y, 0, p.n, theta, forces, zPer);
    else exactQuery(reference, m, y, p.n, dims, forces, zPer);
    for (let i = 0; i < p.n; i++) {
      const invZ = 1 / zPer[i];
      for (let c = 0; c < dims; c++) out[i * dims + c] = exaggeration * out[i * dims + c] - forces[i * dims + c] * invZ;
    }
    return wantKl ? klDivergence(p, y, reference, dims, zPer) : NaN;
  };
}

function exactQuery(reference: Float64Array, m: number, y: Float64Array, n: number, dims: number, forces: Float64Array, zPer: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let c = 0; c < dims; c++) forces[i * dims + c] = 0;
    for (let j = 0; j < m; j++) {
      let d2 = 0;
      for (let c = 0; c < dims; c++) d2 += (y[i * dims + c] - reference[j * dims + c]) ** 2;
      const q = 1 / (1 + d2);
      z += q;
      for (let c = 0; c < dims; c++) forces[i * dims + c] += q * q * (y[i * dims + c] - reference[j * dims + c]);
    }
    zPer[i] = z;
  }
}

/** The new points' starting positions (openTSNE `initialization.median` / `weighted_mean` / `random`). */
function startingMap(
  init: NonNullable<TransformOptions["init"]>,
  graph: KnnGraph,
  p: SparseAffinities,
  reference: Float64Array,
  dims: number,
  k: number,
  seed: number,
  n: number,
): Float64Array {
  if (init instanceof Float32Array || init instanceof Float64Array) {
    if (init.length !== n * dims) throw new DataError(`init holds ${init.length} values, expected N×dims = ${n}×${dims}`);
    return Float64Array.from(init);
  }
  if (init === "random") return randomInit(n, dims, createRng(seed));
  const y = new Float64Array(n * dims);
  const column = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < dims; c++) {
      if (init === "weighted") {
        let s = 0;
        for (let e = p.rowPtr[i]; e < p.rowPtr[i + 1]; e++) s += p.vals[e] * reference[p.cols[e] * dims + c];
        y[i * dims + c] = s;
      } else if (init === "median") {
        for (let t = 0; t < k; t++) column[t] = reference[graph.indices[i * graph.k + t] * dims + c];
        column.sort();
        y[i * dims + c] = k % 2 === 1 ? column[(k - 1) / 2] : (column[k / 2 - 1] + column[k / 2]) / 2;
      } else {
        throw new UsageError(`init must be "median", "weighted", "random" or an N×dims array, got ${String(init)}`);
      }
    }
  }
  return y;
}

function checkMap(map: TsneMap): void {
  if (map.dims !== 2 && map.dims !== 3) throw new DataError(`map.dims must be 2 or 3, got ${map.dims}`);
  checkPoints(map.points, "map.points");
  if (map.embedding.length !== map.points.n * map.dims) {
    throw new DataError(
      `map.embedding holds ${map.embedding.length} values but ${map.points.n} reference points need ${map.points.n * map.dims} (n×dims); ` +
        `save the map with the points it was made from`,
    );
  }
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

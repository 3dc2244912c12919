/**
 * t-SNE in one call (van der Maaten & Hinton 2008; van der Maaten 2014; defaults of openTSNE and
 * Kobak & Berens 2019): kNN graph → perplexity affinities → PCA initialisation → 250 iterations of
 * early exaggeration 12 → 750 iterations without. Browser-safe (pass `knn` for large N: the
 * built-in fallback is the exact O(N²) kNN).
 */
import { DataError, UsageError } from "../../../util/errors.js";
import { exactKnn } from "../../neighbors/exact.js";
import type { KnnGraph, Metric, Points } from "../../neighbors/types.js";
import { checkPoints } from "../../neighbors/validate.js";
import { affinities, neighboursFor } from "./affinities.js";
import { checkTheta, createBarnesHutRepulsion } from "./barnesHut.js";
import { exactRepulsion } from "./exact.js";
import { createFftRepulsion } from "./fft.js";
import type { AttractionMethod } from "./gradient.js";
import { initialize, type Initialization } from "./init.js";
import { createEmbedding, currentKl, optimize, type ProgressCallback } from "./optimize.js";
import type { RepulsionMethod } from "./types.js";

export type TsneMethod = "auto" | "exact" | "barnes-hut" | "fft";

/** Options of {@link tsne}; defaults in {@link TSNE_DEFAULTS}. */
export interface TsneOptions {
  /** Map dimensions (default 2). */
  dims?: 2 | 3;
  /** Effective number of neighbours (default 30); needs N ≥ 3·perplexity + 1. */
  perplexity?: number;
  /** Seeds the initialisation (default 0); the same seed gives the same map. */
  seed?: number;
  /** "pca" (default), "random" or N×dims positions. */
  init?: Initialization;
  /**
   * Repulsion: "auto" (default) is exact below {@link EXACT_BELOW} points, FFT for 2-D maps of
   * {@link FFT_FROM} points or more (as openTSNE: the FFT's fixed grid cost loses to Barnes–Hut below
   * that — measured here at 1,500 points: 33 s of CPU against 5 s), else Barnes–Hut.
   */
  method?: TsneMethod;
  /** Iterations after early exaggeration (default 750). */
  iterations?: number;
  /** Exaggeration of P in the first phase (default 12). */
  earlyExaggeration?: number;
  /** Iterations of the first phase (default 250). */
  exaggerationIterations?: number;
  /** Exaggeration in the second phase (default 1). */
  exaggeration?: number;
  /**
   * "auto" (default): max(N / exaggeration, 50) in each phase, openTSNE's rule (in its units: the
   * gradient without the factor 4). During early exaggeration this is N/12 as in Belkina et al. 2019;
   * after it, N (openTSNE), where Belkina et al. keep N/12.
   */
  learningRate?: number | "auto";
  /** Momentum of the first phase (default 0.5) and of the second (default 0.8). */
  initialMomentum?: number;
  finalMomentum?: number;
  /** Barnes–Hut accuracy (default 0.5). */
  theta?: number;
  /** Metric of the kNN computed when `knn` is not given (default "l2"). */
  metric?: Metric;
  /** A precomputed kNN graph of the points, k ≥ min(N − 1, ⌊3·perplexity⌋). */
  knn?: KnnGraph;
  /** A repulsion method to use instead of `method` (e.g. one split over worker threads). */
  repulsion?: RepulsionMethod;
  /** An attraction method (e.g. split over worker threads); default one thread. */
  attraction?: AttractionMethod;
  /** Every 50 iterations; return false to stop and keep the map so far. */
  onProgress?: ProgressCallback;
}

/** Below this many points "auto" uses the exact repulsion. */
export const EXACT_BELOW = 1000;
/** From this many points "auto" uses the FFT repulsion for 2-D maps (openTSNE's threshold). */
export const FFT_FROM = 10_000;

export const TSNE_DEFAULTS = {
  dims: 2 as 2 | 3,
  perplexity: 30,
  seed: 0,
  init: "pca" as Initialization,
  method: "auto" as TsneMethod,
  iterations: 750,
  earlyExaggeration: 12,
  exaggerationIterations: 250,
  exaggeration: 1,
  learningRate: "auto" as number | "auto",
  initialMomentum: 0.5,
  finalMomentum: 0.8,
  theta: 0.5,
  metric: "l2" as Metric,
};

export interface TsneResult {
  /** The map, row-major N×dims. */
  embedding: Float32Array;
  /** KL(P ‖ Q) of the final map. */
  kl: number;
  /** Iterations run, over both phases. */
  iterations: number;
  /** True when onProgress returned false. */
  stoppedEarly: boolean;
}

/**
 * Embeds N points in 2-D or 3-D with t-SNE.
 * @example (await tsne(points, { perplexity: 30, seed: 1 })).embedding // Float32Array(2N)
 */
export async function tsne(points: Points, options: TsneOptions = {}): Promise<TsneResult> {
  const o = { ...TSNE_DEFAULTS, ...defined(options) };
  checkPoints(points, "points");
  checkOptions(o);
  const k = neighboursFor(o.perplexity, points.n);
  if (o.knn && o.knn.n !== points.n) {
    throw new DataError(`the kNN graph has ${o.knn.n} rows but there are ${points.n} points; pass the graph of these points`);
  }
  const graph = o.knn ?? exactKnn(points, k, { metric: o.metric });
  const p = affinities(graph, { perplexity: o.perplexity });
  const e = createEmbedding(initialize(points, o.init, { dims: o.dims, seed: o.seed }), points.n, o.dims);
  const repulsion = o.repulsion ?? chooseRepulsion(o.method, points.n, o.dims, o.theta);
  const common = { repulsion, attraction: o.attraction, learningRate: o.learningRate, onProgress: o.onProgress };
  let done = await optimize(e, p, {
    ...common,
    iterations: o.exaggerationIterations,
    exaggeration: o.earlyExaggeration,
    momentum: o.initialMomentum,
    phase: "early-exaggeration",
  });
  if (done) {
    done = await optimize(e, p, { ...common, iterations: o.iterations, exaggeration: o.exaggeration, momentum: o.finalMomentum, phase: "embedding" });
  }
  const kl = e.klAt === e.iteration ? e.kl : await currentKl(e, p, repulsion);
  return { embedding: Float32Array.from(e.y), kl, iterations: e.iteration, stoppedEarly: !done };
}

/** The method "auto" stands for at this size and dimension (other methods stand for themselves). */
export function resolveMethod(method: TsneMethod, n: number, dims: 2 | 3): Exclude<TsneMethod, "auto"> {
  if (method !== "auto") return method;
  return n < EXACT_BELOW ? "exact" : dims === 2 && n >= FFT_FROM ? "fft" : "barnes-hut";
}

/** The repulsion a method name stands for, at this size and dimension. */
export function chooseRepulsion(method: TsneMethod, n: number, dims: 2 | 3, theta: number = TSNE_DEFAULTS.theta): RepulsionMethod {
  const resolved = resolveMethod(method, n, dims);
  if (resolved === "exact") return exactRepulsion;
  if (resolved === "barnes-hut") return createBarnesHutRepulsion({ theta });
  if (dims !== 2) throw new UsageError(`method "fft" makes 2-D maps only (got dims ${dims}); use "barnes-hut" for 3-D`);
  return createFftRepulsion();
}

function checkOptions(o: typeof TSNE_DEFAULTS & TsneOptions): void {
  const problems: string[] = [];
  if (o.dims !== 2 && o.dims !== 3) problems.push(`dims must be 2 or 3, got ${o.dims}`);
  if (!["auto", "exact", "barnes-hut", "fft"].includes(o.method)) {
    problems.push(`method must be "auto", "exact", "barnes-hut" or "fft", got ${String(o.method)}`);
  }
  for (const key of ["iterations", "exaggerationIterations"] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 0) problems.push(`${key} must be an integer ≥ 0, got ${o[key]}`);
  }
  for (const key of ["earlyExaggeration", "exaggeration"] as const) {
    if (!(o[key] > 0)) problems.push(`${key} must be > 0, got ${o[key]}`);
  }
  if (problems.length > 0) throw new UsageError(problems.join("; "));
  checkTheta(o.theta);
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

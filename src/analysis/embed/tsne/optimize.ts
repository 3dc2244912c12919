/**
 * t-SNE gradient descent as openTSNE's `gradient_descent` and scikit-learn's `_gradient_descent`:
 * momentum, per-coordinate gains (Jacobs 1988, "delta-bar-delta": +0.2 when the gradient keeps its
 * sign, ×0.8 when it flips, at least 0.01), an optional exaggeration of P (van der Maaten & Hinton
 * 2008, §3.4), the map re-centred after each step. An embedding keeps its gains and momentum
 * between calls, so phases compose: optimize(e, {exaggeration: 12, …}) then optimize(e, {…}).
 * Browser-safe.
 *
 * Units: as openTSNE, the step uses the gradient without its constant factor 4,
 *   g_i = exaggeration · Σ_j p_ij q̃_ij (y_i − y_j) − Σ_j q̃_ij² (y_i − y_j) / Z  (= ∂KL/∂y_i / 4),
 * so a learning rate here is 4× scikit-learn's for the same step.
 */
import { UsageError } from "../../../util/errors.js";
import { attraction as singleThreadAttraction, klDivergence, type AttractionMethod } from "./gradient.js";
import type { RepulsionMethod, SparseAffinities } from "./types.js";

/** Reported every `progressEvery` iterations; return false to stop (the map so far is kept). */
export interface TsneProgress {
  /** Iterations done so far, over all phases (the map reported on has had exactly this many steps). */
  iteration: number;
  phase: TsnePhase;
  /** KL(P ‖ Q) of the map at this iteration (with the un-exaggerated P). */
  kl: number;
  /** Milliseconds since the embedding was created. */
  elapsedMs: number;
}

export type TsnePhase = "early-exaggeration" | "embedding" | "transform";
export type ProgressCallback = (progress: TsneProgress) => boolean | void;

/** A map being optimised: positions plus the optimiser's state (gains, last update). */
export interface TsneEmbedding {
  n: number;
  dims: 2 | 3;
  /** Positions, row-major N×dims; updated in place. */
  y: Float64Array;
  gains: Float64Array;
  update: Float64Array;
  /** Iterations done so far. */
  iteration: number;
  /** The last KL divergence computed (NaN before any), and the iteration it belongs to (−1 before any). */
  kl: number;
  klAt: number;
  startedAt: number;
}

/** The gradient g (openTSNE units, see above) of the map y into `out`; returns the KL when asked, else NaN. */
export type Objective = (y: Float64Array, exaggeration: number, out: Float64Array, wantKl: boolean) => number | Promise<number>;

export interface DescentOptions {
  /** Iterations of this phase. */
  iterations: number;
  /** Factor on P (default 1). */
  exaggeration?: number;
  /** Default 0.8. */
  momentum?: number;
  /** "auto" (default): max(N / exaggeration, 50), openTSNE's N / exaggeration with scikit-learn's floor of 50. */
  learningRate?: number | "auto";
  /** Smallest gain (default 0.01). */
  minGain?: number;
  /** Clip each point's gradient to this norm (default: no clipping; openTSNE's transform uses 0.25). */
  maxGradNorm?: number;
  /** Clip each point's step to this norm (default 5, as openTSNE). */
  maxStepNorm?: number;
  /** Subtract the mean after each step (default true; off when placing points into a frozen map). */
  recentre?: boolean;
  phase?: TsnePhase;
  onProgress?: ProgressCallback;
  /** Iterations between KL evaluations and progress reports (default 50). */
  progressEvery?: number;
}

export const DESCENT_DEFAULTS = {
  exaggeration: 1,
  momentum: 0.8,
  learningRate: "auto",
  minGain: 0.01,
  maxStepNorm: 5,
  recentre: true,
  phase: "embedding",
  progressEvery: 50,
} as const;

/** A fresh embedding from an initial map (copied). */
export function createEmbedding(init: Float64Array, n: number, dims: 2 | 3): TsneEmbedding {
  if (init.length !== n * dims) throw new UsageError(`the initial map holds ${init.length} values, expected N×dims = ${n}×${dims}`);
  return {
    n,
    dims,
    y: Float64Array.from(init),
    gains: new Float64Array(n * dims).fill(1),
    update: new Float64Array(n * dims),
    iteration: 0,
    kl: NaN,
    klAt: -1,
    startedAt: now(),
  };
}

/** The learning rate "auto" stands for: max(N / exaggeration, 50). */
export function autoLearningRate(n: number, exaggeration: number): number {
  return Math.max(n / exaggeration, 50);
}

/**
 * Runs `iterations` steps of gradient descent on the embedding (in place). Returns false when
 * onProgress stopped it.
 */
export async function descend(e: TsneEmbedding, objective: Objective, options: DescentOptions): Promise<boolean> {
  const o = { ...DESCENT_DEFAULTS, ...defined(options), iterations: options.iterations };
  checkDescent(o);
  const lr = o.learningRate === "auto" ? autoLearningRate(e.n, o.exaggeration) : o.learningRate;
  const { y, gains, update, dims, n } = e;
  const grad = new Float64Array(n * dims);
  // Report at the start of a step, from the gradient evaluation the step needs anyway; the last
  // step's map gets one extra evaluation after the loop.
  const due = () => o.onProgress !== undefined && e.iteration > 0 && e.iteration % o.progressEvery === 0 && e.klAt !== e.iteration;
  const report = (kl: number): boolean => {
    e.kl = kl;
    e.klAt = e.iteration;
    return o.onProgress!({ iteration: e.iteration, phase: o.phase, kl, elapsedMs: now() - e.startedAt }) !== false;
  };
  for (let t = 0; t < o.iterations; t++) {
    const wantKl = due();
    const kl = await objective(y, o.exaggeration, grad, wantKl);
    if (wantKl && !report(kl)) return false;
    if (o.maxGradNorm !== undefined) clipRows(grad, n, dims, o.maxGradNorm);
    for (let c = 0; c < grad.length; c++) {
      const g = grad[c];
      // The step is −lr·g: the gradient kept its sign when it opposes the last update.
      let gain = update[c] * g < 0 ? gains[c] + 0.2 : gains[c] * 0.8;
      if (gain < o.minGain) gain = o.minGain;
      gains[c] = gain;
      update[c] = o.momentum * update[c] - lr * gain * g;
    }
    if (o.maxStepNorm !== undefined) clipRows(update, n, dims, o.maxStepNorm);
    for (let c = 0; c < y.length; c++) y[c] += update[c];
    if (o.recentre) recentre(y, n, dims);
    e.iteration++;
  }
  if (due() && !report(await objective(y, o.exaggeration, grad, true))) return false;
  return true;
}

/** Options of {@link optimize}: a descent over the t-SNE objective of P. */
export interface OptimizeOptions extends DescentOptions {
  /** How the repulsion is computed (exact, Barnes–Hut, FFT, …). */
  repulsion: RepulsionMethod;
  /** How the attraction is computed (default: one thread). */
  attraction?: AttractionMethod;
}

/**
 * Optimises the embedding of affinities P for `iterations` steps (openTSNE `TSNEEmbedding.optimize`).
 * @example await optimize(e, p, { iterations: 250, exaggeration: 12, momentum: 0.5, repulsion })
 */
export async function optimize(e: TsneEmbedding, p: SparseAffinities, options: OptimizeOptions): Promise<boolean> {
  if (p.n !== e.n) throw new UsageError(`the affinities are over ${p.n} points but the embedding has ${e.n}; pass the P the map was made for`);
  return descend(e, tsneObjective(p, e.dims, options.repulsion, options.attraction), options);
}

/** The full t-SNE gradient: attraction from P plus repulsion from the method; KL from its Z. */
export function tsneObjective(
  p: SparseAffinities,
  dims: 2 | 3,
  repulsion: RepulsionMethod,
  attraction: AttractionMethod = singleThreadAttraction,
): Objective {
  let forces: Float64Array = new Float64Array(p.n * dims);
  return async (y, exaggeration, out, wantKl) => {
    const [rep] = await Promise.all([repulsion(y, p.n, dims, forces), attraction(p, y, y, dims, out)]);
    forces = rep.forces;
    const invZ = 1 / rep.z;
    for (let c = 0; c < out.length; c++) out[c] = exaggeration * out[c] - rep.forces[c] * invZ;
    return wantKl ? klDivergence(p, y, y, dims, rep.z) : NaN;
  };
}

/** The KL divergence of the map as it stands (one repulsion pass). */
export async function currentKl(e: TsneEmbedding, p: SparseAffinities, repulsion: RepulsionMethod): Promise<number> {
  const rep = await repulsion(e.y, e.n, e.dims);
  return klDivergence(p, e.y, e.y, e.dims, rep.z);
}

function clipRows(a: Float64Array, n: number, dims: number, max: number): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < dims; c++) s += a[i * dims + c] ** 2;
    if (s > max * max) {
      const f = max / Math.sqrt(s);
      for (let c = 0; c < dims; c++) a[i * dims + c] *= f;
    }
  }
}

function recentre(y: Float64Array, n: number, dims: number): void {
  for (let c = 0; c < dims; c++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += y[i * dims + c];
    m /= n;
    for (let i = 0; i < n; i++) y[i * dims + c] -= m;
  }
}

function checkDescent(o: Required<Pick<DescentOptions, "iterations" | "exaggeration" | "momentum" | "minGain">> & DescentOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(o.iterations) || o.iterations < 0) problems.push(`iterations must be an integer ≥ 0, got ${o.iterations}`);
  if (!(o.exaggeration > 0)) problems.push(`exaggeration must be > 0, got ${o.exaggeration}`);
  if (!(o.momentum >= 0 && o.momentum < 1)) problems.push(`momentum must be in [0, 1), got ${o.momentum}`);
  if (o.learningRate !== "auto" && !(typeof o.learningRate === "number" && o.learningRate > 0)) {
    problems.push(`learningRate must be "auto" or a number > 0, got ${String(o.learningRate)}`);
  }
  if (problems.length > 0) throw new UsageError(problems.join("; "));
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}

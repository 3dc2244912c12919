/**
 * Initial t-SNE maps, as openTSNE's `initialization.py`: the leading principal components scaled
 * so the first has standard deviation 1e-4 (Kobak & Berens 2019, "The art of using t-SNE",
 * §"Initialisation"), a seeded isotropic Gaussian of standard deviation 1e-4, or given positions.
 * Browser-safe.
 */
import { DataError, UsageError } from "../../../util/errors.js";
import { createRng, type Rng } from "../../../util/rng.js";
import type { Points } from "../../neighbors/types.js";
import { pca } from "../pca.js";

/** How to start: principal components, random, or explicit positions (row-major N×dims). */
export type Initialization = "pca" | "random" | Float32Array | Float64Array;

/** Standard deviation of the first coordinate of a PCA or random start (openTSNE's `rescale`). */
export const INIT_STD = 1e-4;
/** Jitter added to a PCA start, relative to its first coordinate's std (openTSNE's `jitter`). */
export const PCA_JITTER = 0.01;

export interface InitOptions {
  dims: 2 | 3;
  /** Seeds the random start, the PCA solver and the PCA jitter (default 0). */
  seed?: number;
}

/**
 * The starting map, row-major N×dims in float64.
 * @example initialize(points, "random", { dims: 2, seed: 1 }) // Float64Array(2N), std ≈ 1e-4
 */
export function initialize(points: Points, init: Initialization, options: InitOptions): Float64Array {
  const { dims } = options;
  const seed = options.seed ?? 0;
  if (init instanceof Float32Array || init instanceof Float64Array) return givenInit(init, points.n, dims);
  if (init === "random") return randomInit(points.n, dims, createRng(seed));
  if (init === "pca") return pcaInit(points, dims, seed);
  throw new UsageError(`init must be "pca", "random" or an N×dims Float32Array/Float64Array, got ${String(init)}`);
}

/** The first `dims` principal components, rescaled so the first has std 1e-4, plus 1% jitter (openTSNE `pca`). */
export function pcaInit(points: Points, dims: 2 | 3, seed: number): Float64Array {
  if (points.d < dims) {
    throw new DataError(`PCA initialisation of a ${dims}-D map needs points of at least ${dims} dimensions, got ${points.d}; use init "random"`);
  }
  const projected = pca(points, { components: dims, seed }).projected.data;
  const y = Float64Array.from(projected);
  const scale = std(y, points.n, dims);
  if (!(scale > 0)) return randomInit(points.n, dims, createRng(seed));
  for (let t = 0; t < y.length; t++) y[t] *= INIT_STD / scale;
  const rng = createRng(seed + 1);
  for (let t = 0; t < y.length; t++) y[t] += gaussian(rng) * INIT_STD * PCA_JITTER;
  return y;
}

/** N×dims independent Gaussian coordinates of std 1e-4 (openTSNE `random`). */
export function randomInit(n: number, dims: number, rng: Rng): Float64Array {
  const y = new Float64Array(n * dims);
  for (let t = 0; t < y.length; t++) y[t] = gaussian(rng) * INIT_STD;
  return y;
}

function givenInit(init: Float32Array | Float64Array, n: number, dims: number): Float64Array {
  if (init.length !== n * dims) {
    throw new DataError(`init holds ${init.length} values but the map needs N×dims = ${n}×${dims} = ${n * dims}; pass one row per point`);
  }
  for (let t = 0; t < init.length; t++) {
    if (!Number.isFinite(init[t])) throw new DataError(`init holds NaN or ±Infinity (first at row ${Math.floor(t / dims)}); pass finite positions`);
  }
  return Float64Array.from(init);
}

/** Population std of column 0 of a row-major N×dims matrix. */
function std(y: Float64Array, n: number, dims: number): number {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i * dims];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (y[i * dims] - mean) ** 2;
  return Math.sqrt(ss / n);
}

/** A standard normal deviate (Box & Muller 1958). */
export function gaussian(rng: Rng): number {
  let u = 0;
  while (u === 0) u = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** PCA's options, its model, and the checks of both (browser-safe). */
import { DataError, UsageError } from "../../../util/errors.js";
import type { Points } from "../../neighbors/types.js";

export interface PcaOptions {
  /** How many principal components to keep, 1..min(N, D). */
  components: number;
  /** Solver; "auto" (default) picks as scikit-learn: randomized when max(N, D) > 500 and components < 0.8·min(N, D). */
  method?: "auto" | "exact" | "randomized";
  /** Seed of the randomized solver's Gaussian test matrix (default 0). */
  seed?: number;
  /** Extra random directions of the randomized solver (default 10, as scikit-learn). */
  oversamples?: number;
  /** Power iterations of the randomized solver (default: 7 when components < 0.1·min(N, D), else 4, as scikit-learn's n_iter="auto"). */
  powerIterations?: number;
}

/** The defaults of {@link PcaOptions}; `powerIterations` has none fixed (see {@link powerIterationsFor}). */
export const PCA_DEFAULTS = { method: "auto", seed: 0, oversamples: 10 } as const;

export interface PcaModel {
  /** Input dimension D. */
  d: number;
  /** Number of components k. */
  components: number;
  /** Per-feature mean, length D. */
  mean: Float64Array;
  /** k×D row-major, unit rows */
  basis: Float64Array;
  /** Variance along each component (divided by N − 1), largest first. */
  explainedVariance: Float64Array;
  /** explainedVariance over the total variance (sum of all features' variances). */
  explainedVarianceRatio: Float64Array;
}

/** scikit-learn's n_iter="auto": 7 power iterations for few components (< 10% of min(N, D)), else 4. */
export function powerIterationsFor(components: number, n: number, d: number): number {
  return components < 0.1 * Math.min(n, d) ? 7 : 4;
}

/** scikit-learn 1.2's svd_solver="auto" rule. */
export function chooseMethod(components: number, n: number, d: number): "exact" | "randomized" {
  return Math.max(n, d) > 500 && components < 0.8 * Math.min(n, d) ? "randomized" : "exact";
}

/** Options with every default filled in. @internal */
export type Checked = Required<PcaOptions>;

/** Checks the options against the points (all problems in one UsageError) and fills in the defaults. @internal */
export function checkOptions(points: Points, options: PcaOptions): Checked {
  checkPoints(points, 2);
  const { n, d } = points;
  const { components, method = PCA_DEFAULTS.method, seed = PCA_DEFAULTS.seed, oversamples = PCA_DEFAULTS.oversamples } = options;
  const problems: string[] = [];
  const most = Math.min(n, d);
  if (!Number.isInteger(components) || components < 1 || components > most) {
    problems.push(`components must be an integer in 1..${most} (min(N, D) for ${n} points of ${d} dimensions), got ${components}`);
  }
  if (method !== "auto" && method !== "exact" && method !== "randomized") {
    problems.push(`method must be "auto", "exact" or "randomized", got ${JSON.stringify(method)}`);
  }
  if (!Number.isFinite(seed)) problems.push(`seed must be a finite number, got ${seed}`);
  if (!Number.isInteger(oversamples) || oversamples < 0) problems.push(`oversamples must be an integer ≥ 0, got ${oversamples}`);
  const iters = options.powerIterations ?? powerIterationsFor(components, n, d);
  if (!Number.isInteger(iters) || iters < 0) problems.push(`powerIterations must be an integer ≥ 0, got ${options.powerIterations}`);
  if (problems.length > 0) throw new UsageError(`PCA: ${problems.join("; ")}`);
  return { components, method, seed, oversamples, powerIterations: iters };
}


/** @internal */
export function checkPoints(points: Points, minRows: number): void {
  const { n, d, data } = points;
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 1 || data.length !== n * d) {
    throw new DataError(`points must hold N·D = ${n}·${d} values (row-major), got ${data.length}; check n and d`);
  }
  if (n < minRows) throw new DataError(`PCA needs at least ${minRows} point${minRows === 1 ? "" : "s"}, got ${n}`);
}


/** Throws one DataError naming the first rows that hold NaN or ±Infinity. */
export function checkFinite(points: Points): void {
  const { n, d, data } = points;
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i] * 0; // NaN iff some value is NaN or ±Infinity
  if (sum === 0) return;
  const bad: number[] = [];
  let count = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * d; j < i * d + d; j++) s += data[j] * 0;
    if (s !== 0 && count++ < 5) bad.push(i);
  }
  throw new DataError(
    `points: ${count} of ${n} rows hold NaN or ±Infinity (first: row${count === 1 ? "" : "s"} ${bad.join(", ")}${count > 5 ? ", …" : ""}); drop or impute them first`,
  );
}

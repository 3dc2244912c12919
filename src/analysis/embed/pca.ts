/**
 * Principal component analysis of N points in D dimensions, browser-safe (plain typed arrays;
 * pcaThreads.ts runs the same steps on Node worker threads).
 *
 * Its parts, in pca/: options.ts (options, model, checks), passes.ts (the passes over the data),
 * solvers.ts (exact and randomized, as generators of passes), steps.ts (the whole fit as passes),
 * and dense.ts: `pcaDense`, the same fit with the passes as products of a DenseBackend (on Node,
 * onnxruntime's Gemm on MLAS, which `embed` and `analyze` use; BENCHMARKS.md, "PCA through onnxruntime").
 *
 * Two solvers, chosen as scikit-learn 1.2 chooses them (`method: "auto"`):
 * - exact: the eigendecomposition of the D×D covariance (or, when D > N, of the N×N Gram matrix),
 *   Householder tridiagonalisation + implicit QL (Wilkinson & Reinsch 1971, via JAMA's tred2/tql2);
 * - randomized: the randomized SVD of Halko, Martinsson & Tropp 2011 (Alg. 4.4 with re-orthonormalised
 *   power iterations, then Alg. 5.1), as scikit-learn's `randomized_svd`. When the smaller of N, D
 *   is small enough that one Gram matrix costs fewer multiply-adds than the 2q + 2 passes over the data,
 *   the same iteration runs on the Gram matrix (the same subspaces, the same Rayleigh–Ritz step).
 *
 * Signs follow scikit-learn's `svd_flip` (u-based): in each component the projection of largest
 * magnitude is positive (exact ties may resolve differently). Explained variance divides by N − 1.
 * Sums are float64 except the Gram matrix of large problems (see MIXED_PRECISION_WORK). The hot loop
 * is a WebAssembly SIMD kernel (pcaKernel.ts; plain JS where WebAssembly is missing); the dense
 * linear algebra is in linalg.ts.
 *
 * On Fashion-MNIST (70,000 × 784) the exact solver's explained variance ratios agree with
 * scikit-learn's float64 svd_solver="full" within 6e-8 (relative); randomized ones, of either library,
 * are within 3e-4 for the first 40 components and ~1e-2 for the last few.
 */
import { DataError } from "../../util/errors.js";
import type { Points } from "../neighbors/types.js";
import { checkFinite, checkPoints, type PcaModel, type PcaOptions } from "./pca/options.js";
import { runHere } from "./pca/passes.js";
import { pcaSteps } from "./pca/steps.js";

export { chooseMethod, PCA_DEFAULTS, powerIterationsFor, type PcaModel, type PcaOptions } from "./pca/options.js";
export { passShape, runPass, type Pass } from "./pca/passes.js";
export { pcaSteps } from "./pca/steps.js";

/**
 * Fits PCA: the mean, the top `components` principal axes and their variances.
 * @example
 * const points = { n: 6, d: 2, data: new Float32Array([0, 0, 1, 0, 0, 1, 5, 5, 6, 5, 5, 6]) };
 * fitPca(points, { components: 1 }) // basis [-0.7071, -0.7071], explainedVariance [15.133], explainedVarianceRatio [0.9742] (as scikit-learn)
 */
export function fitPca(points: Points, options: PcaOptions): PcaModel {
  return fit(points, options).model;
}

/** Projects points onto a fitted model's components: N × components, float32. */
export function transformPca(model: PcaModel, points: Points): Points {
  checkPoints(points, 1);
  if (points.d !== model.d) {
    throw new DataError(`points have ${points.d} dimensions but the PCA model was fitted on ${model.d}; transform points of the same feature space`);
  }
  checkFinite(points);
  const proj = runHere(points, { kind: "project", mean: model.mean, v: model.basis, l: model.components });
  return { n: points.n, d: model.components, data: Float32Array.from(proj) };
}

/**
 * Fits PCA and projects the same points (one pass fewer than fitPca + transformPca).
 * @example pca(points, { components: 1 }).projected.data // Float32Array [4.007, 3.300, 3.300, -3.064, -3.771, -3.771] (points as in fitPca; scikit-learn's fit_transform too)
 */
export function pca(points: Points, options: PcaOptions): { model: PcaModel; projected: Points } {
  const { model, projections } = fit(points, options);
  return { model, projected: { n: points.n, d: model.components, data: Float32Array.from(projections) } };
}

function fit(points: Points, options: PcaOptions): { model: PcaModel; projections: Float64Array } {
  const steps = pcaSteps(points, options);
  for (let step = steps.next(); ; step = steps.next(runHere(points, step.value))) if (step.done) return step.value;
}


/**
 * PCA as one sequence of passes over the data (browser-safe): checks, means, the solver's passes,
 * the projections, and the finishing touches (unit rows, scikit-learn's signs, variances).
 */
import type { Points } from "../../neighbors/types.js";
import { checkFinite, checkOptions, chooseMethod, type PcaModel, type PcaOptions } from "./options.js";
import { columnMeans, sumOfSquares, type Steps } from "./passes.js";
import { exactPca, randomizedPca } from "./solvers.js";

/**
 * PCA as a sequence of passes over the data: yields each pass it needs (run them with runPass, on
 * any threads) and is resumed with the pass's output; returns the model and the projections. @internal
 */
export function* pcaSteps(points: Points, options: PcaOptions): Steps<{ model: PcaModel; projections: Float64Array }> {
  const opts = checkOptions(points, options);
  const { n, d } = points;
  const k = opts.components;
  const mean = columnMeans(points);
  if (!mean.every(Number.isFinite)) checkFinite(points); // throws, naming the rows
  const totalVariance = sumOfSquares(points, mean) / (n - 1);
  const method = opts.method === "auto" ? chooseMethod(k, n, d) : opts.method;
  const solved = method === "exact" ? yield* exactPca(points, mean, k) : yield* randomizedPca(points, mean, opts);
  const basis = completeBasis(solved.vectors, solved.values, k, d);
  const projections = yield { kind: "project", mean, v: basis, l: k };
  flipSigns(basis, projections, n, d, k);
  const explainedVariance = new Float64Array(k);
  const explainedVarianceRatio = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    explainedVariance[c] = Math.max(solved.values[c], 0) / (n - 1);
    explainedVarianceRatio[c] = totalVariance > 0 ? explainedVariance[c] / totalVariance : 0;
  }
  return { model: { d, components: k, mean, basis, explainedVariance, explainedVarianceRatio }, projections };
}

/**
 * Unit rows: normalises the k vectors and, where a singular value is zero (rank below k, e.g.
 * constant features), replaces the vector by a unit vector orthogonal to the others.
 */
function completeBasis(vectors: Float64Array, values: Float64Array, k: number, d: number): Float64Array {
  const basis = new Float64Array(k * d);
  const vmax = Math.max(values[0], 0);
  let next = 0; // next standard basis vector to try
  for (let c = 0; c < k; c++) {
    const row = basis.subarray(c * d, (c + 1) * d);
    if (values[c] > vmax * 1e-26 && values[c] > 0) row.set(vectors.subarray(c * d, (c + 1) * d));
    for (let attempt = 0; ; attempt++) {
      for (let pass = 0; pass < 2; pass++) {
        for (let p = 0; p < c; p++) {
          let dot = 0;
          for (let j = 0; j < d; j++) dot += row[j] * basis[p * d + j];
          for (let j = 0; j < d; j++) row[j] -= dot * basis[p * d + j];
        }
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += row[j] * row[j];
      norm = Math.sqrt(norm);
      if (norm > (attempt === 0 ? 1e-8 : 0.5)) {
        for (let j = 0; j < d; j++) row[j] /= norm;
        break;
      }
      row.fill(0);
      row[next++ % d] = 1;
    }
  }
  return basis;
}

/** scikit-learn's svd_flip (u-based): the largest-magnitude projection of each component positive. */
function flipSigns(basis: Float64Array, proj: Float64Array, n: number, d: number, k: number): void {
  for (let c = 0; c < k; c++) {
    let best = -1;
    let at = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(proj[i * k + c]);
      if (a > best) {
        best = a;
        at = i;
      }
    }
    if (proj[at * k + c] >= 0) continue;
    for (let j = 0; j < d; j++) basis[c * d + j] = -basis[c * d + j];
    for (let i = 0; i < n; i++) proj[i * k + c] = -proj[i * k + c];
  }
}

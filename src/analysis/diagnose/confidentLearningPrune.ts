import { checkInputs, type ConfidentJoint, confidentJoint, estimateNoise, FLOAT_TOLERANCE, labelCounts, type NoiseEstimate } from "./confidentLearning.js";

/**
 * Confident learning, the pruning half: which images are probably mislabelled, by "prune by noise
 * rate" (Northcutt, Jiang & Chuang, JAIR 2021, §3.2, Alg. 2; cleanlab's
 * `find_label_issues(filter_by="prune_by_noise_rate")` in `cleanlab/filter.py`). Browser-safe.
 */

/** Options of {@link findLabelIssues}; defaults in {@link CONFIDENT_LEARNING_DEFAULTS}. */
export interface ConfidentLearningOptions {
  /** Leave at least this many images of each given label unflagged (cleanlab's `min_examples_per_class`). */
  minExamplesPerClass?: number;
  /** A calibrated confident joint computed elsewhere (cleanlab's `confident_joint` argument): K×K, row = given label. */
  counts?: Int32Array;
}

export const CONFIDENT_LEARNING_DEFAULTS = { minExamplesPerClass: 1 } as const;

/** What {@link findLabelIssues} finds. */
export interface ConfidentLearningResult {
  /** 1 where the given label is probably wrong. */
  issues: Uint8Array;
  joint: ConfidentJoint;
  noise: NoiseEstimate;
  /** How many images to flag in each cell (row given, column true), after keeping `minExamplesPerClass`: K×K, diagonal 0. */
  pruneCounts: Int32Array;
}

/**
 * The images whose given label is probably wrong: the calibrated confident joint estimates how many
 * images labelled i truly belong to j (n·Q[i][j]); of the images labelled i, that many with the
 * largest margin p_j − p_i are flagged, for every i ≠ j (§3.2, "prune by noise rate"). Images the
 * model predicts as their given label are never flagged (cleanlab's `_reduce_issues`).
 * @example
 * // four images labelled 0 and four labelled 1; the 4th "0" looks like a 1:
 * const p = Float32Array.of(.9,.1, .8,.2, .9,.1, .1,.9, .2,.8, .1,.9, .3,.7, .1,.9);
 * findLabelIssues(Int32Array.of(0, 0, 0, 0, 1, 1, 1, 1), p, 2).issues // Uint8Array [0, 0, 0, 1, 0, 0, 0, 0]
 */
export function findLabelIssues(labels: Int32Array, probabilities: Float32Array, k: number, options: ConfidentLearningOptions = {}): ConfidentLearningResult {
  checkInputs(labels, probabilities, k);
  const minimum = options.minExamplesPerClass ?? CONFIDENT_LEARNING_DEFAULTS.minExamplesPerClass;
  if (!Number.isInteger(minimum) || minimum < 0) throw new RangeError(`minExamplesPerClass must be a non-negative integer, got ${minimum}`);
  const computed = confidentJoint(labels, probabilities, k);
  if (options.counts && options.counts.length !== k * k) throw new RangeError(`counts hold ${options.counts.length} values, expected ${k}×${k}`);
  const joint = options.counts ? { ...computed, counts: options.counts } : computed;
  const pruneCounts = keepAtLeast(joint.counts, k, minimum);
  const issues = pruneByNoiseRate(labels, probabilities, k, pruneCounts, minimum);
  for (let i = 0; i < labels.length; i++) if (issues[i] && predictedAsGiven(probabilities, i, k, labels[i])) issues[i] = 0;
  return { issues, joint, noise: estimateNoise(joint.counts, k), pruneCounts };
}

/**
 * How many to flag per cell, keeping at least `n` images of each given label: a diagonal count below
 * `n` is raised to `n` and the rise taken evenly from that row's non-zero off-diagonal counts, which
 * are then truncated to integers (cleanlab's `_keep_at_least_n_per_class` with frac_noise = 1).
 * Returned in the joint's orientation (row = given label), diagonal set to 0.
 */
export function keepAtLeast(counts: Int32Array, k: number, n: number): Int32Array {
  const out = new Int32Array(k * k);
  for (let i = 0; i < k; i++) {
    const diagonal = counts[i * k + i];
    const rise = Math.max(diagonal, n) - diagonal;
    let nonZero = 0;
    for (let j = 0; j < k; j++) if (counts[i * k + j] !== 0) nonZero++;
    const each = rise / Math.max(nonZero - 1, 1);
    for (let j = 0; j < k; j++) if (j !== i) out[i * k + j] = Math.trunc(Math.max(counts[i * k + j] - each, 0));
  }
  return out;
}

/**
 * Flags, for each given label i and other class j, the `pruneCounts[i][j]` images labelled i with
 * the largest p_j − p_i (ties: the lower row first). A label with at most `minimum` images is left alone.
 */
export function pruneByNoiseRate(labels: Int32Array, probabilities: Float32Array, k: number, pruneCounts: Int32Array, minimum = 1): Uint8Array {
  const issues = new Uint8Array(labels.length);
  const rowsOf: number[][] = Array.from({ length: k }, () => []);
  for (let r = 0; r < labels.length; r++) rowsOf[labels[r]].push(r);
  const counts = labelCounts(labels, k);
  for (let i = 0; i < k; i++) {
    if (counts[i] <= minimum) continue;
    const rows = rowsOf[i];
    for (let j = 0; j < k; j++) {
      const take = pruneCounts[i * k + j];
      if (j === i || take <= 0) continue;
      const margin = Float64Array.from(rows, (r) => probabilities[r * k + j] - probabilities[r * k + i]);
      const order = Array.from(rows, (_, a) => a).sort((a, b) => margin[b] - margin[a] || a - b);
      for (const a of order.slice(0, take)) issues[rows[a]] = 1;
    }
  }
  return issues;
}

/** Whether the model's arg-max is the given label (with the given label favoured by 10⁻⁶ on ties, as cleanlab). */
function predictedAsGiven(p: Float32Array, row: number, k: number, given: number): boolean {
  const o = row * k;
  const best = p[o + given] + FLOAT_TOLERANCE;
  for (let j = 0; j < given; j++) if (p[o + j] >= best) return false;
  for (let j = given + 1; j < k; j++) if (p[o + j] > best) return false;
  return true;
}

/**
 * The baseline "prediction ≠ label" (cleanlab's `predicted_neq_given`): 1 where the arg-max of the
 * probabilities is not the given label (ties to the lowest class, as numpy.argmax).
 */
export function predictedNotGiven(labels: Int32Array, probabilities: Float32Array, k: number): Uint8Array {
  checkInputs(labels, probabilities, k);
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probabilities[i * k + j] > probabilities[i * k + best]) best = j;
    out[i] = best === labels[i] ? 0 : 1;
  }
  return out;
}

import { describe, quantileSorted } from "./numeric.js";
import { sortScores } from "./sort.js";
import { checkInteger } from "./validate.js";

/** Default number of equal-width confidence bins for the reliability diagram and ECE (Guo et al. 2017 use 15). */
export const CALIBRATION_BINS = 15;

/** Confidence quantiles reported: 5th, 25th, 50th, 75th and 95th percentiles. */
export const CONFIDENCE_QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const;

/** One bin of a reliability diagram: confidences in (lower, upper] (the first bin also holds 0). */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean confidence of the bin's samples; NaN when the bin is empty. */
  confidence: number;
  /** Fraction of the bin's samples predicted correctly; NaN when the bin is empty. */
  accuracy: number;
}

/** A reliability diagram and its expected calibration error. */
export interface Calibration {
  bins: ReliabilityBin[];
  /** Σ_b (n_b / N)·|accuracy_b − confidence_b| over non-empty bins (Naeini et al. 2015; Guo et al. 2017, eq. 3). */
  ece: number;
}

/** How confident the model is: statistics of the top probability of each sample. */
export interface ConfidenceStats {
  mean: number;
  /** Population standard deviation. */
  std: number;
  min: number;
  max: number;
  /** Keyed "0.05", "0.25", "0.5", "0.75", "0.95"; numpy's default (linear) quantiles. */
  quantiles: Record<string, number>;
  /** Mean confidence of the correctly and incorrectly predicted samples (NaN when there are none). */
  mean_correct: number;
  mean_incorrect: number;
}

/**
 * Reliability diagram over `bins` equal-width bins of [0, 1] and the expected calibration error
 * of top-label confidences: the bins are scikit-learn's `calibration_curve(correct, confidence,
 * n_bins, strategy="uniform")` (edges `np.linspace(0, 1, bins + 1)`, each bin right-closed), but
 * every bin is returned, empty ones with NaN means.
 * @example calibration(new Float64Array([0.9, 0.6]), new Uint8Array([1, 0]), 2) // { bins: [{lower: 0, upper: 0.5, count: 0, ...}, {lower: 0.5, upper: 1, count: 2, confidence: 0.75, accuracy: 0.5}], ece: 0.25 }
 */
export function calibration(confidence: Float64Array, correct: Uint8Array, bins = CALIBRATION_BINS): Calibration {
  checkInteger("bins", bins, 1);
  const edges = linspace(bins);
  const count = new Float64Array(bins);
  const confSum = new Float64Array(bins);
  const hits = new Float64Array(bins);
  for (let i = 0; i < confidence.length; i++) {
    const c = confidence[i];
    const b = binOf(c, edges);
    count[b]++;
    confSum[b] += c;
    hits[b] += correct[i];
  }
  const out: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const n = count[b];
    const conf = n > 0 ? confSum[b] / n : NaN;
    const acc = n > 0 ? hits[b] / n : NaN;
    if (n > 0) ece += (n / confidence.length) * Math.abs(acc - conf);
    out.push({ lower: edges[b], upper: edges[b + 1], count: n, confidence: conf, accuracy: acc });
  }
  return { bins: out, ece };
}

/**
 * Mean, spread and quantiles of the confidences, overall and split by whether the prediction was right.
 * @example confidenceStats(new Float64Array([0.9, 0.6]), new Uint8Array([1, 0])).mean_incorrect // 0.6
 */
export function confidenceStats(confidence: Float64Array, correct: Uint8Array): ConfidenceStats {
  const { mean, std, min, max } = describe(confidence);
  const sorted = sortScores(confidence);
  const quantiles: Record<string, number> = {};
  for (const q of CONFIDENCE_QUANTILES) quantiles[String(q)] = quantileSorted(sorted, q);
  let sc = 0;
  let nc = 0;
  let si = 0;
  for (let i = 0; i < confidence.length; i++) {
    if (correct[i]) {
      sc += confidence[i];
      nc++;
    } else {
      si += confidence[i];
    }
  }
  const ni = confidence.length - nc;
  return { mean, std, min, max, quantiles, mean_correct: nc > 0 ? sc / nc : NaN, mean_incorrect: ni > 0 ? si / ni : NaN };
}

/** numpy's `linspace(0, 1, bins + 1)`: i·(1/bins), the last edge exactly 1. */
function linspace(bins: number): Float64Array {
  const step = 1 / bins;
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i < bins; i++) edges[i] = i * step;
  edges[bins] = 1;
  return edges;
}

/** The bin of c: how many interior edges lie strictly below it (numpy's searchsorted, side "left"). */
function binOf(c: number, edges: Float64Array): number {
  const bins = edges.length - 1;
  let b = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1));
  while (b > 0 && edges[b] >= c) b--;
  while (b < bins - 1 && edges[b + 1] < c) b++;
  return b;
}

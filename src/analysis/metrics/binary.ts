import { UsageError } from "../../util/errors.js";
import type { RocCurve } from "./curves.js";
import type { Scores } from "./sort.js";

/** The ROC point that maximises Youden's J = TPR − FPR (Youden 1950, "Index for rating diagnostic tests"). */
export interface YoudenPoint {
  /** Call a sample positive when its score is ≥ this. */
  threshold: number;
  tpr: number;
  fpr: number;
  j: number;
}

/** A binary decision at one threshold, class 1 positive. */
export interface ThresholdMetrics {
  threshold: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** Each 0 when its denominator is 0, as scikit-learn with zero_division=0. */
  precision: number;
  recall: number;
  specificity: number;
  f1: number;
  accuracy: number;
}

/**
 * The threshold with the largest TPR − FPR on a ROC curve (the first, i.e. highest, threshold on a
 * tie). Because J is linear along each segment of the curve, the points that `roc_curve` drops as
 * intermediate never hold a larger J.
 * @example youdenThreshold(rocCurve([0, 0, 1, 1], new Float64Array([0.1, 0.4, 0.35, 0.8]))) // { threshold: 0.8, tpr: 0.5, fpr: 0, j: 0.5 }
 */
export function youdenThreshold(roc: RocCurve): YoudenPoint {
  let best = 0;
  for (let i = 1; i < roc.fpr.length; i++) if (roc.tpr[i] - roc.fpr[i] > roc.tpr[best] - roc.fpr[best]) best = i;
  return { threshold: roc.thresholds[best], tpr: roc.tpr[best], fpr: roc.fpr[best], j: roc.tpr[best] - roc.fpr[best] };
}

/**
 * Confusion counts and rates when samples whose P(class 1) is ≥ `threshold` are called class 1.
 * `scores` is P(class 1) per sample, or N×2 probabilities (their second column is used).
 * @example metricsAtThreshold(new Int32Array([0, 1, 1]), new Float64Array([0.2, 0.6, 0.4]), 0.5) // { tp: 1, fp: 0, fn: 1, tn: 1, precision: 1, recall: 0.5, specificity: 1, f1: 0.667, accuracy: 0.667, threshold: 0.5 }
 */
export function metricsAtThreshold(labels: Int32Array, scores: Scores, threshold: number): ThresholdMetrics {
  if (typeof threshold !== "number" || Number.isNaN(threshold)) throw new UsageError(`threshold must be a number, got ${threshold}`);
  const n = labels.length;
  const stride = scores.length === 2 * n ? 2 : 1;
  if (scores.length !== n * stride) {
    throw new UsageError(`metricsAtThreshold needs one score per label (or N×2 probabilities), got ${scores.length} scores for ${n} labels`);
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < n; i++) {
    const positive = scores[i * stride + stride - 1] >= threshold;
    if (labels[i] === 1) {
      if (positive) tp++;
      else fn++;
    } else if (positive) fp++;
    else tn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const denom = precision + recall;
  return {
    threshold,
    tp,
    fp,
    fn,
    tn,
    precision,
    recall,
    specificity: tn + fp > 0 ? tn / (tn + fp) : 0,
    f1: (2 * precision * recall) / (denom === 0 ? 1 : denom),
    accuracy: (tp + tn) / n,
  };
}

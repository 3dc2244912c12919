import { DataError } from "../../util/errors.js";
import { Sum } from "./numeric.js";
import { sortScores, type Scores } from "./sort.js";

/**
 * Binary ROC and precision–recall curves from sorted scores, the way scikit-learn 1.2 builds them
 * (`_binary_clf_curve`, `roc_curve`, `precision_recall_curve`, `average_precision_score`): one
 * point per distinct score, tied scores grouped into one threshold, a sample is called positive
 * when its score is ≥ the threshold.
 */

/** A receiver operating characteristic curve (Fawcett 2006, "An introduction to ROC analysis"). */
export interface RocCurve {
  /** False positive rate at each threshold, non-decreasing from 0 to 1 (NaN when there are no negatives). */
  fpr: Float64Array;
  /** True positive rate (recall), non-decreasing from 0 to 1 (NaN when there are no positives). */
  tpr: Float64Array;
  /** Decreasing; `thresholds[0]` is the highest score + 1 and stands for "call nothing positive"
   * (scikit-learn 1.2; computed in float32 for float32 scores, as numpy does). */
  thresholds: Float64Array;
  /** Area under the curve by the trapezoidal rule; NaN when the class has no positives or no negatives. */
  auc: number;
}

/** A precision–recall curve, in scikit-learn's order: thresholds increasing, recall decreasing. */
export interface PrecisionRecallCurve {
  /** One more entry than `thresholds`: the last is 1 (no threshold), as scikit-learn. */
  precision: Float64Array;
  /** One more entry than `thresholds`: the last is 0. All 1 when there are no positives (scikit-learn's convention). */
  recall: Float64Array;
  /** The distinct scores, increasing. */
  thresholds: Float64Array;
  /** Σ (R_n − R_{n−1}) P_n over thresholds, not interpolated (scikit-learn's average_precision_score). */
  average_precision: number;
}

/** Both curves of one binary problem, and its class counts. */
export interface BinaryCurves {
  roc: RocCurve;
  /** Only when asked for (`precisionRecall: true`): it holds one point per distinct score. */
  pr: PrecisionRecallCurve | null;
  average_precision: number;
  positives: number;
  negatives: number;
}

export interface CurveOptions {
  /** Drop the ROC points where the step in (false, true) positive counts does not change, which lie on
   * a straight line between their neighbours (scikit-learn's `drop_intermediate`, default true). */
  dropIntermediate?: boolean;
  /** Also build the precision–recall curve (its average precision is computed either way). Default true. */
  precisionRecall?: boolean;
}

/**
 * The ROC curve, PR curve and average precision of a binary problem whose scores are given twice,
 * both sorted ascending: all scores, and the scores of the positive samples only. Tied scores form
 * one threshold; counts at each threshold come from a single walk down both arrays.
 */
export function curvesFromSorted(all: Scores, positives: Scores, options: CurveOptions = {}): BinaryCurves {
  const n = all.length;
  const pos = positives.length;
  const neg = n - pos;
  const distinct = distinctCount(all);
  const pr = (options.precisionRecall ?? true) ? emptyPr(distinct) : null;
  // Kept ROC points, at most one per distinct score (pages of a large typed array that are never
  // written are never committed, so the bound costs no memory).
  const fps = new Float64Array(distinct);
  const tps = new Float64Array(distinct);
  const thr = new Float64Array(distinct);
  const out = new Float64Array(2);
  const empty = new Float64Array(0);
  walk(all, positives, options.dropIntermediate ?? true, pr?.precision ?? empty, pr?.recall ?? empty, pr?.thresholds ?? empty, fps, tps, thr, out);
  const kept = out[0];
  const ap = out[1];
  if (pr) pr.average_precision = ap;
  // The origin first: nothing called positive, at a threshold above every score (max + 1, as scikit-learn 1.2).
  const fpr = new Float64Array(kept + 1);
  const tpr = new Float64Array(kept + 1);
  const thresholds = new Float64Array(kept + 1);
  thresholds[0] = all instanceof Float32Array ? Math.fround(thr[0] + 1) : thr[0] + 1;
  thresholds.set(thr.subarray(0, kept), 1);
  if (neg > 0) for (let j = 0; j < kept; j++) fpr[j + 1] = fps[j] / neg;
  else fpr.fill(NaN);
  if (pos > 0) for (let j = 0; j < kept; j++) tpr[j + 1] = tps[j] / pos;
  else tpr.fill(NaN);
  return {
    roc: { fpr, tpr, thresholds, auc: trapezoid(fpr, tpr) },
    pr,
    average_precision: ap,
    positives: pos,
    negatives: neg,
  };
}

/**
 * The one pass over the thresholds, highest first: fills the PR arrays (when they have room) in
 * increasing-threshold order, the kept ROC counts (fps, tps, thr) and out = [kept, AP]. Kept in its
 * own function so that V8 optimizes it once for all calls (an on-stack-replaced loop inside the
 * caller was deoptimized on every call).
 */
function walk(
  all: Scores,
  positives: Scores,
  drop: boolean,
  precisionOut: Float64Array,
  recallOut: Float64Array,
  thresholdOut: Float64Array,
  fps: Float64Array,
  tps: Float64Array,
  thr: Float64Array,
  out: Float64Array,
): void {
  const n = all.length;
  const pos = positives.length;
  const m = thresholdOut.length;
  // Σ (R_j − R_{j−1}) P_j with Neumaier's compensation, inline (see numeric.ts Sum).
  let apSum = 0;
  let apComp = 0;
  let prevRecall = 0;
  // Streaming drop_intermediate: a point is kept when it is first or last, or when the second
  // difference of fps or tps there is non-zero; at step j, b = point j-1 (undecided), a = point j-2.
  const keepAll = !drop;
  let kept = 0;
  let j = 0;
  let aF = 0, aT = 0, bF = 0, bT = 0, bThr = 0;
  let p = pos;
  for (let i = n - 1; i >= 0; j++) {
    const v = all[i];
    let g = i;
    while (g > 0 && all[g - 1] === v) g--;
    while (p > 0 && positives[p - 1] >= v) p--;
    const tp = pos - p;
    const fp = n - g - tp;
    i = g - 1;
    const precision = tp / (tp + fp);
    const recall = pos === 0 ? 1 : tp / pos;
    const term = (recall - prevRecall) * precision;
    const t = apSum + term;
    apComp += Math.abs(apSum) >= Math.abs(term) ? apSum - t + term : term - t + apSum;
    apSum = t;
    prevRecall = recall;
    if (m > 0) {
      // scikit-learn returns the PR curve by increasing threshold.
      precisionOut[m - 1 - j] = precision;
      recallOut[m - 1 - j] = recall;
      thresholdOut[m - 1 - j] = v;
    }
    if (j > 0) {
      // Point j-1 is decided now; it is written either way and kept by advancing `kept` (no branch).
      fps[kept] = bF;
      tps[kept] = bT;
      thr[kept] = bThr;
      kept += keepAll || j === 1 ? 1 : (fp - 2 * bF + aF !== 0 ? 1 : 0) | (tp - 2 * bT + aT !== 0 ? 1 : 0);
    }
    aF = bF;
    aT = bT;
    bF = fp;
    bT = tp;
    bThr = v;
  }
  if (j > 0) {
    fps[kept] = bF;
    tps[kept] = bT;
    thr[kept++] = bThr;
  }
  out[0] = kept;
  out[1] = apSum + apComp;
}

/** How many distinct values a sorted array holds. */
function distinctCount(sorted: Scores): number {
  let m = sorted.length > 0 ? 1 : 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) m++;
  return m;
}

/** A PR curve of m thresholds with its final point (precision 1, recall 0) filled in. */
function emptyPr(m: number): PrecisionRecallCurve {
  const pr = { precision: new Float64Array(m + 1), recall: new Float64Array(m + 1), thresholds: new Float64Array(m), average_precision: 0 };
  pr.precision[m] = 1;
  return pr;
}

/**
 * Area under y(x) by the trapezoidal rule (numpy's `trapz`), for x sorted either way.
 * @example trapezoid(new Float64Array([0, 0.5, 1]), new Float64Array([0, 1, 1])) // 0.75
 */
export function trapezoid(x: Float64Array, y: Float64Array): number {
  const s = new Sum();
  for (let j = 1; j < x.length; j++) s.add(((x[j] - x[j - 1]) * (y[j] + y[j - 1])) / 2);
  return Math.abs(s.value) === 0 ? 0 : s.value;
}

/**
 * The ROC curve of binary labels (1 = positive, 0 = negative) and scores, as
 * `sklearn.metrics.roc_curve(yTrue, scores)`, with its AUC (NaN when one class is missing).
 * @example rocCurve([0, 0, 1, 1], new Float64Array([0.1, 0.4, 0.35, 0.8])) // { fpr: [0, 0, 0.5, 0.5, 1], tpr: [0, 0.5, 0.5, 1, 1], thresholds: [1.8, 0.8, 0.4, 0.35, 0.1], auc: 0.75 }
 */
export function rocCurve(yTrue: ArrayLike<number>, scores: Scores, options: { dropIntermediate?: boolean } = {}): RocCurve {
  const [all, pos] = splitBinary(yTrue, scores);
  return curvesFromSorted(all, pos, { ...options, precisionRecall: false }).roc;
}

/**
 * The precision–recall curve of binary labels (1 = positive) and scores with its average precision,
 * as `sklearn.metrics.precision_recall_curve` and `average_precision_score`.
 * @example precisionRecallCurve([0, 0, 1, 1], new Float64Array([0.1, 0.4, 0.35, 0.8])) // { precision: [0.5, 0.667, 0.5, 1, 1], recall: [1, 1, 0.5, 0.5, 0], thresholds: [0.1, 0.35, 0.4, 0.8], average_precision: 0.833 }
 */
export function precisionRecallCurve(yTrue: ArrayLike<number>, scores: Scores): PrecisionRecallCurve {
  const [all, pos] = splitBinary(yTrue, scores);
  return curvesFromSorted(all, pos, { precisionRecall: true }).pr!;
}

/** Sorted copies of all scores and of the positives' scores; checks labels are 0/1 and scores finite. */
function splitBinary(yTrue: ArrayLike<number>, scores: Scores): [Scores, Scores] {
  const n = scores.length;
  if (n === 0) throw new DataError("no samples: scores is empty");
  if (yTrue.length !== n) throw new DataError(`binary labels and scores must have the same length, got ${yTrue.length} and ${n}`);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const y = yTrue[i];
    if (y !== 0 && y !== 1) throw new DataError(`binary labels must be 0 or 1, index ${i} holds ${y}`);
    if (!Number.isFinite(scores[i])) throw new DataError(`scores must be finite, index ${i} holds ${scores[i]}`);
    pos += y;
  }
  const positives = new (scores.constructor as new (n: number) => Scores)(pos);
  for (let i = 0, j = 0; i < n; i++) if (yTrue[i] === 1) positives[j++] = scores[i];
  return [sortScores(scores), sortScores(positives)];
}

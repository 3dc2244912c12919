import { DataError, UsageError } from "../../util/errors.js";
import { curvesFromSorted, trapezoid, type BinaryCurves, type RocCurve } from "./curves.js";
import { sortScores, sortScoresInPlace, type Scores } from "./sort.js";
import { checkLabels, checkNumClasses } from "./validate.js";
import { classList } from "./warnings.js";

/**
 * One-vs-rest ranking metrics of N×K probabilities: per-class ROC and precision–recall curves,
 * their micro averages (every (sample, class) pair as one binary decision, scikit-learn's
 * `average="micro"` on the binarised labels) and the macro-averaged ROC curve.
 */

/** The macro-averaged ROC curve: mean TPR of the classes, each interpolated at every FPR any class reaches. */
export interface MacroRocCurve {
  fpr: Float64Array;
  tpr: Float64Array;
  /** Area under this averaged curve (not the same number as the mean of the per-class AUCs). */
  auc: number;
  /** How many classes were averaged (those with both positives and negatives). */
  classes: number;
}

/** Per-class, macro, weighted and micro scores of one kind (ROC AUC or average precision). */
export interface AveragedScore {
  per_class: number[];
  macro: number;
  weighted: number;
  micro: number;
}

export interface RankingMetrics {
  /** Each class against the rest; `pr` is null unless curves were asked for. */
  per_class: BinaryCurves[];
  micro: { roc: RocCurve; average_precision: number };
  macro_roc: MacroRocCurve;
  roc_auc: AveragedScore;
  average_precision: AveragedScore;
  warnings: string[];
}

export interface RankingOptions {
  /** Keep each class's precision–recall curve (one point per distinct score). Default true. */
  curves?: boolean;
  /** Called after each class and after the micro average. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Class `k` against the rest: its ROC curve (AUC), precision–recall curve and average precision,
 * as scikit-learn's `roc_curve(labels == k, probs[:, k])` and `precision_recall_curve`.
 * @example classCurves(new Int32Array([0, 1]), new Float64Array([0.9, 0.1, 0.2, 0.8]), 2, 1).roc.auc // 1
 */
export function classCurves(labels: Int32Array, probs: Scores, numClasses: number, k: number, precisionRecall = true): BinaryCurves {
  checkShapes(labels, probs, numClasses);
  if (!Number.isInteger(k) || k < 0 || k >= numClasses) throw new UsageError(`class must be an integer in 0..${numClasses - 1}, got ${k}`);
  const n = labels.length;
  const column = probs instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) column[i] = probs[i * numClasses + k];
  return columnCurves(labels, column, k, precisionRecall);
}

/** Curves of class k from its column of scores, which is sorted in place (the values stay, their order does not). */
function columnCurves(labels: Int32Array, column: Scores, k: number, precisionRecall: boolean): BinaryCurves {
  const n = labels.length;
  let count = 0;
  for (let i = 0; i < n; i++) if (labels[i] === k) count++;
  const positives = column instanceof Float32Array ? new Float32Array(count) : new Float64Array(count);
  for (let i = 0, j = 0; i < n; i++) if (labels[i] === k) positives[j++] = column[i];
  return curvesFromSorted(sortScoresInPlace(column), sortScoresInPlace(positives), { precisionRecall });
}

/**
 * Throws unless probs holds N×K scores for N labels in 0..K-1. The scores themselves are taken as
 * valid (finite; `evaluate` checks them with `checkProbabilities`).
 */
function checkShapes(labels: Int32Array, probs: Scores, numClasses: number): void {
  checkNumClasses(numClasses);
  if (labels.length === 0) throw new DataError("no samples: labels is empty");
  if (probs.length !== labels.length * numClasses) {
    throw new DataError(`${labels.length} labels need ${labels.length * numClasses} scores (N × numClasses), got ${probs.length}`);
  }
  checkLabels(labels, numClasses);
}

/** Column-major copy of N×K row-major scores, transposed in blocks of rows to stay in cache. */
function transpose(probs: Scores, n: number, k: number): Scores {
  const out = probs instanceof Float32Array ? new Float32Array(n * k) : new Float64Array(n * k);
  const block = 256;
  for (let r0 = 0; r0 < n; r0 += block) {
    const r1 = Math.min(n, r0 + block);
    for (let c = 0; c < k; c++) {
      const o = c * n;
      for (let r = r0; r < r1; r++) out[o + r] = probs[r * k + c];
    }
  }
  return out;
}

/**
 * The micro-averaged ROC curve and average precision: all N·K scores ranked together, a pair
 * (sample i, class j) positive when labels[i] = j; as scikit-learn's
 * `roc_curve(label_binarize(labels).ravel(), probs.ravel())` and
 * `average_precision_score(label_binarize(labels), probs, average="micro")`.
 * @example microCurves(new Int32Array([0, 1]), new Float64Array([0.9, 0.1, 0.2, 0.8]), 2).roc.auc // 1
 */
export function microCurves(labels: Int32Array, probs: Scores, numClasses: number): { roc: RocCurve; average_precision: number } {
  checkShapes(labels, probs, numClasses);
  return microFrom(labels, probs, sortScores(probs), numClasses);
}

/** Micro curves given all N·K scores already sorted. */
function microFrom(labels: Int32Array, probs: Scores, sorted: Scores, numClasses: number): { roc: RocCurve; average_precision: number } {
  const n = labels.length;
  const positives = probs instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) positives[i] = probs[i * numClasses + labels[i]];
  const c = curvesFromSorted(sorted, sortScoresInPlace(positives), { precisionRecall: false });
  return { roc: c.roc, average_precision: c.average_precision };
}

/**
 * The macro-averaged ROC curve as in scikit-learn's example "Multiclass Receiver Operating
 * Characteristic": the union of all classes' FPR values, each class's TPR linearly interpolated
 * there (`np.interp`), averaged; classes whose curve is undefined (NaN) are left out.
 * @example
 * const a = rocCurve([0, 1], new Float64Array([0.2, 0.9])); // fpr [0, 0, 1], tpr [0, 1, 1]
 * const b = rocCurve([1, 0], new Float64Array([0.2, 0.9])); // fpr [0, 1, 1], tpr [0, 0, 1]
 * macroRocCurve([a, b]) // { fpr: [0, 1], tpr: [0.5, 1], auc: 0.75, classes: 2 }
 */
export function macroRocCurve(curves: RocCurve[]): MacroRocCurve {
  const defined = curves.filter((c) => !Number.isNaN(c.auc));
  let total = 0;
  for (const c of defined) total += c.fpr.length;
  const pooled = new Float64Array(total);
  let o = 0;
  for (const c of defined) {
    pooled.set(c.fpr, o);
    o += c.fpr.length;
  }
  const fpr = unique(sortScores(pooled));
  const tpr = new Float64Array(fpr.length);
  for (const c of defined) interpolateAdd(fpr, c.fpr, c.tpr, tpr);
  for (let i = 0; i < tpr.length; i++) tpr[i] /= defined.length;
  return { fpr, tpr, auc: defined.length > 0 ? trapezoid(fpr, tpr) : NaN, classes: defined.length };
}

/** Distinct values of an ascending array. */
function unique(sorted: Float64Array): Float64Array {
  let m = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[m++] = sorted[i];
  return sorted.slice(0, m);
}

/**
 * out[i] += the piecewise-linear interpolation of (xp, fp) at x[i], for ascending distinct x:
 * numpy's `np.interp` term for term (precomputed slopes, and at a repeated xp value the last point
 * with that x), walked segment by segment so that the inner loop has no unpredictable branch.
 */
function interpolateAdd(x: Float64Array, xp: Float64Array, fp: Float64Array, out: Float64Array): void {
  const u = x.length;
  const last = xp.length - 1;
  let i = 0;
  while (i < u && x[i] < xp[0]) out[i++] += fp[0];
  for (let j = 0; j < last; j++) {
    const lo = xp[j];
    const hi = xp[j + 1];
    if (hi === lo) continue; // a vertical step: values at lo belong to the last point at lo
    const f = fp[j];
    const slope = (fp[j + 1] - f) / (hi - lo);
    if (i < u && x[i] === lo) out[i++] += f;
    for (; i < u && x[i] < hi; i++) out[i] += slope * (x[i] - lo) + f;
  }
  while (i < u) out[i++] += fp[last];
}

/**
 * Every class's ROC and PR curves, the micro averages and the macro ROC curve, with ROC AUC and
 * average precision per class and averaged. ROC AUC of a class with no positives (or no negatives)
 * is NaN and left out of the macro and weighted means (scikit-learn's ovr roc_auc_score raises
 * instead); its average precision is 0 and counted, as scikit-learn 1.2 does. Warnings say so.
 */
export function rankingMetrics(labels: Int32Array, probs: Scores, numClasses: number, options: RankingOptions = {}): RankingMetrics {
  checkShapes(labels, probs, numClasses);
  const k = numClasses;
  const n = labels.length;
  const columns = transpose(probs, n, k);
  const perClass: BinaryCurves[] = [];
  for (let c = 0; c < k; c++) {
    perClass.push(columnCurves(labels, columns.subarray(c * n, (c + 1) * n), c, options.curves ?? true));
    options.onProgress?.(c + 1, k + 1);
  }
  // The columns, each now sorted, still hold all N·K scores: sort them as one array for the micro average.
  const micro = microFrom(labels, probs, sortScoresInPlace(columns), k);
  options.onProgress?.(k + 1, k + 1);
  const support = perClass.map((c) => c.positives);
  const aucs = perClass.map((c) => c.roc.auc);
  const aps = perClass.map((c) => c.average_precision);
  return {
    per_class: perClass,
    micro,
    macro_roc: macroRocCurve(perClass.map((c) => c.roc)),
    roc_auc: { per_class: aucs, macro: mean(aucs), weighted: mean(aucs, support), micro: micro.roc.auc },
    average_precision: { per_class: aps, macro: mean(aps), weighted: mean(aps, support), micro: micro.average_precision },
    warnings: rankingWarnings(perClass),
  };
}

/** Mean (weighted when `weights` is given) of the values that are not NaN. */
function mean(values: number[], weights?: number[]): number {
  let s = 0;
  let w = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) continue;
    const wi = weights ? weights[i] : 1;
    s += values[i] * wi;
    w += wi;
  }
  return w === 0 ? NaN : s / w;
}

function rankingWarnings(perClass: BinaryCurves[]): string[] {
  const noPos = perClass.flatMap((c, i) => (c.positives === 0 ? [i] : []));
  const noNeg = perClass.flatMap((c, i) => (c.negatives === 0 ? [i] : []));
  const out: string[] = [];
  if (noPos.length > 0) {
    out.push(
      `ROC AUC is undefined (NaN) for ${classList(noPos)} with no true samples; macro and weighted ROC AUC average the other classes (scikit-learn's roc_auc_score raises here)`,
      `average precision is 0 for ${classList(noPos)} with no true samples (recall is set to 1 at every threshold, as scikit-learn 1.2 does) and counts in the macro average`,
    );
  }
  if (noNeg.length > 0) out.push(`ROC AUC is undefined (NaN) for ${classList(noNeg)}: every sample is of that class`);
  return out;
}

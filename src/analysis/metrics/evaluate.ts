import { UsageError } from "../../util/errors.js";
import { metricsAtThreshold, youdenThreshold, type ThresholdMetrics, type YoudenPoint } from "./binary.js";
import { calibration, CALIBRATION_BINS, confidenceStats, type ConfidenceStats, type ReliabilityBin } from "./calibration.js";
import { classificationReport, type ClassificationReport } from "./classification.js";
import { argmaxRows } from "./confusion.js";
import type { PrecisionRecallCurve, RocCurve } from "./curves.js";
import { LOG_LOSS_EPS, meanOf, sampleEntropy, sampleLosses, topKAccuracy } from "./loss.js";
import { describe } from "./numeric.js";
import { rankingMetrics, type AveragedScore, type MacroRocCurve } from "./ranking.js";
import type { Scores } from "./sort.js";
import { checkInteger, checkLabels, checkNumClasses, checkProbabilities, probabilityColumns, ROW_SUM_TOLERANCE } from "./validate.js";

/** Options of `evaluate`; defaults in `EVALUATE_DEFAULTS`. */
export interface EvaluateOptions {
  /** k values for top-k accuracy. By default 1, 3 and 5, those below numClasses; given explicitly, each must be in 1..numClasses−1. */
  topK?: readonly number[];
  /** Equal-width confidence bins of the reliability diagram and ECE. */
  bins?: number;
  /** Binary problems: P(class 1) at or above which `binary.at_threshold` calls class 1. */
  threshold?: number;
  /** Log-loss clipping, as scikit-learn 1.2's `eps`. */
  eps?: number;
  /** How far a row of probabilities may sum from 1 before it is rejected as logits. */
  tolerance?: number;
  /** Keep the curves (ROC and PR per class, micro and macro ROC). AUCs and APs are computed either way.
   * A PR curve has a point per distinct score, so with 1,000,000 samples × 100 classes the curves
   * take ~2.4 GB: pass false when only the numbers are wanted. */
  curves?: boolean;
  /** Called as the per-class curves are built (the slow part): done of total classes (+1 for the micro average). */
  onProgress?: (done: number, total: number) => void;
}

/** The defaults of `EvaluateOptions`. */
export const EVALUATE_DEFAULTS: Readonly<Required<Omit<EvaluateOptions, "onProgress">>> = {
  topK: [1, 3, 5],
  bins: CALIBRATION_BINS,
  threshold: 0.5,
  eps: LOG_LOSS_EPS,
  tolerance: ROW_SUM_TOLERANCE,
  curves: true,
};

/** What a binary problem adds: class 1 is positive, its score P(class 1). */
export interface BinaryReport {
  roc_auc: number;
  average_precision: number;
  /** The ROC point with the largest TPR − FPR. */
  youden: YoudenPoint;
  /** Metrics when P(class 1) ≥ options.threshold is called class 1. */
  at_threshold: ThresholdMetrics;
  /** Metrics at the Youden threshold. */
  at_youden: ThresholdMetrics;
}

/** Every number, JSON-ready (NaN, which JSON writes as null, marks a metric that is undefined). */
export interface MetricsReport extends ClassificationReport {
  /** Top-k accuracy keyed by k ("1", "3", "5"). */
  top_k: Record<string, number>;
  /** Mean cross-entropy, scikit-learn's log_loss. */
  log_loss: number;
  /** Expected calibration error over `calibration` (top-label confidence, `bins` equal-width bins). */
  ece: number;
  calibration: ReliabilityBin[];
  confidence: ConfidenceStats;
  /** Entropy of each sample's probabilities, in nats; `max_possible` = ln K. */
  entropy: { mean: number; std: number; min: number; max: number; max_possible: number };
  /** One vs rest. Classes with no true samples are NaN and left out of macro and weighted. */
  roc_auc: AveragedScore;
  average_precision: AveragedScore;
  /** Present when numClasses is 2. */
  binary: BinaryReport | null;
}

/** The curves behind the report, for charts. */
export interface MetricsCurves {
  roc: { per_class: RocCurve[]; micro: RocCurve; macro: MacroRocCurve };
  pr: { per_class: PrecisionRecallCurve[] };
}

/** Per-sample values, N each. */
export interface SampleMetrics {
  /** Argmax class (the first on a tie). */
  predicted: Int32Array;
  /** Probability of the predicted class. */
  confidence: Float64Array;
  /** 1 where predicted equals the label. */
  correct: Uint8Array;
  /** Cross-entropy −ln p̂(label), clipped as log_loss. */
  loss: Float64Array;
  /** Entropy of the probabilities, nats. */
  entropy: Float64Array;
}

export interface Evaluation {
  report: MetricsReport;
  /** Null when `curves: false`. */
  curves: MetricsCurves | null;
  samples: SampleMetrics;
}

/**
 * Every classification metric of labels (N classes in 0..K−1) and probabilities (N×K row-major;
 * for K = 2 also one column P(class 1), e.g. a sigmoid output), checked against scikit-learn 1.2:
 * the report (accuracy, balanced accuracy, confusion matrix, per-class and averaged precision,
 * recall, F1, top-k accuracy, log loss, calibration, confidence, entropy, ROC AUC, average
 * precision, and for two classes the Youden threshold and metrics at a threshold), the curves
 * behind it, and per-sample values. Undefined metrics are set as scikit-learn sets them and
 * explained in `report.warnings`. Throws DataError on inconsistent or invalid inputs and
 * UsageError on bad options.
 * @example evaluate(new Int32Array([0, 1, 1]), new Float64Array([0.8, 0.2, 0.3, 0.7, 0.6, 0.4]), 2).report.accuracy // 0.6667
 */
export function evaluate(labels: Int32Array, probs: Scores, numClasses: number, options: EvaluateOptions = {}): Evaluation {
  const o = { ...EVALUATE_DEFAULTS, ...options };
  checkNumClasses(numClasses);
  const k = numClasses;
  const columns = probabilityColumns(labels.length, probs, k);
  checkOptions(o, k, options.topK !== undefined);
  checkLabels(labels, k);
  checkProbabilities(probs, columns, o.tolerance);
  const full = columns === 1 ? twoColumns(probs) : probs;

  const { predicted, confidence } = argmaxRows(full, k);
  const correct = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) correct[i] = predicted[i] === labels[i] ? 1 : 0;
  const loss = sampleLosses(labels, probs, k, o.eps);
  const entropy = sampleEntropy(probs, k, columns === 1);
  const ks = options.topK ?? EVALUATE_DEFAULTS.topK.filter((kk) => kk < k);
  const cal = calibration(confidence, correct, o.bins);
  const ranking = rankingMetrics(labels, full, k, { curves: o.curves, onProgress: o.onProgress });
  const cls = classificationReport(labels, predicted, k);

  let binary: BinaryReport | null = null;
  if (k === 2) {
    const youden = youdenThreshold(ranking.per_class[1].roc);
    binary = {
      roc_auc: ranking.roc_auc.per_class[1],
      average_precision: ranking.average_precision.per_class[1],
      youden,
      at_threshold: metricsAtThreshold(labels, full, o.threshold),
      at_youden: metricsAtThreshold(labels, full, youden.threshold),
    };
  }
  const report: MetricsReport = {
    ...cls,
    top_k: topKAccuracy(labels, full, k, ks),
    log_loss: meanOf(loss),
    ece: cal.ece,
    calibration: cal.bins,
    confidence: confidenceStats(confidence, correct),
    entropy: { ...describe(entropy), max_possible: Math.log(k) },
    roc_auc: ranking.roc_auc,
    average_precision: ranking.average_precision,
    binary,
    warnings: [...cls.warnings, ...ranking.warnings],
  };
  const curves: MetricsCurves | null = o.curves
    ? {
        roc: { per_class: ranking.per_class.map((c) => c.roc), micro: ranking.micro.roc, macro: ranking.macro_roc },
        pr: { per_class: ranking.per_class.map((c) => c.pr!) },
      }
    : null;
  return { report, curves, samples: { predicted, confidence, correct, loss, entropy } };
}

function checkOptions(o: Required<Omit<EvaluateOptions, "onProgress">>, k: number, explicitTopK: boolean): void {
  checkInteger("bins", o.bins, 1);
  if (explicitTopK) for (const kk of o.topK) checkInteger("topK", kk, 1, k - 1);
  if (!(o.eps > 0 && o.eps < 0.5)) throw new UsageError(`eps must be in (0, 0.5), got ${o.eps}`);
  if (!(o.tolerance >= 0)) throw new UsageError(`tolerance must be ≥ 0, got ${o.tolerance}`);
  if (typeof o.threshold !== "number" || Number.isNaN(o.threshold)) throw new UsageError(`threshold must be a number, got ${o.threshold}`);
}

/** One column P(class 1) as two columns [1 − p, p], in the input's array type (as numpy's `1 - p`). */
function twoColumns(p: Scores): Scores {
  const out = p instanceof Float32Array ? new Float32Array(2 * p.length) : new Float64Array(2 * p.length);
  for (let i = 0; i < p.length; i++) {
    out[2 * i] = 1 - p[i];
    out[2 * i + 1] = p[i];
  }
  return out;
}

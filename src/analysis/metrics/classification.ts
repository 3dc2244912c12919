import { DataError } from "../../util/errors.js";
import { confusionMatrix, matrixRows } from "./confusion.js";
import { classList } from "./warnings.js";

/** One class against the rest: counts and the rates built from them. */
export interface ClassMetrics {
  class: number;
  /** tp / (tp + fp); 0 (with a warning) when the class is never predicted, as scikit-learn. */
  precision: number;
  /** tp / (tp + fn), the sensitivity; 0 (with a warning) when the class never occurs. */
  recall: number;
  /** 2·precision·recall / (precision + recall); 0 when both are 0. */
  f1: number;
  /** Samples whose true class this is. */
  support: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  /** tn / (tn + fp); 0 (with a warning) when every sample is of this class. */
  specificity: number;
}

/** Precision, recall and F1 averaged over classes. */
export interface Averages {
  precision: number;
  recall: number;
  f1: number;
}

/** Everything that needs only the true and the predicted classes. */
export interface ClassificationReport {
  n: number;
  num_classes: number;
  accuracy: number;
  /** Mean recall over the classes that occur in the labels (scikit-learn's balanced_accuracy_score). */
  balanced_accuracy: number;
  /** Counts, rows the true class, columns the predicted class. */
  confusion: number[][];
  per_class: ClassMetrics[];
  /** Unweighted mean over all numClasses classes (classes that never occur count as 0). */
  macro: Averages;
  /** From the summed counts; with every sample labelled, all three equal the accuracy. */
  micro: Averages;
  /** Mean weighted by support. */
  weighted: Averages;
  /** Metrics that were undefined and set by convention, as scikit-learn's UndefinedMetricWarning. */
  warnings: string[];
}

/**
 * Accuracy, balanced accuracy, the confusion matrix, per-class precision, recall, F1, specificity
 * and counts, and their macro, micro and weighted averages, as scikit-learn's
 * `classification_report(labels, predicted, labels=range(K), output_dict=True)` and
 * `precision_recall_fscore_support` with zero_division="warn"; its warnings come back in
 * `warnings` instead of being printed.
 * @example classificationReport(new Int32Array([0, 1, 1]), new Int32Array([0, 0, 1]), 2).macro // { precision: 0.75, recall: 0.75, f1: 0.6667 }
 */
export function classificationReport(labels: Int32Array, predicted: Int32Array, numClasses: number): ClassificationReport {
  const k = numClasses;
  const cm = confusionMatrix(labels, predicted, k);
  const n = labels.length;
  if (n === 0) throw new DataError("no samples: labels is empty");
  const support = new Float64Array(k);
  const predSum = new Float64Array(k);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      support[r] += cm[r * k + c];
      predSum[c] += cm[r * k + c];
    }
  }
  const perClass: ClassMetrics[] = [];
  const noPred: number[] = [];
  const noTrue: number[] = [];
  const noNeg: number[] = [];
  let correct = 0;
  for (let c = 0; c < k; c++) {
    const tp = cm[c * k + c];
    const fp = predSum[c] - tp;
    const fn = support[c] - tp;
    const tn = n - tp - fp - fn;
    correct += tp;
    if (predSum[c] === 0) noPred.push(c);
    if (support[c] === 0) noTrue.push(c);
    if (tn + fp === 0) noNeg.push(c);
    const precision = divide(tp, predSum[c]);
    const recall = divide(tp, support[c]);
    perClass.push({ class: c, precision, recall, f1: f1(precision, recall), support: support[c], tp, fp, fn, tn, specificity: divide(tn, tn + fp) });
  }
  const mean = (key: keyof Averages, weights?: Float64Array): number => {
    let s = 0;
    let w = 0;
    for (let c = 0; c < k; c++) {
      const wc = weights ? weights[c] : 1;
      s += perClass[c][key] * wc;
      w += wc;
    }
    return s / w;
  };
  const microP = divide(correct, n);
  const warnings: string[] = [];
  if (noPred.length > 0) warnings.push(`precision and F1 are ill-defined and set to 0 for ${classList(noPred)} with no predicted samples`);
  if (noTrue.length > 0) warnings.push(`recall and F1 are ill-defined and set to 0 for ${classList(noTrue)} with no true samples`);
  if (noNeg.length > 0) warnings.push(`specificity is ill-defined and set to 0 for ${classList(noNeg)}: every sample is of that class`);
  const presentPredicted = noTrue.filter((c) => predSum[c] > 0);
  if (presentPredicted.length > 0) {
    warnings.push(`balanced accuracy averages recall over the classes in the labels only; ${classList(presentPredicted)} predicted but never true`);
  }
  return {
    n,
    num_classes: k,
    accuracy: correct / n,
    balanced_accuracy: balancedAccuracy(perClass),
    confusion: matrixRows(cm, k),
    per_class: perClass,
    macro: { precision: mean("precision"), recall: mean("recall"), f1: mean("f1") },
    micro: { precision: microP, recall: microP, f1: f1(microP, microP) },
    weighted: { precision: mean("precision", support), recall: mean("recall", support), f1: mean("f1", support) },
    warnings,
  };
}

/** a / b, or 0 when b is 0 (scikit-learn's zero_division="warn" value). */
function divide(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** F1 written as scikit-learn computes F-beta for beta = 1, so that the last bits agree. */
function f1(precision: number, recall: number): number {
  const denom = precision + recall;
  return (2 * precision * recall) / (denom === 0 ? 1 : denom);
}

function balancedAccuracy(perClass: ClassMetrics[]): number {
  let s = 0;
  let m = 0;
  for (const c of perClass) {
    if (c.support > 0) {
      s += c.recall;
      m++;
    }
  }
  return s / m;
}

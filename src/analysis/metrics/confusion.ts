import { UsageError } from "../../util/errors.js";
import type { Scores } from "./sort.js";
import { checkLabels, checkNumClasses } from "./validate.js";

/** How a confusion matrix is normalised, as scikit-learn's `normalize`: over each true class (row),
 * each predicted class (column), or all samples. */
export type ConfusionNormalization = "true" | "pred" | "all";

/**
 * The K×K confusion matrix, row-major, rows the true class and columns the predicted class, as
 * `sklearn.metrics.confusion_matrix(labels, predicted, labels=range(K))`.
 * @example confusionMatrix(new Int32Array([0, 1, 1]), new Int32Array([0, 0, 1]), 2) // Float64Array [1, 0, 1, 1]
 */
export function confusionMatrix(labels: Int32Array, predicted: Int32Array, numClasses: number): Float64Array {
  checkNumClasses(numClasses);
  if (predicted.length !== labels.length) {
    throw new UsageError(`labels and predicted classes must have the same length, got ${labels.length} and ${predicted.length}`);
  }
  checkLabels(labels, numClasses);
  checkLabels(predicted, numClasses, "predicted classes");
  const k = numClasses;
  const cm = new Float64Array(k * k);
  for (let i = 0; i < labels.length; i++) cm[labels[i] * k + predicted[i]]++;
  return cm;
}

/**
 * A confusion matrix divided by its row sums ("true": each row is the distribution of predictions
 * for one true class, the diagonal is recall), column sums ("pred": the diagonal is precision) or
 * total ("all"); an empty row or column stays 0, as scikit-learn's `nan_to_num` leaves it.
 * @example normalizeConfusion(new Float64Array([1, 0, 1, 1]), 2, "true") // Float64Array [1, 0, 0.5, 0.5]
 */
export function normalizeConfusion(counts: Float64Array, numClasses: number, mode: ConfusionNormalization): Float64Array {
  const k = numClasses;
  if (counts.length !== k * k) throw new UsageError(`a ${k}×${k} confusion matrix has ${k * k} entries, got ${counts.length}`);
  const out = new Float64Array(k * k);
  const sums = new Float64Array(mode === "all" ? 1 : k);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) sums[mode === "all" ? 0 : mode === "true" ? r : c] += counts[r * k + c];
  }
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const s = sums[mode === "all" ? 0 : mode === "true" ? r : c];
      out[r * k + c] = s === 0 ? 0 : counts[r * k + c] / s;
    }
  }
  return out;
}

/** A flat K×K matrix as K rows of plain numbers (for JSON reports and charts). */
export function matrixRows(flat: Float64Array, numClasses: number): number[][] {
  return Array.from({ length: numClasses }, (_, r) => Array.from(flat.subarray(r * numClasses, (r + 1) * numClasses)));
}

/**
 * The predicted class of each row of N×K probabilities (the first maximum, as numpy's `argmax`)
 * and its probability (the confidence).
 * @example argmaxRows(new Float64Array([0.2, 0.8, 0.5, 0.5]), 2) // { predicted: Int32Array [1, 0], confidence: Float64Array [0.8, 0.5] }
 */
export function argmaxRows(probs: Scores, numClasses: number): { predicted: Int32Array; confidence: Float64Array } {
  const k = numClasses;
  const n = probs.length / k;
  const predicted = new Int32Array(n);
  const confidence = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * k;
    let best = 0;
    let max = probs[base];
    for (let j = 1; j < k; j++) {
      const p = probs[base + j];
      if (p > max) {
        max = p;
        best = j;
      }
    }
    predicted[i] = best;
    confidence[i] = max;
  }
  return { predicted, confidence };
}

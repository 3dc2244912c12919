import { DataError } from "../../util/errors.js";
import { LOG_LOSS_EPS } from "./loss.js";

/** The per-image columns of a predictions table that follow from its probabilities and labels. */
export interface PredictionColumns {
  /** Arg-max class; among equal probabilities the lowest class index, as `numpy.argmax`. */
  predicted: Int32Array;
  /** Top-1 probability. */
  confidence: Float32Array;
  /** Top-1 minus top-2 probability (0 when the two highest are equal). */
  margin: Float32Array;
  /** Cross-entropy −ln p̂(label), clipped as `sampleLosses` clips it; NaN for an unlabelled image (label −1). */
  loss: Float32Array;
}

/**
 * Predicted class, confidence, margin and loss of each of the N = probabilities.length / k images,
 * from N×K row-major probabilities and N labels (−1 = unlabelled). The loss is `sampleLosses`'
 * (scikit-learn 1.2's `log_loss` per sample: the row clipped to [1e-15, 1 − 1e-15] and divided by its
 * sum), computed in float64 and stored as float32. As `numpy.argmax`, a NaN in a row wins the arg-max
 * (the first NaN), and the row's confidence and margin are then NaN.
 * Throws a RangeError for arrays whose lengths do not fit together, and a DataError for a label
 * outside −1..k−1.
 * @example
 * predictionColumns(new Float32Array([0.2, 0.5, 0.3, 0.4, 0.4, 0.2]), 3, new Int32Array([2, -1]))
 * // { predicted: Int32Array [1, 0], confidence: Float32Array [0.5, 0.4], margin: Float32Array [0.2, 0],
 * //   loss: Float32Array [1.2040 (= −ln 0.3), NaN] }
 */
export function predictionColumns(probabilities: Float32Array, k: number, labels: Int32Array): PredictionColumns {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`k (number of classes) must be an integer ≥ 2, got ${k}`);
  const n = labels.length;
  if (probabilities.length !== n * k) {
    throw new RangeError(`probabilities must hold N × k = ${n} × ${k} = ${n * k} values (one row per label), got ${probabilities.length}`);
  }
  checkLabelRange(labels, k);
  const predicted = new Int32Array(n);
  const confidence = new Float32Array(n);
  const margin = new Float32Array(n);
  const loss = new Float32Array(n);
  const eps = LOG_LOSS_EPS;
  const hi = 1 - eps;
  for (let i = 0; i < n; i++) {
    const base = i * k;
    let best = 0;
    let top = probabilities[base];
    let second = -Infinity;
    for (let j = 1; j < k; j++) {
      const p = probabilities[base + j];
      // `top === top` is false once top is NaN: the first NaN keeps the arg-max, as in numpy.
      if (p > top || (p !== p && top === top)) {
        second = top;
        top = p;
        best = j;
      } else if (p > second) {
        second = p;
      }
    }
    predicted[i] = best;
    confidence[i] = top;
    margin[i] = top - second;
    const y = labels[i];
    if (y < 0) {
      loss[i] = NaN;
      continue;
    }
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const p = probabilities[base + j];
      sum += p < eps ? eps : p > hi ? hi : p;
    }
    const py = probabilities[base + y];
    loss[i] = -Math.log((py < eps ? eps : py > hi ? hi : py) / sum);
  }
  return { predicted, confidence, margin, loss };
}

/** Throws one DataError counting the labels outside −1..k−1 and naming the first. */
function checkLabelRange(labels: Int32Array, k: number): void {
  let bad = 0;
  let first = -1;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y < -1 || y >= k) {
      if (bad++ === 0) first = i;
    }
  }
  if (bad > 0) {
    throw new DataError(
      `labels must be classes 0..${k - 1} or −1 (unlabelled); ${bad} of ${labels.length} ${bad === 1 ? "is" : "are"} not ` +
        `(first: row ${first} holds ${labels[first]}); do the labels and the model have the same classes?`,
    );
  }
}

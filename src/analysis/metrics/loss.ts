import { Sum } from "./numeric.js";
import type { Scores } from "./sort.js";

/** scikit-learn 1.2's `log_loss` clipping: probabilities are clipped to [eps, 1 − eps]. */
export const LOG_LOSS_EPS = 1e-15;

// Probabilities here are N×K row-major or, for two classes, may be one column P(class 1) of length N.

/**
 * Cross-entropy of each sample, −ln p̂(true class), where as in scikit-learn 1.2's `log_loss` each
 * row is first clipped to [eps, 1 − eps] and then divided by its sum, so that a probability of 0
 * costs −ln(eps) ≈ 34.5 instead of Infinity. Computed in float64 whatever the input type (scikit-learn
 * computes in the input's dtype, so for float32 input it agrees with scikit-learn on the float64 copy).
 * @example sampleLosses(new Int32Array([1]), new Float64Array([0.25, 0.75]), 2) // Float64Array [0.2877] (= −ln 0.75)
 */
export function sampleLosses(labels: Int32Array, probs: Scores, numClasses: number, eps = LOG_LOSS_EPS): Float64Array {
  const n = labels.length;
  const out = new Float64Array(n);
  const hi = 1 - eps;
  const clip = (p: number) => (p < eps ? eps : p > hi ? hi : p);
  if (probs.length === n && numClasses === 2) {
    // One column: scikit-learn clips it, then appends 1 − p as the class-0 column.
    for (let i = 0; i < n; i++) {
      const p1 = clip(probs[i]);
      const p0 = 1 - p1;
      out[i] = -Math.log((labels[i] === 1 ? p1 : p0) / (p0 + p1));
    }
    return out;
  }
  const k = numClasses;
  for (let i = 0; i < n; i++) {
    const base = i * k;
    let sum = 0;
    for (let j = 0; j < k; j++) sum += clip(probs[base + j]);
    out[i] = -Math.log(clip(probs[base + labels[i]]) / sum);
  }
  return out;
}

/**
 * Mean cross-entropy (log loss) over the samples, as `sklearn.metrics.log_loss(labels, probs,
 * labels=range(K))` with its default eps = 1e-15 (see `sampleLosses`).
 * @example logLoss(new Int32Array([0, 1]), new Float64Array([0.5, 0.5, 0.25, 0.75]), 2) // 0.4904 (= (ln 2 − ln 0.75) / 2)
 */
export function logLoss(labels: Int32Array, probs: Scores, numClasses: number, eps = LOG_LOSS_EPS): number {
  return meanOf(sampleLosses(labels, probs, numClasses, eps));
}

/**
 * Shannon entropy of each row of probabilities in nats, −Σ p ln p with 0 ln 0 = 0: 0 for a one-hot
 * row, ln K for a uniform one. `oneColumn`: probs is P(class 1) of a binary problem (length N).
 * @example sampleEntropy(new Float64Array([0.5, 0.5, 1, 0]), 2) // Float64Array [0.6931, 0]
 */
export function sampleEntropy(probs: Scores, numClasses: number, oneColumn = false): Float64Array {
  if (oneColumn) {
    const out = new Float64Array(probs.length);
    for (let i = 0; i < probs.length; i++) out[i] = xlnx(probs[i]) + xlnx(1 - probs[i]);
    return out;
  }
  const k = numClasses;
  const n = probs.length / k;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * k;
    let h = 0;
    for (let j = 0; j < k; j++) h += xlnx(probs[base + j]);
    out[i] = h;
  }
  return out;
}

/** −x ln x, 0 at 0. */
function xlnx(p: number): number {
  return p > 0 ? -p * Math.log(p) : 0;
}

/**
 * Top-k accuracy for each k: the fraction of samples whose true class is among the k highest
 * probabilities, as `sklearn.metrics.top_k_accuracy_score(labels, probs, k=k, labels=range(K))`:
 * among equal probabilities the higher class index ranks first (scikit-learn's stable argsort,
 * reversed). With two classes (two columns, or one column P(class 1)), top-1 calls class 1 when
 * P(class 1) > 0.5, as scikit-learn does for binary scores, and top-2 is 1.
 * @example topKAccuracy(new Int32Array([2, 0]), new Float64Array([0.5, 0.2, 0.3, 0.1, 0.6, 0.3]), 3, [1, 2]) // { "1": 0, "2": 0.5 }
 */
export function topKAccuracy(labels: Int32Array, probs: Scores, numClasses: number, ks: readonly number[]): Record<string, number> {
  const k = numClasses;
  const n = labels.length;
  const out: Record<string, number> = {};
  if (k === 2) {
    // scikit-learn's binary rule, on the P(class 1) column.
    const stride = probs.length === n ? 1 : 2;
    let hits = 0;
    for (let i = 0; i < n; i++) if ((probs[i * stride + stride - 1] > 0.5 ? 1 : 0) === labels[i]) hits++;
    for (const kk of ks) out[String(kk)] = kk === 1 ? hits / n : 1;
    return out;
  }
  // rank of the true class: how many classes come before it in the descending order.
  const hitsAtRank = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const base = i * k;
    const y = labels[i];
    const py = probs[base + y];
    let rank = 0;
    for (let j = 0; j < k; j++) {
      const p = probs[base + j];
      if (p > py || (p === py && j > y)) rank++;
    }
    hitsAtRank[rank]++;
  }
  for (const kk of ks) {
    let hits = 0;
    for (let r = 0; r < Math.min(kk, k); r++) hits += hitsAtRank[r];
    out[String(kk)] = hits / n;
  }
  return out;
}

/** Mean of an array with a compensated sum. */
export function meanOf(values: Float64Array): number {
  const s = new Sum();
  for (let i = 0; i < values.length; i++) s.add(values[i]);
  return s.value / values.length;
}

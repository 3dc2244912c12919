import type { Scores } from "./sort.js";

/**
 * Row-wise softmax of N×K logits (row-major), max-subtracted so that large logits do not overflow;
 * the result has the input's array type.
 * @example softmax(new Float64Array([0, Math.log(3)]), 2) // Float64Array [0.25, 0.7499999999999999]
 */
export function softmax<T extends Scores>(logits: T, numClasses: number): T {
  const k = numClasses;
  if (!Number.isInteger(k) || k < 1 || logits.length % k !== 0) {
    throw new RangeError(`softmax: logits.length (${logits.length}) must be a multiple of numClasses (${numClasses})`);
  }
  const out = new (logits.constructor as new (n: number) => T)(logits.length);
  const row = new Float64Array(k);
  for (let base = 0; base < logits.length; base += k) {
    let max = -Infinity;
    for (let j = 0; j < k; j++) if (logits[base + j] > max) max = logits[base + j];
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(logits[base + j] - max);
      row[j] = e;
      sum += e;
    }
    for (let j = 0; j < k; j++) out[base + j] = row[j] / sum;
  }
  return out;
}

/**
 * Logistic sigmoid of each logit: a binary model's single output as P(class 1), computed without
 * overflow for large |x|.
 * @example sigmoid(new Float64Array([0, Math.log(3)])) // Float64Array [0.5, 0.7499999999999999]
 */
export function sigmoid<T extends Scores>(logits: T): T {
  const out = new (logits.constructor as new (n: number) => T)(logits.length);
  for (let i = 0; i < logits.length; i++) {
    const x = logits[i];
    if (x >= 0) {
      out[i] = 1 / (1 + Math.exp(-x));
    } else {
      const e = Math.exp(x);
      out[i] = e / (1 + e);
    }
  }
  return out;
}

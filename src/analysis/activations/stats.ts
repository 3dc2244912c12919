/** Summary statistics of a layer's activation values. */
export interface ActivationStats {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Fraction of values that are exactly 0 (dead ReLU units show up here). */
  zeros: number;
}

/**
 * Mean, population std (Welford 1962, one pass, stable), min, max and the fraction of exact zeros.
 * @example activationStats(new Float32Array([0, 2, 4])) // { count: 3, mean: 2, std: 1.633, min: 0, max: 4, zeros: 0.333 }
 */
export function activationStats(values: ArrayLike<number>): ActivationStats {
  let mean = 0;
  let m2 = 0;
  let min = Infinity;
  let max = -Infinity;
  let zeros = 0;
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const d = v - mean;
    mean += d / (i + 1);
    m2 += d * (v - mean);
    if (v < min) min = v;
    if (v > max) max = v;
    if (v === 0) zeros++;
  }
  if (n === 0) return { count: 0, mean: NaN, std: NaN, min: NaN, max: NaN, zeros: NaN };
  return { count: n, mean, std: Math.sqrt(m2 / n), min, max, zeros: zeros / n };
}

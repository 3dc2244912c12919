/** Small numeric helpers shared by the metrics. */

/**
 * A running sum with Neumaier's compensation (Neumaier 1974, "Rundungsfehleranalyse einiger
 * Verfahren zur Summation endlicher Summen"), so that sums over millions of terms stay within a
 * few ulps, as close to numpy's pairwise sums as the 1e-9 checks need.
 * @example const s = new Sum(); s.add(1e16); s.add(1); s.add(-1e16); s.value // 1
 */
export class Sum {
  private s = 0;
  private c = 0;
  add(x: number): void {
    const t = this.s + x;
    if (Math.abs(this.s) >= Math.abs(x)) this.c += this.s - t + x;
    else this.c += x - t + this.s;
    this.s = t;
  }
  get value(): number {
    return this.s + this.c;
  }
}

/**
 * The q-quantile of ascending `sorted` values by linear interpolation between closest ranks, as
 * numpy's default `np.quantile(a, q)` (method "linear", Hyndman & Fan 1996 definition 7), including
 * numpy's way of interpolating from the upper point when the fraction is ≥ 0.5.
 * @example quantileSorted(new Float64Array([1, 2, 3, 4]), 0.5) // 2.5
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = n * q + (1 - q) - 1; // numpy's virtual index for alpha = beta = 1, term for term
  const lo = Math.max(0, Math.min(Math.floor(pos), n - 1));
  const hi = Math.min(lo + 1, n - 1);
  const t = pos - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Population mean and standard deviation, min and max of `values` (NaN for none). */
export function describe(values: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN, min: NaN, max: NaN };
  const sum = new Sum();
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    sum.add(v);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum.value / n;
  const sq = new Sum();
  for (let i = 0; i < n; i++) sq.add((values[i] - mean) ** 2);
  return { mean, std: Math.sqrt(sq.value / n), min, max };
}

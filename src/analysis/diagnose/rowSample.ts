/**
 * Seeded choices of rows for the diagnoses: a stratified sample (every class keeps its share) and
 * a stratified fit/score split. Browser-safe, plain typed arrays.
 */
import { createRng, shuffleInPlace } from "../../util/rng.js";

/**
 * `limit` rows of `labels` (all of them when limit ≥ N) such that every class keeps its share
 * (largest-remainder rounding, as scikit-learn's `train_test_split(stratify=…)`), chosen with a
 * pinned seed, ascending. Rows with a negative label are never chosen.
 * @example stratifiedSample(Int32Array.of(0, 0, 0, 0, 1, 1), 3, 0).length // 3 (two of class 0, one of class 1)
 */
export function stratifiedSample(labels: Int32Array, limit: number, seed: number): Int32Array {
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  const groups = byClass(labels);
  const total = groups.reduce((s, g) => s + g.length, 0);
  if (limit >= total) return Int32Array.from(groups.flat()).sort();
  const rng = createRng(seed);
  const quotas = largestRemainder(groups.map((g) => g.length), limit);
  const chosen: number[] = [];
  groups.forEach((g, c) => {
    const idx = shuffleInPlace(Int32Array.from(g), rng);
    for (let j = 0; j < quotas[c]; j++) chosen.push(idx[j]);
  });
  return Int32Array.from(chosen).sort();
}

/**
 * A stratified split of the labelled rows into a part to fit on and a part to score on (`score`
 * is the fraction held out, rounded per class; every class with ≥ 2 rows keeps at least one row
 * on each side), seeded. Both parts ascending.
 * @example heldOutSplit(Int32Array.of(0, 0, 0, 0, 0, 1, 1, 1, 1, 1), 0.2, 0) // { fit: 8 rows, score: 2 rows, one of each class }
 */
export function heldOutSplit(labels: Int32Array, score: number, seed: number): { fit: Int32Array; score: Int32Array } {
  if (!(score > 0 && score < 1)) throw new RangeError(`the held-out fraction must be in (0, 1), got ${score}`);
  const rng = createRng(seed);
  const fit: number[] = [];
  const held: number[] = [];
  for (const g of byClass(labels)) {
    const idx = shuffleInPlace(Int32Array.from(g), rng);
    let m = Math.round(idx.length * score);
    if (idx.length >= 2) m = Math.min(idx.length - 1, Math.max(1, m));
    for (let j = 0; j < idx.length; j++) (j < m ? held : fit).push(idx[j]);
  }
  return { fit: Int32Array.from(fit).sort(), score: Int32Array.from(held).sort() };
}

/**
 * `m` distinct rows of 0..n−1 chosen uniformly with a pinned seed (partial Fisher–Yates,
 * Knuth vol. 2 §3.4.2), ascending; all rows when m ≥ n.
 * @example randomRows(10, 3, 0).length // 3
 */
export function randomRows(n: number, m: number, seed: number): Int32Array {
  const all = Int32Array.from({ length: n }, (_, i) => i);
  if (m >= n) return all;
  const rng = createRng(seed);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    const t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  return all.slice(0, m).sort();
}

/** Rows of each class 0..max label (negative labels left out). */
function byClass(labels: Int32Array): number[][] {
  let k = 0;
  for (let i = 0; i < labels.length; i++) k = Math.max(k, labels[i] + 1);
  const groups: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) groups[labels[i]].push(i);
  return groups;
}

/** Splits `total` into integer parts proportional to `sizes` that sum to `total` (Hamilton's method). */
function largestRemainder(sizes: number[], total: number): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((s) => (s * total) / n);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left === 0) break;
    if (parts[i] < sizes[i]) {
      parts[i]++;
      left--;
    }
  }
  return parts;
}

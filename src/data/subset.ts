import { UsageError } from "../util/errors.js";
import { createRng, shuffleInPlace } from "../util/rng.js";
import { type Dataset, subset } from "./dataset.js";

/** Options for {@link stratifiedIndices}. */
export interface StratifyOptions {
  /** How many images to keep in all. */
  limit: number;
  /** Seed of the shuffle that picks which images; the same seed picks the same images. */
  seed?: number;
}

export const STRATIFY_DEFAULTS = { seed: 0 } as const;

/**
 * Picks `limit` indices so that every class keeps its share (largest-remainder rounding, as
 * scikit-learn's `train_test_split(stratify=…)` does), chosen at random with a pinned seed, and
 * returned in ascending order so the subset keeps the source's order.
 */
export function stratifiedIndices(labels: Int32Array, numClasses: number, options: StratifyOptions): Int32Array {
  const { limit, seed = STRATIFY_DEFAULTS.seed } = options;
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  const n = labels.length;
  if (limit >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const rng = createRng(seed);
  // Group indices by class; unlabelled images (-1) form one extra group.
  const groups: number[][] = Array.from({ length: numClasses + 1 }, () => []);
  for (let i = 0; i < n; i++) groups[labels[i] < 0 ? numClasses : labels[i]].push(i);
  const quotas = largestRemainder(groups.map((g) => g.length), limit);
  const chosen: number[] = [];
  groups.forEach((g, c) => {
    const idx = shuffleInPlace(Int32Array.from(g), rng);
    for (let j = 0; j < quotas[c]; j++) chosen.push(idx[j]);
  });
  return Int32Array.from(chosen).sort();
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

/** A stratified, seeded subset of `limit` images (all of them if `limit ≥ n`). */
export function limitDataset(ds: Dataset, options: StratifyOptions): Dataset {
  if (options.limit >= ds.n) return ds;
  return subset(ds, stratifiedIndices(ds.labels, ds.classes.length, options), ds.name);
}

/** Options for {@link trainValSplit}. */
export interface SplitOptions {
  /** Fraction of images that go to validation, in (0, 1). */
  fraction: number;
  seed?: number;
}

/** A stratified, seeded train/validation split; the two parts are disjoint and cover the set. */
export function trainValSplit(ds: Dataset, options: SplitOptions): { train: Dataset; val: Dataset } {
  const { fraction, seed = STRATIFY_DEFAULTS.seed } = options;
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`validation fraction must be in (0, 1), got ${fraction}`);
  const valIdx = stratifiedIndices(ds.labels, ds.classes.length, { limit: Math.round(ds.n * fraction), seed });
  const inVal = new Uint8Array(ds.n);
  for (const i of valIdx) inVal[i] = 1;
  const trainIdx = new Int32Array(ds.n - valIdx.length);
  for (let i = 0, j = 0; i < ds.n; i++) if (!inVal[i]) trainIdx[j++] = i;
  return { train: subset(ds, trainIdx, `${ds.name} (train)`), val: subset(ds, valIdx, `${ds.name} (val)`) };
}

/**
 * The images of the given classes only, relabelled 0..m−1 in the order given (a task made from
 * some of a dataset's classes, as in Yosinski et al. 2014's A/B splits).
 */
export function selectClasses(ds: Dataset, classes: readonly number[], name = ds.name): Dataset {
  const bad = classes.filter((c) => !(Number.isInteger(c) && c >= 0 && c < ds.classes.length));
  if (bad.length) throw new UsageError(`classes ${bad.join(", ")} are not in 0..${ds.classes.length - 1} (${ds.name} has ${ds.classes.length} classes)`);
  const map = new Int32Array(ds.classes.length).fill(-1);
  classes.forEach((c, i) => (map[c] = i));
  const idx: number[] = [];
  for (let i = 0; i < ds.n; i++) if (ds.labels[i] >= 0 && map[ds.labels[i]] >= 0) idx.push(i);
  const out = subset(ds, idx, name);
  for (let i = 0; i < out.n; i++) out.labels[i] = map[out.labels[i]];
  return { ...out, classes: classes.map((c) => ds.classes[c]) };
}

/** "0-4", "5,7,9" or class names → class indices. */
export function parseClassList(spec: string, classes: readonly string[]): number[] {
  const out: number[] = [];
  for (const part of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) for (let c = Number(range[1]); c <= Number(range[2]); c++) out.push(c);
    else if (/^\d+$/.test(part)) out.push(Number(part));
    else {
      const k = classes.indexOf(part);
      if (k < 0) throw new UsageError(`no class named '${part}'; classes: ${classes.join(", ")} (or give indices, e.g. 0,6 or 5-9)`);
      out.push(k);
    }
  }
  if (out.length === 0) throw new UsageError(`no classes in '${spec}'; give indices, ranges or names, e.g. 0,6 or 5-9`);
  if (new Set(out).size !== out.length) throw new UsageError(`'${spec}' names a class twice`);
  return out;
}

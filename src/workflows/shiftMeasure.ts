import { centroidShifts, classCentroids } from "../analysis/diagnose/centroids.js";
import type { ShiftClassJson } from "../analysis/diagnose/diagnoseJson.js";
import { holm, MMD_DEFAULTS, type MmdResult, mmdTest } from "../analysis/diagnose/mmd.js";
import { randomRows } from "../analysis/diagnose/rowSample.js";
import type { Points } from "../analysis/neighbors/types.js";
import { pick } from "./diagnoseSeparation.js";

/**
 * The distance between two sets of feature vectors of the same classes — the run's own images
 * and a domain's — overall and class by class: MMD² with its permutation p-value (overall on at
 * most `maxPoints` images per side, per class on at most `maxClassPoints`, drawn at random with a
 * seed), and each class's centroid shift relative to its spread, with the class it moves toward.
 *
 * The draws are plain random ones, not stratified by class: stratified draws give both sides the
 * same class shares, so two halves of one dataset look more alike than the permutations (which mix
 * classes freely) expect, and the p-values run high (measured: 0.67–0.995 over ten pairs of halves,
 * where a calibrated test spreads them evenly over 0–1).
 *
 * The per-class p-values are adjusted for testing K classes (Holm). A permutation p-value cannot
 * go below 1/(permutations + 1), so each class gets enough permutations for its adjusted p-value
 * to be able to fall below `alpha`: at least ⌈2K/alpha⌉ (2,000 for 10 classes at 0.01).
 */

/**
 * At most 2,000 images per side keep the overall test to a few seconds (the kernel matrix of
 * 4,000 images is 64 MB); 500 per side and class keep the K tests, with their many permutations,
 * to about as long.
 */
export const SHIFT_DEFAULTS = { maxPoints: 2000, maxClassPoints: 500, permutations: MMD_DEFAULTS.permutations, alpha: 0.01, seed: 0 } as const;

/** Permutations of each per-class test: enough for a Holm-adjusted p-value below `alpha` to be possible. */
export function classPermutations(permutations: number, classes: number, alpha: number = SHIFT_DEFAULTS.alpha): number {
  return Math.max(permutations, Math.ceil((2 * classes) / alpha));
}

export interface ShiftSide {
  features: Points;
  /** Class of each row (−1 unlabelled). */
  labels: Int32Array;
  /** Predicted class of each row, for per-class recall (optional). */
  predicted?: Int32Array;
}

export interface ShiftMeasure {
  overall: MmdResult;
  /** Permutations and images per side of each per-class test. */
  classTests: { permutations: number; maxPoints: number };
  perClass: ShiftClassJson[];
  skipped: { index: number; class: string; n_run: number; n_domain: number }[];
}

/** Measures the shift from `base` to `moved` (features of the same layer, the same classes). */
export function measureShift(
  base: ShiftSide,
  moved: ShiftSide,
  classes: string[],
  o: { maxPoints?: number; maxClassPoints?: number; permutations?: number; seed?: number; onProgress?: (label: string, done: number, total: number) => void } = {},
): ShiftMeasure {
  const maxPoints = o.maxPoints ?? SHIFT_DEFAULTS.maxPoints;
  const maxClassPoints = Math.min(maxPoints, o.maxClassPoints ?? SHIFT_DEFAULTS.maxClassPoints);
  const permutations = o.permutations ?? SHIFT_DEFAULTS.permutations;
  const seed = o.seed ?? SHIFT_DEFAULTS.seed;
  const K = classes.length;
  const count = (labels: Int32Array) => {
    const c = new Int32Array(K);
    for (const y of labels) if (y >= 0) c[y]++;
    return c;
  };
  const nBase = count(base.labels);
  const nMoved = count(moved.labels);
  const include = (c: number) => nBase[c] >= 2 && nMoved[c] >= 2;
  const tested = Array.from({ length: K }, (_, c) => c).filter(include);
  const perClassPermutations = classPermutations(permutations, tested.length);
  const total = permutations + tested.length * perClassPermutations;
  let before = 0;
  const progress = (done: number) => o.onProgress?.("permutations", before + done, total);

  const draw = (side: ShiftSide) => pick(side.features, randomRows(side.features.n, maxPoints, seed));
  const overall = mmdTest(draw(base), draw(moved), { permutations, seed, onProgress: progress });
  before += permutations;

  const tests: { c: number; r: MmdResult }[] = [];
  for (const c of tested) {
    const rows = (side: ShiftSide) => {
      const all = Int32Array.from({ length: side.labels.length }, (_, i) => i).filter((i) => side.labels[i] === c);
      return all.length > maxClassPoints ? Int32Array.from(randomRows(all.length, maxClassPoints, seed), (j) => all[j]) : all;
    };
    tests.push({ c, r: mmdTest(pick(base.features, rows(base)), pick(moved.features, rows(moved)), { permutations: perClassPermutations, seed, onProgress: progress }) });
    before += perClassPermutations;
  }
  const adjusted = holm(tests.map((t) => t.r.pValue));
  const cBase = classCentroids(base.features, base.labels, K);
  const cMoved = classCentroids(moved.features, moved.labels, K);
  const shifts = new Map(centroidShifts(cBase, cMoved, include).map((s) => [s.class, s]));
  const recall = (side: ShiftSide, c: number, n: number) => {
    if (!side.predicted || n === 0) return null;
    let right = 0;
    for (let i = 0; i < side.labels.length; i++) if (side.labels[i] === c && side.predicted[i] === c) right++;
    return right / n;
  };
  const perClass = tests.map(({ c, r }, j): ShiftClassJson => {
    const s = shifts.get(c)!;
    return {
      index: c, class: classes[c], n_run: nBase[c], n_domain: nMoved[c], mmd2: r.mmd2, p_value: r.pValue, p_holm: adjusted[j], bandwidth: r.bandwidth,
      centroid_shift: s.shift, spread: cBase.spread[c], relative_shift: s.relative, moves_toward: classes[s.nearest], moves_toward_index: s.nearest,
      recall_run: recall(base, c, nBase[c]), recall_domain: recall(moved, c, nMoved[c]),
    };
  });
  const skipped = Array.from({ length: K }, (_, c) => c).filter((c) => !include(c) && (nBase[c] > 0 || nMoved[c] > 0)).map((c) => ({ index: c, class: classes[c], n_run: nBase[c], n_domain: nMoved[c] }));
  return { overall, classTests: { permutations: perClassPermutations, maxPoints: maxClassPoints }, perClass, skipped };
}

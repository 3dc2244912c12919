/**
 * Two classifiers on the same labelled images: where they agree (both right, only A, only B, both
 * wrong) with McNemar's test of whether one is really better, the difference of their confusion
 * matrices, and the share of their predictions that match. Typed arrays in, typed arrays out;
 * browser-safe.
 */

/** The four cells of the agreement table. */
export const AGREEMENT_CELLS = ["both_right", "only_a", "only_b", "both_wrong"] as const;
export type AgreementCell = (typeof AGREEMENT_CELLS)[number];

/** Options for {@link agreement}; defaults in {@link AGREEMENT_DEFAULTS}. */
export interface AgreementOptions {
  /** Example rows kept per cell. */
  examples?: number;
  /** Confidences (top-1 probabilities) of each model, to pick telling examples; else the first rows. */
  confidenceA?: ArrayLike<number>;
  confidenceB?: ArrayLike<number>;
}

export const AGREEMENT_DEFAULTS = { examples: 8 } as const;

export interface Agreement {
  /** Labelled images compared. */
  n: number;
  counts: Record<AgreementCell, number>;
  /**
   * Example rows of each cell, the most telling first: only A / only B — the images the wrong
   * model was surest about; both wrong — where both were surest; both right — where the less sure
   * of the two was least sure (the hardest images both still got right).
   */
  examples: Record<AgreementCell, Int32Array>;
  /** Share of images on which both predict the same class (right or wrong). */
  samePrediction: number;
  /**
   * McNemar's test of "A and B are equally accurate" from the discordant cells (only A: b, only B: c):
   * χ² = (|b − c| − 1)² / (b + c) with continuity correction (Edwards 1948), 1 degree of freedom;
   * p = 1 when b + c = 0.
   */
  mcnemar: { chi2: number; p: number };
}

/**
 * The agreement table of two models' predictions on labelled rows (labels < 0 are left out).
 * @example agreement(Int32Array.of(0, 1, 1), Int32Array.of(0, 1, 0), Int32Array.of(0, 0, 0)).counts
 * // { both_right: 1, only_a: 1, only_b: 0, both_wrong: 1 }
 */
export function agreement(labels: Int32Array, predA: Int32Array, predB: Int32Array, options: AgreementOptions = {}): Agreement {
  if (predA.length !== labels.length || predB.length !== labels.length) throw new RangeError(`labels (${labels.length}) and predictions (${predA.length}, ${predB.length}) differ in length`);
  const keep = options.examples ?? AGREEMENT_DEFAULTS.examples;
  const rows: Record<AgreementCell, number[]> = { both_right: [], only_a: [], only_b: [], both_wrong: [] };
  let same = 0;
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 0) continue;
    n++;
    if (predA[i] === predB[i]) same++;
    const a = predA[i] === labels[i];
    const b = predB[i] === labels[i];
    rows[a && b ? "both_right" : a ? "only_a" : b ? "only_b" : "both_wrong"].push(i);
  }
  const ca = options.confidenceA;
  const cb = options.confidenceB;
  const score: Record<AgreementCell, (i: number) => number> = {
    only_a: (i) => cb?.[i] ?? 0,
    only_b: (i) => ca?.[i] ?? 0,
    both_wrong: (i) => Math.min(ca?.[i] ?? 0, cb?.[i] ?? 0),
    both_right: (i) => -Math.min(ca?.[i] ?? 1, cb?.[i] ?? 1),
  };
  const examples = {} as Record<AgreementCell, Int32Array>;
  const counts = {} as Record<AgreementCell, number>;
  for (const cell of AGREEMENT_CELLS) {
    counts[cell] = rows[cell].length;
    const sorted = ca && cb ? [...rows[cell]].sort((x, y) => score[cell](y) - score[cell](x) || x - y) : rows[cell];
    examples[cell] = Int32Array.from(sorted.slice(0, keep));
  }
  return { n, counts, examples, samePrediction: n ? same / n : NaN, mcnemar: mcnemar(counts.only_a, counts.only_b) };
}

/**
 * McNemar's χ² with continuity correction and its p-value (χ² with 1 degree of freedom).
 * @example mcnemar(10, 30) // { chi2: 9.025, p: 0.0027 }
 */
export function mcnemar(b: number, c: number): { chi2: number; p: number } {
  if (b + c === 0) return { chi2: 0, p: 1 };
  const chi2 = Math.max(0, Math.abs(b - c) - 1) ** 2 / (b + c);
  return { chi2, p: erfc(Math.sqrt(chi2 / 2)) };
}

/** The complementary error function (Press et al., Numerical Recipes in C, 2nd ed., §6.2, `erfcc`: fractional error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/**
 * Confusion matrix of B minus that of A (K×K row-major, rows = true class, columns = predicted):
 * positive off the diagonal where B makes a mistake more often than A.
 * @example confusionDifference(Int32Array.of(0, 1), Int32Array.of(0, 0), Int32Array.of(0, 1), 2) // Int32Array [0, 0, -1, 1]
 */
export function confusionDifference(labels: Int32Array, predA: Int32Array, predB: Int32Array, k: number): Int32Array {
  const out = new Int32Array(k * k);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y < 0 || y >= k) continue;
    out[y * k + predB[i]]++;
    out[y * k + predA[i]]--;
  }
  return out;
}

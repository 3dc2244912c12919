/**
 * What a domain shift did, in words: whether the features moved (the MMD test), what it cost in
 * accuracy, and which classes moved how far and toward which class. Browser-safe.
 */
import { listing, pValue, sig } from "./diagnoseText.js";

/** A shift is called significant below this p-value (per class: Holm-adjusted). */
export const SHIFT_WORDS_DEFAULTS = { alpha: 0.01 } as const;

export interface ShiftWordsInput {
  classes: readonly string[];
  /** The names of the two datasets, for the sentences. */
  base: string;
  domain: string;
  overall: { mmd2: number; pValue: number; permutations: number };
  accuracy: { base: number | null; domain: number | null };
  perClass: { class: number; pHolm: number; relative: number; nearest: number }[];
  alpha?: number;
}

export interface ShiftWords {
  text: string;
  details: string[];
  how: string;
  significant: boolean;
}

/**
 * The summary.
 * @example shiftWords(input).text
 * // "The features moved: MMD² = 0.412, p = 0.005. Accuracy fell from 85.0% to 41.2%. Trouser moves toward Bag, …"
 */
export function shiftWords(input: ShiftWordsInput): ShiftWords {
  const alpha = input.alpha ?? SHIFT_WORDS_DEFAULTS.alpha;
  const { classes, overall, accuracy } = input;
  const name = (c: number) => classes[c];
  const significant = overall.pValue < alpha;
  const floor = 1 / (1 + overall.permutations);
  const p = overall.pValue <= floor ? `${pValue(overall.pValue)}, the smallest ${overall.permutations} permutations can give` : pValue(overall.pValue);
  const sentences = [
    significant
      ? `The features moved: MMD² = ${sig(overall.mmd2)} between ${input.base} and ${input.domain} (${p})`
      : `No shift in the features is detected: MMD² = ${sig(overall.mmd2)} (${p}, not below ${alpha})`,
  ];
  if (accuracy.base !== null && accuracy.domain !== null) {
    const d = accuracy.domain - accuracy.base;
    sentences.push(Math.abs(d) < 0.0005 ? `Accuracy stays at ${pct1(accuracy.base)}` : `Accuracy ${d < 0 ? "fell" : "rose"} from ${pct1(accuracy.base)} to ${pct1(accuracy.domain)}`);
  }
  const movers = input.perClass.filter((c) => c.nearest !== c.class && c.nearest >= 0);
  const byTarget = new Map<number, number[]>();
  for (const m of movers) byTarget.set(m.nearest, [...(byTarget.get(m.nearest) ?? []), m.class]);
  // "Trouser and Dress move toward Bag; Sandal toward Sneaker": the verb once, groups apart by semicolons.
  const toward = [...byTarget.entries()].map(([t, from], i) => `${listing(from.map(name))}${i === 0 ? (from.length === 1 ? " moves" : " move") : ""} toward ${name(t)}`);
  const stay = input.perClass.filter((c) => c.nearest === c.class);
  // Up to three classes that stay are named; more are counted.
  const stayers = stay.length === 1 ? `${name(stay[0].class)} stays` : stay.length <= 3 ? `${listing(stay.map((c) => name(c.class)))} stay` : `the other ${stay.length} classes stay`;
  if (toward.length) sentences.push(`${capitalise(toward.join("; "))}${stay.length ? `; ${stayers} nearest ${stay.length === 1 ? "its" : "their"} own centroid` : ""}`);
  else if (stay.length) sentences.push(`Every class stays nearest its own centroid`);
  const details: string[] = [];
  const shifted = input.perClass.filter((c) => c.pHolm < alpha);
  if (input.perClass.length) details.push(`${shifted.length} of ${input.perClass.length} classes shifted significantly (per-class MMD, Holm-adjusted p < ${alpha}).`);
  const ranked = [...input.perClass].filter((c) => Number.isFinite(c.relative)).sort((a, b) => b.relative - a.relative);
  if (ranked.length) {
    details.push(`Moved most: ${listing(ranked.slice(0, 3).map((c) => `${name(c.class)} (${c.relative.toFixed(2)}× its spread)`))}; least: ${name(ranked[ranked.length - 1].class)} (${ranked[ranked.length - 1].relative.toFixed(2)}×).`);
  }
  const how =
    `MMD²: the unbiased maximum mean discrepancy (Gretton et al. 2012, eq. 3) between the two sets of penultimate features, Gaussian kernel with its width at the median distance between the pooled points; ` +
    `p: the share of ${overall.permutations} random relabellings of the pooled points whose MMD² is at least as large. Centroid shift: the distance between a class's mean feature vectors in the two datasets over the class's spread (root-mean-square distance to its centroid) in ${input.base}; it "moves toward" the class of ${input.base} whose centroid lies nearest its moved centroid.`;
  return { text: `${sentences.join(". ")}.`, details, how, significant };
}

function pct1(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}


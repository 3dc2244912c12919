/**
 * The class-separation summary in words, as the seed article writes it ("Shirt mixes with
 * T-shirt/top, Pullover and Coat; Trouser, Bag and Sneaker separate well"), with the numbers
 * behind each clause and how the thresholds were chosen. Browser-safe.
 */
import { meanSd } from "./purity.js";
import { listing, pc } from "./diagnoseText.js";

/**
 * The thresholds, from the distribution of the classes' kNN purities (mean m, standard deviation s
 * over the classes counted):
 * - a class **mixes** when its purity is below m − `mixSd`·s (and below `mixAtMost`: a class that keeps
 *   9 of 10 neighbours of its own is not said to mix, however the others do);
 * - it **separates well** when its purity is above m + `separateSd`·s (and at least `separateAtLeast`).
 *   Half a standard deviation, not one: purity cannot pass 1, and the well-separated classes crowd
 *   against that ceiling, so their tail of the distribution is short;
 * - a mixing class mixes **with** the classes that hold at least `partnerShare` of its neighbours from
 *   other classes (at most `maxPartners`, the largest first).
 */
export const SEPARATION_WORDS_DEFAULTS = { mixSd: 1, separateSd: 0.5, mixAtMost: 0.9, separateAtLeast: 0.8, partnerShare: 0.15, maxPartners: 4 } as const;

export interface SeparationWordsInput {
  classes: readonly string[];
  /** Per class kNN purity (NaN for a class left out). */
  purity: ArrayLike<number>;
  /** The K×K mixing matrix (row a: the shares of a's neighbour slots by class). */
  mixing: ArrayLike<number>;
  /** Which classes count (false: too few images, left out). */
  include: (c: number) => boolean;
  /** The neighbours counted per point (for the wording). */
  k: number;
  rules?: Partial<typeof SEPARATION_WORDS_DEFAULTS>;
}

export interface Mixer {
  class: number;
  purity: number;
  /** The classes it mixes with and the share of its neighbours each holds. */
  partners: { class: number; share: number }[];
}

export interface SeparationWords {
  /** One sentence: "Shirt mixes with T-shirt/top, Pullover and Coat; Trouser, Bag and Sneaker separate well." */
  text: string;
  /** One line per clause with the numbers behind it. */
  details: string[];
  /** How the thresholds were chosen, in words. */
  how: string;
  thresholds: { mean: number; sd: number; mixBelow: number; separateAbove: number; partnerShare: number };
  mixers: Mixer[];
  /** Classes that separate well, by purity, highest first. */
  separated: { class: number; purity: number }[];
}

/**
 * The summary in words.
 * @example
 * // the seed CNN's penultimate layer on Fashion-MNIST's 70,000 images
 * separationWords({ classes, purity, mixing, include: () => true, k: 10 }).text
 * // "Shirt mixes with T-shirt/top, Pullover and Coat; Trouser, Bag, Sandal, Ankle boot and Sneaker separate well."
 */
export function separationWords(input: SeparationWordsInput): SeparationWords {
  const r = { ...SEPARATION_WORDS_DEFAULTS, ...input.rules };
  const { classes, purity, mixing, include, k } = input;
  const K = classes.length;
  const { mean, sd } = meanSd(purity, include);
  const mixBelow = Math.min(mean - r.mixSd * sd, r.mixAtMost);
  const separateAbove = Math.max(mean + r.separateSd * sd, r.separateAtLeast);
  const counted = Array.from({ length: K }, (_, c) => c).filter((c) => include(c) && Number.isFinite(purity[c]));
  const mixers: Mixer[] = counted
    .filter((c) => purity[c] < mixBelow)
    .sort((a, b) => purity[a] - purity[b])
    .map((c) => {
      const other = 1 - purity[c];
      const partners = counted
        .filter((b) => b !== c && other > 0 && mixing[c * K + b] >= r.partnerShare * other)
        .sort((a, b) => mixing[c * K + b] - mixing[c * K + a])
        .slice(0, r.maxPartners)
        .map((b) => ({ class: b, share: mixing[c * K + b] }));
      return { class: c, purity: purity[c], partners };
    });
  // With no spread at all (every class alike) the classes separate well together if they separate well at all.
  const flat = !(sd > 1e-12);
  const separated = counted.filter((c) => purity[c] > separateAbove || (flat && purity[c] >= r.separateAtLeast)).sort((a, b) => purity[b] - purity[a]).map((c) => ({ class: c, purity: purity[c] }));

  const name = (c: number) => classes[c];
  const clauses: string[] = [];
  mixers.forEach((m, i) => {
    const who = m.partners.length ? `with ${listing(m.partners.map((p) => name(p.class)))}` : "with several classes";
    clauses.push(i === 0 ? `${name(m.class)} mixes ${who}` : `${name(m.class)} ${who}`);
  });
  if (mixers.length === 0) clauses.push("no class mixes markedly more than the others");
  if (separated.length) clauses.push(`${listing(separated.map((s) => name(s.class)))} ${separated.length === 1 ? "separates" : "separate"} well`);
  else if (counted.length) {
    const best = counted.reduce((a, b) => (purity[b] > purity[a] ? b : a));
    clauses.push(`no class separates well (the best, ${name(best)}, keeps ${pc(purity[best])} of its neighbours in its class)`);
  }
  const text = `${capitalise(clauses.join("; "))}.`;

  const details: string[] = [];
  for (const m of mixers) {
    const parts = m.partners.map((p) => `${pc(p.share)} ${name(p.class)}`);
    details.push(`${name(m.class)}: ${pc(m.purity)} of its ${k} nearest neighbours are ${name(m.class)} (below ${pc(mixBelow)}: it mixes)${parts.length ? `; ${listing(parts)}` : ""}.`);
  }
  if (separated.length) {
    details.push(`${listing(separated.map((s) => `${name(s.class)} ${pc(s.purity)}`))} of their neighbours in their own class (above ${pc(separateAbove)}: they separate well).`);
  }
  details.push(`Over all classes: mean purity ${pc(mean)}, standard deviation ${pc(sd)} (${counted.length} classes).`);
  const how =
    `kNN purity: the share of each image's ${k} nearest neighbours in feature space that share its class, averaged per class. ` +
    `A class mixes when its purity is below the mean − ${r.mixSd} sd (${pc(mean)} − ${pc(r.mixSd * sd)}) and below ${pc(r.mixAtMost)}; ` +
    `it separates well above the mean + ${r.separateSd} sd and at least ${pc(r.separateAtLeast)} (half a standard deviation: purity stops at 100%, so the separated classes crowd together under it); ` +
    `a mixing class mixes with the classes holding at least ${pc(r.partnerShare)} of its neighbours from other classes.`;
  return { text, details, how, thresholds: { mean, sd, mixBelow, separateAbove, partnerShare: r.partnerShare }, mixers, separated };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

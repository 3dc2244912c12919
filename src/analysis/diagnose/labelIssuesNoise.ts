import { createRng, shuffleInPlace } from "../../util/rng.js";

/**
 * Known label noise, to measure how well mislabelled images are found: a seeded share of the labels
 * replaced, uniformly (any other class) or class-conditionally (each class to a look-alike), and
 * precision, recall and F1 of a set of flagged images against the flipped ones. Browser-safe.
 */

/** Options of {@link injectLabelNoise}. */
export interface NoiseOptions {
  /** Share of all images whose label is replaced, in [0, 1). */
  rate: number;
  seed: number;
  /**
   * Class-conditional noise: `lookAlike[c]` is the class an image of class c is relabelled as (−1:
   * class c keeps its labels). The flipped images are drawn from the classes that have one, so
   * their own flip rate is higher than `rate`. Without it, noise is uniform: a label becomes any
   * other class with equal chance.
   */
  lookAlike?: Int32Array;
}

/** Labels with noise, and which rows were flipped (ascending). */
export interface NoisyLabels {
  labels: Int32Array;
  flipped: Int32Array;
}

/**
 * Replaces round(rate·n) labels, chosen at random (seeded) among the eligible images.
 * @example injectLabelNoise(Int32Array.of(0, 1, 2, 0, 1, 2, 0, 1, 2, 0), 3, { rate: 0.2, seed: 1 }).flipped.length // 2
 */
export function injectLabelNoise(labels: Int32Array, k: number, o: NoiseOptions): NoisyLabels {
  if (!(o.rate >= 0 && o.rate < 1)) throw new RangeError(`noise rate must be in [0, 1), got ${o.rate}`);
  if (o.lookAlike && o.lookAlike.length !== k) throw new RangeError(`lookAlike has ${o.lookAlike.length} entries, expected one per class (${k})`);
  const rng = createRng(o.seed);
  const eligible = Int32Array.from({ length: labels.length }, (_, i) => i).filter((i) => !o.lookAlike || o.lookAlike[labels[i]] >= 0);
  const want = Math.round(o.rate * labels.length);
  if (want > eligible.length) throw new RangeError(`cannot flip ${want} labels: only ${eligible.length} images are of classes with a look-alike`);
  const flipped = shuffleInPlace(eligible, rng).slice(0, want).sort();
  const out = labels.slice();
  for (const i of flipped) {
    const y = labels[i];
    if (o.lookAlike) out[i] = o.lookAlike[y];
    else {
      const r = rng.int(k - 1);
      out[i] = r >= y ? r + 1 : r;
    }
  }
  return { labels: out, flipped };
}

/** Precision, recall and F1 of flagged rows against the truly flipped ones. */
export interface DetectionScore {
  flagged: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Scores a 0/1 mask of flagged rows against the flipped rows (precision 0 when nothing is flagged).
 * @example detectionScore(Uint8Array.of(1, 1, 0, 0), Int32Array.of(0, 2)) // { flagged: 2, truePositives: 1, precision: 0.5, recall: 0.5, f1: 0.5 }
 */
export function detectionScore(flagged: Uint8Array, flipped: Int32Array): DetectionScore {
  const truth = new Uint8Array(flagged.length);
  for (const i of flipped) truth[i] = 1;
  let tp = 0;
  let count = 0;
  for (let i = 0; i < flagged.length; i++) {
    if (!flagged[i]) continue;
    count++;
    if (truth[i]) tp++;
  }
  const precision = count > 0 ? tp / count : 0;
  const recall = flipped.length > 0 ? tp / flipped.length : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { flagged: count, truePositives: tp, precision, recall, f1 };
}

import { createRng, type Rng } from "../util/rng.js";

/**
 * The random streams of a training run, counter-based (Salmon et al. 2011, "Parallel random
 * numbers: as easy as 1, 2, 3"): draw k of a stream comes from `createRng(key(seed, stream, k))`,
 * so a stream's whole state is its seed and counter. A checkpoint saves the three states and a
 * resumed run draws exactly what an uninterrupted one would have.
 *
 * - `shuffle`: one permutation of the training set per epoch;
 * - `augment`: the crops and flips of one batch per step;
 * - `dropout`: the masks of every Dropout node of one step.
 *
 * @example
 * const s = startStreams(4);
 * const epochRng = draw(s.shuffle); // s.shuffle.counter is now 1
 */

export const RNG_STREAMS = ["shuffle", "augment", "dropout"] as const;
export type RngStreamName = (typeof RNG_STREAMS)[number];

/** One stream's state: the run's seed and how many draws were made from it. */
export interface RngStreamState {
  stream: RngStreamName;
  seed: number;
  counter: number;
}

export type RngStates = Record<RngStreamName, RngStreamState>;

/** Fresh streams for a run seeded with `seed` (any finite number; its integer part is used). */
export function startStreams(seed: number): RngStates {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const s = Math.floor(seed);
  return { shuffle: { stream: "shuffle", seed: s, counter: 0 }, augment: { stream: "augment", seed: s, counter: 0 }, dropout: { stream: "dropout", seed: s, counter: 0 } };
}

/** The generator for the stream's next draw; advances the counter. */
export function draw(state: RngStreamState): Rng {
  const rng = createRng(streamKey(state.seed, RNG_STREAMS.indexOf(state.stream), state.counter));
  state.counter++;
  return rng;
}

/** A copy, for saving. */
export function copyStates(s: RngStates): RngStates {
  return { shuffle: { ...s.shuffle }, augment: { ...s.augment }, dropout: { ...s.dropout } };
}

/** Problems with states read from a file (empty when they are usable). */
export function checkStates(value: unknown): string[] {
  if (typeof value !== "object" || value === null) return ["rng is missing"];
  const problems: string[] = [];
  for (const name of RNG_STREAMS) {
    const s = (value as Record<string, unknown>)[name] as Partial<RngStreamState> | undefined;
    const ok = s && s.stream === name && Number.isSafeInteger(s.seed) && Number.isSafeInteger(s.counter) && s.counter! >= 0;
    if (!ok) problems.push(`rng.${name} is not a {stream, seed, counter} state`);
  }
  return problems;
}

/** 32 bits from (seed, stream, counter), each word folded in through murmur3's finaliser (Appleby, MurmurHash3 fmix32). */
function streamKey(seed: number, stream: number, counter: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  let h = 0x9e3779b9;
  for (const w of [lo, hi, stream, counter >>> 0, Math.floor(counter / 4294967296) >>> 0]) h = fmix32((h ^ w) >>> 0);
  return h;
}

function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

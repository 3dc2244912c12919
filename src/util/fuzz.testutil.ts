import { createRng } from "./rng.js";

/**
 * Seeded corruptions of valid inputs for fuzzing binary parsers: each trial takes one of `sources`,
 * cuts it at a random length half of the time, then overwrites up to `maxFlips` random bytes.
 * Returns how many trials threw an error of `errorClass`; any other error is rethrown.
 */
export function fuzzParser(options: {
  sources: Uint8Array[];
  trials: number;
  seed: number;
  maxFlips?: number;
  parse: (bytes: Uint8Array) => unknown;
  errorClass: new (...args: never[]) => Error;
}): number {
  const rng = createRng(options.seed);
  const maxFlips = options.maxFlips ?? 3;
  let rejected = 0;
  for (let t = 0; t < options.trials; t++) {
    let bytes = Uint8Array.from(options.sources[t % options.sources.length]);
    if (rng.next() < 0.5) bytes = bytes.subarray(0, rng.int(bytes.length));
    for (let f = rng.int(maxFlips + 1); f > 0 && bytes.length > 0; f--) bytes[rng.int(bytes.length)] = rng.int(256);
    try {
      options.parse(bytes);
    } catch (err) {
      if (!(err instanceof options.errorClass)) throw err;
      rejected++;
    }
  }
  return rejected;
}

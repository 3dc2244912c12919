import { InvalidArgumentError } from "commander";
import { availableParallelism } from "node:os";

/** Parsers for option values that commander calls; each names the option and what is allowed. */

export function positiveInt(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got '${value}'.`);
    return n;
  };
}

export function integer(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, got '${value}'.`);
    return n;
  };
}

/** "64" → 64×64, "32x48" → height 32, width 48. */
export function imageSizeOption(value: string): { height: number; width: number } {
  const m = /^(\d+)(?:[x×](\d+))?$/.exec(value.trim());
  if (!m || Number(m[1]) < 1 || (m[2] !== undefined && Number(m[2]) < 1)) {
    throw new InvalidArgumentError(`--size takes N or HxW in pixels (e.g. 64 or 32x48), got '${value}'.`);
  }
  return { height: Number(m[1]), width: Number(m[2] ?? m[1]) };
}

export function channelsOption(value: string): 1 | 3 {
  if (value === "1" || value === "gray" || value === "grayscale") return 1;
  if (value === "3" || value === "rgb") return 3;
  throw new InvalidArgumentError(`--channels takes 1 (grayscale) or 3 (RGB), got '${value}'.`);
}

/** "a,b,c" → ["a","b","c"]. */
export function listOption(value: string): string[] {
  return value.split(",").map((s) => s.trim());
}

/**
 * --threads: a positive integer, at most the machine's cores (more threads than cores only
 * contend: a run took 33 s at 1000 threads against 1.2 s at 2). A larger value is capped, with a note.
 */
export function threadsOption(value: string): number {
  const n = positiveInt("--threads")(value);
  const cores = availableParallelism();
  if (n > cores) {
    process.stderr.write(`featurelens: --threads ${n} is more than this machine's ${cores} cores; using ${cores}\n`);
    return cores;
  }
  return n;
}

import type { TopLevelSpec } from "vega-lite";

/**
 * Small helpers shared by the evaluation charts: how numbers are written on them, and how their
 * inputs are checked. Browser-safe (no Node imports).
 */

/** One layer of a layered Vega-Lite spec. */
export type Layer = Extract<TopLevelSpec, { layer: unknown }>["layer"][number];

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** "91.2%"; "<0.1%" for a sliver above 0, ">99.9%" just under 1, "0%" and "100%" only when exact. */
export function percent(share: number, digits = 1): string {
  if (!Number.isFinite(share)) return "n/a";
  if (share > 0 && share < 0.0005) return "<0.1%";
  if (share < 1 && share > 0.9995) return ">99.9%";
  return `${(share * 100).toFixed(share === 0 || share === 1 ? 0 : digits)}%`;
}

/** An integer count with thousands separators: "12,345". */
export function count(n: number): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: 0 });
}

/** A score such as an AUC in three decimals: "0.987"; "n/a" when it is not a number. */
export function score(v: number): string {
  return Number.isFinite(v) ? v.toFixed(3) : "n/a";
}

/** `v` rounded to 6 decimals, which is far below a pixel and keeps the spec's JSON short. */
export function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** What a value is, for an error message: "Float32Array", "null", "string". */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

/** True for arrays and typed arrays (anything with a numeric length that is not a string). */
export function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return v != null && typeof v === "object" && typeof (v as { length?: unknown }).length === "number";
}

/**
 * Checks that `values` is an array of `length` numbers, each in [lo, hi] (NaN allowed when
 * `allowNaN`); pushes what is wrong onto `problems`, naming at most three bad entries.
 */
export function checkNumbers(
  problems: string[],
  name: string,
  values: unknown,
  options: { length?: number; lo?: number; hi?: number; allowNaN?: boolean } = {},
): void {
  if (!isArrayLike(values)) {
    problems.push(`${name} must be an array of numbers, got ${describe(values)}`);
    return;
  }
  const { length, lo = -Infinity, hi = Infinity, allowNaN = false } = options;
  if (length !== undefined && values.length !== length) problems.push(`${name} must hold ${length} values, got ${values.length}`);
  const bad: string[] = [];
  let nBad = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (allowNaN && Number.isNaN(v)) continue;
    if (!(typeof v === "number" && v >= lo && v <= hi)) {
      if (nBad++ < 3) bad.push(`${name}[${i}] = ${String(v)}`);
    }
  }
  if (nBad > 0) {
    const range = lo === -Infinity && hi === Infinity ? "finite numbers" : `numbers in [${lo}, ${hi}]`;
    problems.push(`${bad.join(", ")}${nBad > 3 ? ` (and ${nBad - 3} more)` : ""}: ${name} must hold ${range}`);
  }
}

/** Checks that `value` is a number in [lo, hi] (NaN allowed when `allowNaN`); pushes what is wrong onto `problems`. */
export function checkNumber(problems: string[], name: string, value: unknown, options: { lo?: number; hi?: number; allowNaN?: boolean } = {}): void {
  const { lo = -Infinity, hi = Infinity, allowNaN = false } = options;
  if (allowNaN && Number.isNaN(value)) return;
  if (!(typeof value === "number" && value >= lo && value <= hi)) {
    const range = lo === -Infinity && hi === Infinity ? "a finite number" : `a number in [${lo}, ${hi}]`;
    problems.push(`${name} must be ${range}${allowNaN ? " or NaN" : ""}, got ${typeof value === "number" ? value : describe(value)}`);
  }
}

/** Checks `classes` is a non-empty list of strings; returns its length (0 when it is not). */
export function checkClasses(problems: string[], classes: unknown): number {
  if (!Array.isArray(classes) || classes.length === 0 || classes.some((c) => typeof c !== "string")) {
    problems.push(`classes must be a non-empty list of names, got ${Array.isArray(classes) ? JSON.stringify(classes) : describe(classes)}`);
    return 0;
  }
  return classes.length;
}

/** Throws one RangeError that names every problem found, if there are any. */
export function throwProblems(problems: string[]): void {
  if (problems.length > 0) throw new RangeError(problems.join("; "));
}

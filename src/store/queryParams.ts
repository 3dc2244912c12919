import { UsageError } from "../util/errors.js";

/**
 * The parameters of the predictions queries and their checks. Whatever reaches DuckDB has passed
 * through here: integers that are integers, finite numbers, sort keys from a list, split names of
 * a few safe characters. Everything wrong with one query is reported in one UsageError.
 */

/** Where a query reads: one predictions table (one file, or several part files read as one), with
 * the run and domain it belongs to, which the rows carry back. Paths come from `store/`. */
export interface PredictionSource {
  file: string | readonly string[];
  run?: string;
  domain?: string;
}

/** Which rows: every given condition must hold. */
export interface PredictionFilter {
  /** True class (−1: the unlabelled images). */
  label?: number;
  /** Predicted class. */
  predicted?: number;
  /** true: labelled and predicted right; false: labelled and predicted wrong. */
  correct?: boolean;
  /** Top-1 probability within [min, max] (inclusive, compared in float32 as stored). */
  confidence?: { min?: number; max?: number };
  /** Only these dataset indices (e.g. a lasso selection on a map). */
  indices?: ArrayLike<number>;
  /** Only this split ("test", "train", ...). */
  split?: string;
}

/** The columns a page of rows can be sorted by. */
export const SORT_KEYS = ["confidence", "loss", "margin", "index"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** The most rows one page may hold; a larger `limit` is refused (page with `offset` instead). */
export const MAX_QUERY_LIMIT = 10_000;
/** The most indices an `indices` filter may list. */
export const MAX_FILTER_INDICES = 10_000_000;
/** The most sources one query may read. */
export const MAX_SOURCES = 256;

/** Defaults of `queryPredictions`. */
export const QUERY_DEFAULTS = { sort: "index" as SortKey, descending: false, limit: 100, offset: 0, probabilities: false };

const INT32_MAX = 2 ** 31 - 1;
const SPLIT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const FILTER_KEYS = ["label", "predicted", "correct", "confidence", "indices", "split"] as const;

/** A value as a message shows it: strings quoted, long ones cut. */
function show(v: unknown): string {
  const s = typeof v === "string" ? JSON.stringify(v) : Array.isArray(v) ? `[${v.slice(0, 3).map(show).join(", ")}${v.length > 3 ? ", …" : ""}]` : String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

const isInt = (v: unknown, lo: number, hi: number): v is number => typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi;

/** Collects into `problems` what is wrong with the filter's conditions. */
export function checkFilter(f: PredictionFilter, problems: string[]): void {
  if (f.label !== undefined && !isInt(f.label, -1, INT32_MAX)) problems.push(`label must be a class (an integer ≥ 0) or −1 for unlabelled, got ${show(f.label)}`);
  if (f.predicted !== undefined && !isInt(f.predicted, 0, INT32_MAX)) problems.push(`predicted must be a class (an integer ≥ 0), got ${show(f.predicted)}`);
  if (f.correct !== undefined && typeof f.correct !== "boolean") problems.push(`correct must be true or false, got ${show(f.correct)}`);
  if (f.split !== undefined && (typeof f.split !== "string" || !SPLIT_NAME.test(f.split))) {
    problems.push(`split must be a name of 1–64 letters, digits, '_', '.' or '-' (e.g. "test"), got ${show(f.split)}`);
  }
  const c = f.confidence;
  if (c !== undefined) {
    if (typeof c !== "object" || c === null) problems.push(`confidence must be { min?, max? }, got ${show(c)}`);
    else {
      for (const key of ["min", "max"] as const) {
        const v = c[key];
        if (v !== undefined && !(typeof v === "number" && v >= 0 && v <= 1)) problems.push(`confidence.${key} must be a number in [0, 1], got ${show(v)}`);
      }
      if (typeof c.min === "number" && typeof c.max === "number" && c.min > c.max) problems.push(`confidence.min (${c.min}) must not exceed confidence.max (${c.max})`);
    }
  }
  if (f.indices !== undefined) checkIndices(f.indices, problems);
}

function checkIndices(indices: ArrayLike<number>, problems: string[]): void {
  if (typeof indices !== "object" || indices === null || typeof indices.length !== "number") {
    problems.push(`indices must be an array of dataset indices, got ${show(indices)}`);
    return;
  }
  if (indices.length > MAX_FILTER_INDICES) {
    problems.push(`indices may list at most ${MAX_FILTER_INDICES.toLocaleString("en")} images, got ${indices.length}`);
    return;
  }
  if (indices instanceof Int32Array) {
    const bad = indices.findIndex((v) => v < 0);
    if (bad >= 0) problems.push(`indices must be integers ≥ 0; indices[${bad}] is ${indices[bad]}`);
    return;
  }
  for (let i = 0; i < indices.length; i++) {
    if (!isInt(indices[i], 0, INT32_MAX)) {
      problems.push(`indices must be integers in 0..${INT32_MAX}; indices[${i}] is ${show(indices[i])}`);
      return;
    }
  }
}

/** Throws a UsageError listing every problem, if any. */
export function throwProblems(what: string, problems: string[]): void {
  if (problems.length > 0) throw new UsageError(`invalid ${what}: ${problems.join("; ")}`);
}

/** Collects unknown keys of a parameters object (a typo would otherwise be silently ignored). */
export function checkKeys(params: object, allowed: readonly string[], problems: string[]): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) problems.push(`unknown parameter '${key}' (allowed: ${allowed.join(", ")})`);
  }
}

/** The keys a filter may have, for `checkKeys`. */
export const FILTER_PARAMETERS: readonly string[] = FILTER_KEYS;

/** Collects what is wrong with sort, descending, limit, offset and probabilities. */
export function checkPage(q: { sort?: unknown; descending?: unknown; limit?: unknown; offset?: unknown; probabilities?: unknown }, problems: string[]): void {
  if (q.sort !== undefined && !(SORT_KEYS as readonly unknown[]).includes(q.sort)) problems.push(`sort must be one of ${SORT_KEYS.join(", ")}, got ${show(q.sort)}`);
  if (q.descending !== undefined && typeof q.descending !== "boolean") problems.push(`descending must be true or false, got ${show(q.descending)}`);
  if (q.limit !== undefined && !isInt(q.limit, 0, MAX_QUERY_LIMIT)) {
    problems.push(`limit must be an integer in 0..${MAX_QUERY_LIMIT} (page through more rows with offset), got ${show(q.limit)}`);
  }
  if (q.offset !== undefined && !isInt(q.offset, 0, INT32_MAX)) problems.push(`offset must be an integer in 0..${INT32_MAX}, got ${show(q.offset)}`);
  if (q.probabilities !== undefined && typeof q.probabilities !== "boolean") problems.push(`probabilities must be true or false, got ${show(q.probabilities)}`);
}

/**
 * Checks the sources (given by `store/`, so a wrong shape is a programming error: TypeError or
 * RangeError) and returns each one's file list.
 */
export function sourceFiles(sources: readonly PredictionSource[]): string[][] {
  if (!Array.isArray(sources) || sources.length === 0) throw new RangeError("sources must be a non-empty array of { file, run?, domain? }");
  if (sources.length > MAX_SOURCES) throw new RangeError(`at most ${MAX_SOURCES} sources per query, got ${sources.length}`);
  return sources.map((s, i) => {
    const files = typeof s?.file === "string" ? [s.file] : s?.file;
    if (!Array.isArray(files) || files.length === 0 || !files.every((f) => typeof f === "string" && f.length > 0)) {
      throw new TypeError(`sources[${i}].file must be a path or a non-empty array of paths`);
    }
    for (const key of ["run", "domain"] as const) {
      if (s[key] !== undefined && typeof s[key] !== "string") throw new TypeError(`sources[${i}].${key} must be a string`);
    }
    return files as string[];
  });
}

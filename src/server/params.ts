import { API_LIMITS, type PredictionQuery } from "../api/types.js";
import { badRequest, HttpError } from "./http.js";
import { printable } from "./runStore.js";

/**
 * Parameters from the client, typed and checked before anything uses them: integers that are
 * integers in range, numbers that are finite, names from fixed lists. A bad one is a 400 naming it;
 * an unknown one is refused too (a typo would otherwise be silently ignored).
 */

const INT32_MAX = 2 ** 31 - 1;
const SORTS = ["confidence", "loss", "margin", "index"] as const;

/** Refuses parameters other than `allowed` (and `token`, which the security check reads). */
export function onlyParams(url: URL, allowed: readonly string[]): void {
  for (const key of new Set(url.searchParams.keys())) {
    if (key !== "token" && !allowed.includes(key)) throw badRequest(`unknown parameter '${printable(key)}' (allowed: ${allowed.join(", ") || "none"})`);
  }
}

/** The one value of a query parameter, or undefined; a repeated one is refused. */
export function param(url: URL, name: string): string | undefined {
  const all = url.searchParams.getAll(name);
  if (all.length > 1) throw badRequest(`${name} is given ${all.length} times; give it once`);
  return all[0];
}

/** An integer from text, in lo..hi (a 400 naming `name` otherwise). */
export function parseInteger(text: string, name: string, lo: number, hi: number): number {
  if (!/^-?\d{1,10}$/.test(text)) throw badRequest(`${name} must be an integer in ${lo}..${hi}, got '${printable(text)}'`);
  const v = Number(text);
  if (v < lo || v > hi) throw badRequest(`${name} must be an integer in ${lo}..${hi}, got ${v}`);
  return v;
}

export function intParam(url: URL, name: string, lo: number, hi: number): number | undefined {
  const t = param(url, name);
  return t === undefined ? undefined : parseInteger(t, name, lo, hi);
}

export function boolParam(url: URL, name: string): boolean | undefined {
  const t = param(url, name);
  if (t === undefined) return undefined;
  if (t === "true" || t === "1") return true;
  if (t === "false" || t === "0") return false;
  throw badRequest(`${name} must be true or false, got '${printable(t)}'`);
}

/** A number in [0, 1]. */
export function unitParam(url: URL, name: string): number | undefined {
  const t = param(url, name);
  if (t === undefined) return undefined;
  const v = /^\d*\.?\d+(e-?\d+)?$/i.test(t) ? Number(t) : NaN;
  if (!(v >= 0 && v <= 1)) throw badRequest(`${name} must be a number in [0, 1], got '${printable(t)}'`);
  return v;
}

export function enumParam<T extends string>(url: URL, name: string, values: readonly T[]): T | undefined {
  const t = param(url, name);
  if (t === undefined) return undefined;
  if (!(values as readonly string[]).includes(t)) throw badRequest(`${name} must be one of ${values.join(", ")}, got '${printable(t)}'`);
  return t as T;
}

/** A name (domain slug, map name): 1–100 characters; whether it exists is the store's to say. */
export function nameParam(url: URL, name: string): string | undefined {
  const t = param(url, name);
  if (t === undefined) return undefined;
  if (t.length === 0 || t.length > 100) throw badRequest(`${name} must be 1–100 characters, got ${t.length}`);
  return t;
}

/** The parameters of the predictions queries in a URL. */
export const QUERY_PARAMS = ["domain", "label", "predicted", "correct", "cmin", "cmax", "sort", "desc", "limit", "offset", "probabilities"] as const;
/** Those of the rows query (a filter, no page). */
export const FILTER_PARAMS = ["domain", "label", "predicted", "correct", "cmin", "cmax"] as const;

/**
 * A predictions query from the URL. Classes are checked against `k`, the run's class count.
 * @example queryFromUrl(new URL("http://h/?label=6&predicted=0&sort=confidence&desc=true"), 10)
 * // { label: 6, predicted: 0, sort: "confidence", desc: true }
 */
export function queryFromUrl(url: URL, k: number, allowed: readonly string[] = QUERY_PARAMS): PredictionQuery {
  onlyParams(url, allowed);
  const q: PredictionQuery = {
    domain: nameParam(url, "domain"),
    label: intParam(url, "label", -1, k - 1),
    predicted: intParam(url, "predicted", 0, k - 1),
    correct: boolParam(url, "correct"),
    cmin: unitParam(url, "cmin"),
    cmax: unitParam(url, "cmax"),
    sort: enumParam(url, "sort", SORTS),
    desc: boolParam(url, "desc"),
    limit: intParam(url, "limit", 0, API_LIMITS.maxPage),
    offset: intParam(url, "offset", 0, INT32_MAX),
    probabilities: boolParam(url, "probabilities"),
  };
  return checkRange(dropUndefined(q));
}

/**
 * A predictions query from a POSTed JSON body (the same fields, with `rows`); the rows themselves
 * are checked against the scope by {@link rowsToIndices}.
 */
export function queryFromBody(body: Buffer, k: number): PredictionQuery {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw badRequest(`the body must be JSON (${(err as Error).message.split("\n")[0]})`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw badRequest("the body must be a JSON object of query fields");
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(QUERY_PARAMS as readonly string[]).includes(key) && key !== "rows") throw badRequest(`unknown field '${printable(key)}' (allowed: ${[...QUERY_PARAMS, "rows"].join(", ")})`);
  }
  const int = (key: string, lo: number, hi: number) => {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (!(typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi)) throw badRequest(`${key} must be an integer in ${lo}..${hi}, got ${printable(JSON.stringify(v))}`);
    return v;
  };
  const bool = (key: string) => {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") throw badRequest(`${key} must be true or false, got ${printable(JSON.stringify(v))}`);
    return v;
  };
  const unit = (key: string) => {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (!(typeof v === "number" && v >= 0 && v <= 1)) throw badRequest(`${key} must be a number in [0, 1], got ${printable(JSON.stringify(v))}`);
    return v;
  };
  const domain = o.domain;
  if (domain !== undefined && domain !== null && (typeof domain !== "string" || domain.length === 0 || domain.length > 100)) throw badRequest("domain must be a name of 1–100 characters");
  const sort = o.sort;
  if (sort !== undefined && sort !== null && !(SORTS as readonly unknown[]).includes(sort)) throw badRequest(`sort must be one of ${SORTS.join(", ")}, got ${printable(JSON.stringify(sort))}`);
  const rows = o.rows;
  if (rows !== undefined && rows !== null && !Array.isArray(rows)) throw badRequest("rows must be an array of row numbers");
  if (Array.isArray(rows) && rows.length > API_LIMITS.maxSelection) throw new HttpError(413, `rows names ${rows.length} rows; at most ${API_LIMITS.maxSelection} are accepted`);
  const q: PredictionQuery = {
    domain: typeof domain === "string" ? domain : undefined,
    label: int("label", -1, k - 1),
    predicted: int("predicted", 0, k - 1),
    correct: bool("correct"),
    cmin: unit("cmin"),
    cmax: unit("cmax"),
    sort: (sort ?? undefined) as PredictionQuery["sort"],
    desc: bool("desc"),
    limit: int("limit", 0, API_LIMITS.maxPage),
    offset: int("offset", 0, INT32_MAX),
    probabilities: bool("probabilities"),
    rows: Array.isArray(rows) ? (rows as number[]) : undefined,
  };
  return checkRange(dropUndefined(q));
}

/** The rows of a selection as source indices; each must be an integer in 0..n−1. */
export function rowsToIndices(rows: readonly unknown[], index: Int32Array): Int32Array {
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!(typeof r === "number" && Number.isInteger(r) && r >= 0 && r < index.length)) {
      throw badRequest(`rows[${i}] must be a row in 0..${index.length - 1}, got ${printable(JSON.stringify(r) ?? String(r))}`);
    }
    out[i] = index[r];
  }
  return out;
}

function checkRange(q: PredictionQuery): PredictionQuery {
  if (q.cmin !== undefined && q.cmax !== undefined && q.cmin > q.cmax) throw badRequest(`cmin (${q.cmin}) must not exceed cmax (${q.cmax})`);
  return q;
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

import type { ColorBy } from "../../src/api/types.js";

/**
 * What the app shows, all of it in the URL's hash so that a link reopens it:
 * `#/map/<run>?map=tsne&color=wrong&only=3&sel=cell:6,0&at=412`, `#/image/<run>/<row>`,
 * `#/metrics/<run>?sel=cell:6,0`, `#/compare/<run>?with=<run2>` or `?domain=<slug>&by=class`,
 * `#/diagnose/<run>?sel=pair:n,6,0` (a mixed class pair lit up), `#/review/<run>?item=12`.
 */

export type ViewName = "map" | "image" | "metrics" | "compare" | "diagnose" | "review";
export const VIEWS: readonly ViewName[] = ["map", "image", "metrics", "compare", "diagnose", "review"];

export const COLORINGS: readonly ColorBy[] = ["true", "predicted", "wrong", "confidence", "loss", "margin"];

/** A selection of a map's points, as the URL keeps it (the rows follow from it and the map). */
export type Selection =
  /** Drawn with the lasso or the box: the polygon in map coordinates, x0,y0,x1,y1,… */
  | { kind: "lasso"; polygon: number[] }
  /** A confusion-matrix cell. */
  | { kind: "cell"; label: number; predicted: number }
  /** Points clicked, or images from elsewhere (a neighbour row). */
  | { kind: "rows"; rows: number[] }
  /** The images of a mixed class pair: a among b and b among a, by neighbours or by predictions. */
  | { kind: "pair"; a: number; b: number; by: "neighbors" | "predictions" };

export interface AppState {
  view: ViewName;
  run: string | null;
  /** The image view's row. */
  row: number | null;
  map: string | null;
  color: ColorBy;
  domain: string | null;
  /** Legend entries isolated on the map (by their index in the legend). */
  only: number[];
  sel: Selection | null;
  /** The grid's current image (a row). */
  at: number | null;
  /** Compare: the second run, and what colours a domain drawn over its run. */
  with: string | null;
  by: "domain" | "class";
  /** Misclassified points ringed: on, off, or decided by the number of points. */
  marks: "on" | "off" | "auto";
  /** The review view's place in the label-issues queue (0: the most suspect). */
  item: number | null;
}

export const DEFAULT_STATE: AppState = {
  view: "map", run: null, row: null, map: null, color: "true", domain: null, only: [], sel: null, at: null, with: null, by: "domain", marks: "auto", item: null,
};

/** The state a hash describes; anything it does not name takes its default, anything unreadable is ignored. */
export function parseHash(hash: string): AppState {
  const s: AppState = { ...DEFAULT_STATE, only: [] };
  const [path, query = ""] = hash.replace(/^#\/?/, "").split("?", 2);
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (VIEWS.includes(parts[0] as ViewName)) s.view = parts[0] as ViewName;
  s.run = parts[1] ?? null;
  if (s.view === "image" && parts[2] !== undefined && /^\d+$/.test(parts[2])) s.row = Number(parts[2]);
  const q = new URLSearchParams(query);
  s.map = q.get("map");
  const color = q.get("color") as ColorBy | null;
  if (color && COLORINGS.includes(color)) s.color = color;
  s.domain = q.get("domain");
  s.only = ints(q.get("only"));
  s.sel = parseSelection(q.get("sel"));
  const at = q.get("at");
  s.at = at && /^\d+$/.test(at) ? Number(at) : null;
  s.with = q.get("with");
  if (q.get("by") === "class") s.by = "class";
  const marks = q.get("marks");
  if (marks === "on" || marks === "off") s.marks = marks;
  const item = q.get("item");
  s.item = item && /^\d+$/.test(item) ? Number(item) : null;
  return s;
}

/** The hash of a state, leaving defaults out. */
export function formatHash(s: AppState): string {
  const path = ["", s.view, ...(s.run ? [encodeURIComponent(s.run)] : []), ...(s.view === "image" && s.row !== null ? [String(s.row)] : [])].join("/");
  const q = new URLSearchParams();
  if (s.map) q.set("map", s.map);
  if (s.color !== DEFAULT_STATE.color) q.set("color", s.color);
  if (s.domain) q.set("domain", s.domain);
  if (s.only.length) q.set("only", s.only.join(","));
  if (s.sel) q.set("sel", formatSelection(s.sel));
  if (s.at !== null) q.set("at", String(s.at));
  if (s.with) q.set("with", s.with);
  if (s.by !== DEFAULT_STATE.by) q.set("by", s.by);
  if (s.marks !== "auto") q.set("marks", s.marks);
  if (s.item !== null) q.set("item", String(s.item));
  const query = q.toString().replace(/%2C/g, ",").replace(/%3A/g, ":").replace(/%3B/g, ";");
  return `#${path}${query ? `?${query}` : ""}`;
}

export function parseSelection(text: string | null): Selection | null {
  if (!text) return null;
  const [kind, rest = ""] = text.split(":", 2);
  if (kind === "cell") {
    const [label, predicted] = ints(rest);
    return label !== undefined && predicted !== undefined ? { kind: "cell", label, predicted } : null;
  }
  if (kind === "rows") {
    const rows = ints(rest);
    return rows.length ? { kind: "rows", rows } : null;
  }
  if (kind === "pair") {
    const [by, ...ab] = rest.split(",");
    const [a, b] = ints(ab.join(","));
    return (by === "n" || by === "p") && a !== undefined && b !== undefined && a !== b ? { kind: "pair", a, b, by: by === "n" ? "neighbors" : "predictions" } : null;
  }
  if (kind === "lasso") {
    const polygon = rest.split(/[;,]/).map(Number);
    return polygon.length >= 6 && polygon.length % 2 === 0 && polygon.every(Number.isFinite) ? { kind: "lasso", polygon } : null;
  }
  return null;
}

export function formatSelection(sel: Selection): string {
  if (sel.kind === "cell") return `cell:${sel.label},${sel.predicted}`;
  if (sel.kind === "rows") return `rows:${sel.rows.join(",")}`;
  if (sel.kind === "pair") return `pair:${sel.by === "neighbors" ? "n" : "p"},${sel.a},${sel.b}`;
  const pairs: string[] = [];
  for (let i = 0; i < sel.polygon.length; i += 2) pairs.push(`${round(sel.polygon[i])},${round(sel.polygon[i + 1])}`);
  return `lasso:${pairs.join(";")}`;
}

/** Map coordinates to 4 significant digits: a lasso is drawn by hand, the URL stays short. */
const round = (v: number): string => String(Number(v.toPrecision(4)));

function ints(text: string | null): number[] {
  if (!text) return [];
  return text.split(",").filter((t) => /^\d+$/.test(t)).map(Number);
}

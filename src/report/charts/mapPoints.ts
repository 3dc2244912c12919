import { colormapTable } from "../colormap.js";
import { CHART_THEME, classColor } from "./theme.js";

/**
 * What a map picture shows, decided once for both of its renderers — the Vega-Lite spec
 * (scatter.ts) and the raster drawn straight into pixels for large maps (report/mapRaster.ts) —
 * so that both give every point the same colour, draw the points in the same order and mark the
 * same ones. Browser-safe (no Node imports).
 */

/** How a map's points are coloured. */
export type MapColor = "true" | "predicted" | "wrong" | "confidence" | "loss";

export const MAP_COLORS: readonly MapColor[] = ["true", "predicted", "wrong", "confidence", "loss"];

/** Points of a map and what to colour them by. */
export interface MapPointsOptions {
  /** Map coordinates, row-major N×dims (only the first two dimensions are drawn). */
  embedding: ArrayLike<number>;
  dims: number;
  /** Class of each point (−1: unlabelled). */
  labels?: ArrayLike<number>;
  /** Predicted class of each point: needed by `color` "predicted" and "wrong" and by the marks on misclassified points. */
  predicted?: ArrayLike<number>;
  /** Top-1 probability of each point, for `color: "confidence"`. */
  confidence?: ArrayLike<number>;
  /** −ln p(true class) of each point, for `color: "loss"` (NaN for an unlabelled point). */
  loss?: ArrayLike<number>;
  /** Class names by index. */
  classes?: string[];
  /** Default "true" (by class; a single colour when there are no labels). */
  color?: MapColor;
  /**
   * Mark misclassified points (labelled, predicted ≠ label) with a dark ring around it.
   * Default: when `predicted` and `labels` are given and `color` is "true" or "predicted".
   */
  markWrong?: boolean;
  /** Points drawn in grey underneath, on the same axes: the run's own map under a domain placed into it. */
  reference?: { embedding: ArrayLike<number>; dims: number; label?: string };
}

/** One legend entry of a categorical colouring. */
export interface LegendEntry {
  label: string;
  color: string;
}

/** The points ready to draw. */
export interface MapPoints {
  n: number;
  x: Float32Array;
  y: Float32Array;
  /** Drawing order: point `order[0]` first, so the points that matter most end on top. */
  order: Int32Array;
  color: MapColor | "plain";
  /** Categorical colourings: each point's legend entry; the entries in legend order. */
  category: Int32Array | null;
  legend: LegendEntry[];
  /** Sequential colourings: each point's value, clamped to `domain` when drawn; NaN: no value. */
  value: Float32Array | null;
  domain: [number, number];
  /** Colour stops of the sequential scale, low to high. */
  ramp: string[];
  /** 1 where the point gets the misclassified mark; null when nothing is marked. */
  wrong: Uint8Array | null;
  wrongCount: number;
  reference: { n: number; x: Float32Array; y: Float32Array; label: string } | null;
}

/** Colours shared by both renderers. */
export const MAP_STYLE = {
  /** Right and wrong predictions: blue and red, as the confidence histogram (not green and red, which many colour-blind readers cannot tell apart). */
  right: CHART_THEME.color.mark,
  wrong: CHART_THEME.color.accent,
  /** The ring around a misclassified point, and the reference layer underneath. */
  mark: "#1a1a1a",
  reference: "#c9c9c9",
  unlabelled: CHART_THEME.color.other,
  single: CHART_THEME.color.mark,
} as const;

/** Nine stops of matplotlib's viridis (report/colormap.ts), low to high, for the sequential colourings. */
export function viridisStops(count = 9): string[] {
  const table = colormapTable("viridis");
  return Array.from({ length: count }, (_, s) => {
    const k = 3 * Math.round((s / (count - 1)) * 255);
    return `#${[table[k], table[k + 1], table[k + 2]].map((v) => v.toString(16).padStart(2, "0")).join("")}`;
  });
}

/**
 * Decides colours, order and marks for a map (see {@link MapPointsOptions}); throws a RangeError
 * when an array's length does not match the points or a colouring lacks what it needs.
 * @example mapPoints({ embedding: [0, 0, 1, 1], dims: 2, labels: [0, 1], predicted: [0, 0], color: "wrong" }).legend
 * // [{ label: "right", color: "#4c78a8" }, { label: "wrong", color: "#e45756" }]
 */
export function mapPoints(o: MapPointsOptions): MapPoints {
  const { x, y, n } = coordinates(o.embedding, o.dims, "embedding");
  const color: MapColor | "plain" = o.color ?? (o.labels ? "true" : "plain");
  checkInputs(o, n, color);
  const name = (k: number) => (k < 0 ? "unlabelled" : (o.classes?.[k] ?? String(k)));
  const isWrong = (i: number) => o.labels![i] >= 0 && o.predicted![i] !== o.labels![i];
  const out: MapPoints = {
    n, x, y, order: Int32Array.from({ length: n }, (_, i) => i), color, category: null, legend: [], value: null, domain: [0, 1], ramp: [],
    wrong: null, wrongCount: 0, reference: null,
  };
  if (color === "true" || color === "predicted") {
    const cls = color === "true" ? o.labels! : o.predicted!;
    const present = [...new Set(Array.from(cls))].sort((a, b) => a - b);
    const slot = new Map(present.map((k, j) => [k, j]));
    out.legend = present.map((k) => ({ label: name(k), color: k < 0 ? MAP_STYLE.unlabelled : classColor(k) }));
    out.category = Int32Array.from({ length: n }, (_, i) => slot.get(cls[i])!);
  } else if (color === "wrong") {
    out.legend = [{ label: "right", color: MAP_STYLE.right }, { label: "wrong", color: MAP_STYLE.wrong }];
    if (Array.from(o.labels!).some((k) => k < 0)) out.legend.push({ label: "unlabelled", color: MAP_STYLE.unlabelled });
    out.category = Int32Array.from({ length: n }, (_, i) => (o.labels![i] < 0 ? 2 : isWrong(i) ? 1 : 0));
    out.order = sortedOrder(n, (i) => [1, 2, 0][out.category![i]]);
  } else if (color === "confidence" || color === "loss") {
    const v = Float32Array.from(color === "confidence" ? o.confidence! : o.loss!);
    out.value = v;
    // Dark is what to look at in both: low confidence, high loss.
    out.ramp = color === "confidence" ? viridisStops() : viridisStops().reverse();
    out.domain = color === "confidence" ? [o.classes?.length ? 1 / o.classes.length : 0, 1] : [0, Math.max(1e-6, quantile(v, 0.99))];
    // Low confidence and high loss are what a reader looks for: drawn last, on top.
    out.order = sortedOrder(n, (i) => (Number.isNaN(v[i]) ? -Infinity : color === "confidence" ? -v[i] : v[i]));
  }
  const mark = o.markWrong ?? (!!o.labels && !!o.predicted && (color === "true" || color === "predicted"));
  if (mark) {
    if (!o.labels || !o.predicted) throw new RangeError("markWrong needs both labels and predicted");
    out.wrong = Uint8Array.from({ length: n }, (_, i) => (isWrong(i) ? 1 : 0));
    out.wrongCount = out.wrong.reduce((s, w) => s + w, 0);
  }
  if (o.reference) {
    const r = coordinates(o.reference.embedding, o.reference.dims, "reference.embedding");
    out.reference = { ...r, label: o.reference.label ?? "reference" };
  }
  return out;
}

function coordinates(embedding: ArrayLike<number>, dims: number, what: string): { x: Float32Array; y: Float32Array; n: number } {
  const n = Math.floor(embedding.length / dims);
  if (!(dims >= 2) || n * dims !== embedding.length) throw new RangeError(`${what} must be N×dims with dims ≥ 2, got ${embedding.length} values for dims ${dims}`);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = embedding[i * dims];
    y[i] = embedding[i * dims + 1];
  }
  return { x, y, n };
}

function checkInputs(o: MapPointsOptions, n: number, color: MapColor | "plain"): void {
  const problems: string[] = [];
  for (const key of ["labels", "predicted", "confidence", "loss"] as const) {
    const a = o[key];
    if (a && a.length !== n) problems.push(`${a.length} ${key} for ${n} points`);
  }
  const needs: Record<MapColor | "plain", ("labels" | "predicted" | "confidence" | "loss")[]> = {
    plain: [], true: ["labels"], predicted: ["predicted"], wrong: ["labels", "predicted"], confidence: ["confidence"], loss: ["loss"],
  };
  if (!(color in needs)) problems.push(`color must be one of ${MAP_COLORS.join(", ")}, got ${JSON.stringify(color)}`);
  else for (const key of needs[color]) if (!o[key]) problems.push(`color "${color}" needs ${key}`);
  if (problems.length) throw new RangeError(problems.join("; "));
}

/** Indices 0..n−1 ordered by ascending key (stable). */
function sortedOrder(n: number, key: (i: number) => number): Int32Array {
  const keys = Float64Array.from({ length: n }, (_, i) => key(i));
  return Int32Array.from(Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b));
}

/** The q-quantile of the finite values (nearest rank); 0 when there are none. */
function quantile(v: Float32Array, q: number): number {
  const finite = Float32Array.from(v.filter(Number.isFinite)).sort();
  return finite.length ? finite[Math.min(finite.length - 1, Math.floor(q * finite.length))] : 0;
}

/** `#rrggbb` as [r, g, b]. */
export function hexRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** The colour of a value on the sequential scale: linear between the stops of `ramp`, clamped to `domain`. */
export function rampColor(ramp: string[], domain: [number, number], v: number): [number, number, number] {
  const span = domain[1] - domain[0];
  const t = Math.min(1, Math.max(0, span > 0 ? (v - domain[0]) / span : 0)) * (ramp.length - 1);
  const j = Math.min(ramp.length - 2, Math.floor(t));
  const a = hexRgb(ramp[j]);
  const b = hexRgb(ramp[j + 1]);
  const f = t - j;
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as [number, number, number];
}

import type { PointsColumns } from "../../../src/api/points.js";
import { unlabelled } from "../../../src/api/points.js";
import type { ColorBy } from "../../../src/api/types.js";
import { colormapTable } from "../../../src/report/colormap.js";
import { MAP_STYLE } from "../../../src/report/charts/mapPoints.js";
import { classColor } from "../../../src/report/charts/theme.js";

/**
 * How a map's points are coloured: each point's palette entry, the palette, the legend and the
 * drawing order — the same colours and the same order as the map pictures of the report
 * (report/charts/mapPoints.ts): class k in Tableau 10's colour k, right and wrong in blue and red,
 * confidence, loss and margin on viridis with what to look at (dark) drawn last, on top.
 */

/** Bins of a sequential colouring (each a palette entry). */
const BINS = 256;

export interface LegendEntry {
  label: string;
  color: string;
  count: number;
}

export interface Coloring {
  by: ColorBy;
  /** Each point's palette entry. */
  category: Uint16Array;
  palette: string[];
  /** Categorical colourings: one entry per palette colour in use, by palette index; empty for a ramp. */
  legend: (LegendEntry | null)[];
  /** Sequential colourings: the scale's stops (low to high), its domain and what dark means. */
  ramp: { stops: string[]; domain: [number, number]; label: string; dark: string } | null;
  /** Drawing order of the rows (last on top). */
  order: Int32Array;
  /** Rows that get the ring of a misclassified point; null when none are marked. */
  ring: Uint8Array | null;
}

export type ColorInput = Pick<PointsColumns, "label" | "predicted" | "confidence" | "loss" | "margin">;

/** Whether misclassified points are ringed when the URL does not say: on small maps, where rings can be told apart. */
export const AUTO_MARKS_UP_TO = 20_000;

/**
 * The colouring `by` of points `c` for classes `classes`.
 * @example coloring(points, "wrong", classes, { marks: false }).legend // [{ label: "right", … }, { label: "wrong", … }]
 */
export function coloring(c: ColorInput, by: ColorBy, classes: string[], o: { marks: boolean }): Coloring {
  const n = c.label.length;
  const none = unlabelled(c.label);
  const wrong = (i: number) => c.label[i] !== none && c.predicted[i] !== c.label[i];
  let out: Coloring;
  if (by === "true" || by === "predicted") {
    const cls = by === "true" ? c.label : c.predicted;
    const k = classes.length;
    const category = new Uint16Array(n);
    const counts = new Float64Array(k + 1);
    for (let i = 0; i < n; i++) {
      const v = cls[i] === none || cls[i] >= k ? k : cls[i];
      category[i] = v;
      counts[v]++;
    }
    const palette = [...classes.map((_, j) => classColor(j)), MAP_STYLE.unlabelled];
    const legend = palette.map((color, j) => (counts[j] > 0 ? { label: j < k ? classes[j] : "unlabelled", color, count: counts[j] } : null));
    out = { by, category, palette, legend, ramp: null, order: identity(n), ring: null };
  } else if (by === "wrong") {
    const category = new Uint16Array(n);
    const counts = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const v = c.label[i] === none ? 2 : wrong(i) ? 1 : 0;
      category[i] = v;
      counts[v]++;
    }
    const palette = [MAP_STYLE.right, MAP_STYLE.wrong, MAP_STYLE.unlabelled];
    const labels = ["right", "wrong", "unlabelled"];
    const legend = palette.map((color, j) => (counts[j] > 0 ? { label: labels[j], color, count: counts[j] } : null));
    // Wrong on top, unlabelled under them, right at the bottom.
    out = { by, category, palette, legend, ramp: null, order: orderByKey(category, [0, 2, 1]), ring: null };
  } else {
    out = sequential(c, by, classes.length);
  }
  if (o.marks && (by === "true" || by === "predicted")) {
    const ring = new Uint8Array(n);
    for (let i = 0; i < n; i++) ring[i] = wrong(i) ? 1 : 0;
    out.ring = ring;
  }
  return out;
}

/** Confidence, loss or margin on 256 steps of viridis, dark for what to look at, drawn last. */
function sequential(c: ColorInput, by: "confidence" | "loss" | "margin", k: number): Coloring {
  const v = by === "confidence" ? c.confidence : by === "loss" ? c.loss : c.margin;
  const n = v.length;
  const domain: [number, number] = by === "confidence" ? [k > 0 ? 1 / k : 0, 1] : by === "loss" ? [0, Math.max(1e-6, quantile(v, 0.99))] : [0, 1];
  // Dark is low confidence, low margin, high loss.
  const flip = by === "loss";
  const table = colormapTable("viridis");
  const hex = (j: number) => `#${[0, 1, 2].map((d) => table[3 * j + d].toString(16).padStart(2, "0")).join("")}`;
  const palette = Array.from({ length: BINS }, (_, j) => hex(flip ? BINS - 1 - j : j));
  palette.push(MAP_STYLE.unlabelled);
  const category = new Uint16Array(n);
  const span = domain[1] - domain[0];
  for (let i = 0; i < n; i++) {
    const x = v[i];
    category[i] = Number.isFinite(x) ? Math.min(BINS - 1, Math.max(0, Math.floor(((x - domain[0]) / span) * BINS))) : BINS;
  }
  // Drawn last: low bins for confidence and margin, high bins for loss; no value first.
  const rank = new Int32Array(BINS + 1);
  for (let j = 0; j < BINS; j++) rank[j] = flip ? j + 1 : BINS - j;
  const stops = Array.from({ length: 9 }, (_, s) => palette[Math.round((s / 8) * (BINS - 1))]);
  const label = by === "confidence" ? "confidence (top-1 probability)" : by === "loss" ? "loss (−ln p of the true class)" : "margin (top-1 − top-2 probability)";
  const dark = by === "loss" ? "high loss" : by === "confidence" ? "low confidence" : "small margin";
  return { by, category, palette, legend: [], ramp: { stops, domain, label, dark }, order: orderByKey(category, rank), ring: null };
}

function identity(n: number): Int32Array {
  const o = new Int32Array(n);
  for (let i = 0; i < n; i++) o[i] = i;
  return o;
}

/** Rows sorted by `rank[category]` ascending, stable (a counting sort: O(n)). */
function orderByKey(category: Uint16Array, rank: ArrayLike<number>): Int32Array {
  const buckets = rank.length;
  const start = new Int32Array(buckets + 1);
  for (let i = 0; i < category.length; i++) start[rank[category[i]] + 1]++;
  for (let b = 0; b < buckets; b++) start[b + 1] += start[b];
  const order = new Int32Array(category.length);
  for (let i = 0; i < category.length; i++) order[start[rank[category[i]]]++] = i;
  return order;
}

/** The q-quantile of the finite values (nearest rank), from a sample of up to 20,000 of them. */
function quantile(v: Float32Array, q: number): number {
  const step = Math.max(1, Math.floor(v.length / 20_000));
  const s: number[] = [];
  for (let i = 0; i < v.length; i += step) if (Number.isFinite(v[i])) s.push(v[i]);
  s.sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : 0;
}

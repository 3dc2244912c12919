import type { TopLevelSpec } from "vega-lite";
import { CHART_THEME, chartConfig } from "./theme.js";

/** One layer of a layered Vega-Lite spec. */
type Layer = Extract<TopLevelSpec, { layer: unknown }>["layer"][number];

/** Options for {@link histogramSpec}; defaults in {@link HISTOGRAM_DEFAULTS}. */
export interface HistogramOptions {
  /** The values to count, e.g. every activation of one layer for one image. NaN and ±Infinity are left out and noted. */
  values: Float32Array;
  /** Number of equal-width bins between the smallest and largest value. */
  bins?: number;
  title: string;
  xTitle?: string;
  /** Counts on a log axis, so rare values stay visible next to a tall peak. */
  logY?: boolean;
  /**
   * Count values that are exactly 0 apart from the bins and draw them as one line at 0 with their
   * share. After a ReLU most values are exactly 0; binned with the rest they would flatten every
   * other bar.
   */
  markZero?: boolean;
}

export const HISTOGRAM_DEFAULTS = { bins: 40, xTitle: "value", logY: false, markZero: true } as const;

/** One bar: values in [start, end) (the last bar also holds its end); `count` of them. */
export interface HistogramBin {
  start: number;
  end: number;
  count: number;
}

/** What was counted, before it is drawn. */
export interface HistogramCounts {
  bins: HistogramBin[];
  /** Values exactly 0 when counted apart (`markZero`), else 0. */
  zeros: number;
  /** NaN and ±Infinity, left out. */
  nonFinite: number;
  /** Finite values: the bins' counts plus `zeros`. */
  n: number;
  min: number;
  max: number;
}

/**
 * Counts `values` into equal-width bins. With `markZero`, exact zeros are counted apart and the bin
 * range is widened to include 0, so the zero line sits on the axis.
 * @example countHistogram(Float32Array.of(0, 0, 1, 2), { bins: 2, markZero: true }).bins
 * // [{ start: 0, end: 1, count: 0 }, { start: 1, end: 2, count: 2 }]
 */
export function countHistogram(values: Float32Array, options: { bins: number; markZero: boolean }): HistogramCounts {
  const { bins, markZero } = options;
  if (!(Number.isInteger(bins) && bins >= 1 && bins <= 10_000)) {
    throw new RangeError(`bins must be an integer from 1 to 10000, got ${bins}`);
  }
  let min = Infinity;
  let max = -Infinity;
  let lo = Infinity;
  let hi = -Infinity;
  let zeros = 0;
  let nonFinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    if (markZero && v === 0) {
      zeros++;
      continue;
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const n = values.length - nonFinite;
  if (n === 0) return { bins: [], zeros, nonFinite, n, min: NaN, max: NaN };
  if (zeros > 0) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const counts = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || (markZero && v === 0)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  }
  const rows: HistogramBin[] = [];
  for (let b = 0; b < bins; b++) {
    rows.push({ start: lo + b * width, end: b === bins - 1 ? hi : lo + (b + 1) * width, count: counts[b] });
  }
  return { bins: rows, zeros, nonFinite, n, min, max };
}

/**
 * A Vega-Lite histogram of `values`, binned here so that a layer's millions of activations become
 * a few dozen data rows. Exact zeros (most values after a ReLU) are a red line at 0 with their share.
 * @example histogramSpec({ values: Float32Array.of(0, 0, 1, 2), bins: 2, title: "relu1" }).title
 * // { text: "relu1", subtitle: "4 values from 0 to 2 · 50.0% exactly 0 (red line, not in the bars)" }
 */
export function histogramSpec(options: HistogramOptions): TopLevelSpec {
  const d = HISTOGRAM_DEFAULTS;
  const bins = options.bins ?? d.bins;
  const markZero = options.markZero ?? d.markZero;
  const logY = options.logY ?? d.logY;
  if (!(options.values instanceof Float32Array)) {
    throw new TypeError(`values must be a Float32Array, got ${describe(options.values)}`);
  }
  const counts = countHistogram(options.values, { bins, markZero });
  if (counts.n === 0) {
    throw new RangeError(`values must hold at least one finite number, got ${options.values.length} values, ${counts.nonFinite} of them NaN or infinite`);
  }
  const rows = logY ? counts.bins.filter((b) => b.count > 0) : counts.bins;
  const layers: Layer[] = [barLayer(rows, options.xTitle ?? d.xTitle, logY)];
  if (counts.zeros > 0) layers.push(...zeroLayers(counts));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: options.title, subtitle: subtitle(counts) },
    width: CHART_THEME.width,
    height: CHART_THEME.height,
    config: chartConfig(),
    layer: layers,
  };
}

/** The bars: one per bin, from its start to its end, as tall as its count. */
function barLayer(rows: HistogramBin[], xTitle: string, logY: boolean): Layer {
  const { color } = CHART_THEME;
  const maxCount = Math.max(0, ...rows.map((b) => b.count));
  const logTop = Math.max(10, 1.5 * maxCount);
  return {
    data: { values: rows },
    mark: { type: "bar", color: color.mark, stroke: color.background, strokeWidth: rows.length > 120 ? 0 : 0.5 },
    encoding: {
      x: {
        field: "start",
        type: "quantitative",
        bin: "binned",
        title: xTitle,
        scale: { zero: false, nice: false },
        axis: { tickCount: 8, format: "~g" },
      },
      x2: { field: "end" },
      y: {
        field: "count",
        type: "quantitative",
        title: logY ? "count (log scale)" : "count",
        stack: null,
        // an all-empty histogram (every value exactly 0) still gets a 0..1 count axis
        scale: logY ? { type: "log", domain: [0.7, logTop], nice: false } : maxCount > 0 ? {} : { domain: [0, 1] },
        axis: logY ? { format: ",.0f", values: powersOfTen(logTop) } : { format: ",.0f", tickMinStep: 1 },
      },
      // A log axis has no 0 to stand bars on: they rise from the bottom edge instead.
      ...(logY ? { y2: { value: "height" } } : {}),
      tooltip: [
        { field: "start", type: "quantitative", title: "from", format: ".4~g" },
        { field: "end", type: "quantitative", title: "to", format: ".4~g" },
        { field: "count", type: "quantitative", format: "," },
      ],
    },
  };
}

/** A line at 0 and its label, for the values counted apart as exactly 0. */
function zeroLayers(counts: HistogramCounts): Layer[] {
  const { color } = CHART_THEME;
  const share = counts.zeros / counts.n;
  const data = { values: [{ value: 0, count: counts.zeros, label: `exactly 0: ${percent(share)}` }] };
  const atTheRight = counts.max <= 0;
  return [
    {
      data,
      mark: { type: "rule", color: color.accent, strokeWidth: 2 },
      encoding: {
        x: { field: "value", type: "quantitative" },
        tooltip: [{ field: "count", type: "quantitative", title: "exactly 0", format: "," }],
      },
    },
    {
      data,
      mark: { type: "text", color: color.accent, align: atTheRight ? "right" : "left", baseline: "bottom", y: -4, fontWeight: "bold" },
      encoding: { x: { field: "value", type: "quantitative" }, text: { field: "label" } },
    },
  ];
}

function subtitle(c: HistogramCounts): string {
  const n = c.n.toLocaleString("en-US");
  const parts = [c.min === c.max ? `${n} values, all ${num(c.min)}` : `${n} values from ${num(c.min)} to ${num(c.max)}`];
  if (c.zeros > 0) parts.push(`${percent(c.zeros / c.n)} exactly 0 (red line, not in the bars)`);
  if (c.nonFinite > 0) parts.push(`${c.nonFinite.toLocaleString("en-US")} NaN or infinite left out`);
  return parts.join(" · ");
}

/** 1, 10, 100, … up to `max`. */
function powersOfTen(max: number): number[] {
  const out = [1];
  while (out[out.length - 1] * 10 <= max) out.push(out[out.length - 1] * 10);
  return out;
}

/** "62.3%", "<0.1%" for a sliver, "100%" only when it is all. */
function percent(share: number): string {
  if (share > 0 && share < 0.001) return "<0.1%";
  if (share < 1 && share > 0.9995) return ">99.9%";
  return `${(share * 100).toFixed(share === 0 || share === 1 ? 0 : 1)}%`;
}

/** A number in 4 significant digits, without trailing zeros: 0.0312, 5.2, -1.234e-5. */
function num(v: number): string {
  if (v === 0) return "0";
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? String(Number(v.toPrecision(4))) : v.toExponential(2);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "object") return (v as object).constructor?.name ?? "object";
  return typeof v;
}

import type { Config } from "vega-lite";

/**
 * The look shared by every featurelens chart: font, sizes and colours. Browser-safe (no Node
 * imports), so the web app renders the very same specs; `report/vega.ts` re-exports it.
 */

/**
 * Tableau 10, the palette of matplotlib's `tab10` and d3's `schemeCategory10` (Stone, Tableau
 * Software 2007): class k gets colour k here as in a user's own matplotlib plots.
 */
const TABLEAU10 = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
] as const;

/** The lighter partner of each Tableau 10 colour, from Tableau 20 (matplotlib's `tab20`). */
const TABLEAU10_LIGHT = [
  "#aec7e8",
  "#ffbb78",
  "#98df8a",
  "#ff9896",
  "#c5b0d5",
  "#c49c94",
  "#f7b6d2",
  "#c7c7c7",
  "#dbdb8d",
  "#9edae5",
] as const;

/** Font, sizes and colours of every chart. Sizes are CSS pixels at scale 1. */
export const CHART_THEME = {
  /**
   * DejaVu Sans is the one family the PNG renderer loads (from the `dejavu-fonts-ttf` package), so
   * PNGs look the same on every machine; browsers without it fall back to Verdana, a similarly wide
   * sans-serif with a large x-height, so labels keep about the same length.
   */
  font: "DejaVu Sans, Verdana, sans-serif",
  /** Plot-area size; with axes and titles a chart comes out about 620 px wide. */
  width: 520,
  height: 280,
  /** Height of one bar in a horizontal bar chart. */
  barStep: 22,
  fontSize: { title: 15, subtitle: 12, axisTitle: 12, label: 11, legend: 11, mark: 11 },
  color: {
    ink: "#222222",
    muted: "#5c5c5c",
    grid: "#e6e6e6",
    domain: "#8c8c8c",
    background: "#ffffff",
    /** The one colour of single-series marks (histogram bars). */
    mark: "#4c78a8",
    /** Something pointed out (the exact-zero line of a histogram). */
    accent: "#e45756",
    /** Bars that are context, not the point. */
    other: "#c6cbd2",
    /** Softmax bars: the true class, the predicted class, and both at once (a correct prediction). */
    truth: "#1f77b4",
    predicted: "#ff7f0e",
    correct: "#2ca02c",
  },
  classColors: TABLEAU10,
} as const;

/** The Vega-Lite `config` block that applies {@link CHART_THEME}. */
export function chartConfig(): Config {
  const { font, fontSize, color } = CHART_THEME;
  return {
    font,
    background: color.background,
    padding: 12,
    view: { stroke: null },
    title: {
      fontSize: fontSize.title,
      fontWeight: "bold",
      color: color.ink,
      subtitleFontSize: fontSize.subtitle,
      subtitleColor: color.muted,
      subtitlePadding: 4,
      anchor: "start",
      offset: 12,
    },
    axis: {
      labelFontSize: fontSize.label,
      titleFontSize: fontSize.axisTitle,
      titleFontWeight: "normal",
      labelColor: color.ink,
      titleColor: color.ink,
      domainColor: color.domain,
      tickColor: color.domain,
      gridColor: color.grid,
      labelLimit: 220,
    },
    legend: {
      labelFontSize: fontSize.legend,
      titleFontSize: fontSize.legend,
      labelColor: color.ink,
      titleColor: color.ink,
      labelLimit: 220,
    },
    text: { fontSize: fontSize.mark, color: color.ink },
    range: { category: [...CHART_THEME.classColors] },
  };
}

/**
 * The colour of class `k`: Tableau 10 for classes 0–9 (as {@link CHART_THEME}.classColors), their
 * lighter Tableau 20 partners for classes 10–19, then the 20 colours again.
 * @example [classColor(0), classColor(10), classColor(20)] // ["#1f77b4", "#aec7e8", "#1f77b4"]
 */
export function classColor(k: number): string {
  const i = ((Math.floor(k) % 20) + 20) % 20;
  return i < 10 ? TABLEAU10[i] : TABLEAU10_LIGHT[i - 10];
}

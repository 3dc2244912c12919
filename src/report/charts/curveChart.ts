import type { TopLevelSpec } from "vega-lite";
import { type Layer, round6, VEGA_LITE_SCHEMA } from "./format.js";
import { CHART_THEME, chartConfig, classColor } from "./theme.js";

/**
 * What ROC and precision–recall charts share: several curves on a square 0..1 plot, one legend
 * entry per curve naming its score, per-class curves in the class colours and the averages on top
 * of them, thicker and dashed (micro black, macro grey). Browser-safe (no Node imports).
 */

/** How a curve is drawn: one of the classes, an average over them, or a reference line. */
export type CurveKind = "class" | "micro" | "macro" | "reference";

/** One curve to draw, already thinned, with its legend entry. */
export interface CurveSeries {
  /** Legend entry, unique in the chart: "Trouser (AUC 0.998)". */
  label: string;
  kind: CurveKind;
  /** Class index, for "class" curves (it picks the colour). */
  index?: number;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** One data row: one point of one curve. The row order of a curve is its drawing order. */
export interface CurveRow {
  curve: string;
  kind: CurveKind;
  /** Position along the curve, so that points with the same x keep their order. */
  order: number;
  [axis: string]: string | number;
}

/** A point pointed out on the chart, e.g. the threshold with the best Youden's J. */
export interface CurveMarker {
  x: number;
  y: number;
  /** Written beside the point: "threshold 0.42 (J = 0.81)". */
  label: string;
}

const STYLE: Record<Exclude<CurveKind, "class">, { color: string; dash: number[]; width: number }> = {
  micro: { color: "#111111", dash: [7, 3], width: 2.6 },
  macro: { color: "#6b6b6b", dash: [2, 2.5], width: 2.6 },
  reference: { color: "#a0a0a0", dash: [4, 4], width: 1 },
};

/** Side of the square plot, in CSS pixels. */
export const CURVE_PLOT_SIZE = 380;

/** `label`, or `label #2`, `label #3`… when an earlier curve already has it. */
export function uniqueLabels(labels: string[]): string[] {
  const seen = new Map<string, number>();
  return labels.map((l) => {
    const n = (seen.get(l) ?? 0) + 1;
    seen.set(l, n);
    return n === 1 ? l : `${l} #${n}`;
  });
}

/** The data rows of `series`, with the coordinates under the names `fields`. */
export function curveRows(series: CurveSeries[], fields: { x: string; y: string }): CurveRow[] {
  const rows: CurveRow[] = [];
  for (const s of series) {
    for (let i = 0; i < s.x.length; i++) rows.push({ curve: s.label, kind: s.kind, order: i, [fields.x]: round6(s.x[i]), [fields.y]: round6(s.y[i]) });
  }
  return rows;
}

/**
 * A square chart of `series`: class curves first, then the averages over them, each curve one
 * legend entry (colour and dash together), and optionally a marked point.
 */
export function curveChartSpec(options: {
  series: CurveSeries[];
  fields: { x: string; y: string };
  titles: { x: string; y: string };
  title: string;
  subtitle: string;
  marker?: CurveMarker;
}): TopLevelSpec {
  const { series, fields, titles, marker } = options;
  const classCount = series.filter((s) => s.kind === "class").length;
  const classWidth = classCount > 10 ? 1.2 : 1.8;
  // legend order: averages, then classes, then reference lines
  const rank: Record<CurveKind, number> = { micro: 0, macro: 1, class: 2, reference: 3 };
  const ordered = [...series].sort((a, b) => rank[a.kind] - rank[b.kind]);
  const style = (s: CurveSeries) => (s.kind === "class" ? { color: classColor(s.index ?? 0), dash: [1, 0], width: classWidth } : STYLE[s.kind]);
  const domain = ordered.map((s) => s.label);
  const legend = { orient: "right" as const, title: null, symbolSize: 300, symbolStrokeWidth: 2.2, symbolLimit: ordered.length, columns: ordered.length > 24 ? 2 : 1, labelLimit: 260 };
  // 4 px of padding, so that a curve along an edge (TPR 1, precision 1) is not half hidden by it
  const axis = (f: string, t: string) => ({ field: f, type: "quantitative" as const, title: t, scale: { domain: [0, 1], nice: false, padding: 4 }, axis: { tickCount: 5, format: ".1f" } });
  const encoding = {
    x: axis(fields.x, titles.x),
    y: axis(fields.y, titles.y),
    order: { field: "order", type: "quantitative" as const },
    color: { field: "curve", type: "nominal" as const, scale: { domain, range: ordered.map((s) => style(s).color) }, legend },
    strokeDash: { field: "curve", type: "nominal" as const, scale: { domain, range: ordered.map((s) => style(s).dash) }, legend },
    tooltip: [
      { field: "curve", type: "nominal" as const },
      { field: fields.x, type: "quantitative" as const, title: titles.x, format: ".3f" },
      { field: fields.y, type: "quantitative" as const, title: titles.y, format: ".3f" },
    ],
  };
  // drawn in this order: reference lines under the classes, the averages on top
  const drawOrder: CurveKind[][] = [["reference"], ["class"], ["macro", "micro"]];
  const layers: Layer[] = drawOrder
    .map((kinds) => series.filter((s) => kinds.includes(s.kind)))
    .filter((group) => group.length > 0)
    .map((group) => ({ data: { values: curveRows(group, fields) }, mark: { type: "line" as const, clip: true, strokeWidth: style(group[0]).width }, encoding }) as Layer);
  if (marker) layers.push(...markerLayers(marker));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: options.title, subtitle: options.subtitle },
    width: CURVE_PLOT_SIZE,
    height: CURVE_PLOT_SIZE,
    config: { ...chartConfig(), view: { stroke: CHART_THEME.color.domain, strokeWidth: 0.5 } },
    layer: layers,
  } as TopLevelSpec;
}

/** A dot at the marked point and its label beside it, inside the plot. */
function markerLayers(m: CurveMarker): Layer[] {
  const { color, fontSize } = CHART_THEME;
  const data = { values: [{ x: m.x, y: m.y, label: m.label }] };
  const at = { x: { field: "x", type: "quantitative" as const }, y: { field: "y", type: "quantitative" as const } };
  // the label goes right of and below the point, unless that runs out of the plot
  const right = m.x < 0.55;
  const below = m.y > 0.15;
  return [
    {
      data,
      mark: { type: "point", filled: true, size: 70, color: color.ink, stroke: color.background, strokeWidth: 1.5, opacity: 1 },
      encoding: { ...at, tooltip: [{ field: "label", type: "nominal", title: "point" }] },
    },
    {
      data,
      mark: { type: "text", align: right ? "left" : "right", baseline: below ? "top" : "bottom", dx: right ? 7 : -7, dy: below ? 5 : -5, fontSize: fontSize.mark, fontWeight: "bold", color: color.ink },
      encoding: { ...at, text: { field: "label" } },
    },
  ];
}

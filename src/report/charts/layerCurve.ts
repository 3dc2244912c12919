import type { TopLevelSpec } from "vega-lite";
import { type Layer, percent, VEGA_LITE_SCHEMA } from "./format.js";
import { CHART_THEME, chartConfig } from "./theme.js";

/** One layer of the curve. */
export interface LayerCurvePoint {
  /** 0 for the input, then the layers in graph order. */
  position: number;
  name: string;
  accuracy: number;
  /** Standard error of `accuracy`. */
  se: number;
  role: "input" | "penultimate" | "logits" | null;
}

export interface LayerCurveOptions {
  points: LayerCurvePoint[];
  /** Held-out images scored. */
  scored: number;
  title?: string;
  /** What was measured on what: "seed-cnn on sample:test". */
  subject?: string;
}

export const LAYER_CURVE_DEFAULTS = { title: "How well the classes separate, layer by layer", step: 30 } as const;

/**
 * kNN accuracy of each layer's values from the pixels to the logits: a line over the layers in
 * graph order with ±2 standard-error bars, a dashed line at the pixels' accuracy (any layer under
 * it groups the classes worse than the raw images do), and the penultimate layer and the logits
 * marked in red and named on the axis.
 * Browser-safe; the app renders the same spec.
 * @example layerCurveSpec({ points: [{ position: 0, name: "input (pixels)", accuracy: 0.71, se: 0.014, role: "input" }], scored: 1000 }).title
 * // { text: "How well the classes separate, layer by layer", subtitle: ["kNN accuracy (k = 10) of 1,000 held-out images; conv layers averaged per channel; bars ±2 standard errors; dashed: the pixels"] }
 */
export function layerCurveSpec(o: LayerCurveOptions): TopLevelSpec {
  const { color } = CHART_THEME;
  const rows = o.points.map((p) => ({ ...p, lo: Math.max(0, p.accuracy - 2 * p.se), hi: Math.min(1, p.accuracy + 2 * p.se), text: `pixels ${percent(p.accuracy)}` }));
  // The penultimate layer and the logits are named on the axis (adjacent points' labels would collide beside them).
  const names = JSON.stringify(Object.fromEntries(o.points.map((p) => [p.position, p.role === "penultimate" || p.role === "logits" ? `${p.name} (${p.role})` : p.name])));
  const pixels = rows.find((r) => r.role === "input");
  const marked = rows.filter((r) => r.role === "penultimate" || r.role === "logits");
  const x = { field: "position", type: "ordinal" as const, title: "layer (in graph order)", axis: { labelExpr: `${names}[datum.value]`, labelAngle: -40, labelAlign: "right" as const, labelLimit: 200 } };
  const y = { field: "accuracy", type: "quantitative" as const, title: "kNN accuracy (held-out)", scale: { zero: false, nice: true }, axis: { format: ".0%" } };
  const layers: Layer[] = [
    { mark: { type: "rule", color: color.other, strokeWidth: 3 }, encoding: { x, y: { ...y, field: "lo" }, y2: { field: "hi" } } } as Layer,
    {
      mark: { type: "line", color: color.mark, point: { filled: true, size: 40, color: color.mark } },
      encoding: {
        x, y,
        tooltip: [
          { field: "name", type: "nominal", title: "layer" },
          { field: "accuracy", type: "quantitative", format: ".1%", title: "kNN accuracy" },
          { field: "se", type: "quantitative", format: ".1%", title: "standard error" },
        ],
      },
    } as Layer,
  ];
  if (pixels) {
    layers.push({ data: { values: [pixels] }, mark: { type: "rule", strokeDash: [6, 4], color: color.muted }, encoding: { y: { field: "accuracy", type: "quantitative" } } } as Layer);
  }
  // Labels sit on a white halo (the same text drawn first with a wide white stroke), so lines and bars behind them do not cut through.
  const label = (values: unknown[], mark: Record<string, unknown>, fill: string): Layer[] => [
    { data: { values }, mark: { type: "text", ...mark, stroke: color.background, strokeWidth: 4, strokeJoin: "round", color: color.background }, encoding: { x, y, text: { field: "text" } } } as Layer,
    { data: { values }, mark: { type: "text", ...mark, color: fill }, encoding: { x, y, text: { field: "text" } } } as Layer,
  ];
  if (marked.length) layers.push({ data: { values: marked }, mark: { type: "point", filled: true, opacity: 1, size: 110, color: color.accent }, encoding: { x, y } } as Layer);
  if (pixels) layers.push(...label([pixels], { align: "left", dx: 10, dy: -10 }, color.muted));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: o.title ?? LAYER_CURVE_DEFAULTS.title,
      subtitle: [
        `kNN accuracy (k = 10) of ${o.scored.toLocaleString("en-US")} held-out images; conv layers averaged per channel; bars ±2 standard errors; dashed: the pixels`,
        ...(o.subject ? [o.subject] : []),
      ],
    },
    width: { step: LAYER_CURVE_DEFAULTS.step },
    height: CHART_THEME.height,
    data: { values: rows },
    layer: layers,
    config: chartConfig(),
  } as TopLevelSpec;
}

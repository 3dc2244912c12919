import type { TopLevelSpec } from "vega-lite";
import { percent, round6, VEGA_LITE_SCHEMA } from "./format.js";
import { CHART_THEME, chartConfig } from "./theme.js";

/**
 * Charts of two models on the same images (the feature-extraction article's "trained on 50K vs
 * 10K images"): per-class differences, both confidence distributions, and per-layer activation
 * statistics side by side. Run A is blue, run B orange, as training and validation in the
 * history chart. Browser-safe.
 */

const RUN_COLORS = [CHART_THEME.classColors[0], CHART_THEME.classColors[1]] as const;
const BETTER = "#2f7d4a";
const WORSE = CHART_THEME.color.accent;

/** Options for {@link perClassDeltaSpec}. */
export interface PerClassDeltaOptions {
  classes: string[];
  /** Names of the two runs (A, B) and their per-class recall (the share of each class found), plus accuracy. */
  a: { name: string; recall: ArrayLike<number>; accuracy: number };
  b: { name: string; recall: ArrayLike<number>; accuracy: number };
  title: string;
}

/**
 * B minus A per class (recall, i.e. per-class accuracy), and overall accuracy in the first row, as
 * horizontal bars right of zero where B does better (green) and left where it does worse (red);
 * each row is named with both values: "cat: 50.0% → 75.0%".
 * @example perClassDeltaSpec({ classes: ["cat"], a: { name: "A", recall: [0.5], accuracy: 0.5 }, b: { name: "B", recall: [0.75], accuracy: 0.75 }, title: "" }).data
 * // { values: [{ row: "all classes (accuracy): 50.0% → 75.0%", delta: 25, side: "better" }, { row: "cat: 50.0% → 75.0%", delta: 25, side: "better" }] }
 */
export function perClassDeltaSpec(o: PerClassDeltaOptions): TopLevelSpec {
  const row = (name: string, a: number, b: number) => ({ row: `${name}: ${percent(a)} → ${percent(b)}`, delta: round6((b - a) * 100), side: b > a ? "better" : b < a ? "worse" : "same" });
  const values = [row("all classes (accuracy)", o.a.accuracy, o.b.accuracy), ...o.classes.map((c, k) => row(c, o.a.recall[k], o.b.recall[k]))];
  const reach = Math.max(1, ...values.map((v) => Math.abs(v.delta)));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: o.title, subtitle: `${o.b.name} minus ${o.a.name}, in percentage points of each class's images found (recall)` },
    width: CHART_THEME.width - 180,
    height: { step: CHART_THEME.barStep },
    data: { values },
    config: chartConfig(),
    layer: [
      {
        mark: { type: "bar", height: { band: 0.7 }, cornerRadiusEnd: 2 },
        encoding: {
          y: { field: "row", type: "nominal", sort: values.map((v) => v.row), title: null, axis: { ticks: false, domain: false, labelPadding: 6 } },
          x: { field: "delta", type: "quantitative", title: "difference (percentage points)", scale: { domain: [-reach * 1.1, reach * 1.1] }, axis: { format: "+~f" } },
          color: { field: "side", type: "nominal", scale: { domain: ["better", "worse", "same"], range: [BETTER, WORSE, CHART_THEME.color.other] }, legend: { title: null, orient: "bottom", direction: "horizontal", labelExpr: `datum.label === 'better' ? '${esc(o.b.name)} better' : datum.label === 'worse' ? '${esc(o.b.name)} worse' : 'same'` } },
        },
      },
      { mark: { type: "rule", color: CHART_THEME.color.domain }, encoding: { x: { datum: 0 } } },
    ],
  } as TopLevelSpec;
}

/** Options for {@link confidenceCompareSpec}. */
export interface ConfidenceCompareOptions {
  a: { name: string; confidence: ArrayLike<number> };
  b: { name: string; confidence: ArrayLike<number> };
  bins?: number;
  title: string;
}

/** Share of images in each of `bins` equal bins of [0, 1]. */
export function confidenceShares(confidence: ArrayLike<number>, bins: number): number[] {
  const counts = new Float64Array(bins);
  let n = 0;
  for (let i = 0; i < confidence.length; i++) {
    const c = confidence[i];
    if (!Number.isFinite(c)) continue;
    counts[Math.min(bins - 1, Math.max(0, Math.floor(c * bins)))]++;
    n++;
  }
  return Array.from(counts, (c) => (n ? c / n : 0));
}

/**
 * Both runs' confidence (top-1 probability) as step lines of the share of images per bin, on the
 * same axes: which model is surer, and how much.
 */
export function confidenceCompareSpec(o: ConfidenceCompareOptions): TopLevelSpec {
  const bins = o.bins ?? 20;
  const values = [o.a, o.b].flatMap((r) => confidenceShares(r.confidence, bins).map((share, j) => ({ run: r.name, start: j / bins, end: (j + 1) / bins, share: round6(share) })));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: o.title, subtitle: "share of the images in each confidence bin" },
    width: CHART_THEME.width,
    height: CHART_THEME.height,
    data: { values },
    config: chartConfig(),
    mark: { type: "bar", opacity: 0.55, binSpacing: 0 },
    encoding: {
      x: { field: "start", type: "quantitative", bin: "binned", title: "confidence (top-1 probability)", scale: { domain: [0, 1] }, axis: { format: ".0%" } },
      x2: { field: "end" },
      y: { field: "share", type: "quantitative", stack: null, title: "share of images", axis: { format: ".0%" } },
      color: { field: "run", type: "nominal", scale: { domain: [o.a.name, o.b.name], range: [...RUN_COLORS] }, legend: { title: null, orient: "top-left" } },
    },
  } as TopLevelSpec;
}

/** One layer's statistics for one run. */
export interface LayerStatsPoint {
  layer: string;
  run: string;
  mean: number;
  zeros: number;
}

/**
 * Mean activation and share of exact zeros per layer, the two runs side by side: a network that
 * learned more often has sparser, larger activations in its deep layers. Layers in network order.
 */
export function layerStatsSpec(o: { rows: LayerStatsPoint[]; layers: string[]; runs: [string, string]; title: string; subtitle?: string }): TopLevelSpec {
  const values = o.rows.map((r) => ({ ...r, mean: round6(r.mean), zeros: round6(r.zeros) }));
  const panel = (field: "mean" | "zeros", title: string, format: string, labels: boolean) => ({
    width: 240,
    height: { step: 9 },
    mark: { type: "bar" as const },
    encoding: {
      y: { field: "layer", type: "nominal" as const, sort: o.layers, title: null, axis: labels ? { labelLimit: 260 } : null },
      yOffset: { field: "run", type: "nominal" as const, sort: o.runs },
      x: { field, type: "quantitative" as const, title, axis: { format } },
      color: { field: "run", type: "nominal" as const, scale: { domain: o.runs, range: [...RUN_COLORS] }, legend: { title: null, orient: "top" as const } },
    },
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: o.title, ...(o.subtitle ? { subtitle: o.subtitle } : {}) },
    data: { values },
    config: chartConfig(),
    hconcat: [panel("mean", "mean activation", "~g", true), panel("zeros", "share exactly 0", ".0%", false)],
  } as TopLevelSpec;
}

/** Text safe inside a single-quoted Vega expression string. */
function esc(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
}

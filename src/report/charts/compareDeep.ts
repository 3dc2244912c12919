import type { TopLevelSpec } from "vega-lite";
import { percent, round6, VEGA_LITE_SCHEMA } from "./format.js";
import { CHART_THEME, chartConfig } from "./theme.js";

/**
 * The deeper charts of two models on the same images (featurelens compare): linear CKA between
 * every layer of A and every layer of B as a heatmap, the difference of their confusion matrices,
 * both ROC curves on one plot, and each layer's activation histograms overlaid. Run A blue, run B
 * orange, as in charts/compare.ts. Browser-safe.
 */

const RUN_COLORS = [CHART_THEME.classColors[0], CHART_THEME.classColors[1]] as const;
const BETTER = "#2f7d4a";
const WORSE = CHART_THEME.color.accent;

/**
 * A layer name short enough for an axis: the leading "/" and the op suffix dropped, and a scope that
 * repeats ("layer1/layer1.0") said once.
 * @example shortLayer("/layer1/layer1.0/relu/Relu") // "layer1.0/relu"
 * @example shortLayer("/conv1/Conv") // "conv1"
 */
export function shortLayer(name: string): string {
  const parts = name.replace(/^\/+/, "").split("/").filter(Boolean);
  if (parts.length > 1 && /^[A-Z][A-Za-z]*(_\d+)?$/.test(parts.at(-1)!)) parts.pop();
  if (parts.length > 1 && parts[1].startsWith(`${parts[0]}.`)) parts.shift();
  return parts.join("/") || name;
}

/** Options for {@link ckaHeatmapSpec}. */
export interface CkaHeatmapOptions {
  /** Layer names of A (rows) and B (columns), in network order. */
  a: string[];
  b: string[];
  /** Row-major |a|×|b| CKA values in [0, 1]; NaN where undefined. */
  values: ArrayLike<number>;
  runs: [string, string];
  title: string;
  subtitle?: string;
}

/**
 * Linear CKA of every layer of A (rows, first at the top) against every layer of B (columns), in
 * viridis from 0 to 1, the value written in each cell when there are few: where the two networks
 * represent the images alike (a bright diagonal for two trainings of one architecture).
 */
export function ckaHeatmapSpec(o: CkaHeatmapOptions): TopLevelSpec {
  const la = o.a.map(shortLayer);
  const lb = o.b.map(shortLayer);
  const uniq = (names: string[]) => names.map((n, i) => (names.indexOf(n) === i ? n : `${n} (${i})`));
  const ya = uniq(la);
  const xb = uniq(lb);
  const values = ya.flatMap((ra, i) => xb.map((cb, j) => {
    const v = o.values[i * xb.length + j];
    return { a: ra, b: cb, cka: Number.isFinite(v) ? round6(v) : null, text: Number.isFinite(v) ? v.toFixed(2).replace(/^0\./, ".") : "–" };
  }));
  const cells = Math.max(ya.length, xb.length);
  const cell = cells <= 12 ? 30 : cells <= 24 ? 22 : 14;
  const showText = cells <= 24;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: o.title, subtitle: o.subtitle ?? `linear CKA (Kornblith et al. 2019): 1 = the same representation up to rotation and scale, 0 = unrelated` },
    width: { step: cell },
    height: { step: cell },
    data: { values },
    config: { ...chartConfig(), axis: { ...chartConfig().axis, grid: false } },
    encoding: {
      x: { field: "b", type: "nominal", sort: xb, title: `layer of ${o.runs[1]}`, axis: { labelAngle: -45, labelAlign: "right", ticks: false, domain: false, labelLimit: 160 } },
      y: { field: "a", type: "nominal", sort: ya, title: `layer of ${o.runs[0]}`, axis: { ticks: false, domain: false, labelLimit: 160 } },
    },
    layer: [
      {
        mark: { type: "rect", stroke: CHART_THEME.color.background, strokeWidth: 0.5 },
        encoding: {
          color: { field: "cka", type: "quantitative", title: "CKA", scale: { scheme: "viridis", domain: [0, 1] }, legend: { gradientLength: Math.max(120, Math.min(ya.length * cell, 260)) } },
          tooltip: [{ field: "a", title: o.runs[0] }, { field: "b", title: o.runs[1] }, { field: "cka", type: "quantitative", format: ".3f" }],
        },
      },
      ...(showText
        ? [{
            mark: { type: "text" as const, fontSize: cell >= 30 ? 10 : 8, baseline: "middle" as const },
            encoding: {
              text: { field: "text" },
              color: { condition: { test: "datum.cka != null && datum.cka > 0.6", value: "#222222" }, value: "#ffffff" },
            },
          }]
        : []),
    ],
  } as TopLevelSpec;
}

/** Options for {@link confusionDifferenceSpec}. */
export interface ConfusionDifferenceOptions {
  classes: string[];
  /** Row-major K×K: B's confusion matrix minus A's (rows true class, columns predicted). */
  difference: ArrayLike<number>;
  runs: [string, string];
  title: string;
}

/**
 * B's confusion matrix minus A's: each cell is how many more (or fewer) images B puts there, green
 * where that is better for B (more right on the diagonal, fewer mistakes off it) and red where worse.
 */
export function confusionDifferenceSpec(o: ConfusionDifferenceOptions): TopLevelSpec {
  const k = o.classes.length;
  const values: { true: number; predicted: number; diff: number; good: number; text: string; trueClass: string; predictedClass: string }[] = [];
  let reach = 1;
  for (let t = 0; t < k; t++) for (let p = 0; p < k; p++) {
    const diff = o.difference[t * k + p];
    const good = t === p ? diff : -diff;
    reach = Math.max(reach, Math.abs(diff));
    values.push({ true: t, predicted: p, diff, good, text: diff === 0 ? "" : diff > 0 ? `+${diff}` : `−${-diff}`, trueClass: o.classes[t], predictedClass: o.classes[p] });
  }
  const names = JSON.stringify(o.classes);
  const cell = k <= 12 ? 40 : k <= 30 ? 24 : 12;
  const axis = { labelExpr: `${names}[datum.value]`, ticks: false, domain: false, labelPadding: 4 };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: o.title, subtitle: `images ${o.runs[1]} puts in each cell minus those ${o.runs[0]} puts there · green: better for ${o.runs[1]}, red: worse` },
    width: { step: cell },
    height: { step: cell },
    data: { values },
    config: { ...chartConfig(), axis: { ...chartConfig().axis, grid: false } },
    encoding: {
      x: { field: "predicted", type: "ordinal", title: "predicted class", axis: { ...axis, labelAngle: -45, labelAlign: "right" } },
      y: { field: "true", type: "ordinal", title: "true class", axis },
    },
    layer: [
      {
        mark: { type: "rect", stroke: CHART_THEME.color.background, strokeWidth: 1 },
        encoding: {
          color: { field: "good", type: "quantitative", title: `better for ${o.runs[1]}`, scale: { type: "symlog", domain: [-reach, reach], range: [WORSE, "#f7f7f7", BETTER] }, legend: null },
          tooltip: [{ field: "trueClass", title: "true class" }, { field: "predictedClass", title: "predicted" }, { field: "diff", type: "quantitative", title: `${o.runs[1]} − ${o.runs[0]}` }],
        },
      },
      ...(k <= 30 ? [{ mark: { type: "text" as const, fontSize: k <= 12 ? 11 : 8, baseline: "middle" as const, color: CHART_THEME.color.ink }, encoding: { text: { field: "text" } } }] : []),
    ],
  } as TopLevelSpec;
}

/** One model's averaged ROC curves. */
export interface RunRoc {
  name: string;
  micro: { fpr: ArrayLike<number>; tpr: ArrayLike<number>; auc: number };
  macro: { fpr: ArrayLike<number>; tpr: ArrayLike<number>; auc: number };
}

/**
 * Both models' ROC curves (one against the rest, micro- and macro-averaged) on one square plot: run
 * A blue, B orange, micro solid, macro dashed, each legend entry with its AUC. The false positive
 * rate is on a log axis from 0.1% — near the top, where good classifiers differ, linear axes hide it.
 */
export function rocCompareSpec(o: { a: RunRoc; b: RunRoc; title: string }): TopLevelSpec {
  const floor = 1e-3;
  const label = (r: RunRoc, avg: "micro" | "macro") => `${r.name}, ${avg}-average (AUC ${r[avg].auc.toFixed(4)})`;
  const domain = [label(o.a, "micro"), label(o.a, "macro"), label(o.b, "micro"), label(o.b, "macro")];
  const values = [o.a, o.b].flatMap((r) => (["micro", "macro"] as const).flatMap((avg) => Array.from(r[avg].fpr, (f, i) => ({ curve: label(r, avg), order: i, fpr: round6(Math.max(floor, f)), tpr: round6(r[avg].tpr[i]) }))));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: o.title, subtitle: "each class against the rest, averaged over the classes (macro) or pooled over all images (micro)" },
    width: 380,
    height: 380,
    data: { values },
    config: { ...chartConfig(), view: { stroke: CHART_THEME.color.domain, strokeWidth: 0.5 } },
    mark: { type: "line", clip: true, strokeWidth: 2 },
    encoding: {
      x: { field: "fpr", type: "quantitative", title: "false positive rate (log scale)", scale: { type: "log", domain: [floor, 1] }, axis: { format: "~%", values: [0.001, 0.01, 0.1, 1] } },
      y: { field: "tpr", type: "quantitative", title: "true positive rate", scale: { domain: [0, 1] }, axis: { format: ".0%" } },
      order: { field: "order", type: "quantitative" },
      color: { field: "curve", type: "nominal", scale: { domain, range: [RUN_COLORS[0], RUN_COLORS[0], RUN_COLORS[1], RUN_COLORS[1]] }, legend: { title: null, orient: "bottom", direction: "vertical", labelLimit: 400 } },
      strokeDash: { field: "curve", type: "nominal", scale: { domain, range: [[1, 0], [5, 3], [1, 0], [5, 3]] }, legend: { title: null, orient: "bottom", direction: "vertical", labelLimit: 400 } },
    },
  } as TopLevelSpec;
}

/** One layer's histograms of both models on shared bins (analysis/diagnose/compareHistograms.ts). */
export interface LayerHistogramPair {
  layer: string;
  edges: number[];
  a: number[];
  b: number[];
  zerosA: number;
  zerosB: number;
}

/**
 * Small multiples, one per layer in network order: both models' activation histograms overlaid on
 * shared bins (share of all the layer's values over the sample, exact zeros left out of the bars
 * and written in the panel's title), as the feature-extraction article's 50K-vs-10K figure.
 */
export function histogramsCompareSpec(o: { layers: LayerHistogramPair[]; runs: [string, string]; images: number; title: string; columns?: number }): TopLevelSpec {
  const title = (l: LayerHistogramPair) => `${shortLayer(l.layer)} · zeros ${percent(l.zerosA, 0)} | ${percent(l.zerosB, 0)}`;
  const values = o.layers.flatMap((l) => (["a", "b"] as const).flatMap((s, r) => l[s].map((share, j) => ({ panel: title(l), run: o.runs[r], start: round6(l.edges[j]), end: round6(l.edges[j + 1]), share: round6(share) }))));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: o.title, subtitle: `share of each layer's values over ${o.images.toLocaleString("en-US")} images in each bin; exact zeros (${o.runs[0]} | ${o.runs[1]}) are counted in the panel title, not in the bars` },
    data: { values },
    config: { ...chartConfig(), header: { labelFontSize: 11, labelLimit: 230 } },
    facet: { field: "panel", type: "nominal", sort: o.layers.map(title), title: null },
    columns: o.columns ?? 3,
    spec: {
      width: 210,
      height: 110,
      mark: { type: "bar", opacity: 0.55, binSpacing: 0 },
      encoding: {
        x: { field: "start", type: "quantitative", bin: "binned", title: null, axis: { format: ".3~r", tickCount: 4 } },
        x2: { field: "end" },
        y: { field: "share", type: "quantitative", stack: null, title: null, axis: { format: "~%", tickCount: 3 } },
        color: { field: "run", type: "nominal", scale: { domain: o.runs, range: [...RUN_COLORS] }, legend: { title: null, orient: "top" } },
      },
    },
    resolve: { scale: { x: "independent", y: "independent" } },
  } as TopLevelSpec;
}

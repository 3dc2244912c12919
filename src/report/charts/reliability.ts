import type { TopLevelSpec } from "vega-lite";
import { checkNumber, checkNumbers, count, describe, isArrayLike, percent, throwProblems, VEGA_LITE_SCHEMA } from "./format.js";
import { CHART_THEME, chartConfig } from "./theme.js";

/** Options for {@link reliabilitySpec}: a calibration table, one entry per confidence bin. */
export interface ReliabilityOptions {
  /** B + 1 ascending bin edges in [0, 1]. Leave out for B equal-width bins over [0, 1] (or give `centers`). */
  edges?: ArrayLike<number>;
  /** B bin centres of equal-width bins, instead of `edges`. */
  centers?: ArrayLike<number>;
  /** Samples whose confidence falls in each bin. */
  count: ArrayLike<number>;
  /** Mean confidence (max softmax probability) in each bin; NaN for an empty bin. */
  confidence: ArrayLike<number>;
  /** Share of correct predictions in each bin; NaN for an empty bin. */
  accuracy: ArrayLike<number>;
  /** Expected calibration error for the subtitle; by default computed from the bins. */
  ece?: number;
  /** Default "Reliability diagram". */
  title?: string;
}

/** One confidence bin as drawn (empty bins are left out). */
export interface ReliabilityBin {
  start: number;
  end: number;
  count: number;
  confidence: number;
  accuracy: number;
  /** The gap between accuracy and mean confidence, as a band: from the lower to the higher. */
  gapLow: number;
  gapHigh: number;
  /** "over-confident" when the mean confidence is above the accuracy, else "under-confident". */
  side: "over-confident" | "under-confident";
}

const COLORS = { accuracy: "#4c78a8", gap: "#e45756", diagonal: "#8c8c8c", counts: "#9aa5b1" } as const;
const LEGEND = { accuracy: "accuracy in bin", gap: "gap to mean confidence", diagonal: "perfect calibration" } as const;
/** The gap band is see-through, so an under-confident bin's band shows the bar beneath it. */
const GAP_OPACITY = 0.35;
/** The band's colour over white, for its legend entry. */
const GAP_AS_DRAWN = "#f6c4c4";
const SIZE = { width: 360, height: 300, histogram: 70 } as const;

/**
 * A reliability diagram (Guo et al. 2017, Fig. 1; DeGroot & Fienberg 1983): for each confidence
 * bin, a bar as high as the accuracy of its predictions, a red band from there to the bin's mean
 * confidence (the miscalibration), the diagonal where the two agree, and beneath, how many
 * predictions fall in each bin. The subtitle gives the expected calibration error (Naeini et al.
 * 2015): the bins' |accuracy − confidence| weighted by their share of samples.
 * @example reliabilitySpec({ count: [10, 30], confidence: [0.3, 0.9], accuracy: [0.4, 0.8] }).title
 * // { text: "Reliability diagram", subtitle: "ECE 10.0% over 2 bins · 40 predictions · mean confidence 75.0%, accuracy 70.0%" }
 */
export function reliabilitySpec(options: ReliabilityOptions): TopLevelSpec {
  const bins = reliabilityBins(options);
  const n = bins.reduce((s, b) => s + b.count, 0);
  const ece = options.ece ?? bins.reduce((s, b) => s + (b.count / n) * Math.abs(b.accuracy - b.confidence), 0);
  const meanConfidence = bins.reduce((s, b) => s + b.count * b.confidence, 0) / n;
  const meanAccuracy = bins.reduce((s, b) => s + b.count * b.accuracy, 0) / n;
  const binCount = options.count.length;
  const subtitle = [
    `ECE ${percent(ece)} over ${binCount} ${binCount === 1 ? "bin" : "bins"}`,
    `${count(n)} predictions`,
    `mean confidence ${percent(meanConfidence)}, accuracy ${percent(meanAccuracy)}`,
  ].join(" · ");
  const { color } = CHART_THEME;
  const x = { field: "start", type: "quantitative" as const, bin: "binned" as const, scale: { domain: [0, 1], nice: false } };
  // The legend names all three parts, drawn as they look: a blue bar, a pink band, a dashed line.
  const legendScale = { domain: Object.values(LEGEND), range: [COLORS.accuracy, GAP_AS_DRAWN, COLORS.diagonal] };
  const isLine = `datum.value === ${JSON.stringify(LEGEND.diagonal)}`;
  const isGap = `datum.value === ${JSON.stringify(LEGEND.gap)}`;
  const legend = {
    orient: "top-left" as const,
    title: null,
    fillColor: "rgba(255,255,255,0.85)",
    padding: 4,
    offset: 6,
    symbolSize: 150,
    symbolStrokeWidth: 1.5,
    encoding: {
      symbols: {
        shape: { condition: { test: isLine, value: "stroke" }, value: "square" },
        stroke: { condition: [{ test: isLine, value: COLORS.diagonal }, { test: isGap, value: COLORS.gap }], value: COLORS.accuracy },
        strokeDash: { condition: { test: isLine, value: [4, 3] }, value: [] },
      },
    },
  };
  const tooltip = [
    { field: "start", type: "quantitative" as const, title: "from", format: ".3~f" },
    { field: "end", type: "quantitative" as const, title: "to", format: ".3~f" },
    { field: "count", type: "quantitative" as const, title: "predictions", format: "," },
    { field: "confidence", type: "quantitative" as const, title: "mean confidence", format: ".1%" },
    { field: "accuracy", type: "quantitative" as const, format: ".1%" },
  ];
  const calibration = {
    width: SIZE.width,
    height: SIZE.height,
    layer: [
      {
        data: { values: bins },
        mark: { type: "bar", stroke: color.background, strokeWidth: 0.5 },
        encoding: {
          x: { ...x, axis: { labels: false, ticks: false, title: null, tickCount: 10 } },
          x2: { field: "end" },
          y: { field: "accuracy", type: "quantitative", title: "accuracy", scale: { domain: [0, 1], nice: false }, axis: { format: ".0%", tickCount: 5 } },
          color: { datum: LEGEND.accuracy, scale: legendScale, legend },
          tooltip,
        },
      },
      {
        data: { values: bins },
        mark: { type: "bar", fill: COLORS.gap, fillOpacity: GAP_OPACITY, stroke: COLORS.gap, strokeWidth: 1 },
        encoding: {
          x,
          x2: { field: "end" },
          y: { field: "gapLow", type: "quantitative" },
          y2: { field: "gapHigh" },
          tooltip: [...tooltip, { field: "side", type: "nominal", title: "bin is" }],
        },
      },
      {
        data: { values: [{ p: 0 }, { p: 1 }] },
        mark: { type: "line", color: COLORS.diagonal, strokeDash: [5, 4], strokeWidth: 1.5 },
        encoding: { x: { field: "p", type: "quantitative" }, y: { field: "p", type: "quantitative" } },
      },
    ],
  };
  const histogram = {
    width: SIZE.width,
    height: SIZE.histogram,
    data: { values: bins },
    mark: { type: "bar", color: COLORS.counts, stroke: color.background, strokeWidth: 0.5 },
    encoding: {
      x: { ...x, title: "confidence (highest softmax probability)", axis: { format: ".1~f", tickCount: 10 } },
      x2: { field: "end" },
      // square-root counts, so that a bin of 20 still shows next to one of 8,000
      y: { field: "count", type: "quantitative", title: ["predictions", "(sqrt scale)"], scale: { type: "sqrt" }, axis: { format: ",d", tickCount: 3 } },
      tooltip,
    },
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: options.title ?? "Reliability diagram", subtitle },
    vconcat: [calibration, histogram],
    spacing: 6,
    config: chartConfig(),
  } as TopLevelSpec;
}

/**
 * The diagram's bins, checked, with the empty ones left out.
 * @example reliabilityBins({ count: [0, 4], confidence: [NaN, 0.9], accuracy: [NaN, 0.75] })
 * // [{ start: 0.5, end: 1, count: 4, confidence: 0.9, accuracy: 0.75, gapLow: 0.75, gapHigh: 0.9, side: "over-confident" }]
 */
export function reliabilityBins(options: ReliabilityOptions): ReliabilityBin[] {
  const problems: string[] = [];
  const b = isArrayLike(options.count) ? options.count.length : 0;
  if (!isArrayLike(options.count) || b === 0) problems.push(`count must be a non-empty array of bin counts, got ${describe(options.count)}`);
  checkNumbers(problems, "count", options.count, { lo: 0 });
  checkNumbers(problems, "confidence", options.confidence, { length: b, lo: 0, hi: 1, allowNaN: true });
  checkNumbers(problems, "accuracy", options.accuracy, { length: b, lo: 0, hi: 1, allowNaN: true });
  if (options.ece !== undefined) checkNumber(problems, "ece", options.ece, { lo: 0, hi: 1 });
  const edges = binEdges(problems, options, b);
  throwProblems(problems);
  const bins: ReliabilityBin[] = [];
  for (let i = 0; i < b; i++) {
    const n = options.count[i];
    if (n === 0) continue;
    const confidence = options.confidence[i];
    const accuracy = options.accuracy[i];
    if (Number.isNaN(confidence) || Number.isNaN(accuracy)) problems.push(`bin ${i} holds ${n} predictions but its confidence or accuracy is NaN`);
    const side = confidence > accuracy ? "over-confident" : "under-confident";
    bins.push({ start: edges[i], end: edges[i + 1], count: n, confidence, accuracy, gapLow: Math.min(confidence, accuracy), gapHigh: Math.max(confidence, accuracy), side });
  }
  if (bins.length === 0) problems.push("count must hold at least one prediction, got only empty bins");
  throwProblems(problems);
  return bins;
}

/** B + 1 edges: as given, from equal-width bins' centres, or B equal-width bins over [0, 1]. */
function binEdges(problems: string[], options: ReliabilityOptions, b: number): Float64Array {
  const edges = new Float64Array(b + 1);
  if (options.edges !== undefined && options.centers !== undefined) problems.push("give edges or centers, not both");
  if (options.edges !== undefined) {
    checkNumbers(problems, "edges", options.edges, { length: b + 1, lo: 0, hi: 1 });
    if (isArrayLike(options.edges) && options.edges.length === b + 1) {
      for (let i = 0; i <= b; i++) edges[i] = options.edges[i];
      if (edges.some((e, i) => i > 0 && !(e > edges[i - 1]))) problems.push(`edges must rise strictly, got [${Array.from(edges).join(", ")}]`);
    }
  } else if (options.centers !== undefined) {
    checkNumbers(problems, "centers", options.centers, { length: b, lo: 0, hi: 1 });
    const c = options.centers;
    const half = b > 1 ? (c[b - 1] - c[0]) / (b - 1) / 2 : 0.5;
    for (let i = 0; i < b; i++) edges[i] = Math.max(0, c[i] - half);
    edges[b] = Math.min(1, c[b - 1] + half);
  } else {
    for (let i = 0; i <= b; i++) edges[i] = i / b;
  }
  return edges;
}

import type { TopLevelSpec } from "vega-lite";
import { count, describe, isArrayLike, percent, throwProblems, VEGA_LITE_SCHEMA } from "./format.js";
import { CHART_THEME, chartConfig } from "./theme.js";

/** Options for {@link confidenceHistogramSpec}; defaults in {@link CONFIDENCE_HISTOGRAM_DEFAULTS}. */
export interface ConfidenceHistogramOptions {
  /** Each prediction's confidence: its highest softmax probability, in [0, 1]. */
  confidences: Float32Array | Float64Array;
  /** Whether each prediction was right: booleans, or 1 and 0 (e.g. a Uint8Array). */
  correct: ArrayLike<boolean | number>;
  /** Equal-width bins over [0, 1]. */
  bins?: number;
  /** The count axis: "sqrt" (so that small counts show beside large ones) or "linear". */
  yScale?: "sqrt" | "linear";
  title?: string;
}

export const CONFIDENCE_HISTOGRAM_DEFAULTS = { bins: 20, yScale: "sqrt", title: "Confidence of correct and wrong predictions" } as const;

export type Outcome = "correct" | "wrong";

/** One bar segment: the correct or the wrong predictions with confidence in [start, end) (the last bin holds 1). */
export interface ConfidenceBin {
  start: number;
  end: number;
  outcome: Outcome;
  count: number;
  /** This segment's share of its bin: the accuracy in the bin for "correct". */
  share: number;
}

/** What was counted, before it is drawn. */
export interface ConfidenceCounts {
  bins: ConfidenceBin[];
  correct: number;
  wrong: number;
  /** Mean confidence of the correct and of the wrong predictions (NaN when there are none). */
  meanCorrect: number;
  meanWrong: number;
}

// blue and red rather than green and red, which many colour-blind readers cannot tell apart
const COLORS: Record<Outcome, string> = { correct: CHART_THEME.color.mark, wrong: CHART_THEME.color.accent };

/**
 * A histogram of the predictions' confidence, the correct and the wrong ones apart: for each bin a
 * wide blue bar as high as its correct predictions and, in front of it, a narrower red bar as high
 * as its wrong ones, both standing on the axis so that either can be read off it. The count axis is
 * square-root by default, so that the few hundred wrong predictions still show next to thousands
 * of confident correct ones. The legend gives how many of each, the subtitle their mean confidence.
 * @example confidenceHistogramSpec({ confidences: Float32Array.of(0.9, 0.6, 0.95), correct: [true, false, true] }).title
 * // { text: "Confidence of correct and wrong predictions", subtitle: "3 predictions, 66.7% correct · mean confidence: correct 0.925, wrong 0.600" }
 */
export function confidenceHistogramSpec(options: ConfidenceHistogramOptions): TopLevelSpec {
  const counted = countConfidences(options);
  const yScale = options.yScale ?? CONFIDENCE_HISTOGRAM_DEFAULTS.yScale;
  if (yScale !== "sqrt" && yScale !== "linear") throw new RangeError(`yScale must be "sqrt" or "linear", got ${String(yScale)}`);
  const n = counted.correct + counted.wrong;
  const labels: Record<Outcome, string> = { correct: `correct (${count(counted.correct)})`, wrong: `wrong (${count(counted.wrong)})` };
  const means = [
    Number.isNaN(counted.meanCorrect) ? "" : `correct ${counted.meanCorrect.toFixed(3)}`,
    Number.isNaN(counted.meanWrong) ? "" : `wrong ${counted.meanWrong.toFixed(3)}`,
  ].filter(Boolean);
  const subtitle = `${count(n)} predictions, ${percent(counted.correct / n)} correct · mean confidence: ${means.join(", ")}`;
  // the wrong predictions' bar is narrower, so the correct one shows round it even where it is lower
  const inset = (b: ConfidenceBin) => (b.outcome === "wrong" ? (b.end - b.start) * 0.22 : 0);
  const rows = counted.bins.map((b) => ({ ...b, label: labels[b.outcome], barStart: b.start + inset(b), barEnd: b.end - inset(b) }));
  const maxCount = Math.max(0, ...rows.map((r) => r.count));
  const { color } = CHART_THEME;
  const layer = (outcome: Outcome) => ({
    transform: [{ filter: `datum.outcome === '${outcome}'` }],
    mark: { type: "bar" as const, stroke: color.background, strokeWidth: outcome === "wrong" ? 0 : 0.5 },
    encoding: {
      x: {
        field: "barStart",
        type: "quantitative" as const,
        title: "confidence (highest softmax probability)",
        scale: { domain: [0, 1], nice: false },
        axis: { format: ".1~f", tickCount: 10 },
      },
      x2: { field: "barEnd" },
      y: {
        field: "count",
        type: "quantitative" as const,
        title: yScale === "sqrt" ? "predictions (sqrt scale)" : "predictions",
        stack: null,
        scale: { type: yScale, domainMin: 0 },
        axis: { format: ",d", tickMinStep: 1, ...(yScale === "sqrt" ? { values: sqrtTicks(maxCount) } : {}) },
      },
      y2: { datum: 0 },
      color: {
        field: "label",
        type: "nominal" as const,
        title: null,
        scale: { domain: [labels.correct, labels.wrong], range: [COLORS.correct, COLORS.wrong] },
        legend: { orient: "top-left" as const, symbolType: "square", fillColor: "rgba(255,255,255,0.85)", padding: 4, offset: 6 },
      },
      tooltip: [
        { field: "start", type: "quantitative" as const, title: "from", format: ".2f" },
        { field: "end", type: "quantitative" as const, title: "to", format: ".2f" },
        { field: "outcome", type: "nominal" as const },
        { field: "count", type: "quantitative" as const, format: "," },
        { field: "share", type: "quantitative" as const, title: "share of bin", format: ".1%" },
      ],
    },
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: options.title ?? CONFIDENCE_HISTOGRAM_DEFAULTS.title, subtitle },
    width: CHART_THEME.width,
    height: CHART_THEME.height,
    data: { values: rows },
    config: chartConfig(),
    layer: [layer("correct"), layer("wrong")],
  } as TopLevelSpec;
}

/**
 * Counts the predictions into equal-width confidence bins, correct and wrong apart; empty segments
 * are left out.
 * @example countConfidences({ confidences: Float32Array.of(0.9, 0.6, 0.95), correct: [1, 0, 1], bins: 2 }).bins
 * // [{ start: 0.5, end: 1, outcome: "correct", count: 2, share: 2 / 3 }, { start: 0.5, end: 1, outcome: "wrong", count: 1, share: 1 / 3 }]
 */
export function countConfidences(options: ConfidenceHistogramOptions): ConfidenceCounts {
  const { confidences, correct } = options;
  const bins = options.bins ?? CONFIDENCE_HISTOGRAM_DEFAULTS.bins;
  const problems: string[] = [];
  if (!(confidences instanceof Float32Array || confidences instanceof Float64Array)) {
    problems.push(`confidences must be a Float32Array or Float64Array, got ${describe(confidences)}`);
  } else {
    if (confidences.length === 0) problems.push("confidences must hold at least one prediction, got none");
    const bad: string[] = [];
    for (let i = 0; i < confidences.length && bad.length < 3; i++) {
      // float32 rounding can put a softmax output a hair above 1
      if (!(confidences[i] >= 0 && confidences[i] <= 1 + 1e-6)) bad.push(`confidences[${i}] = ${confidences[i]}`);
    }
    if (bad.length > 0) problems.push(`${bad.join(", ")}: confidences must be in [0, 1] (the highest softmax probability)`);
  }
  if (!isArrayLike(correct)) problems.push(`correct must be an array of booleans or 0/1, got ${describe(correct)}`);
  else if (confidences?.length !== undefined && correct.length !== confidences.length) {
    problems.push(`correct must hold one entry per confidence (${confidences.length}), got ${correct.length}`);
  }
  if (!(Number.isInteger(bins) && bins >= 1 && bins <= 1000)) problems.push(`bins must be an integer from 1 to 1000, got ${bins}`);
  throwProblems(problems);

  const right = new Float64Array(bins);
  const wrong = new Float64Array(bins);
  let sumRight = 0;
  let sumWrong = 0;
  for (let i = 0; i < confidences.length; i++) {
    const c = Math.min(1, confidences[i]);
    const b = Math.min(bins - 1, Math.floor(c * bins));
    if (correct[i]) {
      right[b]++;
      sumRight += c;
    } else {
      wrong[b]++;
      sumWrong += c;
    }
  }
  const out: ConfidenceBin[] = [];
  let nRight = 0;
  let nWrong = 0;
  for (let b = 0; b < bins; b++) {
    const total = right[b] + wrong[b];
    const [start, end] = [b / bins, (b + 1) / bins];
    if (right[b] > 0) out.push({ start, end, outcome: "correct", count: right[b], share: right[b] / total });
    if (wrong[b] > 0) out.push({ start, end, outcome: "wrong", count: wrong[b], share: wrong[b] / total });
    nRight += right[b];
    nWrong += wrong[b];
  }
  return { bins: out, correct: nRight, wrong: nWrong, meanCorrect: nRight > 0 ? sumRight / nRight : NaN, meanWrong: nWrong > 0 ? sumWrong / nWrong : NaN };
}

/**
 * Round tick values (1, 2 and 5 times a power of ten) for a square-root axis up to `max`, spread
 * evenly along it (about five, from 0).
 * @example sqrtTicks(7800) // [0, 200, 1000, 2000, 5000]
 */
export function sqrtTicks(max: number): number[] {
  const gap = Math.sqrt(max) / 9;
  const out: number[] = [];
  let last = Infinity;
  const candidates: number[] = [];
  for (let p = 1; p <= max; p *= 10) for (const m of [1, 2, 5]) if (m * p <= max) candidates.push(m * p);
  // from the top down, so that the largest round value is always there
  for (const v of candidates.reverse()) {
    if (Math.sqrt(last) - Math.sqrt(v) >= gap && Math.sqrt(v) >= 0.8 * gap) {
      out.push(v);
      last = v;
    }
  }
  return [0, ...out.reverse()];
}

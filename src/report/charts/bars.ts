import type { TopLevelSpec } from "vega-lite";
import { CHART_THEME, chartConfig } from "./theme.js";

/** Options for {@link probabilityBarsSpec}. */
export interface ProbabilityBarsOptions {
  /** Class names, in the model's output order. */
  classes: string[];
  /** One probability per class (softmax outputs), each in [0, 1]. */
  probabilities: Float32Array | number[];
  /** Index of the true class, when known. */
  label?: number;
  /** Index of the predicted class; by default the most probable one. */
  predicted?: number;
  title: string;
}

/** What a bar stands for; the legend shows the ones present. */
export type BarRole = "true class, predicted" | "true class" | "predicted" | "other";

/** One row of the chart's data. */
export interface ProbabilityBar {
  index: number;
  class: string;
  probability: number;
  /** The probability as drawn at the bar's end: "87.1%", "<0.1%". */
  text: string;
  role: BarRole;
}

const ROLE_COLORS: Record<BarRole, string> = {
  "true class, predicted": CHART_THEME.color.correct,
  "true class": CHART_THEME.color.truth,
  predicted: CHART_THEME.color.predicted,
  other: CHART_THEME.color.other,
};

/** Slack for probabilities that float32 rounding puts just outside [0, 1]. */
const TOLERANCE = 1e-4;

/**
 * A horizontal bar per class of a softmax output, in class order, with the probability written at
 * each bar's end; the true and the predicted class are coloured (green when they are the same
 * class) and named in bold on the axis.
 * @example probabilityBarsSpec({ classes: ["cat", "dog"], probabilities: [0.2, 0.8], label: 0, title: "#7" }).data
 * // { values: [{ index: 0, class: "cat", probability: 0.2, text: "20.0%", role: "true class" },
 * //            { index: 1, class: "dog", probability: 0.8, text: "80.0%", role: "predicted" }] }
 */
export function probabilityBarsSpec(options: ProbabilityBarsOptions): TopLevelSpec {
  const rows = probabilityBars(options);
  const roles = (Object.keys(ROLE_COLORS) as BarRole[]).filter((r) => r !== "other" && rows.some((b) => b.role === r));
  const highlighted = rows.filter((b) => b.role !== "other").map((b) => b.index);
  const { color, fontSize } = CHART_THEME;
  const names = JSON.stringify(rows.map((b) => b.class));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: options.title, subtitle: subtitle(rows) },
    width: CHART_THEME.width - 40,
    height: { step: CHART_THEME.barStep },
    data: { values: rows },
    config: chartConfig(),
    encoding: {
      // Keyed by class index, so two classes with the same name still get a bar each.
      y: {
        field: "index",
        type: "ordinal",
        title: null,
        axis: {
          labelExpr: `${names}[datum.value]`,
          labelFontWeight: { condition: { test: `indexof(${JSON.stringify(highlighted)}, datum.value) >= 0`, value: "bold" }, value: "normal" },
          labelPadding: 6,
          ticks: false,
          domain: false,
        },
      },
    },
    layer: [
      {
        mark: { type: "bar", cornerRadiusEnd: 2, height: { band: 0.75 } },
        encoding: {
          x: { field: "probability", type: "quantitative", title: "probability", stack: null, scale: { domain: [0, 1] }, axis: { format: ".0%", tickCount: 5 } },
          color: {
            field: "role",
            type: "nominal",
            title: null,
            scale: { domain: [...roles, "other"], range: [...roles, "other"].map((r) => ROLE_COLORS[r as BarRole]) },
            legend: { orient: "bottom", direction: "horizontal", values: roles, symbolType: "square" },
          },
          tooltip: [
            { field: "class", type: "nominal" },
            { field: "probability", type: "quantitative", format: ".2%" },
          ],
        },
      },
      {
        mark: { type: "text", align: "left", baseline: "middle", dx: 4, fontSize: fontSize.mark, color: color.ink },
        encoding: { x: { field: "probability", type: "quantitative" }, text: { field: "text" } },
      },
    ],
  };
}

/**
 * The chart's data rows, checked: one per class, in class order.
 * @example probabilityBars({ classes: ["cat", "dog"], probabilities: [0.2, 0.8], title: "" })[1].role // "predicted"
 */
export function probabilityBars(options: ProbabilityBarsOptions): ProbabilityBar[] {
  const { classes, probabilities, label } = options;
  const problems: string[] = [];
  if (!Array.isArray(classes) || classes.length === 0) problems.push(`classes must be a non-empty list of names, got ${String(classes)}`);
  const k = Array.isArray(classes) ? classes.length : 0;
  if (probabilities.length !== k) problems.push(`probabilities must hold one value per class (${k}), got ${probabilities.length}`);
  const outside: string[] = [];
  for (let i = 0; i < probabilities.length && outside.length < 3; i++) {
    const p = probabilities[i];
    if (!(p >= -TOLERANCE && p <= 1 + TOLERANCE)) outside.push(`probabilities[${i}] = ${p}`);
  }
  if (outside.length > 0) problems.push(`${outside.join(", ")} outside [0, 1]; pass softmax outputs, not logits`);
  const predicted = options.predicted ?? argmax(probabilities);
  for (const [name, v] of [["label", label], ["predicted", options.predicted]] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v < k)) problems.push(`${name} must be a class index from 0 to ${k - 1}, got ${v}`);
  }
  if (problems.length > 0) throw new RangeError(problems.join("; "));
  return classes.map((name, i) => {
    const p = Math.min(1, Math.max(0, probabilities[i]));
    const role: BarRole = i === label ? (i === predicted ? "true class, predicted" : "true class") : i === predicted ? "predicted" : "other";
    return { index: i, class: name, probability: p, text: percent(p), role };
  });
}

function subtitle(rows: ProbabilityBar[]): string {
  const truth = rows.find((b) => b.role === "true class" || b.role === "true class, predicted");
  const pred = rows.find((b) => b.role === "predicted" || b.role === "true class, predicted");
  const parts: string[] = [];
  if (pred) parts.push(`predicted: ${pred.class} (${pred.text})`);
  if (truth) parts.push(truth === pred ? "correct" : `true class: ${truth.class} (${truth.text})`);
  return parts.join(" · ");
}

function argmax(p: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  return best;
}

/** "87.1%"; "<0.1%" for a sliver, "0%" for nothing. */
function percent(p: number): string {
  if (p === 0) return "0%";
  if (p < 0.0005) return "<0.1%";
  return `${(p * 100).toFixed(1)}%`;
}

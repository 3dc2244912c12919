import type { TopLevelSpec } from "vega-lite";
import { checkClasses, checkNumber, checkNumbers, count, percent, throwProblems, VEGA_LITE_SCHEMA } from "./format.js";
import { CHART_THEME, chartConfig } from "./theme.js";

/** Options for {@link perClassBarsSpec}. */
export interface PerClassBarsOptions {
  /** Class names, in the model's output order. */
  classes: string[];
  /** One value per class, each in [0, 1]; NaN where a metric is undefined (a class never predicted has no precision). */
  precision: ArrayLike<number>;
  recall: ArrayLike<number>;
  f1: ArrayLike<number>;
  /** Samples of each class; written beside the class name when given. */
  support?: ArrayLike<number>;
  /**
   * Macro averages for the subtitle, e.g. from the metrics report (where an undefined value counts
   * as 0, as scikit-learn); by default the mean over the classes where each metric is defined.
   */
  macro?: { precision: number; recall: number; f1: number };
  /** Default "Precision, recall and F1 per class". */
  title?: string;
}

export const PER_CLASS_METRICS = ["precision", "recall", "F1"] as const;
export type PerClassMetric = (typeof PER_CLASS_METRICS)[number];

/** One bar: one metric of one class. */
export interface PerClassBar {
  index: number;
  class: string;
  metric: PerClassMetric;
  /** The metric's value, or null where it is undefined (no bar is drawn). */
  value: number | null;
  /** As written at the bar's end: "91.2%", "n/a". */
  text: string;
}

const METRIC_COLORS: Record<PerClassMetric, string> = { precision: "#4c78a8", recall: "#f58518", F1: "#54a24b" };

/**
 * Precision, recall and F1 of every class as grouped horizontal bars (class down, the three
 * metrics side by side in each group), each value written at its bar's end, and the macro
 * averages in the subtitle: as given, or the unweighted mean over the classes where the metric is
 * defined (scikit-learn's `average="macro"` counts an undefined value as 0 instead).
 * @example perClassBarsSpec({ classes: ["cat", "dog"], precision: [0.9, 0.8], recall: [0.8, 0.9], f1: [0.85, 0.85] }).title
 * // { text: "Precision, recall and F1 per class", subtitle: "macro average: precision 85.0% · recall 85.0% · F1 85.0%" }
 */
export function perClassBarsSpec(options: PerClassBarsOptions): TopLevelSpec {
  const rows = perClassBars(options);
  const macro = options.macro ? { precision: options.macro.precision, recall: options.macro.recall, F1: options.macro.f1 } : macroAverages(rows);
  const k = options.classes.length;
  const { color, fontSize } = CHART_THEME;
  const labels = options.classes.map((c, i) => (options.support ? `${c} (${count(options.support[i])})` : c));
  const colorScale = { domain: [...PER_CLASS_METRICS], range: PER_CLASS_METRICS.map((m) => METRIC_COLORS[m]) };
  const undefinedFor = PER_CLASS_METRICS.map((m) => [m, rows.filter((r) => r.metric === m && r.value === null).length] as const).filter(([, n]) => n > 0);
  const notes = options.macro ? [] : undefinedFor.map(([m, n]) => `${m} undefined for ${n} ${n === 1 ? "class" : "classes"}`);
  const subtitle = [`macro average: ${PER_CLASS_METRICS.map((m) => `${m} ${percent(macro[m])}`).join(" · ")}`, ...notes].join(" · ");
  const x = { field: "value", type: "quantitative" as const, title: null, scale: { domain: [0, 1] }, axis: { format: ".0%", tickCount: 5, orient: "top" as const } };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: options.title ?? "Precision, recall and F1 per class", subtitle },
    width: CHART_THEME.width - 60,
    height: { step: k > 30 ? 4 : 9 },
    config: chartConfig(),
    data: { values: rows },
    encoding: {
      // Keyed by class index, so two classes with the same name still get a group each.
      y: {
        field: "index",
        type: "ordinal",
        title: null,
        scale: { paddingInner: 0.3, paddingOuter: 0.15 },
        axis: { labelExpr: `${JSON.stringify(labels)}[datum.value]`, ticks: false, domain: false, labelPadding: 6, grid: false },
      },
      yOffset: { field: "metric", type: "nominal", sort: [...PER_CLASS_METRICS], scale: { domain: [...PER_CLASS_METRICS] } },
    },
    layer: [
      {
        mark: { type: "bar", cornerRadiusEnd: 1.5 },
        encoding: {
          x,
          color: { field: "metric", type: "nominal", title: null, scale: colorScale, legend: { orient: "top", direction: "horizontal", symbolType: "square", offset: 4 } },
          tooltip: [
            { field: "class", type: "nominal" },
            { field: "metric", type: "nominal" },
            { field: "text", type: "nominal", title: "value" },
          ],
        },
      },
      // the values, at the bars' ends (an undefined one at 0); too crowded past 30 classes
      ...(k > 30
        ? []
        : [
            {
              mark: { type: "text" as const, align: "left" as const, baseline: "middle" as const, dx: 3, fontSize: fontSize.mark - 2, color: color.muted },
              encoding: { x: { ...x, field: "textAt" }, text: { field: "text" } },
              transform: [{ calculate: "datum.value === null ? 0 : datum.value", as: "textAt" }],
            },
          ]),
    ],
  } as TopLevelSpec;
}

/**
 * The chart's bars, checked: three per class (precision, recall, F1), class by class.
 * @example perClassBars({ classes: ["cat"], precision: [0.9], recall: [NaN], f1: [NaN] }).map((b) => b.text) // ["90.0%", "n/a", "n/a"]
 */
export function perClassBars(options: PerClassBarsOptions): PerClassBar[] {
  const problems: string[] = [];
  const k = checkClasses(problems, options.classes);
  const values: Record<PerClassMetric, ArrayLike<number>> = { precision: options.precision, recall: options.recall, F1: options.f1 };
  for (const m of PER_CLASS_METRICS) checkNumbers(problems, m === "F1" ? "f1" : m, values[m], { length: k, lo: 0, hi: 1, allowNaN: true });
  if (options.support !== undefined) checkNumbers(problems, "support", options.support, { length: k, lo: 0 });
  if (options.macro !== undefined) {
    for (const m of ["precision", "recall", "f1"] as const) checkNumber(problems, `macro.${m}`, options.macro?.[m], { lo: 0, hi: 1, allowNaN: true });
  }
  throwProblems(problems);
  return options.classes.flatMap((name, index) =>
    PER_CLASS_METRICS.map((metric) => {
      const v = values[metric][index];
      return { index, class: name, metric, value: Number.isNaN(v) ? null : v, text: percent(v) };
    }),
  );
}

/** The mean of each metric over the classes where it is defined (NaN when it is defined for none). */
export function macroAverages(rows: PerClassBar[]): Record<PerClassMetric, number> {
  const out = { precision: NaN, recall: NaN, F1: NaN };
  for (const m of PER_CLASS_METRICS) {
    const defined = rows.filter((r) => r.metric === m && r.value !== null).map((r) => r.value as number);
    if (defined.length > 0) out[m] = defined.reduce((s, v) => s + v, 0) / defined.length;
  }
  return out;
}

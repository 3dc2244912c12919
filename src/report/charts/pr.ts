import type { TopLevelSpec } from "vega-lite";
import { THIN_CURVE_DEFAULTS, thinCurve } from "./curve.js";
import { type CurveSeries, curveChartSpec, uniqueLabels } from "./curveChart.js";
import { checkClasses, checkNumber, checkNumbers, percent, score, throwProblems } from "./format.js";

/**
 * A precision–recall curve: precision and recall at each threshold, in threshold order (either
 * way: scikit-learn's `precision_recall_curve` gives recall from 1 down to 0), and its average
 * precision.
 */
export interface PrCurve {
  precision: ArrayLike<number>;
  recall: ArrayLike<number>;
  averagePrecision: number;
}

/** Options for {@link prCurvesSpec}. */
export interface PrCurvesOptions {
  /** Names of the curves' classes, one per curve. A binary classifier names its positive class only. */
  classes: string[];
  /** Each class against the rest, in class order; class k is drawn in class colour k. */
  curves: PrCurve[];
  /** The micro average: every (sample, class) pair pooled into one binary problem. */
  micro?: PrCurve;
  /**
   * The precision of a classifier that guesses: the positives' share of all samples. Drawn as a
   * dashed horizontal line; for one curve (a binary problem) mostly.
   */
  chanceLevel?: number;
  /** Default "Precision–recall curves" ("Precision–recall curve" for one class). */
  title?: string;
  /** Most points drawn per curve; longer curves are thinned (see thinCurve). */
  maxPoints?: number;
}

/**
 * Precision–recall curves on a square plot: one line per class in the class colours and the micro
 * average thicker, black and dashed on top, each with its average precision in the legend entry.
 * Drawn as steps, as scikit-learn's `PrecisionRecallDisplay` (`drawstyle="steps-post"` over
 * decreasing recall): between two thresholds the precision is that of the point with the higher
 * recall, so the area under the steps is the average precision. The steps' corners are put into the
 * data, which keeps them exact when a long curve is thinned.
 * @example prCurvesSpec({ classes: ["dog"], curves: [{ recall: [1, 0.5, 0], precision: [0.5, 1, 1], averagePrecision: 0.75 }] }).title
 * // { text: "Precision–recall curve", subtitle: "dog against the rest · average precision 0.750" }
 */
export function prCurvesSpec(options: PrCurvesOptions): TopLevelSpec {
  const { classes, curves, micro, chanceLevel } = options;
  const maxPoints = options.maxPoints ?? THIN_CURVE_DEFAULTS.maxPoints;
  check(options);
  const named = [
    ...curves.map((c, i) => ({ kind: "class" as const, index: i, name: classes[i], curve: c })),
    ...(micro ? [{ kind: "micro" as const, index: undefined, name: "micro-average", curve: micro }] : []),
  ];
  const labels = uniqueLabels(named.map((n) => `${n.name} (AP ${score(n.curve.averagePrecision)})`));
  const series: CurveSeries[] = named.map((n, i) => ({ label: labels[i], kind: n.kind, index: n.index, ...prSteps(n.curve, maxPoints) }));
  if (chanceLevel !== undefined) series.push({ label: `chance (AP ${score(chanceLevel)})`, kind: "reference", x: [0, 1], y: [chanceLevel, chanceLevel] });
  const one = curves.length === 1;
  const parts = one ? [`${classes[0]} against the rest`, `average precision ${score(curves[0].averagePrecision)}`] : ["each class against the rest"];
  if (!one && micro) parts.push(`micro-average AP ${score(micro.averagePrecision)}`);
  if (one && chanceLevel !== undefined) parts.push(`${percent(chanceLevel)} positives`);
  return curveChartSpec({
    series,
    fields: { x: "recall", y: "precision" },
    titles: { x: "recall", y: "precision" },
    title: options.title ?? (one ? "Precision–recall curve" : "Precision–recall curves"),
    subtitle: parts.join(" · "),
  });
}

/**
 * The staircase of a precision–recall curve, thinned, in order of increasing recall: at each
 * point's recall the line first goes to the next point's precision, then across to its recall.
 */
function prSteps(c: PrCurve, maxPoints: number): { x: Float64Array; y: Float64Array } {
  const n = c.recall.length;
  const ascending = n < 2 || c.recall[0] <= c.recall[n - 1];
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const j = ascending ? i : n - 1 - i;
    x[i] = c.recall[j];
    y[i] = c.precision[j];
  }
  return thinCurve({ x, y, maxPoints, steps: "before" });
}

function check(options: PrCurvesOptions): void {
  const problems: string[] = [];
  const k = checkClasses(problems, options.classes);
  if (!Array.isArray(options.curves) || options.curves.length !== k) {
    problems.push(`curves must hold one precision–recall curve per class (${k}), got ${Array.isArray(options.curves) ? options.curves.length : String(options.curves)}`);
  } else options.curves.forEach((c, i) => checkCurve(problems, `curves[${i}]`, c));
  if (options.micro) checkCurve(problems, "micro", options.micro);
  if (options.chanceLevel !== undefined) checkNumber(problems, "chanceLevel", options.chanceLevel, { lo: 0, hi: 1 });
  throwProblems(problems);
}

function checkCurve(problems: string[], name: string, c: PrCurve): void {
  if (c == null || typeof c !== "object") {
    problems.push(`${name} must be {precision, recall, averagePrecision}, got ${String(c)}`);
    return;
  }
  checkNumbers(problems, `${name}.recall`, c.recall, { lo: 0, hi: 1 });
  checkNumbers(problems, `${name}.precision`, c.precision, { length: c.recall?.length, lo: 0, hi: 1 });
  if (c.recall?.length === 0) problems.push(`${name} must have at least one point`);
  checkNumber(problems, `${name}.averagePrecision`, c.averagePrecision, { lo: 0, hi: 1, allowNaN: true });
}

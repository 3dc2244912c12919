import type { TopLevelSpec } from "vega-lite";
import { THIN_CURVE_DEFAULTS, thinCurve } from "./curve.js";
import { type CurveMarker, type CurveSeries, curveChartSpec, uniqueLabels } from "./curveChart.js";
import { checkClasses, checkNumber, checkNumbers, score, throwProblems } from "./format.js";

/** A ROC curve: false and true positive rates at each threshold, in threshold order, and its area. */
export interface RocCurve {
  fpr: ArrayLike<number>;
  tpr: ArrayLike<number>;
  auc: number;
}

/** Options for {@link rocCurvesSpec}. */
export interface RocCurvesOptions {
  /** Names of the curves' classes, one per curve. A binary classifier names its positive class only. */
  classes: string[];
  /** Each class against the rest, in class order; class k is drawn in class colour k. */
  curves: RocCurve[];
  /** The micro average: every (sample, class) pair pooled into one binary problem. */
  micro?: RocCurve;
  /** The macro average: the class curves' mean TPR over a common FPR grid. */
  macro?: RocCurve;
  /** A point to mark with a dot and a label, such as the threshold with the best Youden's J. */
  point?: { fpr: number; tpr: number; label: string };
  /** Default "ROC curves" ("ROC curve" for one class). */
  title?: string;
  /** Most points drawn per curve; longer curves are thinned (see thinCurve). */
  maxPoints?: number;
}

/**
 * ROC curves on a square plot: one line per class in the class colours, the micro and macro
 * averages thicker and dashed on top (black and grey), the diagonal of a classifier that guesses,
 * and each curve's AUC in its legend entry, as scikit-learn's `RocCurveDisplay`. Curves of any
 * length are thinned to at most `maxPoints` points each.
 * @example rocCurvesSpec({ classes: ["dog"], curves: [{ fpr: [0, 0.1, 1], tpr: [0, 0.8, 1], auc: 0.85 }] }).title
 * // { text: "ROC curve", subtitle: "dog against the rest · AUC 0.850" }
 */
export function rocCurvesSpec(options: RocCurvesOptions): TopLevelSpec {
  const { classes, curves, micro, macro, point } = options;
  const maxPoints = options.maxPoints ?? THIN_CURVE_DEFAULTS.maxPoints;
  check(options);
  const named = [
    ...curves.map((c, i) => ({ kind: "class" as const, index: i, name: classes[i], curve: c })),
    ...(micro ? [{ kind: "micro" as const, index: undefined, name: "micro-average", curve: micro }] : []),
    ...(macro ? [{ kind: "macro" as const, index: undefined, name: "macro-average", curve: macro }] : []),
  ];
  const labels = uniqueLabels(named.map((n) => `${n.name} (AUC ${score(n.curve.auc)})`));
  const series: CurveSeries[] = named.map((n, i) => ({ label: labels[i], kind: n.kind, index: n.index, ...thinCurve({ x: n.curve.fpr, y: n.curve.tpr, maxPoints }) }));
  series.push({ label: "chance (AUC 0.500)", kind: "reference", x: [0, 1], y: [0, 1] });
  const marker: CurveMarker | undefined = point ? { x: point.fpr, y: point.tpr, label: point.label } : undefined;
  const one = curves.length === 1;
  const averages = [micro ? `micro-average AUC ${score(micro.auc)}` : "", macro ? `macro-average AUC ${score(macro.auc)}` : ""].filter(Boolean);
  const subtitle = one ? `${classes[0]} against the rest · AUC ${score(curves[0].auc)}` : [`each class against the rest`, ...averages].join(" · ");
  return curveChartSpec({
    series,
    fields: { x: "fpr", y: "tpr" },
    titles: { x: "false positive rate", y: "true positive rate" },
    title: options.title ?? (one ? "ROC curve" : "ROC curves"),
    subtitle,
    marker,
  });
}

function check(options: RocCurvesOptions): void {
  const problems: string[] = [];
  const k = checkClasses(problems, options.classes);
  if (!Array.isArray(options.curves) || options.curves.length !== k) {
    problems.push(`curves must hold one ROC curve per class (${k}), got ${Array.isArray(options.curves) ? options.curves.length : String(options.curves)}`);
  } else options.curves.forEach((c, i) => checkCurve(problems, `curves[${i}]`, c));
  if (options.micro) checkCurve(problems, "micro", options.micro);
  if (options.macro) checkCurve(problems, "macro", options.macro);
  if (options.point) {
    checkNumber(problems, "point.fpr", options.point.fpr, { lo: 0, hi: 1 });
    checkNumber(problems, "point.tpr", options.point.tpr, { lo: 0, hi: 1 });
    if (typeof options.point.label !== "string") problems.push(`point.label must be a string, got ${String(options.point.label)}`);
  }
  throwProblems(problems);
}

function checkCurve(problems: string[], name: string, c: RocCurve): void {
  if (c == null || typeof c !== "object") {
    problems.push(`${name} must be {fpr, tpr, auc}, got ${String(c)}`);
    return;
  }
  checkNumbers(problems, `${name}.fpr`, c.fpr, { lo: 0, hi: 1 });
  checkNumbers(problems, `${name}.tpr`, c.tpr, { length: c.fpr?.length, lo: 0, hi: 1 });
  if (c.fpr?.length === 0) problems.push(`${name} must have at least one point`);
  checkNumber(problems, `${name}.auc`, c.auc, { lo: 0, hi: 1, allowNaN: true });
}

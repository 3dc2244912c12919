import type { MetricsReport } from "../analysis/metrics/index.js";

/**
 * The evaluation as text for a terminal: scikit-learn's classification_report table, the
 * summary numbers (balanced and top-k accuracy, log loss, ROC AUC, average precision, ECE), the
 * binary threshold view for two classes, and the confusion matrix (up to 20 classes).
 */

/** Widest class count whose confusion matrix is printed; larger ones are in confusion.png. */
export const PRINTED_CONFUSION_MAX = 20;

const fixed = (x: number, digits = 4) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");

/**
 * @example formatEvaluation(report, ["cat", "dog"]).split("\n")[0]
 * // "       precision    recall  f1-score   support"
 */
export function formatEvaluation(report: MetricsReport, classes: string[]): string {
  const lines = [...classificationTable(report, classes), "", ...summary(report)];
  if (report.binary) lines.push("", ...binaryLines(report.binary, classes));
  lines.push("", ...confusionLines(report, classes));
  return `${lines.join("\n")}\n`;
}

/** The table of scikit-learn's classification_report (4 digits), class names right-aligned. */
function classificationTable(report: MetricsReport, classes: string[]): string[] {
  const width = Math.max(12, ...classes.map((c) => c.length));
  const row = (name: string, cells: string[]) => `${name.padStart(width)} ${cells.map((c) => c.padStart(9)).join(" ")}`;
  const out = [row("", ["precision", "recall", "f1-score", "support"]), ""];
  for (const c of report.per_class) out.push(row(classes[c.class] ?? String(c.class), [fixed(c.precision), fixed(c.recall), fixed(c.f1), String(c.support)]));
  out.push("", row("accuracy", ["", "", fixed(report.accuracy), String(report.n)]));
  for (const [name, a] of [["macro avg", report.macro], ["weighted avg", report.weighted]] as const) {
    out.push(row(name, [fixed(a.precision), fixed(a.recall), fixed(a.f1), String(report.n)]));
  }
  return out;
}

function summary(report: MetricsReport): string[] {
  const topK = Object.entries(report.top_k).filter(([k]) => k !== "1").map(([k, v]) => `top-${k} ${fixed(v)}`);
  return [
    `balanced accuracy ${fixed(report.balanced_accuracy)}${topK.length ? `   ${topK.join("   ")}` : ""}`,
    `log loss ${fixed(report.log_loss)}   mean confidence ${fixed(report.confidence.mean)}   ECE ${fixed(report.ece)} (${report.calibration.length} bins)`,
    `ROC AUC (one vs rest): macro ${fixed(report.roc_auc.macro)}   weighted ${fixed(report.roc_auc.weighted)}   micro ${fixed(report.roc_auc.micro)}`,
    `average precision:     macro ${fixed(report.average_precision.macro)}   weighted ${fixed(report.average_precision.weighted)}   micro ${fixed(report.average_precision.micro)}`,
  ];
}

function binaryLines(b: NonNullable<MetricsReport["binary"]>, classes: string[]): string[] {
  const at = (name: string, m: typeof b.at_threshold) =>
    `${name}: precision ${fixed(m.precision)}   recall ${fixed(m.recall)}   specificity ${fixed(m.specificity)}   F1 ${fixed(m.f1)}   accuracy ${fixed(m.accuracy)}`;
  return [
    `binary, positive class ${classes[1] ?? "1"}: ROC AUC ${fixed(b.roc_auc)}   average precision ${fixed(b.average_precision)}`,
    at(`at threshold ${b.at_threshold.threshold}`, b.at_threshold),
    at(`at Youden's J threshold ${b.youden.threshold.toPrecision(4)} (J ${fixed(b.youden.j)})`, b.at_youden),
  ];
}

/** Rows are the true class, columns the predicted class, headed by class index. */
function confusionLines(report: MetricsReport, classes: string[]): string[] {
  const k = report.num_classes;
  if (k > PRINTED_CONFUSION_MAX) return [`confusion matrix: ${k} classes, too wide to print; see confusion.png (--out DIR)`];
  const width = Math.max(4, ...report.confusion.flat().map((v) => String(v).length)) + 1;
  const label = (i: number) => `${i} ${classes[i] ?? ""}`.trimEnd();
  const labelWidth = Math.max(...Array.from({ length: k }, (_, i) => label(i).length));
  const out = ["confusion matrix (rows: true class, columns: predicted class)", `${"".padStart(labelWidth)} ${Array.from({ length: k }, (_, j) => String(j).padStart(width)).join("")}`];
  report.confusion.forEach((row, i) => out.push(`${label(i).padEnd(labelWidth)} ${row.map((v) => String(v).padStart(width)).join("")}`));
  return out;
}

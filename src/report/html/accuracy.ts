import { confusionMatrixSpec } from "../charts/confusion.js";
import { perClassBarsSpec } from "../charts/perClass.js";
import { EVALUATION_CHARTS, evaluationSpecs } from "../evaluation.js";
import type { TopLevelSpec } from "../vega.js";
import { chart, esc, figure, int, note, num, pct, table } from "./html.js";
import type { EvaluationView, RunView, Section } from "./types.js";

/**
 * "How accurate is it?": the metrics table (precision, recall, F1 and support per class, and their
 * macro, micro and weighted averages) beside the per-class bars — the very charts `evaluate`
 * writes, from evaluation.ts's specs.
 */

export type EvaluationCharts = Partial<Record<(typeof EVALUATION_CHARTS)[number], TopLevelSpec>>;

/** The evaluation charts of a run, titled with its model and data; without curves, only those the report alone can draw. */
export function evaluationCharts(run: RunView, e: EvaluationView): EvaluationCharts {
  const classes = run.record.classes;
  const title = `${run.model} on ${run.record.data?.spec ?? run.id}`;
  if (e.curves && e.samples) return evaluationSpecs({ report: e.report, curves: e.curves, samples: e.samples }, classes, title);
  const r = e.report;
  return {
    confusion: confusionMatrixSpec({ classes, counts: r.confusion, accuracy: r.accuracy, title: `Confusion matrix — ${title}` }),
    "per-class": perClassBarsSpec({
      classes, precision: r.per_class.map((c) => c.precision), recall: r.per_class.map((c) => c.recall), f1: r.per_class.map((c) => c.f1),
      support: r.per_class.map((c) => c.support), macro: r.macro, title: `Precision, recall and F1 per class — ${title}`,
    }),
  };
}

/** Per-class rows and the three averages, as scikit-learn's classification report. */
export function metricsTable(e: EvaluationView, classes: string[]): string {
  const r = e.report;
  const rows = r.per_class.map((c) => [esc(classes[c.class] ?? c.class), num(c.precision), num(c.recall), num(c.f1), int(c.support)]);
  const total = (label: string, a: { precision: number; recall: number; f1: number }) => [label, num(a.precision), num(a.recall), num(a.f1), int(r.n)];
  const body = table(["class", "precision", "recall", "F1", "support"], [...rows, total("macro average", r.macro), total("micro average", r.micro), total("weighted average", r.weighted)], {
    numeric: [false, true, true, true, true],
    className: "metrics",
  });
  // the three average rows are set apart
  return body.replace(/<tr>(<td>(?:macro|micro|weighted) average)/g, '<tr class="total">$1');
}

function otherNumbers(e: EvaluationView): string {
  const r = e.report;
  const topK = Object.entries(r.top_k).filter(([k]) => k !== "1").map(([k, v]) => `top-${k} accuracy ${pct(v)}`);
  const items = [
    `accuracy ${pct(r.accuracy)}`, `balanced accuracy ${pct(r.balanced_accuracy)}`, ...topK, `log loss ${num(r.log_loss)}`,
    `ROC AUC (macro, one vs rest) ${num(r.roc_auc.macro)}`, `average precision (macro) ${num(r.average_precision.macro)}`,
  ];
  return `<p class="explain">${items.map(esc).join(" · ")}</p>`;
}

/** The section. */
export async function accuracySection(run: RunView, charts: EvaluationCharts | null): Promise<Section> {
  const id = "accuracy";
  const title = "How accurate is it, class by class?";
  if (!("value" in run.evaluation)) return { id, title, html: note(`no evaluation: ${run.evaluation.missing}`) };
  const e = run.evaluation.value;
  const parts = [
    `<p class="explain">Precision: of the images it calls a class, the share that are. Recall: of the images of a class, the share it finds. F1 is their harmonic mean.</p>`,
    otherNumbers(e),
    `<div class="figures"><div>${metricsTable(e, run.record.classes)}</div>`,
    charts?.["per-class"] ? figure(await chart(charts["per-class"], "precision, recall and F1 per class", `${id}-per-class`)) : "",
    "</div>",
  ];
  if (e.source !== "predictions.parquet") parts.push(note(`predictions.parquet could not be read, so these numbers come from ${e.source} and the charts that need every prediction are left out`));
  if (e.report.warnings.length) parts.push(`<p class="explain">${e.report.warnings.map(esc).join("<br>")}</p>`);
  return { id, title, html: parts.join("") };
}

import type { EvaluationCharts } from "./accuracy.js";
import { chart, esc, figure, note, num, pct } from "./html.js";
import type { RunView, Section } from "./types.js";

/**
 * "How well does it rank each class?" (ROC and precision–recall curves) and "Can its confidence be
 * trusted?" (the reliability diagram and the confidence of right and wrong predictions), from the
 * specs `evaluate` draws.
 */

const NEEDS_PREDICTIONS = "these curves are drawn from every prediction, and predictions.parquet could not be read";

function reason(run: RunView): string {
  if ("missing" in run.evaluation) return `no evaluation: ${run.evaluation.missing}`;
  return "missing" in run.predictions ? `${NEEDS_PREDICTIONS} (${run.predictions.missing})` : NEEDS_PREDICTIONS;
}

export async function rankingSection(run: RunView, charts: EvaluationCharts | null): Promise<Section> {
  const id = "ranking";
  const title = "How well does it rank each class?";
  if (!charts?.roc || !charts.pr || !("value" in run.evaluation)) return { id, title, html: note(reason(run)) };
  const r = run.evaluation.value.report;
  const auc = r.roc_auc.per_class.map((v, k) => ({ name: run.record.classes[k], v })).filter((c) => Number.isFinite(c.v)).sort((a, b) => a.v - b.v);
  const lead = auc.length
    ? `<p class="lead">Each class against the rest: ROC AUC ${num(r.roc_auc.macro)} on average (1 is perfect, 0.5 is chance); hardest to tell apart is ${esc(auc[0].name)} (${num(auc[0].v)}).</p>`
    : "";
  const html = [
    lead,
    '<div class="figures">',
    figure(await chart(charts.roc, "ROC curves", `${id}-roc`), "True positive rate against false positive rate as the threshold on a class's probability falls."),
    figure(await chart(charts.pr, "precision–recall curves", `${id}-pr`), "Precision against recall for each class; the area is the average precision."),
    "</div>",
  ].join("");
  return { id, title, html };
}

export async function calibrationSection(run: RunView, charts: EvaluationCharts | null): Promise<Section> {
  const id = "calibration";
  const title = "Can its confidence be trusted?";
  if (!charts?.reliability || !charts.confidence || !("value" in run.evaluation)) return { id, title, html: note(reason(run)) };
  const r = run.evaluation.value.report;
  const c = r.confidence;
  const lead = `<p class="lead">Mean confidence ${pct(c.mean)} against accuracy ${pct(r.accuracy)}; expected calibration error ${num(r.ece)}. Right predictions are made with ${pct(c.mean_correct)} confidence on average, wrong ones with ${pct(c.mean_incorrect)}.</p>`;
  const html = [
    lead,
    '<div class="figures">',
    figure(await chart(charts.reliability, "reliability diagram", `${id}-reliability`), "Bars on the diagonal mean that when it says 80% it is right 80% of the time; below it, over-confident."),
    figure(await chart(charts.confidence, "confidence of right and wrong predictions", `${id}-confidence`)),
    "</div>",
  ].join("");
  return { id, title, html };
}

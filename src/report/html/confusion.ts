import type { Dataset } from "../../data/dataset.js";
import type { PredictionsTable } from "../../store/predictionsSchema.js";
import type { EvaluationCharts } from "./accuracy.js";
import { chart, esc, figure, int, note, pct } from "./html.js";
import { confusedPairs } from "./summary.js";
import { thumbnail, thumbRow } from "./thumbs.js";
import type { RunView, Section } from "./types.js";

/**
 * "Which classes does it confuse?": the confusion matrix, then the pairs of classes it mixes up
 * most (the largest off-diagonal cells), each with the images it got wrong that way, most
 * confident first.
 */

export const CONFUSION_SECTION_DEFAULTS = { pairs: 5, examples: 8 } as const;

/** Rows of the predictions with true class `t` predicted as `p`, most confident first. */
export function mistakesOf(p: PredictionsTable, t: number, q: number, count: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < p.n; i++) if (p.label[i] === t && p.predicted[i] === q) rows.push(i);
  return rows.sort((a, b) => p.confidence[b] - p.confidence[a] || a - b).slice(0, count);
}

/** A thumbnail captioned with the image's true class, predicted class and confidence. */
export async function predictionThumb(ds: Dataset, p: PredictionsTable, i: number, classes: string[]): Promise<string> {
  const t = p.label[i];
  const q = p.predicted[i];
  const name = (k: number) => (k < 0 ? "no label" : (classes[k] ?? String(k)));
  const lines = [`true: ${name(t)}`, `pred: ${name(q)}`, `${pct(p.confidence[i], 0)} sure`];
  const alt = `image #${p.index[i]}: true ${name(t)}, predicted ${name(q)} with ${pct(p.confidence[i], 1)} confidence`;
  return thumbnail(ds, i, lines, t < 0 ? "plain" : t === q ? "right" : "wrong", alt);
}

/** "1 time", "12 times". */
function times(n: number): string {
  return `${int(n)} time${n === 1 ? "" : "s"}`;
}

export async function confusionSection(run: RunView, charts: EvaluationCharts | null): Promise<Section> {
  const id = "confusion";
  const title = "Which classes does it confuse?";
  if (!("value" in run.evaluation)) return { id, title, html: note(`no evaluation: ${run.evaluation.missing}`) };
  const r = run.evaluation.value.report;
  const classes = run.record.classes;
  const parts: string[] = [];
  if (charts?.confusion) {
    parts.push(figure(await chart(charts.confusion, "confusion matrix", `${id}-matrix`), "Rows: the true class; columns: what the model said. Each cell gives the count and the share of its row."));
  }
  const pairs = confusedPairs(r.confusion, CONFUSION_SECTION_DEFAULTS.pairs);
  if (pairs.length === 0) {
    parts.push("<p class=\"lead\">It confuses no classes on these images: every prediction is right.</p>");
    return { id, title, html: parts.join("") };
  }
  parts.push(`<p class="lead">The ${pairs.length} mistakes it makes most often, each with the images it got wrong that way, most confident first (blue frame: right, red: wrong).</p>`);
  const p = "value" in run.predictions ? run.predictions.value : null;
  const ds = "value" in run.images ? run.images.value : null;
  if (!p) parts.push(note(`no example images: the predictions could not be read (${"missing" in run.predictions ? run.predictions.missing : ""})`));
  else if (!ds) parts.push(note(`no example images: ${"missing" in run.images ? run.images.missing : ""}`));
  for (const [t, q, n] of pairs) {
    const support = r.per_class[t]?.support ?? 0;
    const head = `<h3>${esc(classes[t])} taken for ${esc(classes[q])}: ${times(n)} (${pct(n / Math.max(1, support))} of ${esc(classes[t])})</h3>`;
    const back = r.confusion[q]?.[t] ?? 0;
    const reverse = back > 0 ? `<p class="explain">The other way round, ${esc(classes[q])} taken for ${esc(classes[t])}: ${times(back)}.</p>` : "";
    let thumbs = "";
    if (p && ds) {
      const rows = mistakesOf(p, t, q, CONFUSION_SECTION_DEFAULTS.examples);
      thumbs = thumbRow(await Promise.all(rows.map((i) => predictionThumb(ds, p, i, classes))), `${classes[t]} predicted as ${classes[q]}`);
    }
    parts.push(`<div class="pair">${head}${reverse}${thumbs}</div>`);
  }
  return { id, title, html: parts.join("") };
}

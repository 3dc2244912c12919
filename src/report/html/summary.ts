import { esc, int, note, num, pct } from "./html.js";
import type { EvaluationView, RunView, Section } from "./types.js";

/**
 * The report's first section: what the run is (model, data, when) and how good it is, as four
 * numbers and a few sentences that say what they mean.
 */

/** The most frequent off-diagonal cells of a confusion matrix: [true, predicted, count], largest first. */
export function confusedPairs(confusion: number[][], top: number): [number, number, number][] {
  const pairs: [number, number, number][] = [];
  confusion.forEach((row, t) => row.forEach((c, p) => void (t !== p && c > 0 && pairs.push([t, p, c]))));
  return pairs.sort((a, b) => b[2] - a[2] || a[0] - b[0] || a[1] - b[1]).slice(0, top);
}

/** The map's per-class silhouettes, best separated first, or null when the map has none. */
export function classSeparation(quality: Record<string, unknown> | null, classes: string[]): { name: string; silhouette: number }[] | null {
  const s = (quality?.silhouette as { map_per_class?: number[] } | undefined)?.map_per_class;
  if (!Array.isArray(s) || s.length !== classes.length) return null;
  return s.map((v, k) => ({ name: classes[k], silhouette: v })).filter((c) => Number.isFinite(c.silhouette)).sort((a, b) => b.silhouette - a.silhouette);
}

/** A name with its indefinite article: "a Coat", "an Ankle boot". */
export function aName(name: string): string {
  return `${/^[aeiou]/i.test(name) ? "an" : "a"} ${name}`;
}

/** A list in words: "a", "a and b", "a, b and c". */
export function words(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/**
 * The headline in sentences: accuracy against chance, the best and the worst class, the commonest
 * mistake, whether the confidence can be trusted, and which classes separate in feature space.
 */
export function headline(run: RunView, e: EvaluationView): string[] {
  const r = e.report;
  const classes = run.record.classes;
  const name = (k: number) => classes[k] ?? String(k);
  const data = run.record.data;
  const out = [`${run.model} gets ${pct(r.accuracy)} of the ${int(r.n)} images of ${data?.spec ?? "its data"} right (macro F1 ${num(r.macro.f1)}; guessing would get ${pct(1 / r.num_classes)}).`];
  const byRecall = r.per_class.filter((c) => c.support > 0).sort((a, b) => b.recall - a.recall);
  if (byRecall.length >= 2) {
    const best = byRecall[0];
    const worst = byRecall.at(-1)!;
    out.push(`It is best at ${name(best.class)} (${pct(best.recall, 0)} of them found) and worst at ${name(worst.class)} (${pct(worst.recall, 0)}).`);
  }
  const [pair] = confusedPairs(r.confusion, 1);
  if (pair) {
    const support = r.per_class[pair[0]]?.support ?? 0;
    out.push(`Its commonest mistake is calling ${aName(name(pair[0]))} ${aName(name(pair[1]))}: ${int(pair[2])} of ${int(support)} times.`);
  }
  const gap = r.confidence.mean - r.accuracy;
  if (Number.isFinite(r.ece)) {
    out.push(
      r.ece < 0.05
        ? `Its confidence can be taken at its word: it is ${pct(r.confidence.mean)} sure on average and right ${pct(r.accuracy)} of the time (expected calibration error ${num(r.ece)}).`
        : `It is ${gap > 0 ? "over" : "under"}-confident: ${pct(r.confidence.mean)} sure on average but right ${pct(r.accuracy)} of the time (expected calibration error ${num(r.ece)}).`,
    );
  }
  if ("value" in run.map) {
    const sep = classSeparation(run.map.value.quality, classes);
    if (sep && sep.length >= 4) {
      out.push(`In its feature space, ${words(sep.slice(0, 3).map((c) => c.name))} form the clearest clusters; ${words(sep.slice(-2).map((c) => c.name))} mix most with others.`);
    }
  }
  return out;
}

function card(value: string, label: string): string {
  return `<div class="card"><div class="value">${esc(value)}</div><div class="label">${esc(label)}</div></div>`;
}

/** What the run is: model, data, when, how made. */
export function facts(run: RunView): string {
  const r = run.record;
  const d = r.data;
  const m = r.model;
  const rows: [string, string][] = [
    ["run", `${r.id} (${r.status})`],
    ["model", `${run.model}${m?.source ? ` — from ${m.source}` : ""}${m?.penultimate ? `; penultimate layer ${m.penultimate}` : ""}`],
    ["data", d ? `${d.spec} — ${int(d.n)} images of ${d.height}×${d.width}×${d.channels}${d.limit !== null ? `, --limit ${d.limit}` : ""}${d.only ? `, --only ${d.only}` : ""}` : "not recorded"],
    ["classes", `${r.classes.length}: ${r.classes.join(", ")}`],
    ["made", `${r.created.replace("T", " ").slice(0, 16)} UTC by featurelens ${r.made_by.command} (featurelens ${r.featurelens_version})`],
  ];
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl>`;
}

/** The summary section. */
export function summarySection(run: RunView): Section {
  const s = run.record.summary;
  const e = "value" in run.evaluation ? run.evaluation.value : null;
  const get = (key: string, fromReport: number | undefined) => (typeof s[key] === "number" ? (s[key] as number) : fromReport);
  const accuracy = get("accuracy", e?.report.accuracy);
  const parts = [
    facts(run),
    `<div class="cards">${[
      card(pct(accuracy), "accuracy"),
      card(num(get("macro_f1", e?.report.macro.f1)), "macro F1"),
      card(num(get("log_loss", e?.report.log_loss)), "log loss (lower is better)"),
      card(num(get("ece", e?.report.ece)), "calibration error (ECE)"),
    ].join("")}</div>`,
  ];
  if (e) parts.push(`<ul class="headline">${headline(run, e).map((line) => `<li>${esc(line)}</li>`).join("")}</ul>`);
  else parts.push(note(`the run's evaluation could not be read (${"missing" in run.evaluation ? run.evaluation.missing : ""}); the numbers above are those run.json records`));
  return { id: "summary", title: "What is this model, and how good is it?", html: parts.join("") };
}

import { confidenceCompareSpec, layerStatsSpec, perClassDeltaSpec } from "../charts/compare.js";
import { deepCompareHtml } from "./compareDeep.js";
import { chart, esc, figure, int, note, num, pct, points, table } from "./html.js";
import type { CompareView, EvaluationView, RunView, Section } from "./types.js";

/**
 * "How does it compare with RUN2?": two models on the same images side by side — the headline
 * numbers, per-class differences, both confidence distributions and per-layer activation
 * statistics (mean, share of zeros), as the feature-extraction article's 50K vs 10K comparison;
 * then what `featurelens compare` adds (compareDeep.ts): agreement, ROC, confusions, histograms,
 * CKA and one image's maps on a shared scale.
 */

/** How a run was trained, in a few words: "seed-cnn, 2 epochs on sample:train (limit 1000)". */
export function trainedOn(run: RunView): string {
  const t = run.record.config.train as { data?: string; limit?: number | null; epochs?: number } | undefined;
  if (!t) return run.record.model?.source ? `imported (${run.record.model.source.split("/").pop()})` : "not trained here";
  return `${t.epochs ?? "?"} epoch${t.epochs === 1 ? "" : "s"} on ${t.data ?? "?"}${t.limit ? ` (--limit ${int(t.limit)})` : ""}`;
}

function numbersTable(a: RunView, b: RunView, ea: EvaluationView, eb: EvaluationView): string {
  const ra = ea.report;
  const rb = eb.report;
  const better = (d: number, higherIsBetter: boolean) => (d === 0 || !Number.isFinite(d) ? "" : (d > 0) === higherIsBetter ? "better" : "worse");
  const row = (label: string, x: number, y: number, show: (v: number) => string, diff: (d: number) => string, higher: boolean) => [
    esc(label), show(x), show(y), `<span class="${better(y - x, higher)}">${diff(y - x)}</span>`,
  ];
  const signed = (d: number) => (d > 0 ? `+${num(d)}` : d < 0 ? `−${num(-d)}` : num(0));
  return table(["", `${esc(a.id)} (${esc(a.model)})`, `${esc(b.id)} (${esc(b.model)})`, "B − A"], [
    ["trained", esc(trainedOn(a)), esc(trainedOn(b)), ""],
    row("accuracy", ra.accuracy, rb.accuracy, (v) => pct(v), (d) => `${points(d)} points`, true),
    row("macro F1", ra.macro.f1, rb.macro.f1, (v) => num(v), signed, true),
    row("log loss", ra.log_loss, rb.log_loss, (v) => num(v), signed, false),
    row("calibration error (ECE)", ra.ece, rb.ece, (v) => num(v), signed, false),
    row("mean confidence", ra.confidence.mean, rb.confidence.mean, (v) => pct(v), (d) => `${points(d)} points`, true),
  ], { numeric: [false, true, true, true] });
}

function layerTable(c: CompareView, a: RunView, b: RunView): string {
  if (!("value" in c.layers)) return "";
  const cell = (s: { mean: number; zeros: number } | null, k: "mean" | "zeros") => (s ? (k === "mean" ? num(s.mean) : pct(s.zeros)) : "—");
  const rows = c.layers.value.rows.map((r) => [esc(r.layer), esc(r.kind), cell(r.a, "mean"), cell(r.b, "mean"), cell(r.a, "zeros"), cell(r.b, "zeros")]);
  return `<details><summary>The numbers, layer by layer</summary>${table(["layer", "kind", `mean, ${esc(a.id)}`, `mean, ${esc(b.id)}`, `zeros, ${esc(a.id)}`, `zeros, ${esc(b.id)}`], rows, { numeric: [false, false, true, true, true, true] })}</details>`;
}

export async function compareSection(a: RunView, c: CompareView): Promise<Section> {
  const b = c.b;
  const id = "compare";
  const title = `How does it compare with ${b.id}?`;
  const missing = [a, b].filter((r) => !("value" in r.evaluation)).map((r) => `${r.id}: ${"missing" in r.evaluation ? r.evaluation.missing : ""}`);
  if (missing.length || !("value" in a.evaluation) || !("value" in b.evaluation)) return { id, title, html: note(`no evaluation to compare (${missing.join("; ")})`) };
  const ea = a.evaluation.value;
  const eb = b.evaluation.value;
  const classes = a.record.classes;
  const recall = (e: EvaluationView) => e.report.per_class.map((x) => x.recall);
  const deltas = recall(eb).map((r, k) => r - recall(ea)[k]);
  const up = deltas.filter((d) => d > 1e-9).length;
  const down = deltas.filter((d) => d < -1e-9).length;
  const data = a.record.data;
  const parts = [
    `<p class="lead">On the same ${int(ea.report.n)} images of ${esc(data?.spec ?? "the run's data")}, ${esc(b.id)} (${esc(b.model)}, ${esc(trainedOn(b))}) gets ${pct(eb.report.accuracy)} right against ${pct(ea.report.accuracy)} for ${esc(a.id)} (${esc(trainedOn(a))}): ${points(eb.report.accuracy - ea.report.accuracy)} points. It finds more of ${int(up)} class${up === 1 ? "" : "es"} and fewer of ${int(down)}.</p>`,
    numbersTable(a, b, ea, eb),
    '<div class="figures">',
    figure(await chart(perClassDeltaSpec({
      classes, a: { name: a.id, recall: recall(ea), accuracy: ea.report.accuracy }, b: { name: b.id, recall: recall(eb), accuracy: eb.report.accuracy },
      title: `${b.id} against ${a.id}, class by class — ${data?.spec ?? ""}`,
    }), "per-class differences", `${id}-delta`)),
  ];
  const pa = "value" in a.predictions ? a.predictions.value : null;
  const pb = "value" in b.predictions ? b.predictions.value : null;
  if (pa && pb) {
    parts.push(figure(await chart(confidenceCompareSpec({ a: { name: a.id, confidence: pa.confidence }, b: { name: b.id, confidence: pb.confidence }, title: `How sure each model is — ${data?.spec ?? ""}` }), "confidence distributions", `${id}-confidence`)));
  }
  parts.push("</div>");
  if (!pa || !pb) parts.push(note(`no confidence distributions: the predictions of ${[!pa ? a.id : "", !pb ? b.id : ""].filter(Boolean).join(" and ")} could not be read`));
  parts.push("<h3>Inside: activations layer by layer</h3>");
  if ("value" in c.layers) {
    const { rows, images } = c.layers.value;
    const points2 = rows.flatMap((r) => [...(r.a ? [{ layer: r.layer, run: a.id, ...r.a }] : []), ...(r.b ? [{ layer: r.layer, run: b.id, ...r.b }] : [])]);
    parts.push(`<p class="explain">Each layer's mean activation and the share of its values that are exactly 0, over the same ${int(images)} images through both models. More zeros after a ReLU means sparser features.</p>`);
    parts.push(figure(await chart(layerStatsSpec({ rows: points2, layers: rows.map((r) => r.layer), runs: [a.id, b.id], title: `Activations per layer — ${a.id} and ${b.id} on ${int(images)} images of ${data?.spec ?? ""}` }), "activation statistics per layer", `${id}-layers`)));
    parts.push(layerTable(c, a, b));
  } else {
    parts.push(note(`no per-layer statistics: ${c.layers.missing}`));
  }
  parts.push(await deepCompareHtml(c, id));
  return { id, title, html: parts.join("") };
}

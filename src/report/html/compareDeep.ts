import type { Comparison } from "../../analysis/diagnose/compareTypes.js";
import { comparisonCharts } from "../compareCharts.js";
import { chart, esc, figure, int, note, num, pct, pngImg, points, table } from "./html.js";
import type { ComparisonView } from "./compareView.js";
import type { CompareView } from "./types.js";

/**
 * The deeper half of "How does it compare with …?" (what `featurelens compare` finds): where the
 * two models agree, with McNemar's test and example images; precision, recall and F1 per class;
 * both ROC curves; the difference of the confusion matrices; and inside, the activation histograms
 * overlaid, linear CKA between every pair of layers, and one image's maps on one colour scale.
 */

function agreementTable(c: Comparison): string {
  const n = c.agreement.n;
  const k = c.agreement.counts;
  const cell = (v: number) => `${int(v)} <span class="muted">(${pct(v / n)})</span>`;
  return table(["", `${esc(c.b.id)} right`, `${esc(c.b.id)} wrong`], [
    [`${esc(c.a.id)} right`, cell(k.both_right), cell(k.only_a)],
    [`${esc(c.a.id)} wrong`, cell(k.only_b), cell(k.both_wrong)],
  ], { numeric: [false, true, true], caption: `Agreement on ${int(n)} images` });
}

function perClassTable(c: Comparison): string {
  const d = (x: [number, number]) => {
    const v = x[1] - x[0];
    return `<span class="${v > 1e-9 ? "better" : v < -1e-9 ? "worse" : ""}">${v > 0 ? "+" : v < 0 ? "−" : ""}${num(Math.abs(v))}</span>`;
  };
  const rows = c.per_class.map((p) => [esc(p.class), int(p.support), num(p.precision[0]), num(p.precision[1]), d(p.precision), num(p.recall[0]), num(p.recall[1]), d(p.recall), num(p.f1[0]), num(p.f1[1]), d(p.f1)]);
  const A = esc(c.a.id);
  const B = esc(c.b.id);
  return `<details><summary>Precision, recall and F1 per class</summary>${table(["class", "images", `precision ${A}`, `precision ${B}`, "B − A", `recall ${A}`, `recall ${B}`, "B − A", `F1 ${A}`, `F1 ${B}`, "B − A"], rows, { numeric: [false, ...Array(10).fill(true)] })}</details>`;
}

/** The agreement, the curves and the inside of two models, as HTML (the lead and the numbers come before it). */
export async function deepCompareHtml(c: CompareView, id: string): Promise<string> {
  if (!c.deep) return "";
  if (!("value" in c.deep)) return note(`no agreement table, ROC curves, histograms or CKA: ${c.deep.missing}`);
  const view: ComparisonView = c.deep.value;
  const cmp = view.comparison;
  const charts = comparisonCharts(cmp);
  const A = esc(cmp.a.id);
  const B = esc(cmp.b.id);
  const k = cmp.agreement.counts;
  const m = cmp.agreement.mcnemar;
  const parts: string[] = [];
  if (cmp.how === "common indices") parts.push(`<p class="explain">The runs hold different subsets of one source; what follows is on ${esc(cmp.note)}.</p>`);
  parts.push("<h3>Where do they agree?</h3>");
  parts.push(
    `<p class="explain">On ${int(cmp.agreement.n)} images both predict the same class for ${pct(cmp.agreement.samePrediction)}. ${A} alone is right on ${int(k.only_a)}, ${B} alone on ${int(k.only_b)}: ` +
      `${k.only_a === k.only_b ? "as often" : `${points((k.only_b - k.only_a) / cmp.agreement.n)} points for ${B}`} (McNemar's test: χ² ${num(m.chi2, 1)}, p ${m.p < 1e-4 ? "&lt; 0.0001" : num(m.p, 4)}${m.p < 0.05 ? ", a real difference" : ", which chance could give"}).</p>`,
  );
  parts.push(agreementTable(cmp));
  if (view.agreement) parts.push(figure(pngImg(view.agreement, "example images of each cell of the agreement table", "pixelated"), "The hardest examples of each cell: both right, only one right (captioned with the other model's answer), both wrong."));
  parts.push(perClassTable(cmp));
  parts.push('<div class="figures">');
  parts.push(figure(await chart(charts.roc, "ROC curves of both models", `${id}-roc`)));
  parts.push(figure(await chart(charts["confusion-difference"], "difference of the confusion matrices", `${id}-confusion-difference`)));
  parts.push("</div>");
  if (cmp.activations) {
    parts.push("<h3>Inside: the same layers, the same images</h3>");
    if (charts.histograms) {
      parts.push(`<p class="explain">Each layer's activations over ${int(cmp.activations.images)} images (stratified by class), both models on the same bins; the share exactly 0 is in each panel's title.</p>`);
      parts.push(figure(await chart(charts.histograms, "activation histograms of both models", `${id}-histograms`)));
    }
    parts.push(`<p class="explain">Linear CKA (Kornblith et al. 2019) compares what two layers make of the same ${int(cmp.activations.images)} images, whatever their widths: 1 where one is a rotation and rescaling of the other.</p>`);
    parts.push(figure(await chart(charts.cka, "linear CKA between the layers of both models", `${id}-cka`)));
    if (view.maps.length) {
      parts.push('<p class="explain">One image through both models, each layer\'s maps in one colour scale shared by the two models — so the darker model really has the smaller (or more exactly-zero) activations.</p>');
      for (const [i, mp] of view.maps.entries()) parts.push(figure(pngImg(mp.png, `feature maps of ${mp.layer} in both models`, "pixelated"), "", `${id}-maps-${i}`));
    }
  } else if (cmp.activations_missing) {
    parts.push(note(`no activations or CKA: ${cmp.activations_missing}`));
  }
  parts.push(`<p class="explain">${view.source === "stored" ? `From run ${A}'s compare/${B}/ (featurelens compare).` : `Computed for this report; featurelens compare ${A} ${B} stores the same in run ${A}.`}</p>`);
  return parts.join("");
}

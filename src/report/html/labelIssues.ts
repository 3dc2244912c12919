import { readFileSync } from "node:fs";
import { join } from "node:path";
import { esc, int, note, pct, table } from "./html.js";
import { thumbnail, thumbRow } from "./thumbs.js";
import type { RunView, Section } from "./types.js";

/**
 * "Which labels may be wrong?": what `featurelens label-issues --run` recorded in the run
 * (`label-issues/summary.json`): how many images are flagged and why, the estimated label noise per
 * class, and the most suspect images with their given and suggested labels. Absent when the run
 * has no label issues recorded.
 */

export const LABEL_ISSUES_SECTION = { id: "label-issues", title: "Which labels may be wrong?", thumbnails: 24 } as const;

/** The part of summary.json (workflows/labelIssues.ts) this section reads. */
interface SummaryView {
  source: "k-fold" | "run";
  n: number;
  in_sample: boolean | null;
  accuracy: number;
  issues: { total: number; confident_learning: number; neighbours: number; both: number };
  estimated_noise: { total: number; per_class: { class: string; images: number; noise_rate: number | null; issues: number }[] };
  notes: string[];
  top: { rank: number; index: number; path?: string; given_name: string; suggested_name: string; score: number; reason: string }[];
}

export async function labelIssuesSection(run: RunView): Promise<Section | null> {
  const { id, title } = LABEL_ISSUES_SECTION;
  if (!run.record.artifacts["label-issues"]) return null;
  if (!run.dir) return { id, title, html: note("the run folder is not known, so label-issues/summary.json cannot be read") };
  let s: SummaryView;
  try {
    s = JSON.parse(readFileSync(join(run.dir, "label-issues", "summary.json"), "utf8")) as SummaryView;
  } catch (err) {
    return { id, title, html: note(`label-issues/summary.json cannot be read (${(err as Error).message}); run featurelens label-issues --run ${run.id} again`) };
  }
  const i = s.issues;
  const parts = [
    `<p class="explain">${int(i.total)} of ${int(s.n)} images (${pct(i.total / Math.max(1, s.n))}) have a label that may be wrong: ` +
      `${int(i.confident_learning)} flagged by confident learning (Northcutt et al. 2021) on the ${s.source === "k-fold" ? "held-out" : "run's"} predictions, ` +
      `${int(i.neighbours)} because most of their 10 nearest neighbours in feature space carry another label, ${int(i.both)} by both. ` +
      `The estimated share of wrong labels is ${pct(s.estimated_noise.total)}. The whole queue, most suspect first, is label-issues/queue.csv in the run folder; ` +
      "decisions go in label-fixes.csv (index, action keep/relabel/drop, new_label), which <code>featurelens train --label-fixes</code> applies.</p>",
  ];
  if (s.in_sample) parts.push(`<p class="note" role="note"><strong>In-sample:</strong> ${esc(s.notes.find((n) => /in-sample/.test(n)) ?? "the model was trained on these images, so most label errors are missed")}</p>`);
  for (const n of s.notes.filter((x) => /weak for these images/.test(x))) parts.push(`<p class="note" role="note"><strong>Weak model:</strong> ${esc(n)}</p>`);
  const rows = s.estimated_noise.per_class.map((c) => [esc(c.class), int(c.images), pct(c.noise_rate), int(c.issues)]);
  parts.push(table(["class (given label)", "images", "estimated noise", "flagged"], rows, { numeric: [false, true, true, true], caption: "Estimated label noise per class: the share of images given this label whose true class is another (calibrated confident joint)" }));
  parts.push(await suspects(run, s));
  return { id, title, html: parts.join("") };
}

/** The most suspect images as thumbnails, or a note saying why they cannot be shown. */
async function suspects(run: RunView, s: SummaryView): Promise<string> {
  const top = s.top.slice(0, LABEL_ISSUES_SECTION.thumbnails);
  if (top.length === 0) return "<p>No image is flagged.</p>";
  if (!("value" in run.images)) return note(`no thumbnails of the suspects: ${run.images.missing}`);
  const ds = run.images.value;
  const rowOf = new Map<number, number>();
  for (let r = 0; r < ds.n; r++) rowOf.set(ds.indices ? ds.indices[r] : r, r);
  const thumbs: string[] = [];
  for (const q of top) {
    const r = rowOf.get(q.index);
    if (r === undefined) continue;
    const where = q.path ?? `#${q.index}`;
    thumbs.push(await thumbnail(ds, r, [`${q.given_name}`, `→ ${q.suggested_name}`, `${q.score.toFixed(2)} ${where}`], "wrong", `image ${where}: labelled ${q.given_name}, may be ${q.suggested_name} (score ${q.score.toFixed(2)}; ${q.reason})`));
  }
  return `<p class="explain">The ${thumbs.length} most suspect images: the given label, the suggested one, the score (1 − the mean of the given label's probability and the neighbours' agreement) and the image.</p>${thumbRow(thumbs, "suspect labels")}`;
}

import type { ShiftJson } from "../../analysis/diagnose/diagnoseJson.js";
import { confusionPairSpec } from "../charts/confusionPair.js";
import { readShifts, runDirOf } from "../diagnoseFiles.js";
import { shortSpec } from "../diagnosisText.js";
import { chart, esc, figure, int, note, num, pct, table } from "./html.js";
import type { RunView, Section } from "./types.js";

/**
 * "What did the domain shift do?": for each domain that `featurelens shift` measured, the summary
 * in words, the two confusion matrices side by side, and per class the MMD² with its p-values,
 * the centroid shift against the class's spread and the class it moves toward.
 */

/** A p-value in a table: three decimals, two significant digits below 0.01. */
function pv(v: number): string {
  return Number.isFinite(v) ? (v < 0.01 ? String(Number(v.toPrecision(2))) : v.toFixed(3)) : "n/a";
}

export async function shiftSection(run: RunView): Promise<Section | null> {
  const id = "shift";
  const title = "What did the domain shift do?";
  const shifts = readShifts(runDirOf(run), run.record);
  if (shifts.length === 0) return null;
  const parts: string[] = [];
  for (const { domain, shift } of shifts) {
    parts.push(`<h3>${esc(domain)}</h3>`);
    if (!shift || "missing" in shift) {
      parts.push(note(shift ? shift.missing : "no shift.json"));
      continue;
    }
    parts.push(...(await shiftParts(shift.value, `${id}-${domain}`)));
  }
  return { id, title, html: parts.join("") };
}

async function shiftParts(s: ShiftJson, key: string): Promise<string[]> {
  const parts = [`<p class="lead">${esc(s.summary.text)}</p>`];
  if (s.summary.details.length) parts.push(`<ul class="headline">${s.summary.details.map((d) => `<li>${esc(d)}</li>`).join("")}</ul>`);
  if (s.resized) parts.push(`<p class="explain">The domain's images are ${s.resized.from.join("×")}; both datasets were fed to the model at its input size ${s.resized.to.join("×")}.</p>`);
  const spec = confusionPairSpec({
    classes: s.classes,
    panels: [{ name: `${shortSpec(s.base_data)} (the run's)`, counts: s.confusion.run.flat() }, { name: `${s.domain} (${shortSpec(s.data)})`, counts: s.confusion.domain.flat() }],
    title: "The same model on both datasets",
  });
  parts.push(figure(await chart(spec, "confusion matrices of the run's images and the domain", `${key}-confusion`), "Rows: the true class; columns: what the model said. A class whose row empties out on the right is one the shift broke."));
  parts.push(
    `<p class="explain">MMD² = ${num(s.mmd2, 4)} (p = ${pv(s.p_value)}, ${int(s.mmd.permutations)} permutations on ${int(s.mmd.m)} + ${int(s.mmd.n)} images; with no shift it would be ${num(Math.abs(s.mmd.null_mean) < 5e-5 ? 0 : s.mmd.null_mean, 4)} ± ${num(s.mmd.null_sd, 4)}). Per class: ${int(s.mmd.per_class_permutations)} permutations on at most ${int(s.mmd.per_class_max_points)} images per side, p adjusted for ${s.per_class.length} classes (Holm). ${esc(s.summary.how)}</p>`,
  );
  parts.push(
    table(
      ["class", "images (run / domain)", "MMD²", "p", "p (Holm)", "centroid shift", "× spread", "moves toward", "recall run → domain"],
      [...s.per_class].sort((a, b) => b.relative_shift - a.relative_shift).map((c) => [
        esc(c.class), `${int(c.n_run)} / ${int(c.n_domain)}`, num(c.mmd2, 4), pv(c.p_value), pv(c.p_holm), num(c.centroid_shift, 2), num(c.relative_shift, 2),
        c.moves_toward === c.class ? "stays" : `<strong>${esc(c.moves_toward)}</strong>`, `${pct(c.recall_run)} → ${pct(c.recall_domain)}`,
      ]),
      { numeric: [false, true, true, true, true, true, true, false, true], caption: "Classes by how far they moved, against their spread in the run's images." },
    ),
  );
  if (s.skipped.length) parts.push(note(`left out of the per-class numbers, with fewer than 2 images on a side: ${s.skipped.map((c) => `${c.class} (${c.n_run} / ${c.n_domain})`).join(", ")}`));
  return parts;
}

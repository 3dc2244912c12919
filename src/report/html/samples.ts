import type { Dataset } from "../../data/dataset.js";
import { createRng, shuffleInPlace } from "../../util/rng.js";
import { esc, int, note, pct } from "./html.js";
import { thumbnail, thumbRow } from "./thumbs.js";
import type { RunView, Section } from "./types.js";

/**
 * "What do the images look like?": a few images of each class, picked at random (seeded), each
 * with what the model called it.
 */

export const SAMPLES_SECTION_DEFAULTS = { perClass: 8, seed: 0 } as const;

/** Up to `perClass` rows of each class, in a seeded random order. */
export function sampleRows(labels: Int32Array, k: number, perClass: number, seed: number): number[][] {
  const order = shuffleInPlace(Int32Array.from({ length: labels.length }, (_, i) => i), createRng(seed));
  const picked: number[][] = Array.from({ length: k }, () => []);
  for (const i of order) {
    const y = labels[i];
    if (y >= 0 && y < k && picked[y].length < perClass) picked[y].push(i);
  }
  return picked;
}

export async function samplesSection(run: RunView): Promise<Section> {
  const id = "samples";
  const title = "What do the images look like, and what does it call them?";
  if (!("value" in run.images)) return { id, title, html: note(`no images: ${run.images.missing}`) };
  const ds: Dataset = run.images.value;
  const p = "value" in run.predictions && run.predictions.value.n === ds.n ? run.predictions.value : null;
  const classes = run.record.classes;
  const rows = sampleRows(ds.labels, classes.length, SAMPLES_SECTION_DEFAULTS.perClass, SAMPLES_SECTION_DEFAULTS.seed);
  const counts = new Int32Array(classes.length);
  for (const y of ds.labels) if (y >= 0 && y < classes.length) counts[y]++;
  const parts = [`<p class="explain">${SAMPLES_SECTION_DEFAULTS.perClass} images of each class, chosen at random. Under each: what the model called it, and how sure it was${p ? "" : " (not shown: the predictions could not be read)"}. Blue frame: right; red: wrong.</p>`];
  if (!p) parts.push(note(`no predictions under the images: ${"missing" in run.predictions ? run.predictions.missing : "they do not match the images"}`));
  for (const [k, picked] of rows.entries()) {
    const thumbs = await Promise.all(
      picked.map((i) => {
        const index = ds.indices ? ds.indices[i] : i;
        if (!p) return thumbnail(ds, i, [`#${index}`], "plain", `image #${index}, ${classes[k]}`);
        const q = p.predicted[i];
        return thumbnail(ds, i, [`${q === k ? "✓" : "✗"} ${classes[q] ?? q}`, `${pct(p.confidence[i], 0)} sure`], q === k ? "right" : "wrong", `image #${index}: ${classes[k]}, predicted ${classes[q]} (${pct(p.confidence[i])})`);
      }),
    );
    parts.push(`<div class="class-row"><div class="name">${esc(classes[k])}<br><span class="meta">${int(counts[k])} images</span></div>${thumbRow(thumbs, classes[k])}</div>`);
  }
  return { id, title, html: parts.join("") };
}

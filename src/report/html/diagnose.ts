import type { ExampleJson, LayersJson, SeparationJson } from "../../analysis/diagnose/diagnoseJson.js";
import type { Dataset } from "../../data/dataset.js";
import { layerCurveSpec } from "../charts/layerCurve.js";
import { readDiagnoses, runDirOf } from "../diagnoseFiles.js";
import { shortSpec } from "../diagnosisText.js";
import { chart, esc, figure, int, note, num, pct, table } from "./html.js";
import { thumbnail, thumbRow } from "./thumbs.js";
import type { RunView, Section } from "./types.js";

/**
 * "Which classes mix, and from which layer on do they separate?": what `featurelens diagnose`
 * found — the summary in words with the numbers behind it, kNN purity and silhouettes per class,
 * the pairs of classes that mix most with example image pairs (an image beside its nearest
 * neighbour of the other class), and the layer curve from the pixels to the logits with the
 * units that never fire.
 */

export const DIAGNOSE_SECTION_DEFAULTS = { pairs: 4, examples: 4 } as const;

export async function diagnoseSection(run: RunView): Promise<Section> {
  const id = "diagnose";
  const title = "Which classes mix, and from which layer on do they separate?";
  const { separation, layers } = readDiagnoses(runDirOf(run), run.record);
  if (separation === null && layers === null) {
    return { id, title, html: `<p class="explain">Not diagnosed yet: <code>featurelens diagnose --run ${esc(run.id)}</code> measures which classes mix in feature space and how well they separate layer by layer, and this section shows it.</p>` };
  }
  const ds = "value" in run.images ? run.images.value : null;
  const parts: string[] = [];
  if (separation === null) parts.push(note("diagnose/separation.json is not in the run; run featurelens diagnose again"));
  else if ("missing" in separation) parts.push(note(separation.missing));
  else parts.push(...(await separationParts(separation.value, ds, id)));
  if (layers !== null) {
    if ("missing" in layers) parts.push(note(layers.missing));
    else parts.push(...(await layerParts(layers.value, run, id)));
  }
  return { id, title, html: parts.join("") };
}

async function separationParts(s: SeparationJson, ds: Dataset | null, id: string): Promise<string[]> {
  const parts = [
    `<p class="lead">${esc(s.summary.text)}</p>`,
    `<ul class="headline">${s.summary.details.map((d) => `<li>${esc(d)}</li>`).join("")}</ul>`,
    `<p class="explain">${esc(s.summary.how)} Measured on ${int(s.n)} images in the ${s.d} features of ${esc(s.layer)}${s.knn_method === "approx" ? " (neighbours found approximately, HNSW)" : ""}.</p>`,
  ];
  if (s.skipped.length) parts.push(note(`left out of the per-class numbers, with fewer than 2 images: ${s.skipped.map((c) => `${c.class} (${c.n})`).join(", ")}`));
  const map = s.silhouette.map;
  parts.push(
    table(
      ["class", "images", "kNN purity", "silhouette (features)", ...(map ? [`silhouette (${esc(map)} map)`] : []), "recall", "most mixed with"],
      [...s.per_class].sort((a, b) => a.purity - b.purity).map((c) => [
        esc(c.class), int(c.n), pct(c.purity), num(c.silhouette), ...(map ? [num(c.map_silhouette)] : []), pct(c.recall),
        c.top_neighbor ? `${esc(c.top_neighbor.class)} (${pct(c.top_neighbor.share, 0)})` : "",
      ]),
      { numeric: [false, true, true, true, ...(map ? [true] : []), true, false], caption: `Classes from the most mixed to the best separated. Silhouette: from −1 to 1, on ${int(s.silhouette.sample)} images${s.silhouette.sample < s.n ? ` drawn with seed ${s.silhouette.seed}` : ""}.` },
    ),
  );
  const pairs = s.neighbor_pairs.slice(0, DIAGNOSE_SECTION_DEFAULTS.pairs);
  if (pairs.length) {
    parts.push(`<h3>The pairs that mix most in feature space</h3><p class="explain">Each image beside its nearest neighbour of the other class (the network's features put them close).</p>`);
    if (!ds) parts.push(note("no example images: the run's images could not be loaded"));
    for (const p of pairs) {
      const head = `<h3>${esc(p.classes[0])} and ${esc(p.classes[1])}: ${pct(p.mixing)}</h3><p class="explain">${pct(p.share_ab, 0)} of ${esc(p.classes[0])}'s neighbours are ${esc(p.classes[1])}; ${pct(p.share_ba, 0)} of ${esc(p.classes[1])}'s are ${esc(p.classes[0])}.</p>`;
      parts.push(`<div class="pair">${head}${ds ? await examplePairs(ds, p.examples.slice(0, DIAGNOSE_SECTION_DEFAULTS.examples), `${id}-${p.a}-${p.b}`) : ""}</div>`);
    }
  }
  const confused = s.confusion_pairs.slice(0, 3);
  if (confused.length) {
    parts.push(
      table(
        ["classes", "confused", "both ways", "mixing in feature space"],
        confused.map((p) => {
          const n = s.neighbor_pairs.find((q) => q.a === p.a && q.b === p.b);
          return [`${esc(p.classes[0])} – ${esc(p.classes[1])}`, pct(p.confusion), `${int(p.a_as_b)} / ${int(p.b_as_a)}`, n ? pct(n.mixing) : "n/a"];
        }),
        { numeric: [false, true, true, true], caption: "The pairs the model confuses most (the share of each class taken for the other, averaged), beside how much they mix among neighbours." },
      ),
    );
  }
  return parts;
}

/** Example pairs as thumbnails: the image, then its nearest neighbour of the other class. */
async function examplePairs(ds: Dataset, examples: ExampleJson[], key: string): Promise<string> {
  const items: string[] = [];
  for (const e of examples) {
    if (e.row >= ds.n || e.other_row >= ds.n) continue;
    const a = await thumbnail(ds, e.row, [e.class, `#${e.index}`], e.predicted !== undefined ? "wrong" : "plain", `image #${e.index}, ${e.class}`);
    const b = await thumbnail(ds, e.other_row, [`nearest ${e.other_class}`, `#${e.other_index}, d ${e.distance.toFixed(1)}`], "plain", `its nearest ${e.other_class}: image #${e.other_index}, at distance ${e.distance.toFixed(2)}`);
    items.push(thumbRow([a, b], `${e.class} #${e.index} beside ${e.other_class} #${e.other_index}`));
  }
  return `<div class="figures" id="${esc(key)}">${items.join("")}</div>`;
}

async function layerParts(l: LayersJson, run: RunView, id: string): Promise<string[]> {
  const parts = [`<h3>From which layer on do they separate?</h3>`, `<p class="lead">${esc(l.summary.text)}</p>`];
  if (l.summary.details.length) parts.push(`<ul class="headline">${l.summary.details.map((d) => `<li>${esc(d)}</li>`).join("")}</ul>`);
  const spec = layerCurveSpec({ points: l.layers.map((r) => ({ position: r.position, name: r.name, accuracy: r.knn_accuracy, se: r.se, role: r.role })), scored: l.scored, subject: `${run.model} on ${shortSpec(l.data)}` });
  parts.push(
    figure(
      await chart(spec, "kNN accuracy layer by layer", `${id}-layers`),
      `${esc(l.summary.how)} ${int(l.images)} of the ${int(l.of)} images (stratified, seed ${l.seed}): fitted on ${int(l.fit)}, scored on ${int(l.scored)}. The pixels are compared as they are; conv layers by their channel means (global average pooling), dense layers as they are.`,
    ),
  );
  const relu = l.layers.filter((r) => r.dead);
  if (relu.length) {
    parts.push(
      table(
        ["ReLU layer", "units", "never fire", "which"],
        relu.map((r) => [esc(r.name), int(r.dead!.units), `${int(r.dead!.count)} (${pct(r.dead!.count / Math.max(1, r.dead!.units), 0)})`, esc(r.dead!.channels.slice(0, 12).join(", ") + (r.dead!.channels.length > 12 ? ", …" : ""))]),
        { numeric: [false, true, true, false], caption: `Dead units: channels whose largest value is 0 over all ${int(l.images)} images analysed.` },
      ),
    );
  }
  return parts;
}

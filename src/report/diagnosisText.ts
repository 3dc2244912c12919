import type { LayersJson, SeparationJson, ShiftJson } from "../analysis/diagnose/diagnoseJson.js";

/**
 * What `featurelens diagnose` and `featurelens shift` print: the summary in words with the numbers
 * behind it, per-class tables, the pairs that mix with example images, and the layer curve as
 * text bars.
 */

const pct = (v: number | null | undefined, digits = 1) => (typeof v === "number" && Number.isFinite(v) ? `${(100 * v).toFixed(digits)}%` : "n/a");
const num = (v: number | null | undefined, digits = 3) => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(digits) : "n/a");
const int = (v: number) => v.toLocaleString("en-US");
/** A p-value in a table: three decimals, two significant digits below 0.01 ("0.0005"). */
const pv = (v: number | null | undefined) => (typeof v === "number" && Number.isFinite(v) ? (v < 0.01 ? String(Number(v.toPrecision(2))) : v.toFixed(3)) : "n/a");

/** A data spec short enough for a chart title: a long path reduced to its file name ("npy:…/inverted.npy"). */
export function shortSpec(spec: string): string {
  return spec.length <= 32 ? spec : spec.replace(/^(\w+:)?[^,]*\/([^/,]+)(,.*)?$/, (_, kind: string | undefined, file: string) => `${kind ?? ""}…/${file}`);
}

/** Columns padded to their widest cell; `right` marks right-aligned columns. */
export function textTable(head: string[], rows: string[][], right: boolean[]): string {
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((c, j) => (right[j] ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join("  ").trimEnd();
  return [line(head), ...rows.map(line)].join("\n");
}

/** A bar of `v` in [lo, hi] drawn with eighth blocks, `width` characters at most. */
function bar(v: number, lo: number, hi: number, width = 30): string {
  const eighths = Math.round(((Math.min(hi, Math.max(lo, v)) - lo) / Math.max(1e-9, hi - lo)) * width * 8);
  return "█".repeat(Math.floor(eighths / 8)) + (eighths % 8 ? "▏▎▍▌▋▊▉"[(eighths % 8) - 1] : "");
}

/** The class separation as text. */
export function formatSeparation(s: SeparationJson): string {
  const where = s.domain === null ? `run ${s.run}` : `run ${s.run}, domain ${s.domain}`;
  const out = [`Class separation: ${where}, ${s.data} (${int(s.n)} images; ${s.layer}, ${s.d} features; ${s.k} nearest neighbours, ${s.knn_method})`, ""];
  out.push(s.summary.text, ...s.summary.details.map((d) => `  ${d}`), "");
  if (s.skipped.length) out.push(`Left out (fewer than 2 images): ${s.skipped.map((c) => `${c.class} (${c.n})`).join(", ")}`, "");
  out.push(
    textTable(
      ["class", "images", "kNN purity", "silhouette", s.silhouette.map ? `in ${s.silhouette.map} map` : "", "recall", "most mixed with"],
      s.per_class.map((c) => [c.class, int(c.n), pct(c.purity), num(c.silhouette), s.silhouette.map ? num(c.map_silhouette) : "", pct(c.recall), c.top_neighbor ? `${c.top_neighbor.class} (${pct(c.top_neighbor.share, 0)})` : ""]),
      [false, true, true, true, true, true, false],
    ),
    `silhouette: Euclidean, ${s.silhouette.sample < s.n ? `on ${int(s.silhouette.sample)} images drawn with seed ${s.silhouette.seed}` : "on every image"}; overall ${num(s.silhouette.score)}${s.silhouette.map_score !== null ? ` (${num(s.silhouette.map_score)} in the ${s.silhouette.map} map)` : ""}`,
    "",
  );
  if (s.neighbor_pairs.length) {
    out.push("Pairs that mix most in feature space (the share of each other's neighbours), with example images (source index, nearest of the other class):");
    for (const p of s.neighbor_pairs) {
      out.push(`  ${p.classes[0]} – ${p.classes[1]}: ${pct(p.mixing)} (${pct(p.share_ab, 0)} of ${p.classes[0]}'s neighbours are ${p.classes[1]}, ${pct(p.share_ba, 0)} the other way)`);
      if (p.examples.length) out.push(`    ${p.examples.map((e) => `#${e.index} ${e.class} ~ #${e.other_index}`).join(", ")}`);
    }
    out.push("");
  }
  if (s.confusion_pairs.length) {
    out.push("Pairs the model confuses most (its mistakes both ways, as shares of each class), each mistake beside the nearest image of the class it was taken for:");
    for (const p of s.confusion_pairs) {
      out.push(`  ${p.classes[0]} – ${p.classes[1]}: ${pct(p.confusion)} (${int(p.a_as_b)} ${p.classes[0]} called ${p.classes[1]}, ${int(p.b_as_a)} the other way)`);
      if (p.examples.length) out.push(`    ${p.examples.map((e) => `#${e.index} ${e.class} → ${e.predicted} ~ #${e.other_index}`).join(", ")}`);
    }
    out.push("");
  }
  if (s.penultimate_dead && s.penultimate_dead.dead.length) out.push(`${s.penultimate_dead.dead.length} of the ${s.penultimate_dead.units} units of ${s.layer} are 0 for all ${int(s.n)} images.`, "");
  return `${out.join("\n")}\n`;
}

/** The layer curve as text. */
export function formatLayers(l: LayersJson): string {
  const acc = l.layers.map((r) => r.knn_accuracy);
  const lo = Math.max(0, Math.floor(Math.min(...acc) * 10) / 10);
  const hi = Math.min(1, Math.ceil(Math.max(...acc) * 10) / 10);
  const out = [`Layer by layer: kNN accuracy (k = ${l.k}) of ${int(l.scored)} held-out images, fitted on ${int(l.fit)} (a stratified sample of ${int(l.images)} of the ${int(l.of)}, seed ${l.seed})`, ""];
  out.push(
    textTable(
      ["#", "layer", "features", "kNN accuracy", `${pct(lo, 0)} … ${pct(hi, 0)}`, "dead units"],
      l.layers.map((r) => [String(r.position), r.name + (r.role && r.role !== "input" ? ` (${r.role})` : ""), `${r.d}${r.pooling === "global average" ? " (avg)" : ""}`, pct(r.knn_accuracy), bar(r.knn_accuracy, lo, hi), r.dead ? `${r.dead.count}/${r.dead.units}` : ""]),
      [true, false, true, true, false, true],
    ),
    "",
    l.summary.text,
    ...l.summary.details.map((d) => `  ${d}`),
    "",
  );
  return `${out.join("\n")}\n`;
}

/** The domain shift as text. */
export function formatShift(s: ShiftJson): string {
  const out = [`Domain shift: ${s.data} (domain ${s.domain}, ${int(s.n_domain)} images) against ${s.base_data} (run ${s.run}, ${int(s.n_run)} images), ${s.layer}`, ""];
  if (s.resized) out.push(`The domain's images are ${s.resized.from.join("×")}; both datasets were fed to the model at its input size ${s.resized.to.join("×")}.`, "");
  out.push(s.summary.text, ...s.summary.details.map((d) => `  ${d}`), "");
  out.push(`MMD² = ${num(s.mmd2, 4)}, p = ${pv(s.p_value)} (${s.mmd.permutations} permutations, seed ${s.mmd.seed}; ${int(s.mmd.m)} + ${int(s.mmd.n)} images; kernel width ${num(s.mmd.bandwidth)}; under no shift MMD² is ${num(Math.abs(s.mmd.null_mean) < 5e-5 ? 0 : s.mmd.null_mean, 4)} ± ${num(s.mmd.null_sd, 4)})`);
  out.push(`Per class: ${int(s.mmd.per_class_permutations)} permutations each on at most ${int(s.mmd.per_class_max_points)} images per side; p (Holm) is adjusted for testing ${s.per_class.length} classes.`, "");
  out.push(
    textTable(
      ["class", "images", "MMD²", "p", "p (Holm)", "centroid shift", "× spread", "moves toward", "recall run → domain"],
      s.per_class.map((c) => [c.class, `${int(c.n_run)} / ${int(c.n_domain)}`, num(c.mmd2, 4), pv(c.p_value), pv(c.p_holm), num(c.centroid_shift, 2), num(c.relative_shift, 2), c.moves_toward === c.class ? "(stays)" : c.moves_toward, `${pct(c.recall_run)} → ${pct(c.recall_domain)}`]),
      [false, true, true, true, true, true, true, false, true],
    ),
    "",
  );
  if (s.skipped.length) out.push(`Left out of the per-class numbers (fewer than 2 images on a side): ${s.skipped.map((c) => `${c.class} (${c.n_run} / ${c.n_domain})`).join(", ")}`, "");
  return `${out.join("\n")}\n`;
}

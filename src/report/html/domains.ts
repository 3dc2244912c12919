import { mapTitle, type MapScatterOptions } from "../charts/scatter.js";
import { esc, int, note, num, pct, points, table } from "./html.js";
import { mapFigure } from "./featureSpace.js";
import type { DomainView, RunView, Section } from "./types.js";

/**
 * "How does it do on other data?": each domain of the run (another dataset seen through the same
 * model) with its accuracy beside the run's, and its points placed into the run's map, drawn over
 * the run's own points in grey: where the new images land among the ones the map was made of.
 */

function summaryNumber(d: DomainView, key: string): number | null {
  const v = d.scope.summary[key];
  return typeof v === "number" ? v : null;
}

/** The domain's map over the run's own in grey. */
export function domainMapOptions(run: RunView, d: DomainView): MapScatterOptions | null {
  if (!("value" in d.map) || !("value" in run.map)) return null;
  const own = run.map.value;
  const m = d.map.value;
  const p = "value" in d.predictions && d.predictions.value.n === m.n ? d.predictions.value : null;
  const data = run.record.data;
  return {
    embedding: m.embedding, dims: m.dims, classes: run.record.classes,
    ...(p ? { labels: p.label, predicted: p.predicted, color: "true" as const } : {}),
    reference: { embedding: own.embedding, dims: own.dims, label: data ? `${data.spec}, the run's own ${int(own.n)} images` : "the run's own images" },
    title: mapTitle({ method: m.method, model: run.model, data: d.scope.data?.spec ?? d.slug, n: m.n }),
    subtitle: `placed into the run's ${m.name} map`,
  };
}

export async function domainsSection(run: RunView): Promise<Section> {
  const id = "domains";
  const title = "How does it do on other data?";
  if (run.domains.length === 0) {
    return { id, title, html: `<p class="explain">This run holds no other dataset. Add one (a shifted test set, the training images) with <code>featurelens analyze --run ${esc(run.id)} --data SPEC</code>, and it shows here with its points placed into this map.</p>` };
  }
  const base = typeof run.record.summary.accuracy === "number" ? run.record.summary.accuracy : null;
  const rows = run.domains.map((d) => {
    const acc = summaryNumber(d, "accuracy");
    return [esc(d.slug), esc(d.scope.data?.spec ?? ""), int(d.scope.data?.n ?? 0), pct(acc), num(summaryNumber(d, "macro_f1")), num(summaryNumber(d, "ece")), acc !== null && base !== null ? points(acc - base) : "n/a"];
  });
  const parts = [
    `<p class="lead">The same model on ${run.domains.length === 1 ? "another dataset" : `${run.domains.length} other datasets`}, against ${pct(base)} on ${esc(run.record.data?.spec ?? "its own data")}.</p>`,
    table(["domain", "data", "images", "accuracy", "macro F1", "ECE", "accuracy vs run (points)"], rows, { numeric: [false, false, true, true, true, true, true] }),
  ];
  for (const d of run.domains) {
    parts.push(`<h3>${esc(d.slug)}: ${esc(d.scope.data?.spec ?? "")}</h3>`);
    const o = domainMapOptions(run, d);
    if (!o) {
      parts.push(note(`no map of this domain: ${"missing" in d.map ? d.map.missing : "missing" in run.map ? `the run's own map is missing (${run.map.missing})` : ""}`));
      continue;
    }
    if (!o.labels) parts.push(note(`the domain's points are not coloured by class: ${"missing" in d.predictions ? d.predictions.missing : "its predictions do not match its map"}`));
    parts.push(await mapFigure(o, `${id}-${d.slug}`, "Grey: the run's own images. In colour: this domain's images by true class, placed into the same map; a dark ring marks an image the model got wrong."));
  }
  return { id, title, html: parts.join("") };
}

import { mapTitle, type MapScatterOptions } from "../charts/scatter.js";
import { renderMapForPage } from "../mapPicture.js";
import { esc, figure, inlineSvg, note, num, pngImg } from "./html.js";
import { classSeparation, words } from "./summary.js";
import type { MapView, RunView, Section } from "./types.js";

/**
 * "Which classes separate in feature space?": the run's map (t-SNE when it has one) coloured by
 * true class with the misclassified images ringed, its KL divergence and how faithful it is, and
 * which classes form clusters of their own.
 */

/** The picture of a map: an inline SVG, or for large maps an <img> of its raster. */
export async function mapFigure(o: MapScatterOptions, key: string, caption: string): Promise<string> {
  const pic = await renderMapForPage(o);
  const body = "svg" in pic ? inlineSvg(pic.svg, o.title, key) : pngImg(pic.png, o.title, "map");
  return figure(body, caption, "map");
}

/** The map's points coloured by true class with rings on the misclassified, titled with model and data. */
export function runMapOptions(run: RunView, map: MapView): MapScatterOptions {
  const p = "value" in run.predictions ? run.predictions.value : null;
  const data = run.record.data?.spec ?? run.id;
  return {
    embedding: map.embedding, dims: map.dims, classes: run.record.classes,
    ...(p && p.n === map.n ? { labels: p.label, predicted: p.predicted, color: "true" as const } : {}),
    title: mapTitle({ method: map.method, model: run.model, data, n: map.n }),
  };
}

/** The quality measures of a map, in words. */
export function qualityFacts(map: MapView): string {
  const q = (map.quality ?? {}) as { trustworthiness?: number; knn_preservation?: number; knn_accuracy?: number; knn_accuracy_input?: number; silhouette?: { map?: number; input?: number } };
  const rows: [string, string, string][] = [];
  if (map.kl !== null) rows.push(["KL divergence", num(map.kl), "what t-SNE minimised; lower is a closer fit"]);
  if (q.trustworthiness !== undefined) rows.push(["trustworthiness", num(q.trustworthiness), "1: a point's neighbours in the map are neighbours in feature space too"]);
  if (q.knn_preservation !== undefined) rows.push(["10-NN kept", num(q.knn_preservation), "share of each point's 10 nearest neighbours in feature space that stay its neighbours in the map"]);
  if (q.knn_accuracy !== undefined) rows.push(["10-NN label accuracy", `${num(q.knn_accuracy)} (features: ${num(q.knn_accuracy_input)})`, "a point's class guessed from its 10 nearest neighbours, in the map and in feature space"]);
  if (q.silhouette?.map !== undefined) rows.push(["silhouette by class", `${num(q.silhouette.map)} (features: ${num(q.silhouette.input)})`, "from −1 to 1: how well the classes form separate clusters"]);
  return `<dl class="facts">${rows.map(([k, v, why]) => `<dt>${esc(k)}</dt><dd><strong>${esc(v)}</strong> — ${esc(why)}</dd>`).join("")}</dl>`;
}

export async function featureSpaceSection(run: RunView): Promise<Section> {
  const id = "feature-space";
  const title = "Which classes separate in feature space?";
  if (!("value" in run.map)) return { id, title, html: note(`no map of the features: ${run.map.missing}`) };
  const map = run.map.value;
  const parts: string[] = [];
  const sep = classSeparation(map.quality, run.record.classes);
  if (sep && sep.length >= 4) {
    const clear = sep.filter((c) => c.silhouette > 0.25).slice(0, 4);
    const mixed = sep.filter((c) => c.silhouette < 0.05).slice(-4);
    parts.push(`<p class="lead">Each point is an image, placed by the features of the network's penultimate layer${run.record.model?.penultimate ? ` (${esc(run.record.model.penultimate)})` : ""}: images the network sees alike lie close.${clear.length ? ` ${esc(words(clear.map((c) => c.name)))} form clusters of their own` : ""}${mixed.length ? `${clear.length ? "; " : " "}${esc(words(mixed.map((c) => c.name)))} mix with other classes` : ""}.</p>`);
  }
  const o = runMapOptions(run, map);
  if (!o.labels) parts.push(note(`the points are not coloured by class: the predictions could not be read or do not match the map (${"missing" in run.predictions ? run.predictions.missing : `${map.n} points`})`));
  parts.push('<div class="figures">');
  parts.push(await mapFigure(o, `${id}-map`, "Colour: the true class. A dark ring marks an image the model got wrong; it sits where the network's features put it."));
  parts.push(`<div>${qualityFacts(map)}</div></div>`);
  if (sep) {
    const rows = sep.map((c) => `<tr><td>${esc(c.name)}</td><td class="num">${num(c.silhouette, 2)}</td></tr>`).join("");
    parts.push(`<details><summary>Silhouette of each class in the map</summary><table><thead><tr><th>class</th><th class="num">silhouette</th></tr></thead><tbody>${rows}</tbody></table></details>`);
  }
  return { id, title, html: parts.join("") };
}

import { MAP_COLORS, type MapColor, mapTitle, type MapScatterOptions } from "../report/charts/scatter.js";
import { writeMapPng } from "../report/mapPicture.js";
import { readMap } from "../store/maps.js";
import { readPredictions } from "../store/predictions.js";
import { openRunForWrite, Run } from "../store/run.js";
import { findRun, openWorkspace } from "../store/workspace.js";
import { UsageError } from "../util/errors.js";
import { modelLabel } from "./modelLabel.js";

/**
 * A saved map of a run drawn again as a picture, coloured as asked, without rerunning t-SNE: by
 * true or predicted class with the misclassified points ringed, right/wrong, confidence or loss.
 * A domain's map is drawn over the run's own map in grey, which is where its points were placed.
 */

export type { MapColor } from "../report/charts/scatter.js";

export interface PlotOptions {
  /** The map's name: "tsne", "pca", "umap". */
  map: string;
  color?: MapColor;
  /** Draw this domain's points (placed into the run's map) over the run's own map in grey. */
  domain?: string;
  /** The PNG to write (default: the map's own picture in the run, `maps/<name>-<color>.png`). */
  out?: string;
}

/**
 * The picture's options (points, colours, reference, title) for a run's map; reads the map and the
 * scope's predictions, and for a domain the run's own map.
 */
export async function runMapPicture(run: Run, o: PlotOptions): Promise<MapScatterOptions> {
  const color = o.color ?? "true";
  if (!MAP_COLORS.includes(color)) throw new UsageError(`--color takes ${MAP_COLORS.join(", ")}, got '${String(color)}'`);
  const scope = run.scope(o.domain);
  const { embedding, record } = readMap(run, scope, o.map);
  const p = await readPredictions(run.path(`${run.scopePrefix(o.domain)}predictions.parquet`));
  if (p.n * record.dims !== embedding.length) {
    throw new UsageError(`map '${o.map}' of ${o.domain === undefined ? `run ${run.id}` : `domain '${o.domain}'`} has ${embedding.length / record.dims} points but its predictions have ${p.n} rows; run featurelens analyze again`);
  }
  const own = run.record.data;
  const label = own ? `${own.spec}, the run's own ${own.n.toLocaleString("en-US")} images` : "the run's own images";
  const reference = o.domain === undefined ? undefined : { embedding: readMap(run, run.record, o.map).embedding, dims: run.record.maps[o.map].dims, label };
  const method = record.method;
  return {
    embedding, dims: record.dims, labels: p.label, predicted: p.predicted, confidence: p.confidence, loss: p.loss, classes: run.record.classes, color,
    title: mapTitle({ method, model: modelLabel(run.record), data: scope.data?.spec ?? o.domain ?? run.id, n: p.n, source: record.source }),
    ...(reference ? { reference, subtitle: `placed into the run's ${o.map} map` } : {}),
  };
}

/** Draws the map; returns the file written (recorded in the run when the run is open to write and the file is inside it). */
export async function plotRunMap(run: Run, o: PlotOptions): Promise<string> {
  const color = o.color ?? "true";
  const picture = await runMapPicture(run, { ...o, color });
  const rel = `${run.scopePrefix(o.domain)}maps/${o.map}-${color}.png`;
  const file = o.out ?? run.path(rel);
  await writeMapPng(file, picture);
  if (!o.out && run.writable) run.recordArtifact(run.scope(o.domain), { file: rel, kind: "map", params: { map: o.map, color } });
  return file;
}

/** `featurelens plot`: finds the run, draws the map, returns the file. Writing into the run takes its lock. */
export async function plotRun(o: PlotOptions & { workspace?: string; run: string }): Promise<string> {
  const dir = findRun(openWorkspace(o.workspace), o.run);
  if (o.out) return plotRunMap(Run.read(dir), o);
  const run = openRunForWrite(dir, { command: "plot" });
  try {
    return await plotRunMap(run, o);
  } finally {
    run.release();
  }
}

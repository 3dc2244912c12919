import { mapScatterSpec } from "../report/charts/scatter.js";
import { writeChart } from "../report/vega.js";
import { readMap } from "../store/maps.js";
import { readPredictions } from "../store/predictions.js";
import type { Run } from "../store/run.js";
import { modelName } from "./analyze.js";

/**
 * A saved map of a run drawn again as a picture, coloured as asked, without rerunning t-SNE.
 */

export type MapColor = "true" | "predicted" | "wrong" | "confidence" | "loss";

export interface PlotOptions {
  map: string;
  color?: MapColor;
  domain?: string;
  /** The PNG to write (default: the map's own picture in the run, maps/<name>-<color>.png). */
  out?: string;
}

/** Draws the map; returns the file written (recorded in the run when the run is open to write and the file is inside it). */
export async function plotRunMap(run: Run, o: PlotOptions): Promise<string> {
  const scope = run.scope(o.domain);
  const { embedding, record } = readMap(run, scope, o.map);
  const p = await readPredictions(run.path(`${run.scopePrefix(o.domain)}predictions.parquet`));
  const color = o.color ?? "true";
  const rel = `${run.scopePrefix(o.domain)}maps/${o.map}-${color}.png`;
  const file = o.out ?? run.path(rel);
  const method = { tsne: "t-SNE", pca: "PCA", umap: "UMAP" }[record.method];
  const title = `${method} of ${modelName(run)}'s ${record.source} features, ${scope.data?.spec ?? ""} (${p.n} images)`;
  await writeChart(file, mapScatterSpec({ embedding, dims: record.dims, labels: color === "predicted" ? p.predicted : p.label, classes: run.record.classes, title }), { formats: ["png"] });
  if (!o.out && run.writable) run.recordArtifact(scope, { file: rel, kind: "map", params: { map: o.map, color } });
  return file;
}

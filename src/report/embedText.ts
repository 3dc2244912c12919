import type { MapQuality } from "../analysis/node/pipeline.js";

/** What `featurelens embed` made, for a terminal. */
export function formatEmbedding(r: {
  method: string;
  n: number;
  dims: number;
  kl: number | null;
  iterations: number | null;
  stopped_early: boolean;
  seconds: number;
  quality: MapQuality | null;
  files: string[];
  pca_to: number | null;
  variance_kept?: number | null;
}): string {
  const f = (x: number | null | undefined) => (x === null || x === undefined ? "n/a" : x.toFixed(3));
  const q = r.quality;
  // Sampled measures say from how many rows (quality.samples; absent in maps saved before it).
  const rows = (m: number | null | undefined) => (m && m < r.n ? ` (from ${m.toLocaleString("en")} of ${r.n.toLocaleString("en")} rows)` : "");
  const lines = [
    `${r.method}: ${r.n} points → ${r.dims}-D in ${r.seconds.toFixed(1)} s${r.pca_to ? ` (PCA to ${r.pca_to} dimensions first)` : ""}`,
    ...(r.variance_kept !== null && r.variance_kept !== undefined ? [`the ${r.dims} components keep ${(100 * r.variance_kept).toFixed(1)}% of the variance`] : []),
    ...(r.kl !== null ? [`KL divergence ${r.kl.toFixed(4)} after ${r.iterations} iterations${r.stopped_early ? " (stopped early)" : ""}`] : []),
    ...(q ? [`trustworthiness ${f(q.trustworthiness)}${rows(q.samples?.trustworthiness)}   10-NN preservation ${f(q.knn_preservation)}`] : []),
    ...(q && q.knn_accuracy !== null ? [`10-NN label accuracy: map ${f(q.knn_accuracy)}, features ${f(q.knn_accuracy_input)}`] : []),
    ...(q?.silhouette ? [`silhouette by label: map ${f(q.silhouette.map)}, features ${f(q.silhouette.input)}${rows(q.samples?.silhouette)}`] : []),
    `wrote ${r.files.join(", ")}`,
  ];
  return `${lines.join("\n")}\n`;
}

import { knn, type KnnMethod } from "../analysis/node/neighbors.js";
import type { Metric } from "../analysis/neighbors/types.js";
import { encodeNpy } from "../data/npy.js";
import { ortBackend } from "../engine/dense/ortBackend.js";
import { writeFilesAtomic } from "../util/atomic.js";
import { UsageError } from "../util/errors.js";
import { METRICS } from "./embedFile.js";
import { readPoints } from "./featureSource.js";

/**
 * `featurelens neighbors --all`: the k nearest neighbours of every row of a features file, written
 * as two .npy files a person can take elsewhere — G.npy (int32 N×k, row indices, nearest first,
 * ties to the lower index) and G.distances.npy beside it (float32 N×k: Euclidean, L1, or
 * 1 − cosine similarity). Exact by default: l2 and cosine through onnxruntime (engine/dense), l1
 * on the WebAssembly kernel.
 */

export interface NeighborGraphOptions {
  in: string;
  /** Where the indices go (.npy); the distances go to {@link distancesPath}(out). */
  out: string;
  k?: number;
  metric?: Metric;
  /** "exact" (default), "approx" (HNSW) or "auto" (exact up to KNN_DEFAULTS.denseApproxAbove). */
  method?: KnnMethod;
  threads?: number;
  /** Leave out rows holding NaN or ±Infinity: their rows of the graph are −1 and NaN, and no row lists them. */
  dropInvalid?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface NeighborGraphResult {
  n: number;
  k: number;
  metric: Metric;
  method: KnnMethod;
  seconds: number;
  files: [string, string];
  /** Rows left out (--drop-invalid). */
  dropped: number[];
}

export const NEIGHBOR_GRAPH_DEFAULTS = { k: 10, metric: "l2" as Metric, method: "exact" as KnnMethod };

/** G.npy → G.distances.npy. */
export function distancesPath(out: string): string {
  return out.replace(/\.npy$/, "") + ".distances.npy";
}

/**
 * Writes the kNN graph of the features in `o.in`.
 * @example await neighborGraph({ in: "feats.npy", out: "G.npy", k: 90 }) // { n: 70000, k: 90, files: ["G.npy", "G.distances.npy"], … }
 */
export async function neighborGraph(o: NeighborGraphOptions): Promise<NeighborGraphResult> {
  const { k, metric, method } = { ...NEIGHBOR_GRAPH_DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
  if (!METRICS.includes(metric)) throw new UsageError(`--metric takes ${METRICS.join(", ")}, got '${String(metric)}'`);
  if (!/\.npy$/.test(o.out)) throw new UsageError(`--out ${o.out}: the graph is written as .npy (indices) with .distances.npy beside it; name it like G.npy`);
  const { points, rows, dropped } = readPoints(o.in, o.dropInvalid ? { dropInvalid: true } : {});
  if (!Number.isInteger(k) || k < 1 || k > points.n - 1) {
    throw new UsageError(`--k ${k} must be between 1 and the number of other points, ${points.n - 1}${dropped.length ? ` (${dropped.length} invalid rows dropped)` : ""}`);
  }
  const started = performance.now();
  const dense = ortBackend(o.threads ? { threads: o.threads } : {});
  let graph;
  try {
    graph = await knn(points, k, { metric, method, dense, ...(o.threads ? { threads: o.threads } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
  } finally {
    await dense.release();
  }
  const seconds = (performance.now() - started) / 1000;
  const total = points.n + dropped.length;
  let { indices, distances } = graph;
  if (dropped.length) {
    // Back to the file's rows: kept row r is file row rows[r]; dropped rows get −1 and NaN.
    indices = new Int32Array(total * k).fill(-1);
    distances = new Float32Array(total * k).fill(NaN);
    for (let r = 0; r < points.n; r++) {
      for (let c = 0; c < k; c++) {
        indices[rows[r] * k + c] = rows[graph.indices[r * k + c]];
        distances[rows[r] * k + c] = graph.distances[r * k + c];
      }
    }
  }
  const files: [string, string] = [o.out, distancesPath(o.out)];
  writeFilesAtomic([
    [files[0], encodeNpy({ dtype: "int32", shape: [total, k], data: indices })],
    [files[1], encodeNpy({ dtype: "float32", shape: [total, k], data: distances })],
  ]);
  return { n: total, k, metric, method, seconds, files, dropped };
}

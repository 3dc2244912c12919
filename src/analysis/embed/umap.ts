import { UMAP } from "umap-js";
import { UsageError } from "../../util/errors.js";
import { createRng } from "../../util/rng.js";
import type { KnnGraph, Points } from "../neighbors/types.js";

/**
 * UMAP (McInnes, Healy & Melville 2018) through `umap-js`, fed featurelens' own kNN graph so that
 * the neighbour search — the slow part of umap-js — is ours, and seeded through its `random` hook
 * so the same seed gives the same map. Browser-safe.
 */

export interface UmapOptions {
  dims?: 2 | 3;
  /** Neighbours per point, the point itself included, as umap-learn counts them (default 15). */
  nNeighbors?: number;
  minDist?: number;
  /** Default: umap-js's choice (500 below 10,000 points, else 200). */
  nEpochs?: number;
  seed?: number;
  /** The points' kNN graph with at least nNeighbors − 1 neighbours per point (self excluded, as featurelens' knn gives it). */
  knn: KnnGraph;
  /** Called every 10 epochs with (epoch, total); return false to stop and keep the map so far. */
  onProgress?: (epoch: number, total: number) => boolean | void;
}

export const UMAP_DEFAULTS = { dims: 2 as 2 | 3, nNeighbors: 15, minDist: 0.1, seed: 0 };

/**
 * A UMAP map of `points`, row-major N×dims.
 * @example (await umap(points, { knn: await knn(points, 14) })).embedding.length // 2·N
 */
export async function umap(points: Points, options: UmapOptions): Promise<{ embedding: Float32Array; epochs: number; stoppedEarly: boolean }> {
  const o = { ...UMAP_DEFAULTS, ...options };
  const k = o.nNeighbors;
  if (!Number.isInteger(k) || k < 2) throw new UsageError(`nNeighbors must be an integer ≥ 2, got ${k}`);
  if (points.n <= k) throw new UsageError(`UMAP with ${k} neighbours needs more than ${k} points, got ${points.n}; use fewer neighbours`);
  if (o.knn.n !== points.n || o.knn.k < k - 1) throw new UsageError(`the kNN graph must have ${points.n} rows of at least ${k - 1} neighbours, got ${o.knn.n} × ${o.knn.k}`);
  const rng = createRng(o.seed);
  const model = new UMAP({ nComponents: o.dims, nNeighbors: k, minDist: o.minDist, random: () => rng.next(), ...(o.nEpochs ? { nEpochs: o.nEpochs } : {}) });
  // umap-learn's convention: each point is its own first neighbour, at distance 0.
  const indices: number[][] = [];
  const distances: number[][] = [];
  for (let i = 0; i < points.n; i++) {
    const row = i * o.knn.k;
    indices.push([i, ...Array.from(o.knn.indices.subarray(row, row + k - 1))]);
    distances.push([0, ...Array.from(o.knn.distances.subarray(row, row + k - 1))]);
  }
  model.setPrecomputedKNN(indices, distances);
  const rows = Array.from({ length: points.n }, (_, i) => Array.from(points.data.subarray(i * points.d, (i + 1) * points.d)));
  const total = model.initializeFit(rows);
  let epoch = 0;
  let stoppedEarly = false;
  while (epoch < total) {
    epoch = model.step();
    if (epoch % 10 === 0 && o.onProgress?.(epoch, total) === false) {
      stoppedEarly = true;
      break;
    }
    // Let other work (progress bars, aborts) run now and then.
    if (epoch % 50 === 0) await new Promise((r) => setTimeout(r, 0));
  }
  const embedding = Float32Array.from(model.getEmbedding().flat());
  return { embedding, epochs: epoch, stoppedEarly };
}

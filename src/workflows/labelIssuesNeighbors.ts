import type { NeighbourRows } from "../analysis/diagnose/labelIssuesNeighbors.js";
import { knn } from "../analysis/node/neighbors.js";
import { withDenseBackend } from "./dense.js";

/**
 * Each image's nearest neighbours in the penultimate features, for `label-issues`. Features of a
 * run are one space; features from k-fold cross-validation come from one network per fold, so an
 * image's neighbours are looked for among the images its own fold's network held out (all of them
 * out of sample, in one space).
 */

/**
 * The `k` nearest neighbours of every image within its group (all images when `group` is absent),
 * as rows of the whole set; an image whose group is smaller than k + 1 gets −1 for the missing ones.
 * Exact search, or HNSW for large groups (see `knn` in analysis/node/knn.ts).
 * @example await groupNeighbours({ n: 4, d: 1, data: Float32Array.of(0, 1, 10, 11) }, 1, { group: Int32Array.of(0, 0, 1, 1) })
 * // { k: 1, indices: Int32Array [1, 0, 3, 2] }
 */
export async function groupNeighbours(points: { n: number; d: number; data: Float32Array }, k: number, o: { group?: Int32Array; threads?: number } = {}): Promise<NeighbourRows> {
  const indices = new Int32Array(points.n * k).fill(-1);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < points.n; i++) {
    const g = o.group ? o.group[i] : 0;
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(i);
  }
  await withDenseBackend(async (dense) => {
    for (const rows of groups.values()) {
      const kk = Math.min(k, rows.length - 1);
      if (kk < 1) continue;
      const data = new Float32Array(rows.length * points.d);
      rows.forEach((row, r) => data.set(points.data.subarray(row * points.d, (row + 1) * points.d), r * points.d));
      const graph = await knn({ n: rows.length, d: points.d, data }, kk, { dense, ...(o.threads ? { threads: o.threads } : {}) });
      rows.forEach((row, r) => {
        for (let a = 0; a < kk; a++) indices[row * k + a] = rows[graph.indices[r * kk + a]];
      });
    }
  });
  return { k, indices };
}

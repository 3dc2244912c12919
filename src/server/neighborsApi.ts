import { blockSums, nearestRows } from "../analysis/neighbors/scan.js";
import { API_LIMITS, type NeighborsResponse } from "../api/types.js";
import { imageSize } from "../data/dataset.js";
import { rowParam } from "./imagesApi.js";
import { enumParam, intParam, nameParam, onlyParams } from "./params.js";
import type { ApiContext, ApiRequest, Reply } from "./reply.js";

/**
 * GET /api/runs/:run/neighbors/:row?space=feature|pixel&k=10: an image's exact nearest neighbours
 * (Euclidean, ties to the lower row) among the scope's images, in the space of its penultimate
 * features or of its pixels (uint8, distances in pixel-value units). The rows to scan stay in the
 * cache as typed arrays: the features as stored, the pixels as the dataset holds them, with their
 * block sums for the scan's lower bound (analysis/neighbors/scan.ts).
 */

export async function neighborsGet(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, ["space", "k", "domain"]);
  const open = ctx.store.open(req.params[0]);
  const s = ctx.store.scope(open, nameParam(req.url, "domain"));
  const space = enumParam(req.url, "space", ["feature", "pixel"] as const) ?? "feature";
  const k = intParam(req.url, "k", 1, API_LIMITS.maxNeighbors) ?? 10;
  const p = await ctx.store.predictions(s);
  const row = rowParam(req.params[1], p.n);
  let found;
  if (space === "feature") {
    found = nearestRows(await ctx.store.features(s), row, k);
  } else {
    const pixels = await ctx.store.cached(s, "pixels", async () => {
      const ds = await ctx.store.images(s);
      const rows = { n: ds.n, d: imageSize(ds), data: ds.images };
      const sums = blockSums(rows);
      return { value: { rows, sums }, bytes: sums.byteLength };
    });
    found = nearestRows(pixels.rows, row, k, pixels.sums);
  }
  const neighbors = Array.from(found.rows, (r, i) => ({ row: r, index: p.index[r], distance: found.distances[i], label: p.label[r], predicted: p.predicted[r] }));
  const body: NeighborsResponse = {
    row, index: p.index[row], space, metric: "l2", neighbors,
    sameClass: neighbors.filter((nb) => p.label[row] >= 0 && nb.label === p.label[row]).length,
  };
  return { json: body };
}

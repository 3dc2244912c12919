import { API_LIMITS } from "../api/types.js";
import { notFound } from "./http.js";
import { atlasInfo, atlasPage, imagePng } from "./atlas.js";
import { intParam, nameParam, onlyParams, parseInteger } from "./params.js";
import type { ApiContext, ApiRequest, Reply } from "./reply.js";
import type { ScopeRef } from "./runStore.js";

/**
 * GET /api/runs/:run/images/:row.png, /atlas and /atlas/:page.png: a scope's images, loaded once
 * (workflows/runImages.ts) and kept in the cache; rendered pages are cached too.
 */

const INT32_MAX = 2 ** 31 - 1;
const MAX_SIDE = 4096;

/** A row from the path: an integer (400 otherwise) that the scope has (404 otherwise). */
export function rowParam(text: string, n: number, what = "row"): number {
  const row = parseInteger(text, what, 0, INT32_MAX);
  if (row >= n) throw notFound(`no ${what} ${row}: the scope has ${n} (0..${n - 1})`);
  return row;
}

function sizeParam(url: URL): number {
  const size = intParam(url, "size", 1, 1024) ?? 32;
  if (!(API_LIMITS.atlasSizes as readonly number[]).includes(size)) throw notFound(`no atlas of size ${size} (sizes: ${API_LIMITS.atlasSizes.join(", ")})`);
  return size;
}

function scopeOf(ctx: ApiContext, req: ApiRequest): ScopeRef {
  const open = ctx.store.open(req.params[0]);
  return ctx.store.scope(open, nameParam(req.url, "domain"));
}

/** GET /api/runs/:run/images/:row.png[?domain=&scale=] */
export async function imageGet(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, ["domain", "scale"]);
  const s = scopeOf(ctx, req);
  const scale = intParam(req.url, "scale", 1, API_LIMITS.maxScale) ?? 1;
  const ds = await ctx.store.images(s);
  const row = rowParam(req.params[1], ds.n);
  // A picture at most MAX_SIDE px a side: a larger scale is lowered to fit.
  const fit = Math.max(1, Math.floor(MAX_SIDE / Math.max(ds.height, ds.width)));
  return { bytes: await imagePng(ds, row, Math.min(scale, fit)), type: "image/png" };
}

/** GET /api/runs/:run/atlas[?domain=&size=] */
export async function atlasGet(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, ["domain", "size"]);
  const s = scopeOf(ctx, req);
  const size = sizeParam(req.url);
  const ds = await ctx.store.images(s);
  return { json: atlasInfo(ds.n, size, ds.channels) };
}

/** GET /api/runs/:run/atlas/:page.png[?domain=&size=] */
export async function atlasPageGet(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, ["domain", "size"]);
  const s = scopeOf(ctx, req);
  const size = sizeParam(req.url);
  const ds = await ctx.store.images(s);
  const info = atlasInfo(ds.n, size, ds.channels);
  const page = rowParam(req.params[1], info.pages, "page");
  const png = await ctx.store.cached(s, `atlas\0${size}\0${page}`, async () => {
    const bytes = await atlasPage(ds, info, page);
    return { value: bytes, bytes: bytes.byteLength };
  });
  return { bytes: png, type: "image/png" };
}

import { encodePoints, labelArray } from "../api/points.js";
import type { PredictionQuery, PredictionRow, PredictionsResponse, RowsResponse } from "../api/types.js";
import type { PredictionsTable } from "../store/predictionsSchema.js";
import { indicesWhere, type PredictionFilter, queryPredictions } from "../store/query.js";
import { badRequest, notFound } from "./http.js";
import { FILTER_PARAMS, nameParam, onlyParams, param, queryFromBody, queryFromUrl, rowsToIndices } from "./params.js";
import type { ApiContext, ApiRequest, Reply } from "./reply.js";
import { type OpenRun, printable, type ScopeRef } from "./runStore.js";

/**
 * The predictions of a scope: pages of rows through store/query.ts (GET with filters, POST with a
 * selection of rows), the rows a filter selects (a confusion-matrix cell lit up on the map), and
 * the map's points as one binary payload (api/points.ts).
 *
 * The predictions table holds each image's source `index`; the app speaks of `row`s (positions in
 * the scope). The table is in row order with indices ascending, so index → row is a binary search.
 */

/** The row of source index `index` (the table's indices ascend), or −1. */
export function rowOf(index: Int32Array, value: number): number {
  let lo = 0;
  let hi = index.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = index[mid];
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The class count a run's queries are checked against (its class names, else any). */
function classCount(open: OpenRun): number {
  return open.run.record.classes.length || 2 ** 31 - 1;
}

function filterOf(q: PredictionQuery, indices: Int32Array | undefined): PredictionFilter {
  return {
    ...(q.label !== undefined ? { label: q.label } : {}),
    ...(q.predicted !== undefined ? { predicted: q.predicted } : {}),
    ...(q.correct !== undefined ? { correct: q.correct } : {}),
    ...(q.cmin !== undefined || q.cmax !== undefined ? { confidence: { ...(q.cmin !== undefined ? { min: q.cmin } : {}), ...(q.cmax !== undefined ? { max: q.cmax } : {}) } } : {}),
    ...(indices ? { indices } : {}),
  };
}

async function answer(ctx: ApiContext, s: ScopeRef, q: PredictionQuery): Promise<PredictionsResponse> {
  const p = await ctx.store.predictions(s);
  const indices = q.rows ? rowsToIndices(q.rows, p.index) : undefined;
  const filter = filterOf(q, indices);
  const source = { file: ctx.store.predictionsFile(s) };
  const [page, selected] = await Promise.all([
    queryPredictions({
      sources: [source], ...filter, ...(q.sort ? { sort: q.sort } : {}), ...(q.desc !== undefined ? { descending: q.desc } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}), ...(q.offset !== undefined ? { offset: q.offset } : {}), ...(q.probabilities ? { probabilities: true } : {}),
    }),
    indicesWhere({ source, ...filter }),
  ]);
  const rows: PredictionRow[] = page.rows.map((r) => ({
    row: rowOf(p.index, r.index), index: r.index, label: r.label, predicted: r.predicted, confidence: r.confidence, margin: r.margin, loss: r.loss,
    ...(r.probabilities ? { probabilities: Array.from(r.probabilities) } : {}),
  }));
  const { classCounts, correct } = countSelected(p, selected);
  return { total: page.total, rows, classCounts, correct };
}

/** Per true class, how many of the selected source indices there are, and how many are right. */
function countSelected(p: PredictionsTable, selected: Int32Array): { classCounts: number[]; correct: number } {
  const counts = new Array<number>(p.k).fill(0);
  let correct = 0;
  for (const index of selected) {
    const r = rowOf(p.index, index);
    const y = p.label[r];
    if (y < 0) continue;
    if (y < p.k) counts[y]++;
    if (p.predicted[r] === y) correct++;
  }
  return { classCounts: counts, correct };
}

/** GET /api/runs/:run/predictions?… */
export async function predictionsGet(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  const open = ctx.store.open(req.params[0]);
  const q = queryFromUrl(req.url, classCount(open));
  return { json: await answer(ctx, ctx.store.scope(open, q.domain), q) };
}

/** POST /api/runs/:run/predictions, body: PredictionQuery with `rows` */
export async function predictionsPost(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, []);
  const open = ctx.store.open(req.params[0]);
  const q = queryFromBody(req.body ?? Buffer.alloc(0), classCount(open));
  return { json: await answer(ctx, ctx.store.scope(open, q.domain), q) };
}

/** GET /api/runs/:run/rows?… : every row a filter selects, ascending. */
export async function rowsGet(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  const open = ctx.store.open(req.params[0]);
  const q = queryFromUrl(req.url, classCount(open), FILTER_PARAMS);
  const s = ctx.store.scope(open, q.domain);
  const p = await ctx.store.predictions(s);
  const selected = await indicesWhere({ source: { file: ctx.store.predictionsFile(s) }, ...filterOf(q, undefined) });
  const rows = Array.from(selected, (index) => rowOf(p.index, index));
  const body: RowsResponse = { total: rows.length, rows };
  return { json: body };
}

/** GET /api/runs/:run/points?map=tsne[&domain=] */
export async function pointsGet(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, ["map", "domain"]);
  const open = ctx.store.open(req.params[0]);
  const s = ctx.store.scope(open, nameParam(req.url, "domain"));
  const name = param(req.url, "map");
  if (name === undefined) throw badRequest(`map is missing: give the map's name (${Object.keys(s.scope.maps).join(", ") || "the scope has none"})`);
  if (!Object.hasOwn(s.scope.maps, name)) throw notFound(`${s.domain === undefined ? `run ${open.id}` : `domain ${s.domain}`} has no map '${printable(name)}'; its maps: ${Object.keys(s.scope.maps).join(", ") || "none"}`);
  const bytes = await ctx.store.cached(s, `points\0${name}`, async () => {
    const [p, m] = await Promise.all([ctx.store.predictions(s), ctx.store.map(s, name)]);
    const payload = encodePointsOf(open, s, name, p, m);
    return { value: payload, bytes: payload.byteLength };
  });
  return { bytes, type: "application/octet-stream" };
}

function encodePointsOf(open: OpenRun, s: ScopeRef, map: string, p: PredictionsTable, m: { embedding: Float32Array; dims: 2 | 3 }): Uint8Array {
  const classes = open.run.record.classes.length === p.k ? open.run.record.classes : Array.from({ length: p.k }, (_, i) => String(i));
  const label = labelArray(classes.length, p.n);
  const predicted = labelArray(classes.length, p.n);
  const none = label instanceof Uint8Array ? 255 : 65535;
  for (let i = 0; i < p.n; i++) {
    label[i] = p.label[i] < 0 ? none : p.label[i];
    predicted[i] = p.predicted[i];
  }
  return encodePoints(
    { run: open.id, domain: s.domain ?? null, map, n: p.n, dims: m.dims, classes },
    { xy: m.embedding, label, predicted, confidence: p.confidence, loss: p.loss, margin: p.margin, index: p.index },
  );
}

import type { Comparison } from "../analysis/diagnose/compareTypes.js";
import type { LayersJson, SeparationJson, ShiftJson } from "../analysis/diagnose/diagnoseJson.js";
import { MIXED_DEFAULTS, mixedByNeighbors, mixedByPredictions } from "../analysis/diagnose/mixedRows.js";
import { knn } from "../analysis/node/neighbors.js";
import type { CompareResponse, CompareSummary, DiagnosisResponse, MixedRowsResponse, ShiftResponse } from "../api/types.js";
import { layerCurveSpec } from "../report/charts/layerCurve.js";
import { shortSpec } from "../report/diagnosisText.js";
import { modelLabel } from "../workflows/modelLabel.js";
import { badRequest, notFound } from "./http.js";
import { enumParam, intParam, nameParam, onlyParams } from "./params.js";
import type { ApiContext, ApiRequest, Reply } from "./reply.js";
import { scopeName, type ScopeRef } from "./runStore.js";

/**
 * The diagnoses a run stores, as the app's Diagnose view reads them: `featurelens diagnose`'s
 * separation and layer curve (GET …/diagnosis), the images behind one of its mixed class pairs
 * (GET …/diagnosis/mixed, lit up on the map), every domain's shift (GET …/shift) and the stored
 * comparisons with other runs (GET …/compare). Files are named by the server from the run's
 * record, never by the client; a run without the analysis is a 404 saying which command makes it.
 */

/** The command that makes the diagnosis of a scope, for the 404's message. */
function diagnoseCommand(s: ScopeRef): string {
  return `featurelens diagnose --run ${s.open.id}${s.domain === undefined ? "" : ` --domain ${s.domain}`}`;
}

/** The scope's separation.json (404 without one). */
function separationOf(ctx: ApiContext, s: ScopeRef): SeparationJson {
  const sep = ctx.store.readJson(s.open, `${s.open.run.scopePrefix(s.domain)}diagnose/separation.json`) as SeparationJson | null;
  if (!sep || sep.featurelens !== "diagnose/separation") throw notFound(`${scopeName(s)} has no diagnosis: run ${diagnoseCommand(s)}`);
  return sep;
}

/** GET /api/runs/:run/diagnosis[?domain=] */
export async function diagnosisGet(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, ["domain"]);
  const open = ctx.store.open(req.params[0]);
  const s = ctx.store.scope(open, nameParam(req.url, "domain"));
  const separation = separationOf(ctx, s);
  const layers = ctx.store.readJson(open, `${open.run.scopePrefix(s.domain)}diagnose/layers.json`) as LayersJson | null;
  const layerChart = layers?.layers?.length
    ? layerCurveSpec({
        points: layers.layers.map((l) => ({ position: l.position, name: l.name, accuracy: l.knn_accuracy, se: l.se, role: l.role })),
        scored: layers.scored,
        subject: `${modelLabel(open.run.record)} on ${shortSpec(s.scope.data?.spec ?? open.id)}`,
      })
    : null;
  const body: DiagnosisResponse = { separation, layers: layers?.featurelens === "diagnose/layers" ? layers : null, layerChart };
  return { json: body };
}

/** GET /api/runs/:run/diagnosis/mixed?a=&b=&by=neighbors|predictions[&domain=] */
export async function mixedGet(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, ["a", "b", "by", "domain"]);
  const open = ctx.store.open(req.params[0]);
  const s = ctx.store.scope(open, nameParam(req.url, "domain"));
  const K = open.run.record.classes.length;
  if (K < 2) throw notFound(`${scopeName(s)} has no class names, so it has no class pairs`);
  const a = intParam(req.url, "a", 0, K - 1);
  const b = intParam(req.url, "b", 0, K - 1);
  if (a === undefined || b === undefined) throw badRequest(`a and b are needed: the two classes of the pair (0..${K - 1})`);
  if (a === b) throw badRequest(`a and b must be two classes, got ${a} twice`);
  const by = enumParam(req.url, "by", ["neighbors", "predictions"] as const) ?? "neighbors";
  const p = await ctx.store.predictions(s);
  const names = open.run.record.classes;
  let rows: Int32Array;
  let rule: string;
  if (by === "predictions") {
    rows = mixedByPredictions(p.label, p.predicted, a, b);
    rule = `images of ${names[a]} predicted ${names[b]}, and of ${names[b]} predicted ${names[a]}`;
  } else {
    const k = separationOf(ctx, s).k;
    rows = await neighbourMixed(ctx, s, a, b, k);
    rule = `images of ${names[a]} with at least ${Math.ceil(MIXED_DEFAULTS.share * k)} of their ${k} nearest neighbours in feature space ${names[b]}, and the reverse`;
  }
  let ofA = 0;
  for (const r of rows) if (p.label[r] === a) ofA++;
  const body: MixedRowsResponse = { total: rows.length, rows: Array.from(rows), a, b, by, ofA, ofB: rows.length - ofA, rule };
  return { json: body };
}

/**
 * Rows of a and b that sit among the other class, from each image's k nearest neighbours among the
 * scope's labelled images (as diagnose counts them: classes of 2 images or more; an image is not
 * its own neighbour; approximate above ~25,000 images, as diagnose's own). The graph is made once
 * per scope and kept in the cache (n × k rows), so every pair after the first is answered from it.
 */
async function neighbourMixed(ctx: ApiContext, s: ScopeRef, a: number, b: number, k: number): Promise<Int32Array> {
  const p = await ctx.store.predictions(s);
  const g = await ctx.store.cached(s, `mixing-graph\0${k}`, async () => {
    const f = await ctx.store.features(s);
    const counts = new Int32Array(p.k + 1);
    for (let i = 0; i < p.n; i++) if (p.label[i] >= 0 && p.label[i] < p.k) counts[p.label[i]]++;
    const rows = Int32Array.from({ length: p.n }, (_, i) => i).filter((i) => p.label[i] >= 0 && counts[p.label[i]] >= 2);
    const kk = Math.min(k, rows.length - 1);
    const data = new Float32Array(rows.length * f.d);
    rows.forEach((r, j) => data.set(f.data.subarray(r * f.d, (r + 1) * f.d), j * f.d));
    const graph = kk >= 1 ? await knn({ n: rows.length, d: f.d, data }, kk) : { k: 0, indices: new Int32Array(0) };
    // Neighbours as rows of the scope.
    const indices = Int32Array.from(graph.indices, (j) => rows[j]);
    return { value: { rows, k: graph.k, indices }, bytes: rows.byteLength + indices.byteLength + 64 };
  });
  if (g.k < 1) return new Int32Array(0);
  const pick = Int32Array.from({ length: g.rows.length }, (_, j) => j).filter((j) => p.label[g.rows[j]] === a || p.label[g.rows[j]] === b);
  const indices = new Int32Array(pick.length * g.k);
  pick.forEach((j, q) => indices.set(g.indices.subarray(j * g.k, (j + 1) * g.k), q * g.k));
  return mixedByNeighbors({ labels: p.label, a, b, queries: Int32Array.from(pick, (j) => g.rows[j]), graph: { k: g.k, indices } });
}

/** GET /api/runs/:run/shift */
export async function shiftGet(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, []);
  const open = ctx.store.open(req.params[0]);
  const domains: ShiftJson[] = [];
  for (const slug of Object.keys(open.run.record.domains)) {
    const shift = ctx.store.readJson(open, `${open.run.scopePrefix(slug)}shift.json`) as ShiftJson | null;
    if (shift?.featurelens === "shift") domains.push(shift);
  }
  if (!domains.length) throw notFound(`run ${open.id} has no measured shift: run featurelens shift --run ${open.id} --data SPEC2`);
  const body: ShiftResponse = { domains };
  return { json: body };
}

/** GET /api/runs/:run/compare */
export async function compareGet(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, []);
  const open = ctx.store.open(req.params[0]);
  const comparisons = Object.values(open.run.record.artifacts)
    .filter((art) => art.kind === "compare")
    .flatMap((art) => {
      const c = ctx.store.readJson(open, `${art.file}/compare.json`) as Comparison | null;
      return c?.a && c.b ? [summary(c)] : [];
    });
  if (!comparisons.length) throw notFound(`run ${open.id} has no stored comparison: run featurelens compare ${open.id} OTHER_RUN`);
  const body: CompareResponse = { comparisons };
  return { json: body };
}

function summary(c: Comparison): CompareSummary {
  const { activations, roc: _roc, confidence: _confidence, ...rest } = c;
  return { ...rest, cka: activations ? { a: activations.cka_a, b: activations.cka_b, values: activations.cka } : null };
}


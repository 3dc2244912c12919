import type { ChartName, DomainSummary, LayerInfo, MapSummary, RunDetail, RunListItem, RunsResponse } from "../api/types.js";
import { CHART_NAMES } from "../api/types.js";
import { evaluate } from "../analysis/metrics/index.js";
import { listLayers } from "../engine/onnx/surgery.js";
import type { HistoryPoint } from "../report/charts/history.js";
import { historySpec } from "../report/charts/history.js";
import { EVALUATION_CHARTS, evaluationSpecs } from "../report/evaluation.js";
import type { RunRecord, Scope } from "../store/runRecord.js";
import { listRuns, missingArtifacts } from "../store/workspace.js";
import { modelLabel } from "../workflows/modelLabel.js";
import { notFound } from "./http.js";
import { nameParam, onlyParams } from "./params.js";
import type { ApiContext, ApiRequest, Reply } from "./reply.js";
import { printable, type ScopeRef } from "./runStore.js";

/**
 * GET /api/runs, /api/runs/:run and /api/runs/:run/charts/:chart: what the workspace holds, one
 * run (or one of its domains) in detail, and its charts as the Vega-Lite specs the PNGs are drawn
 * from (report/evaluation.ts, report/charts/history.ts).
 */

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function domainSummaries(record: RunRecord): DomainSummary[] {
  return Object.entries(record.domains ?? {}).map(([slug, d]) => ({
    slug, data: d.data?.spec ?? "", n: d.data?.n ?? 0, accuracy: num(d.summary?.accuracy), status: d.status, maps: Object.keys(d.maps ?? {}),
  }));
}

function listItem(id: string, record: RunRecord | null, problems: string[]): RunListItem {
  if (!record) {
    return { id, model: null, data: null, n: null, accuracy: null, status: "damaged", created: null, classes: [], maps: [], domains: [], problems, dataHash: null };
  }
  return {
    id, model: record.model ? modelLabel(record) : null, data: record.data?.spec ?? null, n: record.data?.n ?? null, accuracy: num(record.summary.accuracy),
    status: record.status, created: record.created ?? null, classes: record.classes, maps: Object.keys(record.maps), domains: domainSummaries(record),
    problems, dataHash: record.data?.hash ?? null,
  };
}

/** GET /api/runs */
export async function runsList(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, []);
  const listed = listRuns(ctx.store.ws);
  const runs = listed.map((r) => listItem(r.id, r.record, r.problems));
  const newest = [...runs].filter((r) => r.status === "complete" && r.maps.length > 0).sort((a, b) => (b.created ?? "").localeCompare(a.created ?? ""))[0]?.id ?? null;
  const body: RunsResponse = { workspace: ctx.store.ws.root, runs, newest };
  return { json: body };
}

/** GET /api/runs/:run[?domain=] */
export async function runDetail(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, ["domain"]);
  const open = ctx.store.open(req.params[0]);
  const s = ctx.store.scope(open, nameParam(req.url, "domain"));
  const record = open.run.record;
  const problems = missingArtifacts(open.run.dir, record);
  let layers: LayerInfo[] = [];
  if (record.model) {
    try {
      const opened = await ctx.store.model(open);
      layers = listLayers(opened.model).map((l) => ({ index: l.index, name: l.name, op: l.op, kind: l.kind, shape: l.shape ? l.shape.map((d) => d ?? "?") : null }));
    } catch (err) {
      problems.push(`the model cannot be opened: ${(err as Error).message}`);
    }
  }
  let image: RunDetail["image"] = null;
  if (s.scope.data) {
    try {
      const ds = await ctx.store.images(s);
      image = { height: ds.height, width: ds.width, channels: ds.channels };
    } catch (err) {
      problems.push(`the images cannot be loaded: ${(err as Error).message}`);
    }
  }
  const scope: Scope = s.scope;
  const mapsDetail: MapSummary[] = Object.values(scope.maps).map((m) => ({ name: m.name, method: m.method, dims: m.dims, source: m.source, kl: num(m.kl), quality: m.quality ?? null }));
  const history = ctx.store.readJson(open, "history.json");
  const detail: RunDetail = {
    ...listItem(open.id, record, problems),
    domain: s.domain ?? null,
    summary: scope.summary,
    mapsDetail,
    evaluation: (ctx.store.readJson(open, `${open.run.scopePrefix(s.domain)}evaluation/report.json`) as Record<string, unknown> | null) ?? null,
    layers,
    penultimate: record.model?.penultimate ?? null,
    image,
    history: Array.isArray(history) ? (history as Record<string, number | null>[]) : null,
    featurelensVersion: record.featurelens_version,
  };
  return { json: detail };
}

/** GET /api/runs/:run/charts/:chart[?domain=] */
export async function runChart(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, ["domain"]);
  const open = ctx.store.open(req.params[0]);
  const s = ctx.store.scope(open, nameParam(req.url, "domain"));
  const chart = req.params[1] as ChartName;
  if (!CHART_NAMES.includes(chart)) throw notFound(`no chart '${printable(chart)}' (charts: ${CHART_NAMES.join(", ")})`);
  if (chart === "history") {
    const h = ctx.store.readJson(open, "history.json");
    if (!Array.isArray(h)) throw notFound(`run ${open.id} has no training history (only runs made by featurelens train have one)`);
    const data = String((open.run.record.config.train as { data?: string } | undefined)?.data ?? "its data");
    return { json: historySpec({ history: h as HistoryPoint[], title: `Training ${modelLabel(open.run.record)} on ${data}` }) };
  }
  const specs = await evaluationCharts(ctx, s);
  return { json: specs[chart] };
}

/** Every evaluation chart of a scope, from its predictions with the curves (cached). */
function evaluationCharts(ctx: ApiContext, s: ScopeRef): Promise<Record<(typeof EVALUATION_CHARTS)[number], unknown>> {
  return ctx.store.cached(s, "charts", async () => {
    const t = await ctx.store.predictions(s);
    const rows = Int32Array.from({ length: t.n }, (_, i) => i).filter((i) => t.label[i] >= 0);
    if (rows.length === 0) throw notFound(`no image of ${s.domain === undefined ? `run ${s.open.id}` : `domain ${s.domain}`} has a label, so there is nothing to chart`);
    const labels = Int32Array.from(rows, (i) => t.label[i]);
    const probs = new Float32Array(rows.length * t.k);
    rows.forEach((i, r) => probs.set(t.probabilities.subarray(i * t.k, (i + 1) * t.k), r * t.k));
    const record = s.open.run.record;
    const classes = record.classes.length === t.k ? record.classes : Array.from({ length: t.k }, (_, i) => String(i));
    const title = `${modelLabel(record)} on ${s.scope.data?.name ?? s.scope.data?.spec ?? "its data"}`;
    const specs = evaluationSpecs(evaluate(labels, probs, t.k, { curves: true }), classes, title);
    return { value: specs, bytes: JSON.stringify(specs).length };
  });
}

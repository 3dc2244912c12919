import { existsSync, readFileSync } from "node:fs";
import { LABEL_FIX_ACTIONS, type LabelFix, parseCsvLine } from "../analysis/diagnose/labelIssuesFixes.js";
import { API_LIMITS, type LabelFixesSaved, type LabelFixJson, type LabelIssuesResponse, type ReviewItem } from "../api/types.js";
import { readLabelFixes, writeLabelFixes } from "../workflows/labelFixes.js";
import { LABEL_ISSUES_FILES } from "../workflows/labelIssuesWrite.js";
import { badRequest, HttpError, notFound } from "./http.js";
import { onlyParams } from "./params.js";
import { rowOf } from "./predictionsApi.js";
import type { ApiContext, ApiRequest, Reply } from "./reply.js";
import { type OpenRun, printable } from "./runStore.js";

/**
 * The review of a run's label issues: the queue `featurelens label-issues --run` stored in the
 * run's label-issues/ with the decisions taken so far (GET), and the decisions saved as
 * label-fixes.csv beside the queue (POST: the whole set each time, written atomically through
 * writeLabelFixes, so `featurelens train --label-fixes` reads exactly what the reviewer chose).
 * The POST is the server's one write; server.ts lets only same-origin JSON through.
 */

const FOLDER = "label-issues";
const FIXES_FILE = `${FOLDER}/${LABEL_ISSUES_FILES.fixes}`;
/** How many problems of a body one 400 lists. */
const SHOWN = 8;

interface Queue {
  items: ReviewItem[];
  classes: string[];
}

/** The run's review queue (404 when label-issues has not run on it). */
async function readQueue(ctx: ApiContext, open: OpenRun): Promise<Queue> {
  const file = open.run.path(`${FOLDER}/${LABEL_ISSUES_FILES.csv}`);
  if (!open.run.record.artifacts[FOLDER] || !existsSync(file)) {
    throw notFound(`run ${open.id} has no label-issues queue: run featurelens label-issues --run ${open.id} --out DIR`);
  }
  const lines = readFileSync(file, "utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
  const head = parseCsvLine(lines[0] ?? "");
  const col = (name: string) => head.indexOf(name);
  const need = ["rank", "index", "given", "suggested", "score", "reason"];
  const missing = need.filter((c) => col(c) < 0);
  if (missing.length) throw notFound(`run ${open.id}: ${FOLDER}/${LABEL_ISSUES_FILES.csv} lacks the columns ${missing.join(", ")}; run featurelens label-issues --run ${open.id} again`);
  let index: Int32Array | null = null;
  try {
    index = (await ctx.store.predictions(ctx.store.scope(open, undefined))).index;
  } catch {
    index = null;
  }
  const num = (cells: string[], name: string): number | null => {
    const t = col(name) >= 0 ? (cells[col(name)] ?? "") : "";
    return t === "" ? null : Number(t);
  };
  const items = lines.slice(1).map((line): ReviewItem => {
    const cells = parseCsvLine(line);
    const i = num(cells, "index") ?? -1;
    return {
      rank: num(cells, "rank") ?? 0, row: index ? rowOf(index, i) : -1, index: i, path: col("path") >= 0 ? (cells[col("path")] ?? null) : null,
      given: num(cells, "given") ?? -1, suggested: num(cells, "suggested") ?? -1, score: num(cells, "score") ?? 0, reason: cells[col("reason")] ?? "",
      self_confidence: num(cells, "self_confidence"), suggested_probability: num(cells, "suggested_probability"), neighbours_disagree: num(cells, "neighbours_disagree"),
    };
  });
  return { items, classes: open.run.record.classes };
}

/** GET /api/runs/:run/label-issues */
export async function labelIssuesGet(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, []);
  const open = ctx.store.open(req.params[0]);
  const q = await readQueue(ctx, open);
  const fixesFile = open.run.path(FIXES_FILE);
  const decisions: LabelFixJson[] = existsSync(fixesFile) ? readLabelFixes(fixesFile, q.classes).map((f) => ({ index: f.index, action: f.action, new_label: f.newLabel })) : [];
  const summary = (ctx.store.readJson(open, `${FOLDER}/${LABEL_ISSUES_FILES.summary}`) ?? {}) as { source?: string; in_sample?: boolean | null; accuracy?: number; notes?: string[] };
  const body: LabelIssuesResponse = {
    classes: q.classes, total: q.items.length, items: q.items, decisions, file: FIXES_FILE,
    source: summary.source ?? null, inSample: summary.in_sample ?? null, accuracy: typeof summary.accuracy === "number" ? summary.accuracy : null, notes: Array.isArray(summary.notes) ? summary.notes : [],
  };
  return { json: body };
}

/** POST /api/runs/:run/label-issues/fixes, body LabelFixesBody */
export async function labelFixesPost(ctx: ApiContext, req: ApiRequest): Promise<Reply> {
  onlyParams(req.url, []);
  const open = ctx.store.open(req.params[0]);
  const q = await readQueue(ctx, open);
  const fixes = fixesFromBody(req.body ?? Buffer.alloc(0), q);
  writeLabelFixes(open.run.path(FIXES_FILE), fixes, q.classes);
  const body: LabelFixesSaved = { saved: fixes.length, total: q.items.length, file: FIXES_FILE };
  return { json: body };
}

/**
 * The decisions of a POSTed body, checked against the queue: each index one of the queue's, once;
 * an action of keep, relabel, drop; a new_label (a class index) with relabel only. Every problem in
 * one 400. Returned in the queue's order.
 */
export function fixesFromBody(body: Buffer, q: Queue): LabelFix[] {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw badRequest(`the body must be JSON (${(err as Error).message.split("\n")[0]})`);
  }
  const o = raw as { fixes?: unknown };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || !Array.isArray(o.fixes)) throw badRequest("the body must be a JSON object { fixes: [{ index, action, new_label }, …] }");
  const extra = Object.keys(raw).filter((key) => key !== "fixes");
  if (extra.length) throw badRequest(`unknown field '${printable(extra[0])}' (allowed: fixes)`);
  if (o.fixes.length > API_LIMITS.maxFixes) throw new HttpError(413, `fixes holds ${o.fixes.length} decisions; at most ${API_LIMITS.maxFixes} are accepted`);
  const rank = new Map(q.items.map((it, r) => [it.index, r]));
  const K = q.classes.length;
  const problems: string[] = [];
  const seen = new Set<number>();
  const fixes: LabelFix[] = [];
  o.fixes.forEach((f: unknown, j: number) => {
    const at = `fixes[${j}]`;
    if (typeof f !== "object" || f === null || Array.isArray(f)) return void problems.push(`${at} must be an object { index, action, new_label }`);
    const { index, action, new_label: label, ...rest } = f as Record<string, unknown>;
    const before = problems.length;
    if (Object.keys(rest).length) problems.push(`${at} has the unknown field '${printable(Object.keys(rest)[0])}'`);
    if (!(typeof index === "number" && Number.isSafeInteger(index) && index >= 0)) problems.push(`${at}.index must be a non-negative integer, got ${printable(JSON.stringify(index) ?? "nothing")}`);
    else if (!rank.has(index)) problems.push(`${at}.index ${index} is not in the run's review queue`);
    else if (seen.has(index)) problems.push(`${at}.index ${index} appears twice`);
    if (!(LABEL_FIX_ACTIONS as readonly unknown[]).includes(action)) problems.push(`${at}.action must be one of ${LABEL_FIX_ACTIONS.join(", ")}, got ${printable(JSON.stringify(action) ?? "nothing")}`);
    else if (action === "relabel" && !(typeof label === "number" && Number.isInteger(label) && label >= 0 && label < K)) problems.push(`${at}.new_label must be a class 0..${K - 1} for relabel, got ${printable(JSON.stringify(label) ?? "nothing")}`);
    else if (action !== "relabel" && label !== undefined && label !== null) problems.push(`${at}.new_label goes only with relabel, not ${String(action)}`);
    if (problems.length !== before) return;
    seen.add(index as number);
    fixes.push({ index: index as number, action: action as LabelFix["action"], newLabel: action === "relabel" ? (label as number) : null });
  });
  if (problems.length) {
    const more = problems.length > SHOWN ? `; and ${problems.length - SHOWN} more` : "";
    throw badRequest(`${problems.length} problem${problems.length === 1 ? "" : "s"} in the decisions: ${problems.slice(0, SHOWN).join("; ")}${more}`);
  }
  return fixes.sort((x, y) => rank.get(x.index)! - rank.get(y.index)!);
}

import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompareResponse, DiagnosisResponse, LabelFixesSaved, LabelIssuesResponse, MixedRowsResponse, ShiftResponse } from "../api/types.js";
import { readFeatures } from "../store/features.js";
import { readPredictions } from "../store/predictions.js";
import type { PredictionsTable } from "../store/predictionsSchema.js";
import { Run } from "../store/run.js";
import { analyzeRun } from "../workflows/analyzeRun.js";
import { compareRuns } from "../workflows/compareRuns.js";
import { diagnoseRun } from "../workflows/diagnose.js";
import { applyLabelFixesFile, readLabelFixes } from "../workflows/labelFixes.js";
import { labelIssues } from "../workflows/labelIssues.js";
import { shiftRun } from "../workflows/shift.js";
import { loadRunImages } from "../workflows/runImages.js";
import { type RunningServer, startServer } from "./server.js";
import { request, SEED_MODEL, serverWorkspace } from "./server.testutil.js";

// Run "small" (300 test images) diagnosed, its label issues queued, its domain's shift measured and
// compared with "twin" (the same model on the same images); run "bare" has none of these.
let ws: string;
let server: RunningServer;
let p: PredictionsTable;
let diagnosed: Awaited<ReturnType<typeof diagnoseRun>>;

beforeAll(async () => {
  const made = await serverWorkspace("featurelens-diagnose-");
  ws = made.workspace;
  await analyzeRun({ workspace: ws, out: "twin", model: SEED_MODEL, data: "sample:test", load: { limit: 300 }, maps: ["pca"], threads: 2 });
  await analyzeRun({ workspace: ws, out: "bare", model: SEED_MODEL, data: "sample:test", load: { limit: 100 }, maps: ["pca"], threads: 2 });
  diagnosed = await diagnoseRun({ workspace: ws, run: "small", maxImages: 300, threads: 2 });
  await labelIssues({ workspace: ws, run: "small", out: join(ws, "issues"), threads: 2 });
  await shiftRun({ workspace: ws, run: "small", data: "sample:train", load: { limit: 200 }, permutations: 50, threads: 2 });
  await compareRuns({ workspace: ws, a: "small", b: "twin", images: 50, threads: 2 });
  server = await startServer({ workspace: ws, log: () => {} });
  p = await readPredictions(join(ws, "runs", "small", "predictions.parquet"));
}, 240_000);

afterAll(async () => {
  await server?.close();
  if (ws) rmSync(ws, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit) => request(server.url, path, init);
async function json<T>(path: string, init?: RequestInit): Promise<T> {
  const r = await get(path, init);
  expect(r.status, new TextDecoder().decode(r.bytes).slice(0, 300)).toBe(200);
  return r.json() as T;
}
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  get(path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": "application/json", ...headers } });
const errorOf = (r: { json: () => unknown }) => (r.json() as { error: string }).error;

describe("GET /api/runs/:run/diagnosis", () => {
  it("diagnosisGet answers the stored separation, the layer curve and its chart", async () => {
    const d = await json<DiagnosisResponse>("api/runs/small/diagnosis");
    expect(d.separation.summary.text).toBe(diagnosed.separation.summary.text);
    expect(d.separation.per_class.map((c) => c.purity)).toEqual(diagnosed.separation.per_class.map((c) => c.purity));
    expect(d.separation.neighbor_pairs.length).toBeGreaterThan(0);
    expect(d.separation.neighbor_pairs[0].examples[0]).toHaveProperty("other_row");
    expect(d.layers?.layers.length).toBe(diagnosed.layers?.layers.length);
    expect(JSON.stringify(d.layerChart)).toContain("layer by layer");
  });

  it("diagnosisGet: a run without a diagnosis is a 404 naming the command that makes one", async () => {
    const r = await get("api/runs/bare/diagnosis");
    expect(r.status).toBe(404);
    expect(errorOf(r)).toBe("run bare has no diagnosis: run featurelens diagnose --run bare");
    const d = await get("api/runs/small/diagnosis?domain=sample-train");
    expect(d.status).toBe(404);
    expect(errorOf(d)).toContain("featurelens diagnose --run small --domain sample-train");
  });
});

describe("GET /api/runs/:run/diagnosis/mixed", () => {
  it("mixedGet by=neighbors: the images of a and b with at least half of their k nearest neighbours (brute force) of the other class", async () => {
    const d = await json<DiagnosisResponse>("api/runs/small/diagnosis");
    const f = readFeatures(Run.read(join(ws, "runs", "small")), Run.read(join(ws, "runs", "small")).record, "penultimate");
    const k = d.separation.k;
    let lit = 0;
    for (const pair of d.separation.neighbor_pairs.slice(0, 3)) {
      const m = await json<MixedRowsResponse>(`api/runs/small/diagnosis/mixed?a=${pair.a}&b=${pair.b}&by=neighbors`);
      const expected: number[] = [];
      for (let i = 0; i < p.n; i++) {
        if (p.label[i] !== pair.a && p.label[i] !== pair.b) continue;
        const other = p.label[i] === pair.a ? pair.b : pair.a;
        const order = Array.from({ length: p.n }, (_, j) => j).filter((j) => j !== i && p.label[j] >= 0);
        const dist = (j: number) => {
          let s = 0;
          for (let c = 0; c < f.d; c++) s += (f.data[i * f.d + c] - f.data[j * f.d + c]) ** 2;
          return s;
        };
        const ds = new Map(order.map((j) => [j, dist(j)]));
        order.sort((x, y) => ds.get(x)! - ds.get(y)! || x - y);
        if (order.slice(0, k).filter((j) => p.label[j] === other).length >= k / 2) expected.push(i);
      }
      expect(m.rows, `${pair.classes.join(" ↔ ")}`).toEqual(expected);
      expect(m.ofA + m.ofB).toBe(m.total);
      expect(m.rule).toContain("nearest neighbours");
      lit += m.total;
    }
    expect(lit).toBeGreaterThan(0);
  });

  it("mixedGet by=predictions: the images of a predicted b and of b predicted a", async () => {
    const m = await json<MixedRowsResponse>("api/runs/small/diagnosis/mixed?a=6&b=0&by=predictions");
    const expected = Array.from({ length: p.n }, (_, i) => i).filter((i) => (p.label[i] === 6 && p.predicted[i] === 0) || (p.label[i] === 0 && p.predicted[i] === 6));
    expect(m.rows).toEqual(expected);
  });

  it("mixedGet refuses a bad pair with a 400 naming the parameter", async () => {
    for (const [q, msg] of [["a=0&b=0", "two classes"], ["a=0&b=10", "b must be an integer in 0..9"], ["a=0", "a and b are needed"], ["a=0&b=1&by=pixels", "by must be one of"], ["a=0&b=1&c=2", "unknown parameter 'c'"]]) {
      const r = await get(`api/runs/small/diagnosis/mixed?${q}`);
      expect(r.status, q).toBe(400);
      expect(errorOf(r)).toContain(msg);
    }
  });
});

describe("the review queue: GET /api/runs/:run/label-issues, POST …/label-issues/fixes", () => {
  const fixesFile = () => join(ws, "runs", "small", "label-issues", "label-fixes.csv");

  it("labelIssuesGet answers the queue with each image's row, and no decisions yet", async () => {
    const q = await json<LabelIssuesResponse>("api/runs/small/label-issues");
    const csv = readFileSync(join(ws, "runs", "small", "label-issues", "queue.csv"), "utf8").trim().split(/\r?\n/);
    expect(q.total).toBe(csv.length - 1);
    expect(q.total).toBeGreaterThan(3);
    expect(q.decisions).toEqual([]);
    for (const it of q.items) {
      expect(p.index[it.row]).toBe(it.index);
      expect(p.label[it.row]).toBe(it.given);
      expect(it.suggested).not.toBe(it.given);
    }
    expect(q.items.map((it) => it.rank)).toEqual(q.items.map((_, j) => j + 1));
    const r = await get("api/runs/bare/label-issues");
    expect(r.status).toBe(404);
    expect(errorOf(r)).toBe("run bare has no label-issues queue: run featurelens label-issues --run bare --out DIR");
  });

  it("labelFixesPost writes label-fixes.csv beside the queue, which readLabelFixes and train --label-fixes read, and GET gives the decisions back", async () => {
    const q = await json<LabelIssuesResponse>("api/runs/small/label-issues");
    const [a, b, c] = q.items;
    const fixes = [
      { index: c.index, action: "drop", new_label: null },
      { index: a.index, action: "relabel", new_label: a.suggested },
      { index: b.index, action: "keep", new_label: null },
    ];
    const saved = (await post("api/runs/small/label-issues/fixes", { fixes })).json() as LabelFixesSaved;
    expect(saved).toEqual({ saved: 3, total: q.total, file: "label-issues/label-fixes.csv" });
    // In the queue's order, whatever order they came in.
    expect(readLabelFixes(fixesFile(), q.classes)).toEqual([
      { index: a.index, action: "relabel", newLabel: a.suggested },
      { index: b.index, action: "keep", newLabel: null },
      { index: c.index, action: "drop", newLabel: null },
    ]);
    const again = await json<LabelIssuesResponse>("api/runs/small/label-issues");
    expect(again.decisions).toEqual([fixes[1], fixes[2], fixes[0]]);
    const ds = await loadRunImages(Run.read(join(ws, "runs", "small")), undefined, { download: false });
    const applied = applyLabelFixesFile(ds, fixesFile());
    expect(applied.record).toMatchObject({ relabelled: 1, dropped: 1, kept: 1 });
    expect(applied.dataset.n).toBe(ds.n - 1);
    // The next save replaces the set.
    await post("api/runs/small/label-issues/fixes", { fixes: [{ index: b.index, action: "drop" }] });
    expect(readLabelFixes(fixesFile(), q.classes)).toEqual([{ index: b.index, action: "drop", newLabel: null }]);
  });

  it("labelFixesPost refuses bad decisions with one 400 listing each, and leaves the file as it was", async () => {
    const q = await json<LabelIssuesResponse>("api/runs/small/label-issues");
    const before = readFileSync(fixesFile(), "utf8");
    const notQueued = Array.from({ length: 300 }, (_, i) => p.index[i]).find((i) => !q.items.some((it) => it.index === i))!;
    const r = await post("api/runs/small/label-issues/fixes", {
      fixes: [
        { index: notQueued, action: "keep" },
        { index: -1, action: "keep" },
        { index: q.items[0].index, action: "relabel", new_label: 10 },
        { index: q.items[1].index, action: "burn" },
        { index: q.items[2].index, action: "drop", new_label: 3 },
        { index: q.items[3].index, action: "keep" },
        { index: q.items[3].index, action: "drop" },
      ],
    });
    expect(r.status).toBe(400);
    const e = errorOf(r);
    expect(e).toMatch(/^6 problems in the decisions: /);
    expect(e).toContain(`fixes[0].index ${notQueued} is not in the run's review queue`);
    expect(e).toContain("fixes[1].index must be a non-negative integer, got -1");
    expect(e).toContain("fixes[2].new_label must be a class 0..9 for relabel, got 10");
    expect(e).toContain("fixes[3].action must be one of keep, relabel, drop");
    expect(e).toContain("fixes[4].new_label goes only with relabel, not drop");
    expect(e).toContain(`fixes[6].index ${q.items[3].index} appears twice`);
    for (const body of ["not json", "[]", '{"fixes": 3}', '{"fixes": [], "x": 1}']) {
      const bad = await post("api/runs/small/label-issues/fixes", body);
      expect(bad.status, body).toBe(400);
    }
    expect(readFileSync(fixesFile(), "utf8")).toBe(before);
  });

  it("labelFixesPost is refused (403) from another site or origin, and unless it is JSON; the file is not touched", async () => {
    const q = await json<LabelIssuesResponse>("api/runs/small/label-issues");
    const before = readFileSync(fixesFile(), "utf8");
    const body = JSON.stringify({ fixes: [{ index: q.items[0].index, action: "drop" }] });
    const cases: [Record<string, string>, string][] = [
      [{ "content-type": "application/json", origin: "http://evil.example" }, "another origin"],
      [{ "content-type": "application/json", origin: "null" }, "another origin"],
      [{ "content-type": "application/json", "sec-fetch-site": "cross-site" }, "another site"],
      [{ "content-type": "text/plain" }, "application/json"],
      [{ "content-type": "application/x-www-form-urlencoded", origin: new URL(server.url).origin }, "application/json"],
    ];
    for (const [headers, msg] of cases) {
      const r = await get("api/runs/small/label-issues/fixes", { method: "POST", body, headers });
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(errorOf(r)).toContain(msg);
    }
    expect(readFileSync(fixesFile(), "utf8")).toBe(before);
    // Its own page (same origin, same-origin fetch) may write.
    const ok = await get("api/runs/small/label-issues/fixes", { method: "POST", body, headers: { "content-type": "application/json", origin: new URL(server.url).origin, "sec-fetch-site": "same-origin" } });
    expect(ok.status).toBe(200);
    // A GET of the write route is not one.
    expect((await get("api/runs/small/label-issues/fixes")).status).toBe(405);
  });

  it("labelFixesPost needs the token on a server that has one, and will not overwrite a label-fixes.csv featurelens did not write", async () => {
    const token = "a-test-token-of-some-length";
    const guarded = await startServer({ workspace: ws, token, log: () => {} });
    try {
      const q = await json<LabelIssuesResponse>("api/runs/small/label-issues");
      const body = JSON.stringify({ fixes: [{ index: q.items[0].index, action: "keep" }] });
      const url = new URL("api/runs/small/label-issues/fixes", guarded.url.replace(/\?.*$/, ""));
      expect((await fetch(url, { method: "POST", body, headers: { "content-type": "application/json" } })).status).toBe(401);
      expect((await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await guarded.close();
    }
    writeFileSync(fixesFile(), "index,action,new_label\n");
    const r = await post("api/runs/small/label-issues/fixes", { fixes: [] });
    expect(r.status).toBe(400);
    expect(errorOf(r)).toContain("label-fixes.csv");
    rmSync(fixesFile());
  });
});

describe("GET /api/runs/:run/shift and /compare", () => {
  it("shiftGet answers each measured domain; compareGet each stored comparison with its CKA", async () => {
    const s = await json<ShiftResponse>("api/runs/small/shift");
    expect(s.domains.map((d) => d.domain)).toEqual(["sample-train"]);
    expect(s.domains[0].p_value).toBeGreaterThan(0);
    expect(s.domains[0].per_class.length).toBeGreaterThan(0);
    const c = await json<CompareResponse>("api/runs/small/compare");
    expect(c.comparisons.map((x) => [x.a.id, x.b.id])).toEqual([["small", "twin"]]);
    expect(c.comparisons[0].agreement.counts).toBeDefined();
    expect(c.comparisons[0]).not.toHaveProperty("activations");
    for (const [path, msg] of [["api/runs/bare/shift", "run bare has no measured shift: run featurelens shift --run bare --data SPEC2"], ["api/runs/bare/compare", "run bare has no stored comparison: run featurelens compare bare OTHER_RUN"]]) {
      const r = await get(path);
      expect(r.status).toBe(404);
      expect(errorOf(r)).toBe(msg);
    }
  });
});

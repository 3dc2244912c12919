import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePoints } from "../api/points.js";
import type { AtlasInfo, InsideResponse, NeighborsResponse, PredictionsResponse, RowsResponse, RunDetail, RunsResponse } from "../api/types.js";
import { readNpy } from "../data/npy.js";
import { readPredictions } from "../store/predictions.js";
import type { PredictionsTable } from "../store/predictionsSchema.js";
import { loadRunImages } from "../workflows/runImages.js";
import { openRunForWrite, Run } from "../store/run.js";
import { type RunningServer, startServer } from "./server.js";
import { serveWorkspace } from "./serveWorkspace.js";
import { request, serverWorkspace } from "./server.testutil.js";

// One workspace for the file: run "small" (300 test images, PCA and t-SNE maps) with the domain
// "sample-train" (200 training images); a web root with a built app's files.
let ws: string;
let domain: string;
let server: RunningServer;
let p: PredictionsTable;
let webRoot: string;

beforeAll(async () => {
  const made = await serverWorkspace();
  ws = made.workspace;
  domain = made.domain;
  webRoot = mkdtempSync(join(tmpdir(), "featurelens-web-"));
  mkdirSync(join(webRoot, "assets"));
  writeFileSync(join(webRoot, "index.html"), "<!doctype html><title>app</title>");
  writeFileSync(join(webRoot, "assets", "index-Bx12_9zQ.js"), "console.log(1)");
  server = await startServer({ workspace: ws, webRoot, log: () => {} });
  p = await readPredictions(join(ws, "runs", "small", "predictions.parquet"));
}, 120_000);

afterAll(async () => {
  await server?.close();
  rmSync(ws, { recursive: true, force: true });
  rmSync(webRoot, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit) => request(server.url, path, init);
const json = async <T>(path: string, init?: RequestInit): Promise<T> => {
  const r = await get(path, init);
  expect(r.status, new TextDecoder().decode(r.bytes).slice(0, 300)).toBe(200);
  expect(r.headers.get("content-type")).toMatch(/^application\/json/);
  return r.json() as T;
};

/** The most frequent wrong (label, predicted) pair: a confusion-matrix cell with rows in it. */
function busiestMistake(t: PredictionsTable): { label: number; predicted: number } {
  const counts = new Map<string, number>();
  for (let i = 0; i < t.n; i++) if (t.label[i] !== t.predicted[i]) counts.set(`${t.label[i]},${t.predicted[i]}`, (counts.get(`${t.label[i]},${t.predicted[i]}`) ?? 0) + 1);
  const [key] = [...counts].sort((a, b) => b[1] - a[1])[0];
  const [label, predicted] = key.split(",").map(Number);
  return { label, predicted };
}

/** The k nearest other rows by brute force: every distance in float64, sorted by distance then row. */
function bruteNeighbors(data: ArrayLike<number>, n: number, d: number, q: number, k: number): { rows: number[]; distances: number[] } {
  const all: [number, number][] = [];
  for (let j = 0; j < n; j++) {
    if (j === q) continue;
    let s = 0;
    for (let t = 0; t < d; t++) {
      const e = data[q * d + t] - data[j * d + t];
      s += e * e;
    }
    all.push([s, j]);
  }
  all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { rows: all.slice(0, k).map((x) => x[1]), distances: all.slice(0, k).map((x) => Math.sqrt(x[0])) };
}

describe("startServer: the API of src/api/types.ts", () => {
  it("GET /api/runs lists the run with its maps and domain, and names it the newest", async () => {
    const r = await json<RunsResponse>("/api/runs");
    expect(r.workspace).toBe(ws);
    expect(r.newest).toBe("small");
    expect(r.runs).toHaveLength(1);
    const run = r.runs[0];
    expect(run).toMatchObject({ id: "small", data: "sample:test", n: 300, status: "complete", maps: ["pca", "tsne"], problems: [] });
    expect(run.classes).toHaveLength(10);
    expect(run.dataHash).toMatch(/^[0-9a-f]{64}$/);
    expect(run.domains).toEqual([{ slug: domain, data: "sample:train", n: 200, accuracy: expect.any(Number), status: "complete", maps: ["pca", "tsne"] }]);
  });

  it("GET /api/runs/:run answers the detail of the run and of a domain", async () => {
    const d = await json<RunDetail>("/api/runs/small");
    expect(d).toMatchObject({ id: "small", domain: null, image: { height: 28, width: 28, channels: 1 }, history: null, penultimate: expect.any(String) });
    expect(d.mapsDetail.map((m) => [m.name, m.method, m.dims, m.source])).toEqual([["pca", "pca", 2, "penultimate"], ["tsne", "tsne", 2, "penultimate"]]);
    expect(d.summary.accuracy).toBe(d.accuracy);
    expect(d.evaluation).toMatchObject({ accuracy: d.accuracy, confusion: expect.any(Array) });
    expect(d.layers.length).toBeGreaterThan(5);
    expect(d.layers[0]).toMatchObject({ index: 0, name: expect.any(String), op: "Conv", kind: "conv" });
    expect(d.featurelensVersion).toMatch(/^\d+\.\d+\.\d+/);
    const dd = await json<RunDetail>(`/api/runs/small?domain=${domain}`);
    expect(dd.domain).toBe(domain);
    expect(dd.summary.n).toBe(200);
  });

  it("GET /api/runs/:run/charts/:chart answers the Vega-Lite spec of each evaluation chart; history is a 404 for a run not trained here", async () => {
    for (const chart of ["confusion", "per-class", "roc", "pr", "reliability", "confidence"]) {
      const spec = await json<{ $schema: string }>(`/api/runs/small/charts/${chart}`);
      expect(spec.$schema, chart).toMatch(/vega-lite/);
    }
    const confusion = await json<{ title: { text: string } }>(`/api/runs/small/charts/confusion?domain=${domain}`);
    expect(confusion.title.text).toMatch(/sample:train/);
    expect((await get("/api/runs/small/charts/history")).status).toBe(404);
  });

  it("GET /api/runs/:run/points decodes to the run's map and predictions, row by row", async () => {
    const r = await get("/api/runs/small/points?map=tsne");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/octet-stream");
    const pts = decodePoints(r.bytes.buffer.slice(r.bytes.byteOffset, r.bytes.byteOffset + r.bytes.byteLength) as ArrayBuffer);
    expect(pts.header).toMatchObject({ run: "small", domain: null, map: "tsne", n: 300, dims: 2 });
    const run = Run.read(join(ws, "runs", "small"));
    const map = readNpy(run.path(run.record.maps.tsne.file)).data as Float32Array;
    expect([...pts.xy]).toEqual([...map]);
    expect([...pts.index]).toEqual([...p.index]);
    expect([...pts.label]).toEqual([...p.label]);
    expect([...pts.predicted]).toEqual([...p.predicted]);
    expect([...pts.confidence]).toEqual([...p.confidence]);
    expect([...pts.margin]).toEqual([...p.margin]);
    const dom = await get(`/api/runs/small/points?map=pca&domain=${domain}`);
    const dp = decodePoints(dom.bytes.buffer.slice(dom.bytes.byteOffset, dom.bytes.byteOffset + dom.bytes.byteLength) as ArrayBuffer);
    expect(dp.header).toMatchObject({ domain, map: "pca", n: 200 });
  });

  it("GET /api/runs/:run/rows of a confusion cell equals a brute-force filter of readPredictions", async () => {
    const { label, predicted } = busiestMistake(p);
    const r = await json<RowsResponse>(`/api/runs/small/rows?label=${label}&predicted=${predicted}`);
    const expected = Array.from({ length: p.n }, (_, i) => i).filter((i) => p.label[i] === label && p.predicted[i] === predicted);
    expect(expected.length).toBeGreaterThan(0);
    expect(r).toEqual({ total: expected.length, rows: expected });
    const wrong = await json<RowsResponse>("/api/runs/small/rows?correct=false&cmin=0.1");
    expect(wrong.rows).toEqual(Array.from({ length: p.n }, (_, i) => i).filter((i) => p.label[i] !== p.predicted[i] && p.confidence[i] >= Math.fround(0.1)));
  });

  it("GET /api/runs/:run/predictions pages a filter by confidence with rows, indices and the class counts of the whole selection", async () => {
    const { label, predicted } = busiestMistake(p);
    const r = await json<PredictionsResponse>(`/api/runs/small/predictions?label=${label}&predicted=${predicted}&sort=confidence&desc=true&limit=2&probabilities=true`);
    const cell = Array.from({ length: p.n }, (_, i) => i).filter((i) => p.label[i] === label && p.predicted[i] === predicted);
    expect(r.total).toBe(cell.length);
    expect(r.rows.length).toBe(Math.min(2, cell.length));
    const top = [...cell].sort((a, b) => p.confidence[b] - p.confidence[a] || p.index[a] - p.index[b])[0];
    expect(r.rows[0]).toMatchObject({ row: top, index: p.index[top], label, predicted, confidence: p.confidence[top] });
    expect(r.rows[0].probabilities).toHaveLength(10);
    expect(r.classCounts[label]).toBe(cell.length);
    expect(r.classCounts.reduce((a, b) => a + b, 0)).toBe(cell.length);
    expect(r.correct).toBe(0);
  });

  it("POST /api/runs/:run/predictions takes a selection of rows (row, not source index)", async () => {
    const rows = [5, 0, 17, 299];
    const r = await json<PredictionsResponse>("/api/runs/small/predictions", { method: "POST", body: JSON.stringify({ rows, sort: "index", limit: 10 }), headers: { "content-type": "application/json" } });
    expect(r.total).toBe(4);
    expect(r.rows.map((x) => x.row)).toEqual([0, 5, 17, 299]);
    expect(r.rows.map((x) => x.index)).toEqual([0, 5, 17, 299].map((i) => p.index[i]));
    expect(r.correct).toBe(rows.filter((i) => p.label[i] === p.predicted[i]).length);
  });

  it("GET /api/runs/:run/images/:row.png, /atlas and /atlas/:page.png answer PNGs of the scope's images", async () => {
    const img = await get("/api/runs/small/images/7.png?scale=3");
    expect(img.headers.get("content-type")).toBe("image/png");
    const meta = await sharp(img.bytes).raw().toBuffer({ resolveWithObject: true });
    expect([meta.info.width, meta.info.height]).toEqual([84, 84]);
    const ds = await loadRunImages(Run.read(join(ws, "runs", "small")));
    expect(meta.data[0]).toBe(ds.images[7 * 784]); // top-left pixel, magnified
    const info = await json<AtlasInfo>("/api/runs/small/atlas?size=16");
    expect(info).toEqual({ n: 300, size: 16, perRow: 18, perPage: 324, pages: 1, channels: 1 });
    const page = await get("/api/runs/small/atlas/0.png?size=16");
    expect((await sharp(page.bytes).metadata()).channels).toBe(1);
    const pm = await sharp(page.bytes).toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
    expect([pm.info.width, pm.info.height, pm.info.channels]).toEqual([18 * 16, 18 * 16, 1]);
    // Row 25 is in cell (column 7, row 1); the box filter keeps each image's mean brightness.
    const thumbMean = Array.from({ length: 16 * 16 }, (_, t) => pm.data[(16 + Math.floor(t / 16)) * 288 + 7 * 16 + (t % 16)]).reduce((a, b) => a + b, 0) / 256;
    const imageMean = ds.images.subarray(25 * 784, 26 * 784).reduce((a, b) => a + b, 0) / 784;
    expect(Math.abs(thumbMean - imageMean)).toBeLessThan(1);
    expect((await get(`/api/runs/small/atlas?size=24&domain=${domain}`)).json()).toMatchObject({ n: 200, perRow: 15 });
  });

  it("GET /api/runs/:run/neighbors/:row equals a brute-force search in feature and in pixel space", async () => {
    const run = Run.read(join(ws, "runs", "small"));
    const f = readNpy(run.path(run.record.features.penultimate.file));
    const ds = await loadRunImages(run);
    for (const [space, data, d] of [["feature", f.data as Float32Array, f.shape[1]], ["pixel", ds.images, 784]] as const) {
      for (const row of [0, 123, 299]) {
        const r = await json<NeighborsResponse>(`/api/runs/small/neighbors/${row}?space=${space}&k=7`);
        const want = bruteNeighbors(data, 300, d, row, 7);
        expect(r.neighbors.map((x) => x.row), `${space} ${row}`).toEqual(want.rows);
        r.neighbors.forEach((x, i) => expect(x.distance).toBeCloseTo(want.distances[i], 9));
        expect(r).toMatchObject({ row, index: p.index[row], space, metric: "l2" });
        expect(r.neighbors[0]).toEqual({ row: want.rows[0], index: p.index[want.rows[0]], distance: expect.any(Number), label: p.label[want.rows[0]], predicted: p.predicted[want.rows[0]] });
        expect(r.sameClass).toBe(want.rows.filter((j) => p.label[j] === p.label[row]).length);
      }
    }
  });

  it("GET /api/runs/:run/inside/:row answers each layer's statistics and histogram, and the softmax spec; /:layer.png its feature maps", async () => {
    const r = await json<InsideResponse>("/api/runs/small/inside/4");
    expect(r).toMatchObject({ row: 4, index: p.index[4], label: p.label[4], predicted: p.predicted[4] });
    expect(r.probabilities).toHaveLength(10);
    expect(r.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect((r.softmax as { $schema: string }).$schema).toMatch(/vega-lite/);
    const withMaps = r.layers.filter((l) => l.maps);
    expect(withMaps.length).toBeGreaterThan(2);
    for (const l of r.layers) expect(l).toMatchObject({ index: expect.any(Number), name: expect.any(String), shape: expect.any(Array), mean: expect.any(Number), zeros: expect.any(Number), histogram: expect.any(Object) });
    const png = await get(`/api/runs/small/inside/4/${withMaps[0].index}.png`);
    expect(png.headers.get("content-type")).toBe("image/png");
    expect((await sharp(png.bytes).metadata()).width).toBeGreaterThan(100);
    const flat = r.layers.find((l) => !l.maps)!;
    expect((await get(`/api/runs/small/inside/4/${flat.index}.png`)).status).toBe(404);
  });

  it("GET / serves the app's index.html; hashed assets are cached for a year, with their content type", async () => {
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(new TextDecoder().decode(page.bytes)).toBe(readFileSync(join(webRoot, "index.html"), "utf8"));
    const js = await get("/assets/index-Bx12_9zQ.js");
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect((await get("/nothing-here.js")).status).toBe(404);
  });

  it("GET / without a built app answers a page that says how to build it, and the API still works", async () => {
    const bare = await startServer({ workspace: ws, webRoot: join(webRoot, "missing"), log: () => {} });
    try {
      const page = await request(bare.url, "/");
      expect(page.status).toBe(200);
      expect(new TextDecoder().decode(page.bytes)).toMatch(/npm run build/);
      expect((await request(bare.url, "/api/runs")).status).toBe(200);
    } finally {
      await bare.close();
    }
  });

  it("serveWorkspace({ workspace }) takes port 8765 when free, else another, and its URL opens the newest run's t-SNE map", async () => {
    const a = await serveWorkspace({ workspace: ws, webRoot, log: () => {} });
    const b = await serveWorkspace({ workspace: ws, webRoot, log: () => {} });
    try {
      expect(a.server.port).not.toBe(b.server.port);
      expect(b.server.port).not.toBe(8765);
      expect(a.appUrl).toBe(`http://127.0.0.1:${a.server.port}/#/map/small?map=tsne`);
      expect(a.remoteUrl).toBeNull();
      expect((await request(b.server.url, "/api/runs")).status).toBe(200);
    } finally {
      await a.server.close();
      await b.server.close();
    }
  });

  it("a run whose run.json changes (its `updated` stamp) is read again, not served from the cache", async () => {
    const before = await get("/api/runs/small/points?map=tsne");
    const decode = (b: Uint8Array) => decodePoints(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer).header.classes[0];
    expect(decode(before.bytes)).toBe("T-shirt/top");
    const run = openRunForWrite(join(ws, "runs", "small"), { command: "test" });
    try {
      run.record.classes = ["Tee", ...run.record.classes.slice(1)];
      run.save();
    } finally {
      run.release();
    }
    expect(decode((await get("/api/runs/small/points?map=tsne")).bytes)).toBe("Tee");
  });
});

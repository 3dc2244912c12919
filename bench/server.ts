/**
 * `featurelens serve` at 70,000 and 200,000 points, measured over HTTP on localhost (client and
 * server in this one process, each time the median of R requests after one warm-up):
 *   - a confusion cell's rows (GET /rows, Shirt taken for T-shirt/top) and its first page of
 *     predictions by confidence with the class counts (GET /predictions);
 *   - an image's 10 nearest neighbours in feature space (64-d penultimate features) and in pixel
 *     space (784 uint8 pixels), each over R different images, side by side with the library's
 *     exact kernel for one query (nearestTo: blocked SIMD dot products, then a float64 recheck)
 *     and with the same scan without its lower bound (pixels);
 *   - the map's points payload (api/points.ts): the first request on a fresh server (predictions
 *     read, payload encoded), the first after the run's detail (which the app asks for first, and
 *     which reads the predictions with the images), and later ones (cached); its size, beside the
 *     same columns as JSON.
 * In-process kernels report CPU time beside wall time, since the 2 cores are often shared.
 * The 70,000-point run is the one `node --import tsx bench/analyze.ts` leaves in
 * bench/.cache/analyze-ws; the 200,000-point run is synthetic (seeded predictions and map), made
 * into bench/.cache/serve-200k once.
 *
 *   node --import tsx bench/server.ts [repeats=20]
 */
import { existsSync, rmSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { nearestTo } from "../src/analysis/neighbors/nearestTo.js";
import { blockSums, nearestRows } from "../src/analysis/neighbors/scan.js";
import { decodePoints } from "../src/api/points.js";
import type { Embedded } from "../src/analysis/node/pipeline.js";
import { readFeatures } from "../src/store/features.js";
import { writeMap } from "../src/store/maps.js";
import { predictionsTable, readPredictions, writePredictions } from "../src/store/predictions.js";
import { closeQueryEngine } from "../src/store/query.js";
import { openRunForWrite, Run } from "../src/store/run.js";
import { createRng } from "../src/util/rng.js";
import { loadRunImages } from "../src/workflows/runImages.js";
import { startServer } from "../src/server/server.js";

const REPEATS = Number(process.argv[2] ?? 20);
const WS70 = join(import.meta.dirname, ".cache", "analyze-ws");
const RUN70 = "fm70k";
const WS200 = join(import.meta.dirname, ".cache", "serve-200k");

const LOAD_START = loadavg()[0];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(1)} ms`;

interface Timing {
  wall: number;
  cpu: number;
}

/** Median wall time and median CPU time of this process (user + system), each in ms. */
async function timeWithCpu(n: number, fn: (i: number) => Promise<unknown> | unknown): Promise<Timing> {
  await fn(n); // warm-up, on a query not among the timed ones
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn(i);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/** Wall and CPU time of one call. */
async function once(fn: () => Promise<unknown>): Promise<Timing> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

/** Wall time and this process's CPU time (the 2 cores are often shared with other work). */
const both = (t: Timing) => `${ms(t.wall)} (CPU ${ms(t.cpu)})`;

async function fetchOk(url: string): Promise<ArrayBuffer> {
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${new TextDecoder().decode(body)}`);
  return body;
}

/** A seeded synthetic run of n images × 10 classes with a 2-D map (Gaussian blobs per class). */
async function syntheticRun(ws: string, n: number): Promise<void> {
  const dir = join(ws, "runs", "synthetic");
  if (Run.exists(dir) && Run.read(dir).record.status === "complete") return;
  rmSync(dir, { recursive: true, force: true });
  const k = 10;
  const rng = createRng(13);
  const labels = new Int32Array(n);
  const probs = new Float32Array(n * k);
  const xy = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const y = rng.int(k);
    labels[i] = y;
    let sum = 0;
    for (let j = 0; j < k; j++) sum += probs[i * k + j] = Math.exp(rng.next() * 3 + (j === y ? 2 : 0));
    for (let j = 0; j < k; j++) probs[i * k + j] /= sum;
    xy[2 * i] = Math.cos(y) * 30 + (rng.next() - 0.5) * 12;
    xy[2 * i + 1] = Math.sin(y) * 30 + (rng.next() - 0.5) * 12;
  }
  const classes = Array.from({ length: k }, (_, i) => `class ${i}`);
  const run = openRunForWrite(dir, { command: "bench", classes });
  try {
    run.record.data = { spec: "synthetic", name: "synthetic", split: "", n, height: 28, width: 28, channels: 1, hash: "0".repeat(64), limit: null, only: null, seed: 0 };
    await writePredictions(run.path("predictions.parquet"), predictionsTable({ probabilities: probs, k, labels, split: "test" }));
    run.recordArtifact(run.record, { file: "predictions.parquet", kind: "predictions", params: {} });
    const embedded: Embedded = { embedding: xy, dims: 2, input: { n, d: 2, data: xy }, pca: null, kl: null, iterations: null, stoppedEarly: false, knn: null };
    writeMap(run, run.record, { name: "pca", method: "pca", source: "penultimate", layer: "synthetic", params: {}, embedded, quality: null, seconds: 0 });
    run.record.status = "complete";
    run.save();
  } finally {
    run.release();
  }
}

/**
 * The first points request on a fresh server (nothing loaded: the predictions are read, the map
 * too, the payload encoded), and on another fresh server right after the run's detail, which the
 * app asks for first (the detail loads the predictions with the images).
 */
async function coldPoints(workspace: string, run: string, map: string): Promise<{ cold: Timing; afterDetail: Timing }> {
  const times: Timing[] = [];
  for (const detailFirst of [false, true]) {
    const s = await startServer({ workspace });
    try {
      if (detailFirst) await fetch(`${s.url}api/runs/${run}`).then((r) => r.arrayBuffer());
      times.push(await once(() => fetchOk(`${s.url}api/runs/${run}/points?map=${map}`)));
    } finally {
      await s.close();
    }
  }
  return { cold: times[0], afterDetail: times[1] };
}

/** The points payload, cached: median time, size; and the same columns as JSON. */
async function pointsTimes(base: string, run: string, map: string): Promise<{ n: number; warm: Timing; bytes: number; jsonBytes: number; jsonMs: number }> {
  const url = `${base}api/runs/${run}/points?map=${map}`;
  const first = await fetchOk(url);
  const warm = await timeWithCpu(REPEATS, () => fetchOk(url));
  const p = decodePoints(first);
  const t1 = performance.now();
  const json = JSON.stringify({ xy: Array.from(p.xy), label: Array.from(p.label), predicted: Array.from(p.predicted), confidence: Array.from(p.confidence), loss: Array.from(p.loss), margin: Array.from(p.margin), index: Array.from(p.index) });
  const jsonMs = performance.now() - t1;
  return { n: p.header.n, warm, bytes: first.byteLength, jsonBytes: Buffer.byteLength(json), jsonMs };
}

const pointsRows = (pts: { n: number; warm: Timing; bytes: number; jsonBytes: number; jsonMs: number }, cold: { cold: Timing; afterDetail: Timing }, what: string): [string, string, string][] => [
  [`points payload, ${pts.n.toLocaleString("en")} points${what}: first request on a fresh server`, both(cold.cold), ""],
  ["  the first after the run's detail (as the app asks)", both(cold.afterDetail), ""],
  ["  cached", both(pts.warm), "well under 1 s"],
  ["  its size (binary) / the same columns as JSON", `${(pts.bytes / 1e6).toFixed(2)} MB / ${(pts.jsonBytes / 1e6).toFixed(2)} MB (JSON.stringify alone ${ms(pts.jsonMs)})`, ""],
];

async function main(): Promise<void> {
  if (!existsSync(join(WS70, "runs", RUN70, "run.json"))) throw new Error(`no ${RUN70} run in ${WS70}: run node --import tsx bench/analyze.ts first`);
  const cold70 = await coldPoints(WS70, RUN70, "tsne");
  const server = await startServer({ workspace: WS70 });
  const base = server.url;
  const rows: [string, string, string][] = [];
  try {
    const run = Run.read(join(WS70, "runs", RUN70));
    const detail = await once(() => fetchOk(`${base}api/runs/${RUN70}`));
    const p = await readPredictions(run.path("predictions.parquet"));
    const points = await pointsTimes(base, RUN70, "tsne");
    const cell = `label=6&predicted=0`;
    const rowsMs = await timeWithCpu(REPEATS, () => fetchOk(`${base}api/runs/${RUN70}/rows?${cell}`));
    const cellRows = (JSON.parse(new TextDecoder().decode(await fetchOk(`${base}api/runs/${RUN70}/rows?${cell}`))) as { total: number }).total;
    const pageMs = await timeWithCpu(REPEATS, () => fetchOk(`${base}api/runs/${RUN70}/predictions?${cell}&sort=confidence&desc=true&limit=100`));
    const queries = Array.from({ length: REPEATS + 1 }, (_, i) => Math.floor(((i + 0.5) * p.n) / (REPEATS + 1)));
    const featMs = await timeWithCpu(REPEATS, (i) => fetchOk(`${base}api/runs/${RUN70}/neighbors/${queries[i]}?space=feature&k=10`));
    const pixMs = await timeWithCpu(REPEATS, (i) => fetchOk(`${base}api/runs/${RUN70}/neighbors/${queries[i]}?space=pixel&k=10`));
    let page = new ArrayBuffer(0);
    const atlas = await once(async () => (page = await fetchOk(`${base}api/runs/${RUN70}/atlas/0.png?size=32`)));
    const insideMs = await timeWithCpu(Math.min(REPEATS, 5), (i) => fetchOk(`${base}api/runs/${RUN70}/inside/${queries[i]}`));

    // In-process, the same queries: the scan, and the references.
    const f = readFeatures(run, run.record, "penultimate");
    const feats = { n: f.n, d: f.d, data: f.data };
    const scanFeat = await timeWithCpu(REPEATS, (i) => nearestRows(feats, queries[i], 10));
    const refFeat = await timeWithCpu(REPEATS, (i) => nearestTo(feats, queries[i], 10, "l2"));
    const ds = await loadRunImages(run);
    const pix = { n: ds.n, d: ds.height * ds.width * ds.channels, data: ds.images };
    const sums = blockSums(pix);
    const scanPix = await timeWithCpu(REPEATS, (i) => nearestRows(pix, queries[i], 10, sums));
    const noBound = await timeWithCpu(REPEATS, (i) => nearestRows(pix, queries[i], 10));
    for (let i = 0; i < 3; i++) {
      const a = nearestRows(feats, queries[i], 10).rows;
      const b = nearestTo(feats, queries[i], 10, "l2").map((x) => x.index);
      if (a.some((r, j) => r !== b[j])) process.stderr.write(`note: feature neighbours of row ${queries[i]} differ from nearestTo's (ties or float32 rounding): ${[...a]} vs ${b}\n`);
    }

    rows.push(
      ["run detail, first request (the model opened, 70,000 images loaded and checked)", both(detail), ""],
      [`confusion cell rows, GET /rows (${cellRows.toLocaleString("en")} of ${p.n.toLocaleString("en")})`, both(rowsMs), "< 50 ms"],
      ["confusion cell, GET /predictions: 100 rows by confidence, total, class counts", both(pageMs), ""],
      [`neighbours in feature space (${f.d}-d), GET /neighbors?space=feature&k=10`, both(featMs), "< 50 ms"],
      ["  the scan alone (nearestRows)", both(scanFeat), ""],
      ["  reference: nearestTo (blocked SIMD kernel, one query)", `${both(refFeat)}: ${(refFeat.cpu / scanFeat.cpu).toFixed(1)}× the scan`, ""],
      [`neighbours in pixel space (${pix.d} uint8), GET /neighbors?space=pixel&k=10`, both(pixMs), "< 50 ms"],
      ["  the scan alone, with the block-sum lower bound", both(scanPix), ""],
      ["  reference: the same scan without the bound", `${both(noBound)}: ${(noBound.cpu / scanPix.cpu).toFixed(1)}× the scan`, ""],
      [`an atlas page, 4,096 thumbnails of 32 px (${(page.byteLength / 1e6).toFixed(2)} MB PNG), first request`, both(atlas), ""],
      ["inside: the model on one image, every layer's statistics and histogram (not cached)", both(insideMs), ""],
      ...pointsRows(points, cold70, ""),
    );
  } finally {
    await server.close();
  }

  await syntheticRun(WS200, 200_000);
  const cold200 = await coldPoints(WS200, "synthetic", "pca");
  const s200 = await startServer({ workspace: WS200 });
  try {
    rows.push(...pointsRows(await pointsTimes(s200.url, "synthetic", "pca"), cold200, " (synthetic)"));
  } finally {
    await s200.close();
  }
  await closeQueryEngine();
  process.stdout.write(`load average (1 min) at the start ${LOAD_START.toFixed(1)}, at the end ${loadavg()[0].toFixed(1)}, on ${availableParallelism()} cores\n\n`);
  process.stdout.write(`| what | time | goal |\n|---|---:|---|\n${rows.map((r) => `| ${r.join(" | ")} |`).join("\n")}\n`);
}

await main();

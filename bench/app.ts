/**
 * The web app's map at 70,000 and 200,000 points, in Debian's Chromium with WebGL on SwiftShader —
 * the GPU emulated on the CPU, so an upper bound for a laptop with any GPU — served by the real
 * server (startServer) over localhost:
 *   - the points payload: its size, and how long its request took;
 *   - from the payload's last byte to the first frame with every point drawn (decode, colours,
 *     regl-scatterplot's state texture and spatial index, the first render);
 *   - from navigation to that frame;
 *   - panning: a drag across the map for 3 s, the pointer 3 px further at every animation frame;
 *     the interval between drawn frames (what the eye sees; 16.7 ms is the display's own pace)
 *     and each frame's main-thread work (JavaScript and WebGL calls; SwiftShader renders in the
 *     GPU process), median and 95th percentile;
 *   - and that the frame loop stops once the drag ends (no frames while idle).
 * The 70,000-point run is bench/.cache/analyze-ws (node --import tsx bench/analyze.ts makes it); the
 * 200,000-point run is synthetic (seeded predictions and a map of Gaussian blobs, written through
 * src/store into bench/.cache/app-200k once; it has no images, so the app shows no thumbnails),
 * and so is a 2,000-point one, for what a frame costs whatever its points.
 *
 *   node --import tsx bench/app.ts [repeats=3]
 */
import { existsSync, rmSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import type { Embedded } from "../src/analysis/node/pipeline.js";
import { startServer } from "../src/server/server.js";
import { writeMap } from "../src/store/maps.js";
import { predictionsTable, writePredictions } from "../src/store/predictions.js";
import { closeQueryEngine } from "../src/store/query.js";
import { openRunForWrite, Run } from "../src/store/run.js";
import { createRng } from "../src/util/rng.js";
import { CHROMIUM, ensureAppBuilt, launchChromium } from "../web/browser.testutil.js";

const REPEATS = Number(process.argv[2] ?? 3);
const WS70 = join(import.meta.dirname, ".cache", "analyze-ws");
const WS200 = join(import.meta.dirname, ".cache", "app-200k");
const WS2 = join(import.meta.dirname, ".cache", "app-2k");

interface Case {
  label: string;
  workspace: string;
  run: string;
  map: string;
}

/** What one page load measured. */
interface Sample {
  n: number;
  bytes: number;
  request: number;
  toFirstFrame: number;
  /** Of which: the colouring, and regl-scatterplot's draw up to its first frame. */
  colour: number;
  draw: number;
  toArrival: number;
  fromNavigation: number;
  panInterval: number[];
  panWork: number[];
  idleFrames: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const mb = (x: number) => `${(x / 1e6).toFixed(2)} MB`;

/** A seeded synthetic run of n images × 10 classes, its map 30 Gaussian blobs of uneven size and spread. */
async function syntheticRun(ws: string, n: number): Promise<void> {
  const dir = join(ws, "runs", "synthetic");
  if (Run.exists(dir) && Run.read(dir).record.status === "complete") return;
  rmSync(dir, { recursive: true, force: true });
  const k = 10;
  const rng = createRng(21);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const blobs = Array.from({ length: 30 }, (_, b) => ({ x: gauss() * 40, y: gauss() * 30, s: 1 + rng.next() * 5, cls: b % k }));
  const labels = new Int32Array(n);
  const probs = new Float32Array(n * k);
  const xy = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const blob = blobs[Math.floor(Math.pow(rng.next(), 1.5) * blobs.length)];
    const y = rng.next() < 0.9 ? blob.cls : rng.int(k);
    labels[i] = y;
    let sum = 0;
    for (let j = 0; j < k; j++) sum += probs[i * k + j] = Math.exp(rng.next() * 2.5 + (j === blob.cls ? 2.5 : 0));
    for (let j = 0; j < k; j++) probs[i * k + j] /= sum;
    xy[2 * i] = blob.x + gauss() * blob.s;
    xy[2 * i + 1] = blob.y + gauss() * blob.s;
  }
  const classes = Array.from({ length: k }, (_, i) => `class ${i}`);
  const run = openRunForWrite(dir, { command: "bench", classes });
  try {
    run.record.data = { spec: "synthetic", name: "synthetic", split: "", n, height: 28, width: 28, channels: 1, hash: "1".repeat(64), limit: null, only: null, seed: 0 };
    await writePredictions(run.path("predictions.parquet"), predictionsTable({ probabilities: probs, k, labels, split: "test" }));
    run.recordArtifact(run.record, { file: "predictions.parquet", kind: "predictions", params: {} });
    const embedded: Embedded = { embedding: xy, dims: 2, input: { n, d: 2, data: xy }, pca: null, kl: null, iterations: null, stoppedEarly: false, knn: null };
    writeMap(run, run.record, { name: "tsne", method: "tsne", source: "penultimate", layer: "synthetic", params: {}, embedded, quality: null, seconds: 0 });
    run.record.status = "complete";
    run.save();
  } finally {
    run.release();
  }
}

interface BenchWindow {
  featurelens: {
    map: {
      firstFrame: { arrived: number; drawn: number; n: number; bytes: number } | null;
      canvas: { frames: { count: number; running: boolean; times: { at: number[]; work: number[] } } };
    };
  };
}

/**
 * The drag, run in the page (as text: tsx's helpers are not there); resolves when it ends. The
 * frame times are cleared first, so what the map records afterwards is the drag.
 */
const PAN = `new Promise((done) => {
  const t = window.featurelens.map.canvas.frames.times;
  t.at.length = 0;
  t.work.length = 0;
  const canvas = document.querySelector(".map-canvas canvas.events");
  const r = canvas.getBoundingClientRect();
  let x = r.left + r.width / 3;
  const y = r.top + r.height / 2;
  canvas.dispatchEvent(new MouseEvent("mousedown", { clientX: x, clientY: y, button: 0, buttons: 1, bubbles: true }));
  const t0 = performance.now();
  function step() {
    x += 3;
    window.dispatchEvent(new MouseEvent("mousemove", { clientX: x, clientY: y, buttons: 1, bubbles: true }));
    if (performance.now() - t0 < 3000) requestAnimationFrame(step);
    else {
      window.dispatchEvent(new MouseEvent("mouseup", { clientX: x, clientY: y, button: 0, bubbles: true }));
      done();
    }
  }
  requestAnimationFrame(step);
})`;

async function measure(c: Case): Promise<Sample[]> {
  const server = await startServer({ workspace: c.workspace });
  const browser = await launchChromium();
  const samples: Sample[] = [];
  try {
    for (let r = 0; r < REPEATS; r++) {
      // A new page each time: nothing cached in the browser (the server keeps the payload it made).
      const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
      await page.goto(new URL(`#/map/${c.run}?map=${c.map}&marks=off`, server.url).href, { waitUntil: "load" });
      await page.waitForFunction(() => (globalThis as unknown as BenchWindow).featurelens.map.firstFrame !== null, undefined, { timeout: 120_000 });
      const first = await page.evaluate(() => {
        const f = (globalThis as unknown as BenchWindow).featurelens.map.firstFrame!;
        const req = performance.getEntriesByType("resource").find((e) => e.name.includes("/points?")) as { startTime: number; responseEnd: number } | undefined;
        const [colour, draw] = ["featurelens colour", "featurelens draw"].map((name) => performance.getEntriesByName(name)[0]?.duration ?? NaN);
        return { ...f, request: req ? req.responseEnd - req.startTime : NaN, colour, draw };
      });
      // Pan: a drag dispatched in the page, 3 px further at every animation frame for 3 s, so that
      // frames come as fast as the map draws them (Playwright's own mouse waits for each move to
      // be acknowledged, which under load paces the frames instead).
      await page.waitForTimeout(500);
      await page.evaluate(PAN);
      const times = await page.evaluate(() => {
        const t = (globalThis as unknown as BenchWindow).featurelens.map.canvas.frames.times;
        return { at: [...t.at], work: [...t.work] };
      });
      await page.waitForTimeout(2500);
      const idle0 = await page.evaluate(() => (globalThis as unknown as BenchWindow).featurelens.map.canvas.frames.count);
      await page.waitForTimeout(1000);
      const idle1 = await page.evaluate(() => (globalThis as unknown as BenchWindow).featurelens.map.canvas.frames.count);
      const intervals = times.at.slice(1).map((t, i) => t - times.at[i]);
      samples.push({
        n: first.n, bytes: first.bytes, request: first.request, toFirstFrame: first.drawn - first.arrived, colour: first.colour, draw: first.draw, toArrival: first.arrived, fromNavigation: first.drawn,
        panInterval: intervals, panWork: times.work, idleFrames: idle1 - idle0,
      });
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return samples;
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is not installed (apt-get install chromium)`);
  await ensureAppBuilt();
  const cases: Case[] = [];
  if (existsSync(join(WS70, "runs", "fm70k", "run.json"))) cases.push({ label: "Fashion-MNIST, 70,000 (t-SNE)", workspace: WS70, run: "fm70k", map: "tsne" });
  else console.warn(`no 70,000-image run in ${WS70}: node --import tsx bench/analyze.ts makes it`);
  await syntheticRun(WS200, 200_000);
  await syntheticRun(WS2, 2_000);
  closeQueryEngine();
  cases.push({ label: "synthetic, 200,000", workspace: WS200, run: "synthetic", map: "tsne" });
  cases.push({ label: "synthetic, 2,000 (the floor: a frame's cost without points)", workspace: WS2, run: "synthetic", map: "tsne" });
  const load = loadavg()[0];
  console.log(`Chromium ${CHROMIUM}, WebGL on SwiftShader; ${availableParallelism()} cores, load ${load.toFixed(2)}; median of ${REPEATS} page loads (panning: all frames of all loads)\n`);
  console.log("| map | points | payload | its request | navigation → payload | payload → first frame (colours + draw) | navigation → first frame | panning: frame interval (median / p95) | panning: main-thread work per frame (median / p95) | frames while idle |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const c of cases) {
    const s = await measure(c);
    const all = (f: (x: Sample) => number[]) => s.flatMap(f);
    console.log(
      `| ${c.label} | ${s[0].n.toLocaleString("en-US")} | ${mb(s[0].bytes)} | ${ms(median(s.map((x) => x.request)))} | ${ms(median(s.map((x) => x.toArrival)))} | ${ms(median(s.map((x) => x.toFirstFrame)))} (${ms(median(s.map((x) => x.colour)))} + ${ms(median(s.map((x) => x.draw)))}) | ${ms(median(s.map((x) => x.fromNavigation)))} | ` +
        `${ms(median(all((x) => x.panInterval)))} / ${ms(p95(all((x) => x.panInterval)))} | ${ms(median(all((x) => x.panWork)))} / ${ms(p95(all((x) => x.panWork)))} | ${s.reduce((a, x) => a + x.idleFrames, 0)} |`,
    );
  }
  closeQueryEngine();
}

await main();

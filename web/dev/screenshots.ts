/**
 * The README's pictures of the app (docs/app-map.png, app-metrics.png, app-image.png,
 * app-diagnose.png, app-review.png): the demo's run (the seed CNN trained as `featurelens demo`
 * trains it, analyzed on the sample's 1,000 test images, diagnosed and its label issues queued),
 * served by the real server, shown in Chromium (WebGL on SwiftShader) and saved as palette PNGs
 * under 400 KB.
 *
 *   node --import tsx web/dev/screenshots.ts [WORKSPACE=/tmp/featurelens-docs-ws]
 */
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import type { Page } from "playwright-core";
import { decodePoints } from "../../src/api/points.js";
import type { DiagnosisResponse } from "../../src/api/types.js";
import { startServer } from "../../src/server/server.js";
import { closeQueryEngine } from "../../src/store/query.js";
import { DEMO_DEFAULTS, demoTraining } from "../../src/workflows/demo.js";
import { diagnoseRun } from "../../src/workflows/diagnose.js";
import { labelIssues } from "../../src/workflows/labelIssues.js";
import { trainRun } from "../../src/workflows/trainRun.js";
import { ensureAppBuilt, launchChromium } from "../browser.testutil.js";

const workspace = process.argv[2] ?? "/tmp/featurelens-docs-ws";
const docs = join(import.meta.dirname, "..", "..", "docs");
const run = DEMO_DEFAULTS.run;

mkdirSync(workspace, { recursive: true });
if (!existsSync(join(workspace, "runs", run, "run.json"))) await trainRun({ ...demoTraining(workspace), threads: 2 });
if (!existsSync(join(workspace, "runs", run, "diagnose", "layers.json"))) await diagnoseRun({ workspace, run, threads: 2 });
if (!existsSync(join(workspace, "runs", run, "label-issues", "queue.csv"))) await labelIssues({ workspace, run, out: join(workspace, "issues"), threads: 2 });
rmSync(join(workspace, "runs", run, "label-issues", "label-fixes.csv"), { force: true });
await ensureAppBuilt();
const server = await startServer({ workspace });
const browser = await launchChromium();

/** The largest confusion off the diagonal, and one of its images. */
const points = decodePoints(await (await fetch(new URL(`api/runs/${run}/points?map=tsne`, server.url))).arrayBuffer());
const k = points.header.classes.length;
const counts = new Int32Array(k * k);
for (let i = 0; i < points.header.n; i++) if (points.label[i] !== points.predicted[i]) counts[points.label[i] * k + points.predicted[i]]++;
const cell = counts.indexOf(Math.max(...counts));
const [label, predicted] = [Math.floor(cell / k), cell % k];
const example = points.label.findIndex((l, i) => l === label && points.predicted[i] === predicted);

async function shot(page: Page, name: string): Promise<void> {
  const png = await page.screenshot();
  const file = join(docs, name);
  await sharp(png).png({ palette: true, quality: 92, effort: 10 }).toFile(file);
  console.log(`${file}: ${(statSync(file).size / 1024).toFixed(0)} KB`);
}

try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  const open = async (hash: string) => {
    await page.goto(new URL(hash, server.url).href, { waitUntil: "load" });
    await page.waitForFunction(() => document.body.dataset.ready === "true");
  };
  // The map: a confusion cell selected, the pointer on one of its images.
  await open(`#/map/${run}?map=tsne&sel=cell:${label},${predicted}`);
  await page.locator(".grid .thumb").first().waitFor();
  const box = (await page.locator(".map-canvas canvas.events").boundingBox())!;
  const at = await page.evaluate((r) => (window as unknown as { featurelens: { map: { canvas: { screenOf(r: number): [number, number] } } } }).featurelens.map.canvas.screenOf(r), example);
  await page.mouse.move(box.x + at[0], box.y + at[1]);
  await page.locator(".hover-card .top3 li .p").first().waitFor();
  await page.waitForTimeout(300);
  await shot(page, "app-map.png");
  await page.mouse.move(0, 0);
  // The metrics: the same cell, clicked in the matrix.
  await open(`#/metrics/${run}?map=tsne&sel=cell:${label},${predicted}`);
  await page.locator(".confusion svg").waitFor();
  await page.locator(".grid .thumb").first().waitFor();
  await page.waitForTimeout(800);
  await shot(page, "app-metrics.png");
  // One of its images, in a taller window so that the first layers show.
  await page.setViewportSize({ width: 1400, height: 1000 });
  await open(`#/image/${run}/${example}`);
  await page.locator(".neighbours[data-space=pixel] .nb").first().waitFor();
  await page.locator(".softmax svg").waitFor();
  await page.waitForTimeout(500);
  await shot(page, "app-image.png");
  // The diagnosis: the pair that mixes most by neighbours, clicked.
  await page.setViewportSize({ width: 1400, height: 860 });
  const diagnosis = (await (await fetch(new URL(`api/runs/${run}/diagnosis`, server.url))).json()) as DiagnosisResponse;
  const pair = diagnosis.separation.neighbor_pairs[0];
  await open(`#/diagnose/${run}?map=tsne&sel=pair:n,${pair.a},${pair.b}`);
  await page.locator(".grid .thumb").first().waitFor();
  await page.locator("[data-pair] + .examples .thumb").first().waitFor();
  await page.waitForTimeout(800);
  await shot(page, "app-diagnose.png");
  // The review: three suspects decided with the keyboard (relabel, keep, drop), the fourth shown.
  await open(`#/review/${run}`);
  await page.locator(".review-head").waitFor();
  for (const key of ["r", "o", "d"]) {
    await page.keyboard.press(key);
    await page.waitForTimeout(200);
  }
  await page.evaluate(() => (window as unknown as { featurelens: { review: { saved(): Promise<void> } } }).featurelens.review.saved());
  await page.locator(".neighbours .nb").first().waitFor();
  await page.waitForTimeout(500);
  await shot(page, "app-review.png");
} finally {
  await browser.close();
  await server.close();
  closeQueryEngine();
}

import { existsSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyzeRun } from "../../workflows/analyzeRun.js";
import { reportRun } from "../../workflows/reportRun.js";
import { tempWorkspace } from "../../workflows/report.testutil.js";
import { trainRun } from "../../workflows/trainRun.js";

/**
 * The report as a person sees it: built for a small real run (the seed CNN trained one epoch on
 * 1,000 images of the sample, analyzed on 300 test images), opened in Debian's Chromium with every request that is not the
 * file itself refused, and looked at — every section there, every picture drawn, nothing fetched.
 */

const CHROMIUM = "/usr/bin/chromium";
const LAUNCH = { executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"] };
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`report.browser.test: skipped, ${CHROMIUM} is not installed (apt-get install chromium)`);

let ws: string;
let report: string;

beforeAll(async () => {
  if (!haveChromium) return;
  ws = tempWorkspace("featurelens-browser-");
  await trainRun({ workspace: ws, out: "seed", data: "sample:train", load: { limit: 1000 }, arch: "seed-cnn", epochs: 1, batchSize: 64, seed: 0, analyze: false, threads: 2 });
  await analyzeRun({ workspace: ws, run: "seed", data: "sample:test", load: { limit: 300 }, maps: ["tsne"], threads: 2 });
  report = join(ws, "report.html");
  await reportRun({ workspace: ws, run: "seed", out: report });
}, 180_000);

afterAll(() => {
  if (ws) rmSync(ws, { recursive: true, force: true });
});

describe.skipIf(!haveChromium)(`the report in Chromium (skipped when ${CHROMIUM} is absent)`, () => {
  it("reportRun's page opens offline in Chromium: every section, every <img> and <svg> drawn, no request but the file", async () => {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch(LAUNCH);
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const attempted: string[] = [];
      const requested: string[] = [];
      await context.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file:")) return route.continue();
        attempted.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      page.on("request", (r) => requested.push(r.url()));
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
      await page.goto(pathToFileURL(report).href, { waitUntil: "load" });

      const ids = await page.$$eval("main > section", (s) => s.map((e) => e.id));
      expect(ids).toEqual(["summary", "accuracy", "confusion", "ranking", "calibration", "feature-space", "diagnose", "samples", "inside", "training", "domains"]);
      const headings = await page.$$eval("main h2", (h) => h.map((e) => e.textContent));
      expect(headings).toContain("Which classes separate in feature space?");
      expect(await page.locator("p.note").count()).toBe(0);

      // tabs: the first image's panel shows, the others wait for their button
      expect(await page.locator("#inside-0").isVisible()).toBe(true);
      expect(await page.locator("#inside-1").isVisible()).toBe(false);
      await page.click('button[data-tab="inside-1"]');
      expect(await page.locator("#inside-1").isVisible()).toBe(true);

      await page.$$eval(".tab-panel", (panels) => panels.forEach((p) => p.removeAttribute("hidden")));
      const images = await page.$$eval("img", (all) => all.map((i) => ({ ok: i.complete && i.naturalWidth > 0, src: i.src.slice(0, 22) })));
      expect(images.length).toBeGreaterThan(100);
      expect(images.filter((i) => !i.ok)).toEqual([]);
      expect(new Set(images.map((i) => i.src))).toEqual(new Set(["data:image/png;base64,"]));
      const svgs = await page.$$eval("svg", (all) => all.map((s) => ({ width: s.getBoundingClientRect().width, marks: s.querySelectorAll("path, text, line, rect").length })));
      expect(svgs.length).toBeGreaterThan(10);
      expect(svgs.filter((s) => !(s.width > 0 && s.marks > 0))).toEqual([]);

      expect(attempted).toEqual([]);
      expect(requested.filter((u) => !u.startsWith("file:") && !u.startsWith("data:"))).toEqual([]);
      expect(errors).toEqual([]);

      const shot = join(tmpdir(), "featurelens-report-browser.png");
      await page.$$eval(".tab-panel", (panels) => panels.forEach((p, j) => void (j > 0 && p.setAttribute("hidden", ""))));
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(100_000);
      console.info(`report.browser.test: full-page screenshot in ${shot}`);
    } finally {
      await browser.close();
    }
  });
});

import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodePoints, type DecodedPoints } from "../src/api/points.js";
import type { InsideResponse, NeighborsResponse, PredictionsResponse, RowsResponse } from "../src/api/types.js";
import { startServer, type RunningServer } from "../src/server/server.js";
import { ARTIFACTS, CHROMIUM, ensureAppBuilt, launchChromium } from "./browser.testutil.js";
import { diagnoseViewTests } from "./diagnose.browser.testutil.js";
import { makeAppWorkspace, type AppWorkspace } from "./workspace.testutil.js";

/**
 * The app as a person uses it: `featurelens serve`'s real server (startServer) on a workspace of
 * two small real runs, the built app in Debian's Chromium with WebGL on SwiftShader, and each
 * question of issue 13 (and the Diagnose and Review views of issue 14, diagnose.browser.testutil.ts)
 * asked with the mouse and the keyboard — what is drawn is checked in
 * screenshots (coloured pixels of the map), what is listed against the API. Screenshots are kept
 * in web/.artifacts/ (git-ignored) to look at.
 */

const haveChromium = existsSync(CHROMIUM);
// CI installs Chromium and sets FEATURELENS_REQUIRE_CHROMIUM, so there a missing browser fails instead of skipping.
if (!haveChromium && process.env.FEATURELENS_REQUIRE_CHROMIUM) throw new Error(`${CHROMIUM} is missing but FEATURELENS_REQUIRE_CHROMIUM is set: apt-get install chromium`);
if (!haveChromium) console.warn(`app.browser.test: skipped, ${CHROMIUM} is not installed (apt-get install chromium)`);

let ws: AppWorkspace;
let server: RunningServer;
let browser: Browser;
let page: Page;
let points: DecodedPoints;
const errors: string[] = [];

/** Waits for the page's next animation frame. */
async function nextFrame(): Promise<void> {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(null))));
}

/** What the app puts on window for tests and the benchmark (main.ts). */
interface AppGlobal {
  featurelens: {
    compareMaps: { screenOf(row: number): [number, number] | null }[];
    state: { sel: unknown; view: string; color: string };
    map: {
      current: { map: string } | null;
      firstFrame: { arrived: number; drawn: number } | null;
      selection: number[] | null;
      canvas: { screenOf(row: number): [number, number] | null; frames: { count: number; running: boolean } };
    };
  };
}

beforeAll(async () => {
  if (!haveChromium) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  await ensureAppBuilt();
  ws = await makeAppWorkspace();
  server = await startServer({ workspace: ws.workspace, log: (line) => errors.push(line) });
  points = decodePoints(await (await fetch(api(`runs/${ws.run}/points?map=tsne`))).arrayBuffer());
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (ws) rmSync(ws.workspace, { recursive: true, force: true });
});

function api(path: string): string {
  return new URL(`api/${path}`, server.url).href;
}

async function getJson<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(api(path), body ? { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {});
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

async function open(hash: string): Promise<void> {
  await page.goto(new URL(hash, server.url).href, { waitUntil: "load" });
  await page.waitForFunction(() => document.body.dataset.ready === "true");
}

async function waitForMap(): Promise<void> {
  await page.waitForFunction(() => (window as unknown as AppGlobal).featurelens.map.firstFrame !== null);
}

/** Pixels of a screenshot whose colour is saturated (a class colour, not white, grey or black). */
async function colouredPixels(png: Buffer): Promise<{ coloured: number; total: number; hues: Set<number> }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let coloured = 0;
  const hues = new Set<number>();
  for (let i = 0; i < data.length; i += 3) {
    const r = data[i];
    const g = data[i + 1];
    const b = data[i + 2];
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    if (max - min > 60) {
      coloured++;
      // Hue in 12 sectors: how many different colours are drawn.
      const hue = max === r ? ((g - b) / (max - min) + 6) % 6 : max === g ? (b - r) / (max - min) + 2 : (r - g) / (max - min) + 4;
      hues.add(Math.floor(hue * 2));
    }
  }
  return { coloured, total: info.width * info.height, hues };
}

async function shoot(name: string, full = false): Promise<Buffer> {
  return page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: full });
}

describe.skipIf(!haveChromium)(`the web app in Chromium (skipped when ${CHROMIUM} is absent)`, () => {
  it("the map view draws every point of the run's map in colour, and an idle map runs no frames", async () => {
    await open(`#/map/${ws.run}?map=tsne`);
    await waitForMap();
    await page.waitForTimeout(300);
    const shot = await page.locator(".map-canvas").screenshot();
    const { coloured, total, hues } = await colouredPixels(shot);
    // 500 points of ~7 px: thousands of coloured pixels, in most of the ten class colours.
    expect(coloured).toBeGreaterThan(5000);
    expect(coloured).toBeLessThan(total / 2);
    expect(hues.size).toBeGreaterThanOrEqual(5);
    const legend = await page.locator(".legend-item .name").allInnerTexts();
    expect(legend).toEqual(points.header.classes);
    await shoot("map");
    // Idle: the frame loop has stopped and stays stopped.
    await page.waitForTimeout(500);
    const before = await page.evaluate(() => (window as unknown as AppGlobal).featurelens.map.canvas.frames);
    await page.waitForTimeout(1000);
    const after = await page.evaluate(() => (window as unknown as AppGlobal).featurelens.map.canvas.frames);
    expect(before.running).toBe(false);
    expect(after.count).toBe(before.count);
  });

  it("hovering a point shows its thumbnail from the atlas, its label, prediction and top-3 probabilities", async () => {
    await open(`#/map/${ws.run}?map=tsne`);
    await waitForMap();
    const box = (await page.locator(".map-canvas canvas.events").boundingBox())!;
    const target = 17;
    const at = await page.evaluate((r) => (window as unknown as AppGlobal).featurelens.map.canvas.screenOf(r), target);
    expect(at).not.toBeNull();
    await page.mouse.move(box.x + at![0] + 2, box.y + at![1] + 2);
    await page.mouse.move(box.x + at![0], box.y + at![1]);
    const card = page.locator(".hover-card");
    await card.waitFor({ state: "visible" });
    await page.locator(".hover-card .top3 li .p").first().waitFor();
    const text = await card.innerText();
    const row = Number(/row (\d+)/.exec(text)?.[1]);
    expect(Number.isInteger(row)).toBe(true);
    const classes = points.header.classes;
    expect(text).toContain(`image #${points.index[row]}`);
    expect(text).toContain(`true ${classes[points.label[row]]}`);
    expect(text).toContain(`predicted ${classes[points.predicted[row]]}`);
    const bg = await page.locator(".hover-card .thumb").evaluate((el) => (el as HTMLElement).style.backgroundImage);
    expect(bg).toMatch(new RegExp(`api/runs/${ws.run}/atlas/0\\.png\\?size=32`));
    const truth = await getJson<PredictionsResponse>(`runs/${ws.run}/predictions`, { rows: [row], probabilities: true });
    const top = truth.rows[0].probabilities!.map((p, k) => ({ p, k })).sort((a, b) => b.p - a.p).slice(0, 3);
    const shown = await page.locator(".hover-card .top3 li .p").allInnerTexts();
    expect(shown).toEqual(top.map(({ p, k }) => `${classes[k]} ${(100 * p).toFixed(1)}%`));
    await shoot("hover");
  });

  it("a lasso (shift-drag) selects the points inside it and fills the grid with their class mix and accuracy", async () => {
    await open(`#/map/${ws.run}?map=tsne`);
    await waitForMap();
    const box = (await page.locator(".map-canvas canvas.events").boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.keyboard.down("Shift");
    await page.mouse.move(cx + 160, cy);
    await page.mouse.down();
    for (let a = 1; a <= 48; a++) {
      const t = (a / 48) * 2 * Math.PI;
      await page.mouse.move(cx + 160 * Math.cos(t), cy + 160 * Math.sin(t));
      await nextFrame(); // Chromium coalesces moves within a frame: on a busy machine a fast drag would reach the map as two or three
    }
    await page.mouse.up();
    await page.keyboard.up("Shift");
    await page.waitForFunction(() => /[?&]sel=lasso:/.test(location.hash));
    await page.locator(".grid .thumb").first().waitFor();
    const selected = (await page.evaluate(() => (window as unknown as AppGlobal).featurelens.map.selection))!;
    expect(selected.length).toBeGreaterThan(5);
    // The selection is the points inside the polygon the URL keeps.
    const polygon = decodeURIComponent(/sel=lasso:([^&]+)/.exec(await page.evaluate(() => location.hash))![1]).split(/[;,]/).map(Number);
    expect(selected).toEqual(inside(points, polygon));
    const truth = await getJson<PredictionsResponse>(`runs/${ws.run}/predictions`, { rows: selected, limit: 0 });
    const head = await page.locator(".grid-head").innerText();
    expect(head).toContain(`${selected.length} selected`);
    expect(head).toContain(`${((100 * truth.correct) / selected.length).toFixed(1)}% right (${truth.correct} of ${selected.length})`);
    const cells = await page.locator(".grid .thumb").evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.row)));
    expect(cells).toEqual(selected.slice(0, 240));
    await shoot("lasso");
    // The selection's indices download as CSV: one line per selected image, its source index beside its row.
    const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "CSV" }).click()]);
    const lines = readFileSync((await csv.path())!, "utf8").trim().split("\n");
    expect(lines[0]).toBe("row,index,label,predicted,confidence,loss,margin");
    expect(lines.slice(1).map((l) => l.split(",").slice(0, 2).map(Number))).toEqual(selected.map((r) => [r, points.index[r]]));
    // The box: b, then a drag; the selection is the points inside the rectangle. (The hash before the
    // drag is read first: read after it, it may already be the box's, and the wait below would never end.)
    const lassoHash = await page.evaluate(() => location.hash);
    await page.keyboard.press("b");
    await page.locator('[data-mode="box"][aria-pressed="true"]').waitFor();
    await page.mouse.move(cx - 200, cy - 150);
    await page.mouse.down();
    for (let i = 1; i <= 20; i++) {
      await page.mouse.move(cx - 200 + 20 * i, cy - 150 + 15 * i);
      await nextFrame();
    }
    await page.mouse.up();
    await page.waitForFunction((before) => location.hash.includes("sel=lasso:") && location.hash !== before, lassoHash);
    const box2 = decodeURIComponent(/sel=lasso:([^&]+)/.exec(await page.evaluate(() => location.hash))![1]).split(/[;,]/).map(Number);
    const inBox = inside(points, box2);
    await page.waitForFunction((n) => (window as unknown as AppGlobal).featurelens.map.selection?.length === n, inBox.length);
    expect(await page.evaluate(() => (window as unknown as AppGlobal).featurelens.map.selection)).toEqual(inBox);
    await page.keyboard.press("p");
    // Esc clears it.
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !/[?&]sel=/.test(location.hash));
    expect(await page.evaluate(() => (window as unknown as AppGlobal).featurelens.map.selection)).toBeNull();
  });

  it("a click on a confusion-matrix cell lights up exactly that cell's images on the map and in the grid", async () => {
    await open(`#/metrics/${ws.run}?map=tsne`);
    await waitForMap();
    const cells = page.locator(".confusion svg .mark-rect path");
    await cells.first().waitFor();
    // The largest off-diagonal confusion: the cell a person would click.
    const { label, predicted } = largestConfusion(points);
    const cell = page.locator(`.confusion svg .mark-rect path[aria-label^="predicted class: ${predicted}; true class: ${label};"]`);
    expect(await cell.count()).toBe(1);
    // Clicked where it is drawn (Playwright's own click waits for an SVG path to be "enabled" forever).
    const r = (await cell.boundingBox())!;
    await page.mouse.click(r.x + r.width / 2, r.y + r.height / 2);
    await page.waitForFunction((sel) => location.hash.includes(`sel=${sel}`), `cell:${label},${predicted}`);
    await page.locator(".grid .thumb").first().waitFor();
    const truth = await getJson<RowsResponse>(`runs/${ws.run}/rows?label=${label}&predicted=${predicted}`);
    expect(truth.total).toBeGreaterThan(0);
    const selected = await page.evaluate(() => (window as unknown as AppGlobal).featurelens.map.selection);
    expect(selected).toEqual(truth.rows);
    const grid = await page.locator(".grid .thumb").evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.row)));
    expect(grid.sort((a, b) => a - b)).toEqual(truth.rows);
    expect(await page.locator(".grid-head").innerText()).toContain(`true ${points.header.classes[label]}, predicted ${points.header.classes[predicted]}`);
    // The map shows the cell's points: its canvas still has colour, and the cell's points are drawn on top.
    const { coloured } = await colouredPixels(await page.locator(".map-canvas").screenshot());
    expect(coloured).toBeGreaterThan(200);
    await shoot("metrics");
    // The URL reopens it.
    await page.reload({ waitUntil: "load" });
    await page.waitForFunction((n) => ((window as unknown as AppGlobal).featurelens.map.selection?.length ?? 0) === n, truth.total);
  });

  it("the image view shows the image, its softmax bars, both neighbour rows and each layer's feature maps with a histogram", async () => {
    const row = 3;
    await open(`#/image/${ws.run}/${row}`);
    await page.locator(".neighbours[data-space=feature] .nb").first().waitFor();
    await page.locator(".neighbours[data-space=pixel] .nb").first().waitFor();
    await page.locator(".softmax svg").waitFor();
    const [feature, pixel, inside] = await Promise.all([
      getJson<NeighborsResponse>(`runs/${ws.run}/neighbors/${row}?space=feature&k=10`),
      getJson<NeighborsResponse>(`runs/${ws.run}/neighbors/${row}?space=pixel&k=10`),
      getJson<InsideResponse>(`runs/${ws.run}/inside/${row}`),
    ]);
    const rowsOf = (space: string) => page.locator(`.neighbours[data-space=${space}] .nb .thumb`).evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.row)));
    expect(await rowsOf("feature")).toEqual(feature.neighbors.map((n) => n.row));
    expect(await rowsOf("pixel")).toEqual(pixel.neighbors.map((n) => n.row));
    expect(await page.locator(".neighbours[data-space=feature] h3").innerText()).toContain(`${feature.sameClass} of 10 share its class`);
    const withMaps = inside.layers.filter((l) => l.maps);
    expect(withMaps.length).toBeGreaterThan(0);
    expect(await page.locator("article.layer").count()).toBe(inside.layers.length);
    // Scroll through the layers so that every picture and histogram loads.
    for (const el of await page.locator("article.layer").all()) await el.scrollIntoViewIfNeeded();
    await page.waitForFunction((n) => {
      const imgs = Array.from(document.querySelectorAll<HTMLImageElement>("img.fmaps"));
      return imgs.length === n && imgs.every((i) => i.complete && i.naturalWidth > 0);
    }, withMaps.length);
    await page.waitForFunction((n) => document.querySelectorAll(".layer .hist svg").length === n, inside.layers.filter((l) => l.histogram).length);
    const big = await page.locator("img.big-image").evaluate((i) => (i as HTMLImageElement).naturalWidth);
    expect(big).toBeGreaterThan(100);
    await page.evaluate(() => document.querySelector(".image-view")!.scrollTo(0, 0));
    await shoot("image");
    // Clicking a neighbour opens it.
    await page.locator(".neighbours[data-space=feature] .nb").nth(1).click();
    await page.waitForFunction((r) => location.hash.startsWith(`#/image/seed/${r}`), feature.neighbors[1].row);
  });

  it("the compare view draws two runs on the same images side by side, linked by image index", async () => {
    await open(`#/compare/${ws.run}?with=${ws.other}`);
    const panes = page.locator(".compare-pane .map-canvas");
    await page.waitForFunction(() => document.querySelectorAll(".compare-pane .map-canvas").length === 2);
    await page.waitForTimeout(800);
    for (const c of await panes.all()) expect((await colouredPixels(await c.screenshot())).coloured).toBeGreaterThan(3000);
    expect(await page.locator(".compare-summary").innerText()).toMatch(/they disagree on \d+/);
    // Hover on the left: the card names what the other run predicts for the same image.
    const left = (await panes.first().boundingBox())!;
    const at = (await page.evaluate(() => (window as unknown as AppGlobal).featurelens.compareMaps[0].screenOf(5)))!;
    await page.mouse.move(left.x + at[0] + 2, left.y + at[1] + 2);
    await page.mouse.move(left.x + at[0], left.y + at[1]);
    await page.locator(".hover-card").waitFor({ state: "visible" });
    expect(await page.locator(".hover-card").innerText()).toMatch(new RegExp(`^${ws.run} · (${ws.other} predicts|not in)`));
    await page.getByRole("button", { name: "select where they disagree" }).click();
    await page.waitForFunction(() => /[?&]sel=rows:/.test(location.hash));
    expect(await page.locator(".compare-summary").innerText()).toMatch(/^\d+ selected/);
    await shoot("compare");
    // A domain drawn over its run's map.
    await open(`#/compare/${ws.run}?domain=${ws.domain}`);
    await page.waitForFunction(() => document.querySelectorAll(".compare-pane .map-canvas").length === 1);
    await page.waitForTimeout(800);
    const { coloured } = await colouredPixels(await page.locator(".compare-pane .map-canvas").screenshot());
    expect(coloured).toBeGreaterThan(2000);
    await shoot("domain");
  });

  it("the keyboard: 1–4 switch views, c cycles the colouring, m the map, arrows and Enter walk the grid, ? shows the keys", async () => {
    await open(`#/map/${ws.run}?map=tsne`);
    await waitForMap();
    await page.keyboard.press("c");
    await page.waitForFunction(() => location.hash.includes("color=predicted"));
    await page.keyboard.press("c");
    await page.waitForFunction(() => location.hash.includes("color=wrong"));
    await page.keyboard.press("3");
    await page.waitForFunction(() => location.hash.startsWith("#/metrics/"));
    await page.keyboard.press("4");
    await page.waitForFunction(() => location.hash.startsWith("#/compare/"));
    await page.keyboard.press("1");
    await page.waitForFunction(() => location.hash.startsWith("#/map/") && location.hash.includes("color=wrong"));
    await page.keyboard.press("m");
    await page.waitForFunction(() => location.hash.includes("map=pca"));
    await page.waitForFunction(() => (window as unknown as AppGlobal).featurelens.map.current?.map === "pca");
    // A confusion cell's grid: arrows move through it, Enter opens the image.
    const { label, predicted } = largestConfusion(points);
    await open(`#/map/${ws.run}?map=tsne&sel=cell:${label},${predicted}`);
    await page.locator(".grid .thumb").first().waitFor();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    const second = Number(await page.locator(".grid .thumb").nth(1).getAttribute("data-row"));
    await page.waitForFunction((r) => location.hash.includes(`at=${r}`), second);
    await page.keyboard.press("Enter");
    await page.waitForFunction((r) => location.hash.startsWith(`#/image/${"seed"}/${r}`), second);
    await page.keyboard.press("?");
    expect(await page.locator("dialog.help").isVisible()).toBe(true);
    await page.keyboard.press("Escape");
    expect(await page.locator("dialog.help").isVisible()).toBe(false);
    expect(errors).toEqual([]);
  });

  diagnoseViewTests(() => ({ ws, server, page, points, errors }));
});

/** Rows inside a polygon (even–odd rule), as the app computes them. */
function inside(p: DecodedPoints, polygon: number[]): number[] {
  const out: number[] = [];
  const m = polygon.length / 2;
  const d = p.header.dims;
  for (let i = 0; i < p.header.n; i++) {
    const x = p.xy[i * d];
    const y = p.xy[i * d + 1];
    let c = false;
    for (let a = 0, b = m - 1; a < m; b = a++) {
      const [ax, ay, bx, by] = [polygon[2 * a], polygon[2 * a + 1], polygon[2 * b], polygon[2 * b + 1]];
      if (ay > y !== by > y && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) c = !c;
    }
    if (c) out.push(i);
  }
  return out;
}

/** The off-diagonal cell of the confusion matrix with the most images. */
function largestConfusion(p: DecodedPoints): { label: number; predicted: number } {
  const k = p.header.classes.length;
  const counts = new Int32Array(k * k);
  for (let i = 0; i < p.header.n; i++) if (p.label[i] < k && p.label[i] !== p.predicted[i]) counts[p.label[i] * k + p.predicted[i]]++;
  let best = 0;
  for (let j = 1; j < counts.length; j++) if (counts[j] > counts[best]) best = j;
  return { label: Math.floor(best / k), predicted: best % k };
}

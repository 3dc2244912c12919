import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { expect, it } from "vitest";
import type { DecodedPoints } from "../src/api/points.js";
import type { DiagnosisResponse, LabelIssuesResponse, MixedRowsResponse } from "../src/api/types.js";
import type { RunningServer } from "../src/server/server.js";
import { Run } from "../src/store/run.js";
import { applyLabelFixesFile, readLabelFixes } from "../src/workflows/labelFixes.js";
import { loadRunImages } from "../src/workflows/runImages.js";
import { ARTIFACTS } from "./browser.testutil.js";
import type { AppWorkspace } from "./workspace.testutil.js";

/**
 * The Diagnose and Review views as a person uses them, in Chromium against the real server: the
 * test workspace's run "seed" is diagnosed and its label issues queued by the real commands'
 * functions (workspace.testutil.ts). A mixed class pair clicked lights up exactly the images the
 * API names (and, by predictions, exactly the images of a taken for b and of b taken for a); a
 * suspect clicked lights up that image; the review is stepped through with the keyboard and the
 * label-fixes.csv it writes is read back with readLabelFixes and applied as train --label-fixes does.
 * app.browser.test.ts runs these tests on its workspace, server and page (one Chromium, one
 * workspace for the app's tests).
 */

/** What app.browser.test.ts made in its beforeAll. */
export interface BrowserContext {
  ws: AppWorkspace;
  server: RunningServer;
  page: Page;
  points: DecodedPoints;
  errors: string[];
}

interface AppGlobal {
  featurelens: {
    map: { selection: number[] | null; firstFrame: unknown };
    review: { saved(): Promise<void> };
  };
}

/** Registers the tests (call it inside the app's describe block). */
export function diagnoseViewTests(context: () => BrowserContext): void {
  const api = (path: string) => new URL(`api/${path}`, context().server.url).href;
  const getJson = async <T>(path: string): Promise<T> => {
    const res = await fetch(api(path));
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  const open = async (hash: string) => {
    const { page, server } = context();
    await page.goto(new URL(hash, server.url).href, { waitUntil: "load" });
    await page.waitForFunction(() => document.body.dataset.ready === "true");
  };
  const selection = () => context().page.evaluate(() => (window as unknown as AppGlobal).featurelens.map.selection);
  const fixesFile = () => join(context().ws.workspace, "runs", context().ws.run, "label-issues", "label-fixes.csv");

  it("the diagnose view: a mixed pair clicked lights up exactly its images on the map and in the grid", async () => {
    const { ws, page, points, errors } = context();
    const d = await getJson<DiagnosisResponse>(`runs/${ws.run}/diagnosis`);
    await open(`#/diagnose/${ws.run}?map=tsne`);
    await page.waitForFunction(() => (window as unknown as AppGlobal).featurelens.map.firstFrame !== null);
    await page.locator("[data-pair]").first().waitFor();
    expect(await page.locator(".diagnose-panel .summary").first().innerText()).toBe(d.separation.summary.text);
    expect(await page.locator(".per-class-purity tbody tr").count()).toBe(d.separation.per_class.length);
    await page.locator(".layer-curve svg").waitFor();

    // By neighbours: the first pair, as the API (checked by brute force in src/server/diagnoseRoutes.test.ts) names its images.
    const pair = d.separation.neighbor_pairs[0];
    await page.locator(`[data-pair="neighbors:${pair.a},${pair.b}"]`).click();
    await page.waitForFunction((s) => location.hash.includes(`sel=${s}`), `pair:n,${pair.a},${pair.b}`);
    const truth = await getJson<MixedRowsResponse>(`runs/${ws.run}/diagnosis/mixed?a=${pair.a}&b=${pair.b}&by=neighbors`);
    expect(truth.total).toBeGreaterThan(0);
    await page.waitForFunction((n) => ((window as unknown as AppGlobal).featurelens.map.selection?.length ?? -1) === n, truth.total);
    expect(await selection()).toEqual(truth.rows);
    for (const r of truth.rows) expect([pair.a, pair.b]).toContain(points.label[r]);
    await page.locator(".grid .thumb").first().waitFor();
    const grid = await page.locator(".grid .thumb").evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.row)));
    expect(grid.sort((x, y) => x - y)).toEqual(truth.rows);
    expect(await page.locator(`[data-pair="neighbors:${pair.a},${pair.b}"]`).getAttribute("aria-pressed")).toBe("true");
    await page.screenshot({ path: join(ARTIFACTS, "diagnose.png") });

    // By predictions: exactly the images of a predicted b and of b predicted a, from the points themselves.
    const cp = d.separation.confusion_pairs[0];
    await page.locator(`[data-pair="predictions:${cp.a},${cp.b}"]`).click();
    const expected = Array.from({ length: points.header.n }, (_, i) => i).filter((i) => (points.label[i] === cp.a && points.predicted[i] === cp.b) || (points.label[i] === cp.b && points.predicted[i] === cp.a));
    expect(expected.length).toBe(cp.a_as_b + cp.b_as_a);
    await page.waitForFunction((n) => ((window as unknown as AppGlobal).featurelens.map.selection?.length ?? -1) === n, expected.length);
    expect(await selection()).toEqual(expected);

    // A suspect clicked lights up that one image.
    const q = await getJson<LabelIssuesResponse>(`runs/${ws.run}/label-issues`);
    await page.locator(`[data-suspect="${q.items[1].row}"]`).click();
    await page.waitForFunction((r) => (window as unknown as AppGlobal).featurelens.map.selection?.join() === String(r), q.items[1].row);
    expect(await page.locator(`[data-suspect="${q.items[1].row}"]`).getAttribute("aria-pressed")).toBe("true");
    // The shift and the comparison have their panels.
    expect(await page.locator(".diagnose-panel", { hasText: "Domain shift" }).innerText()).toContain("p-value");
    expect(await page.locator(".diagnose-panel", { hasText: "Other models" }).innerText()).toContain("both right");
    expect(errors).toEqual([]);
  });

  it("the review view: j/k step, r o d and a number key decide, the menu relabels, and label-fixes.csv holds exactly those decisions", async () => {
    const { ws, page, errors } = context();
    rmSync(fixesFile(), { force: true });
    const q = await getJson<LabelIssuesResponse>(`runs/${ws.run}/label-issues`);
    expect(q.total).toBeGreaterThanOrEqual(5);
    const [i0, i1, i2, i3] = q.items;
    const other = (i1.given + 1) % 10 === i1.suggested ? (i1.given + 2) % 10 : (i1.given + 1) % 10;
    await open(`#/map/${ws.run}?map=tsne`);
    await page.keyboard.press("6");
    await page.waitForFunction(() => location.hash.startsWith("#/review/") && location.hash.includes("item=0"));
    await page.locator(".review-head").waitFor();
    expect(await page.locator(".progress").innerText()).toBe(`0 of ${q.total} reviewed`);
    expect(await page.locator(".review-facts .given").innerText()).toBe(q.classes[i0.given]);
    expect(await page.locator(".review-facts .suggested").innerText()).toContain(q.classes[i0.suggested]);
    await page.locator(".neighbours .nb").first().waitFor();
    expect(await page.locator(".neighbours .nb").count()).toBe(10);

    const at = (item: number) => page.waitForFunction((j) => location.hash.includes(`item=${j}`) && document.querySelector(".review-head h2")?.textContent?.startsWith(`Suspect ${j + 1} `), item);
    await page.keyboard.press("r"); // item 0: relabel as suggested, on to 1
    await at(1);
    await page.keyboard.press("o"); // item 1: keep, on to 2
    await at(2);
    await page.keyboard.press("d"); // item 2: drop, on to 3
    await at(3);
    await page.keyboard.press("k");
    await at(2);
    await page.keyboard.press("ArrowLeft");
    await at(1);
    await page.keyboard.press(String(other)); // item 1: relabel as that class instead of keep
    await at(2);
    await page.keyboard.press("j");
    await at(3);
    await page.locator(".decide-buttons select").selectOption(String(i0.given)); // item 3 by the menu
    await at(4);
    await page.keyboard.press("k");
    await at(3);
    await page.keyboard.press("u"); // item 3: undone
    await at(3);
    await page.evaluate(() => (window as unknown as AppGlobal).featurelens.review.saved());
    expect(await page.locator(".progress").innerText()).toBe(`3 of ${q.total} reviewed`);

    const want = [
      { index: i0.index, action: "relabel", newLabel: i0.suggested },
      { index: i1.index, action: "relabel", newLabel: other },
      { index: i2.index, action: "drop", newLabel: null },
    ];
    expect(readLabelFixes(fixesFile(), q.classes)).toEqual(want);
    // train --label-fixes reads it: relabels two of the run's images and drops one.
    const images = await loadRunImages(Run.read(join(ws.workspace, "runs", ws.run)), undefined, { download: false });
    const applied = applyLabelFixesFile(images, fixesFile());
    expect(applied.record).toMatchObject({ relabelled: 2, dropped: 1, kept: 0 });
    expect(applied.dataset.n).toBe(images.n - 1);
    void i3;

    // A reload shows the decisions again and opens at the first suspect not decided.
    await open(`#/review/${ws.run}`);
    await page.locator(".review-head").waitFor();
    await page.waitForFunction(() => location.hash.includes("item=3"));
    expect(await page.locator(".progress").innerText()).toBe(`3 of ${q.total} reviewed`);
    expect(await page.locator(".queue-item[data-action]:not([data-action=''])").count()).toBe(3);
    await page.keyboard.press("k");
    await at(2);
    expect(await page.locator(".decision").innerText()).toContain("drop");
    await page.screenshot({ path: join(ARTIFACTS, "review.png") });

    // The help lists the review's keys; 5 from another view opens the diagnose view.
    await page.keyboard.press("?");
    expect(await page.locator("dialog.help .review-keys").innerText()).toContain("relabel as the suggested class");
    await page.keyboard.press("Escape");
    await open(`#/map/${ws.run}?map=tsne`);
    await page.keyboard.press("5");
    await page.waitForFunction(() => location.hash.startsWith("#/diagnose/"));
    expect(errors).toEqual([]);
  });
}

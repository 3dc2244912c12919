import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeNpy } from "../data/npy.js";
import { closeQueryEngine } from "../store/query.js";
import { Run } from "../store/run.js";
import { findRun, openWorkspace } from "../store/workspace.js";
import { DataError, UsageError } from "../util/errors.js";
import { analyzeRun } from "./analyzeRun.js";
import { labelIssues, type LabelIssuesSummary } from "./labelIssues.js";
import { loadWithPaths } from "./labelIssuesData.js";
import { groupNeighbours } from "./labelIssuesNeighbors.js";
import { reportRun } from "./reportRun.js";
import { trainRun } from "./trainRun.js";

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const summaryOf = (dir: string) => JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as LabelIssuesSummary & { files: string[] };

/** A run whose model trained on 600 images of sample:train and was analyzed on those same images (in-sample). */
let ws: string;
beforeAll(async () => {
  ws = tmp("fl-labelissues-");
  await trainRun({ workspace: ws, out: "insample", data: "sample:train", load: { limit: 600 }, arch: "mlp", epochs: 1, seed: 0, analyze: false });
  await analyzeRun({ workspace: ws, run: "insample", data: "sample:train", load: { limit: 600 }, maps: [] });
  await trainRun({ workspace: ws, out: "unanalyzed", data: "sample:train", load: { limit: 200 }, arch: "mlp", epochs: 1, seed: 0, analyze: false });
}, 120_000);
afterAll(() => closeQueryEngine());

describe("labelIssues", () => {
  it("labelIssues({data, arch, folds: 2}) cross-validates and writes the queue (Parquet, CSV), the grid and summary.json", async () => {
    const out = join(tmp("fl-li-kfold-"), "issues");
    const r = await labelIssues({ data: "sample:train", load: { limit: 500 }, arch: "mlp", folds: 2, epochs: 1, seed: 0, out, threads: 1 });
    expect(r.files).toEqual(["queue.parquet", "queue.csv", "suspects.png", "summary.json"]);
    for (const f of r.files) expect(existsSync(join(out, f)), f).toBe(true);
    const s = summaryOf(out);
    expect(s).toMatchObject({ source: "k-fold", data: "sample:train", n: 500, folds: 2, epochs: 1, arch: "mlp", in_sample: false, neighbours: 10 });
    expect(s.issues.total).toBeGreaterThan(0);
    expect(s.issues.total).toBe(s.issues.confident_learning + s.issues.neighbours - s.issues.both);
    expect(s.estimated_noise.per_class).toHaveLength(10);
    expect(s.confident_joint.flat().reduce((a, b) => a + b, 0)).toBe(500);
    const csv = readFileSync(join(out, "queue.csv"), "utf8").trim().split("\r\n");
    expect(csv[0]).toBe("rank,index,given,given_name,suggested,suggested_name,score,reason,self_confidence,suggested_probability,neighbours_disagree");
    expect(csv).toHaveLength(s.issues.total + 1);
    expect(csv[1]).toMatch(/^1,\d+,\d,[^,]+,\d,[^,]+,0\.\d+,(confident learning|neighbours disagree|confident learning; neighbours disagree),/);
    expect(s.top[0]).toMatchObject({ rank: 1, index: Number(csv[1].split(",")[1]) });
    const png = await sharp(join(out, "suspects.png")).metadata();
    expect(png.width).toBeGreaterThan(600);
    expect(r.recordedIn).toBeNull();
  });

  it("labelIssues({run}) on a run analyzed on its own training images says they are in-sample, warns, and records the queue in the run for its report", async () => {
    const out = join(tmp("fl-li-run-"), "issues");
    const notices: string[] = [];
    const r = await labelIssues({ workspace: ws, run: "insample", out, onNotice: (m) => notices.push(m) });
    const s = summaryOf(out);
    expect(s).toMatchObject({ source: "run", run: "insample", in_sample: true, n: 600, folds: null });
    expect(notices[0]).toMatch(/run insample: its model was trained on sample:train and its predictions are of sample:train, so they are in-sample .*--data sample:train --arch mlp/);
    const run = Run.read(findRun(openWorkspace(ws), "insample"));
    expect(run.record.artifacts["label-issues"]).toMatchObject({ kind: "label-issues", made_by: "label-issues" });
    expect(r.recordedIn).toBe(run.dir);
    for (const f of ["queue.parquet", "queue.csv", "suspects.png", "summary.json"]) expect(existsSync(join(run.dir, "label-issues", f)), f).toBe(true);
    const html = join(tmp("fl-li-report-"), "report.html");
    await reportRun({ workspace: ws, run: "insample", out: html });
    const page = readFileSync(html, "utf8");
    expect(page).toMatch(/Which labels may be wrong\?/);
    expect(page).toMatch(/<strong>In-sample:<\/strong>/);
    expect(page).toMatch(/aria-label="suspect labels"/);
  }, 60_000);

  it("labelIssues(…) refuses bad input with one clear line each", async () => {
    const out = join(tmp("fl-li-bad-"), "x");
    const refused = async (o: Parameters<typeof labelIssues>[0]) => labelIssues(o).then(() => null, (e: unknown) => e as Error);
    const both = await refused({ workspace: ws, run: "insample", data: "sample:train", arch: "mlp", out });
    expect(both).toBeInstanceOf(UsageError);
    expect(both!.message).toMatch(/give --run RUN or --data SPEC --arch A, not both/);
    const folds = await refused({ data: "sample:train", load: { limit: 30 }, arch: "mlp", folds: 5, out });
    expect(folds!.message).toMatch(/--folds 5 is more than a class has images: 'T-shirt\/top' has 3 images, 'Trouser' has 3 images/);
    const noPredictions = await refused({ workspace: ws, run: "unanalyzed", out });
    expect(noPredictions).toBeInstanceOf(DataError);
    expect(noPredictions!.message).toMatch(/run unanalyzed has no predictions; make them with featurelens analyze/);
    const limitWithRun = await refused({ workspace: ws, run: "insample", load: { limit: 10 }, folds: 3, out });
    expect(limitWithRun!.message).toMatch(/--folds, --limit go with --data \(k-fold training\)/);
    const noArch = await refused({ data: "sample:train", out });
    expect(noArch!.message).toMatch(/--data needs --arch/);
    // A class with a single image, in a .npy dataset.
    const dir = tmp("fl-li-npy-");
    writeNpy(join(dir, "x.npy"), { dtype: "uint8", shape: [7, 28, 28], data: new Uint8Array(7 * 784).fill(9) });
    writeNpy(join(dir, "y.npy"), { dtype: "int32", shape: [7], data: Int32Array.of(0, 0, 0, 1, 1, 1, 2) });
    const single = await refused({ data: `npy:${join(dir, "x.npy")},${join(dir, "y.npy")}`, load: { classes: ["a", "b", "c"] }, arch: "mlp", folds: 2, out });
    expect(single).toBeInstanceOf(UsageError);
    expect(single!.message).toMatch(/class 'c' has only 1 image; label issues need at least 2 images of each class/);
    expect(existsSync(out)).toBe(false);
  });
});

describe("loadWithPaths", () => {
  it("loadWithPaths(folder:…) gives each source index its file, leaving out a file that does not decode", async () => {
    const root = tmp("fl-li-folder-");
    const files: string[] = [];
    for (const c of ["cat", "dog"]) {
      mkdirSync(join(root, c));
      for (let i = 0; i < 3; i++) {
        const f = join(root, c, `img${i}.png`);
        await sharp(Buffer.alloc(8 * 8, 40 * i + (c === "dog" ? 100 : 0)), { raw: { width: 8, height: 8, channels: 1 } }).png().toFile(f);
        files.push(f);
      }
    }
    writeFileSync(join(root, "cat", "broken.png"), "not a png");
    const notices: string[] = [];
    const r = await loadWithPaths(`folder:${root}`, { onNotice: (m) => notices.push(m) });
    expect(r.dataset.n).toBe(6);
    expect(r.paths).toEqual(files);
    expect(notices[0]).toMatch(/skipped 1 image\(s\) that could not be decoded .*broken\.png/);
    const limited = await loadWithPaths(`folder:${root}`, { limit: 4, seed: 1, only: "dog,cat" });
    expect(limited.dataset.classes).toEqual(["dog", "cat"]);
    for (let i = 0; i < limited.dataset.n; i++) {
      const file = limited.paths![limited.dataset.indices![i]];
      expect(file).toContain(`/${limited.dataset.classes[limited.dataset.labels[i]]}/`);
    }
    expect((await loadWithPaths("sample:test", { limit: 10 })).paths).toBeNull();
  });
});

describe("groupNeighbours", () => {
  it("groupNeighbours(points, k, {group}) looks for neighbours only within an image's group (its fold), as rows of the whole set", async () => {
    const points = { n: 5, d: 1, data: Float32Array.of(0, 10, 1, 11, 2) };
    expect([...(await groupNeighbours(points, 1, { group: Int32Array.of(0, 1, 0, 1, 0) })).indices]).toEqual([2, 3, 0, 1, 2]);
    expect([...(await groupNeighbours(points, 2, { group: Int32Array.of(0, 1, 0, 1, 2) })).indices]).toEqual([2, -1, 3, -1, 0, -1, 1, -1, -1, -1]);
    expect([...(await groupNeighbours(points, 1)).indices]).toEqual([2, 3, 0, 1, 2]);
  });
});

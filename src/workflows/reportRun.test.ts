import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAP_COLORS } from "../report/charts/scatter.js";
import { Run } from "../store/run.js";
import { DataError, UsageError } from "../util/errors.js";
import { plotRun, runMapPicture } from "./plot.js";
import { analyzedRun, tempWorkspace } from "./report.testutil.js";
import { reportRun } from "./reportRun.js";

// One workspace for the file: run a (seed CNN fixture, 120 test images, a domain of 60 training
// images), run b (the ResNet fixture on the same images) and run c (a copy of b that records other images).
let ws: string;
let dir: string;

beforeAll(async () => {
  ws = tempWorkspace();
  dir = await analyzedRun(ws, "a", { model: "seed", limit: 120, domain: 60 });
  await analyzedRun(ws, "b", { model: "resnet", limit: 120, map: false });
  const c = join(ws, "runs", "c");
  cpSync(join(ws, "runs", "b"), c, { recursive: true });
  const record = JSON.parse(readFileSync(join(c, "run.json"), "utf8"));
  writeFileSync(join(c, "run.json"), JSON.stringify({ ...record, id: "c", data: { ...record.data, spec: "sample:train", limit: 100, hash: "0".repeat(64) } }));
}, 120_000);

afterAll(() => rmSync(ws, { recursive: true, force: true }));

/** Asserts that `part` is (or is not) in a page, without printing the page when it fails. */
function expectIn(text: string, part: string | RegExp, present = true): void {
  const found = typeof part === "string" ? text.includes(part) : part.test(text);
  expect(found, `${present ? "expected" : "did not expect"} ${String(part)}`).toBe(present);
}

/** The page without the SVG namespace declarations, which name a URL but load nothing. */
const withoutNamespaces = (html: string) => html.replace(/\sxmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, "");

describe("reportRun", () => {
  it("reportRun({ run }) writes one page with every section, every picture inline and no URL outside the page", async () => {
    const out = join(ws, "a.html");
    const result = await reportRun({ workspace: ws, run: "a", out });
    expect(result.file).toBe(out);
    const html = readFileSync(out, "utf8");
    expect(result.bytes).toBe(Buffer.byteLength(html));
    for (const id of ["summary", "accuracy", "confusion", "ranking", "calibration", "feature-space", "samples", "inside", "domains"]) expectIn(html, `<section id="${id}">`);
    expectIn(html, '<section id="training">', false); // not trained here
    expectIn(html, "Which classes separate in feature space?");
    expectIn(html, 'class="note"', false); // nothing is missing
    expect(html.match(/<img [^>]*src="([^"]*)"/g)!.every((tag) => tag.includes('src="data:image/png;base64,'))).toBe(true);
    expect(html.match(/<svg\b/g)!.length).toBeGreaterThan(8);
    expectIn(withoutNamespaces(html), /https?:\/\//, false);
    expectIn(html, /<(link|iframe|object|embed)\b|<script[^>]+src=/, false);
    expectIn(html, "t-SNE of seed-cnn/model.onnx");
  });

  it("reportRun({ run, compare }) sets the second model beside the first: numbers, per-class deltas, confidences, layer statistics", async () => {
    const out = join(ws, "a-vs-b.html");
    await reportRun({ workspace: ws, run: "a", compare: "b", out });
    const html = readFileSync(out, "utf8");
    expectIn(html, '<section id="compare"><h2>How does it compare with b?</h2>');
    expectIn(html, "class by class");
    expectIn(html, "How sure each model is");
    expectIn(html, "Activations per layer");
    expectIn(html, "/layer1/layer1.0/relu/Relu"); // the resnet's layers, with empty cells for run a
    expectIn(html, 'class="note"', false);
  });

  it("reportRun({ compare }) refuses two runs on different images, naming both", async () => {
    const err = await reportRun({ workspace: ws, run: "a", compare: "c", out: join(ws, "x.html") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/run a was analyzed on sample:test \(120 images.*run c on sample:train \(120 images/);
  });

  it("reportRun on a run with missing and damaged files notes each gap in its section and builds the rest", async () => {
    const dir = join(ws, "runs", "broken");
    cpSync(join(ws, "runs", "a"), dir, { recursive: true });
    rmSync(join(dir, "predictions.parquet"));
    writeFileSync(join(dir, "maps", "tsne.npy"), "not an npy file");
    rmSync(join(dir, "domains", "sample-train", "maps"), { recursive: true });
    const out = join(ws, "broken.html");
    await reportRun({ workspace: ws, run: dir, out });
    const html = readFileSync(out, "utf8");
    const section = (id: string) => html.slice(html.indexOf(`<section id="${id}">`), html.indexOf("</section>", html.indexOf(`<section id="${id}">`)));
    expectIn(section("summary"), "0."); // the numbers, from run.json and report.json
    expectIn(section("accuracy"), "evaluation/report.json");
    expectIn(section("accuracy"), "<table");
    expectIn(section("ranking"), /class="note".*predictions\.parquet/);
    expectIn(section("feature-space"), /class="note".*tsne\.npy/);
    expectIn(section("samples"), /class="note"/);
    expectIn(section("domains"), /class="note"/);
    expectIn(section("inside"), /class="note"/);
  });
});

describe("plotRun", () => {
  it("plotRun({ color }) draws each colouring as a PNG in the run and records it", async () => {
    for (const color of MAP_COLORS) {
      const file = await plotRun({ workspace: ws, run: "a", map: "tsne", color });
      expect(file).toBe(join(dir, "maps", `tsne-${color}.png`));
      const meta = await sharp(file).metadata();
      expect(meta.width).toBeGreaterThan(500);
    }
    expect(Object.keys(Run.read(dir).record.artifacts)).toContain("maps/tsne-loss.png");
  });

  it("runMapPicture({ domain }) draws the domain's points over the run's own map in grey, titled with model and data", async () => {
    const o = await runMapPicture(Run.read(dir), { map: "tsne", domain: "sample-train", color: "true" });
    expect(o.embedding.length).toBe(120);
    expect(o.reference?.embedding.length).toBe(240);
    expect(o.reference?.label).toBe("sample:test, the run's own 120 images");
    expect(o.title).toBe("t-SNE of seed-cnn/model.onnx's penultimate features · sample:train (60 images)");
    const out = join(ws, "domain.png");
    expect(await plotRun({ workspace: ws, run: "a", map: "tsne", domain: "sample-train", out })).toBe(out);
    expect(existsSync(out)).toBe(true);
  });

  it("plotRun refuses an unknown colouring, map or domain, naming what there is", async () => {
    await expect(plotRun({ workspace: ws, run: "a", map: "tsne", color: "purple" as never, out: join(ws, "x.png") })).rejects.toThrow(UsageError);
    await expect(plotRun({ workspace: ws, run: "a", map: "umap", out: join(ws, "x.png") })).rejects.toThrow(DataError);
    await expect(plotRun({ workspace: ws, run: "a", map: "tsne", domain: "nope", out: join(ws, "x.png") })).rejects.toThrow(/its domains: sample-train/);
  });
});

import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { centeredGram } from "../analysis/diagnose/cka.js";
import type { Comparison } from "../analysis/diagnose/compareTypes.js";
import { formatComparison } from "../cli/commands/compare.js";
import { Run } from "../store/run.js";
import { UsageError } from "../util/errors.js";
import { alignRuns } from "./compareAlign.js";
import { GramSession } from "./compareGram.js";
import { compareRuns } from "./compareRuns.js";
import { analyzedRun, tempWorkspace } from "./report.testutil.js";
import { reportRun } from "./reportRun.js";

// Run a: the seed CNN fixture on 120 test images (and 60 training images as the domain
// sample-train); b: the mini ResNet-18 fixture on the same images and domain; d: the seed CNN
// on 200 test images (another --limit subset of sample:test).
let ws: string;

beforeAll(async () => {
  ws = tempWorkspace("featurelens-compare-");
  await analyzedRun(ws, "a", { model: "seed", limit: 120, domain: 60, map: false });
  await analyzedRun(ws, "b", { model: "resnet", limit: 120, domain: 60, map: false });
  await analyzedRun(ws, "d", { model: "resnet", limit: 200, map: false });
  await analyzedRun(ws, "e", { model: "seed", limit: 120, map: false });
}, 120_000);

afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe("compareRuns", () => {
  it("compareRuns({ a, b, domain }) stores compare.json and every picture in run a's compare/b/, recorded as kind compare", async () => {
    const r = await compareRuns({ workspace: ws, a: "a", b: "b", images: 100, domain: "sample-train", threads: 2 });
    const c = r.comparison;
    expect(c.how).toBe("same images");
    expect(c.n).toBe(120);
    const k = c.agreement.counts;
    expect(k.both_right + k.only_a + k.only_b + k.both_wrong).toBe(120);
    expect(c.confusion_difference.reduce((s, v) => s + v, 0)).toBe(0); // both matrices count the same images
    expect(c.activations!.images).toBe(100);
    expect(c.activations!.cka.length).toBe(c.activations!.cka_a.length * c.activations!.cka_b.length);
    const finite = c.activations!.cka.filter((v): v is number => v !== null && Number.isFinite(v));
    expect(Math.min(...finite)).toBeGreaterThan(-1e-6);
    expect(Math.max(...finite)).toBeLessThan(1 + 1e-6);
    expect(r.neighbors.map((n) => n.run)).toEqual(["a", "b"]);
    expect(r.neighbors[0].queries[0].neighbors.length).toBe(6);
    const dir = join(ws, "runs", "a", "compare", "b");
    for (const f of ["compare.json", "cka.png", "cka.svg", "roc.png", "confusion-difference.png", "per-class.png", "confidence.png", "layers.png", "agreement.png", "neighbors-sample-train-a.png", "neighbors-sample-train-b.png"]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(existsSync(join(dir, "histograms.png"))).toBe(false); // two architectures: no layer is the same layer
    const stored = JSON.parse(readFileSync(join(dir, "compare.json"), "utf8")) as Comparison;
    expect(stored.agreement.counts).toEqual(k);
    const meta = await sharp(join(dir, "cka.png")).metadata();
    expect(meta.width).toBeGreaterThan(300);
    const rec = Run.read(join(ws, "runs", "a")).record.artifacts["compare/b"];
    expect(rec.kind).toBe("compare");
    expect(rec.params).toMatchObject({ b: "b", images: 100, seed: 0, domain: "sample-train" });
    expect(formatComparison(c)).toMatch(/agreement: both right \d+, only a \d+, only b \d+, both wrong \d+/);
  }, 120_000);

  it("compareRuns(a, e) of one model analyzed twice: CKA 1 for every layer with itself, histograms overlaid and identical, full agreement", async () => {
    const r = await compareRuns({ workspace: ws, a: "a", b: "e", images: 60, threads: 2 });
    const act = r.comparison.activations!;
    act.cka_a.forEach((name, i) => {
      const v = act.cka[i * act.cka_b.length + act.cka_b.indexOf(name)];
      if (v !== null && Number.isFinite(v)) expect(v).toBeCloseTo(1, 4);
    });
    expect(r.comparison.agreement.samePrediction).toBe(1);
    expect(existsSync(join(ws, "runs", "a", "compare", "e", "histograms.png"))).toBe(true);
    expect(r.files.some((f) => /maps-1-relu1-relu\.png$/.test(f))).toBe(true);
  }, 120_000);

  it("alignRuns(a, d) compares two --limit subsets of one source on the source indices both hold", async () => {
    const aligned = await alignRuns(Run.read(join(ws, "runs", "a")), Run.read(join(ws, "runs", "d")));
    expect(aligned.how).toBe("common indices");
    expect(aligned.rowsA.length).toBeGreaterThan(0);
    expect(aligned.rowsA.length).toBeLessThanOrEqual(120);
    for (let i = 0; i < aligned.rowsA.length; i++) expect(aligned.predA.index[aligned.rowsA[i]]).toBe(aligned.predB.index[aligned.rowsB[i]]);
    expect(aligned.note).toMatch(/images of sample:test that both runs hold \(a: 120, d: 200/);
  });

  it("compareRuns refuses runs on different images and an unknown domain, naming what there is", async () => {
    const b = Run.read(join(ws, "runs", "b"));
    const other = { ...b, id: "x", dir: join(ws, "runs", "x"), record: { ...b.record, data: { ...b.record.data!, spec: "sample:train", hash: "0".repeat(64) } } } as Run;
    const err = await alignRuns(Run.read(join(ws, "runs", "a")), other).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/a and x were analyzed on different images: a on sample:test \(--limit 120 --seed 0, 120 images, hash \w{12}\), x on sample:train/);
    await expect(compareRuns({ workspace: ws, a: "a", b: "b", domain: "nope" })).rejects.toThrow(/no domain 'nope'; its domains: sample-train/);
    await expect(compareRuns({ workspace: ws, a: "a", b: "a" })).rejects.toThrow(/same run/);
  });
});

describe("report --compare", () => {
  it("reportRun({ run: a, compare: b }) draws the comparison stored in a (CKA, histograms, ROC, agreement) and Grad-CAM in 'What does each layer see?'", async () => {
    await compareRuns({ workspace: ws, a: "a", b: "b", threads: 2 }); // the default sample: the report reuses it
    const out = join(ws, "a-vs-b.html");
    await reportRun({ workspace: ws, run: "a", compare: "b", out });
    const html = readFileSync(out, "utf8");
    for (const part of ["Where do they agree?", "McNemar", "linear CKA between the layers of both models", "ROC curves of both models", "From run a's compare/b/", "Grad-CAM weighs the maps of", "alt=\"saliency for "]) {
      expect(html.includes(part), part).toBe(true);
    }
    expect(html).not.toMatch(/Missing:<\/strong> no (Grad-CAM|agreement|activations)/);
  }, 120_000);
});

describe("GramSession", () => {
  it("centeredGram(x) in onnxruntime equals the JavaScript centeredGram within float32 rounding", async () => {
    const n = 7;
    const d = 33;
    const x = Float32Array.from({ length: n * d }, (_, i) => Math.sin(i * 1.7) * 3 + (i % d) * 0.1);
    const s = await GramSession.create(1);
    const got = await s.centeredGram(x, n, d);
    await s.release();
    const want = centeredGram(x, n, d);
    for (let i = 0; i < n * n; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(want[i])));
  });
});

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LayersJson, SeparationJson, ShiftJson } from "../analysis/diagnose/diagnoseJson.js";
import { loadDataset } from "../data/load.js";
import { writeNpy } from "../data/npy.js";
import { closeQueryEngine } from "../store/query.js";
import { openRunForWrite, Run } from "../store/run.js";
import { DataError } from "../util/errors.js";
import { writeDatasetCopy } from "./datasetCopy.js";
import { demoTraining } from "./demo.js";
import { diagnoseRun } from "./diagnose.js";
import { shiftRun } from "./shift.js";
import { trainRun } from "./trainRun.js";

/**
 * The diagnoses on a demo-like run: the seed CNN trained as `featurelens demo` trains it (2 epochs
 * on the sample), analyzed on the sample's 1,000 test images. The words must agree with the
 * numbers they come from, whatever story the numbers tell.
 */

let workspace: string;
let dir: string;
let result: Awaited<ReturnType<typeof diagnoseRun>>;

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), "featurelens-diagnose-"));
  const { run } = await trainRun({ ...demoTraining(workspace), maps: ["pca"], threads: 2 });
  dir = run.dir;
  result = await diagnoseRun({ workspace, run: "seed-cnn", threads: 2 });
}, 240_000);

afterAll(async () => {
  await closeQueryEngine();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

describe("diagnoseRun: class separation", () => {
  it("diagnoseRun's words name the classes its numbers put below and above the thresholds (on this run: Shirt mixes, Trouser and Bag separate)", () => {
    const s = result.separation;
    const t = s.summary.thresholds;
    const purity = new Map(s.per_class.map((c) => [c.class, c.purity]));
    for (const m of s.summary.mixers) {
      expect(purity.get(m.class)).toBeLessThan(t.mix_below);
      expect(s.summary.text).toContain(m.class);
      for (const p of m.partners) expect(p.share).toBeGreaterThanOrEqual(t.partner_share * (1 - m.purity) - 1e-12);
    }
    for (const c of s.summary.separated) expect(c.purity).toBeGreaterThan(t.separate_above);
    const named = new Set([...s.summary.mixers.map((m) => m.class), ...s.summary.separated.map((c) => c.class)]);
    for (const c of s.per_class) if (!named.has(c.class)) expect(c.purity).toBeGreaterThanOrEqual(t.mix_below);
    expect(t.mix_below).toBeCloseTo(Math.min(t.mean - t.sd, 0.9), 12);
    // What the numbers say on this run, as the seed article found it for Fashion-MNIST.
    expect(s.summary.mixers.map((m) => m.class)).toContain("Shirt");
    expect(s.summary.separated.map((c) => c.class)).toEqual(expect.arrayContaining(["Trouser", "Bag"]));
    expect(s.summary.text).toMatch(/^Shirt mixes with .*Pullover.*; .*separate well\.$/);
  });

  it("diagnoseRun's per-class numbers are shares and silhouettes in range, and its mixing rows sum to 1 with purity on the diagonal", () => {
    const s = result.separation;
    expect(s.per_class).toHaveLength(10);
    expect(s.skipped).toEqual([]);
    for (const c of s.per_class) {
      expect(c.purity).toBeGreaterThanOrEqual(0);
      expect(c.purity).toBeLessThanOrEqual(1);
      expect(c.silhouette!).toBeGreaterThanOrEqual(-1);
      expect(c.silhouette!).toBeLessThanOrEqual(1);
      const row = s.mixing[c.index]!;
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      expect(row[c.index]).toBeCloseTo(c.purity, 12);
    }
    expect(s.purity.overall).toBeCloseTo(s.per_class.reduce((a, c) => a + c.purity * c.n, 0) / s.n, 9);
  });

  it("diagnoseRun's mixing pairs come largest first, each example a point of one class beside a nearer point of the other", () => {
    const s = result.separation;
    expect(s.neighbor_pairs.length).toBeGreaterThan(0);
    const values = s.neighbor_pairs.map((p) => p.mixing);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    for (const p of s.neighbor_pairs) {
      expect(p.mixing).toBeCloseTo((p.share_ab + p.share_ba) / 2, 12);
      for (const e of p.examples) {
        expect([e.class, e.other_class].sort()).toEqual([...p.classes].sort());
        expect(e.distance).toBeGreaterThanOrEqual(0);
      }
    }
    for (const p of s.confusion_pairs) {
      for (const e of p.examples) {
        expect(e.predicted).toBe(e.other_class);
        expect(e.class).not.toBe(e.predicted);
      }
    }
  });
});

describe("diagnoseRun: layer by layer", () => {
  it("diagnoseRun measures the pixels first, then every layer, with the penultimate and logits marked and held-out accuracies in range", () => {
    const l = result.layers!;
    expect(l.layers[0]).toMatchObject({ position: 0, name: "input (pixels)", pooling: "pixels", d: 784, role: "input" });
    expect(l.layers.find((r) => r.role === "penultimate")).toMatchObject({ name: "/relu7/Relu", d: 64, pooling: "none" });
    expect(l.layers.find((r) => r.role === "logits")).toMatchObject({ name: "/fc2/Gemm", d: 10 });
    expect(l.layers.find((r) => r.name === "/conv1/Conv")).toMatchObject({ pooling: "global average", d: 16, shape: [16, 28, 28] });
    expect(l.fit + l.scored).toBe(l.images);
    expect(l.scored).toBe(200);
    for (const r of l.layers) {
      expect(r.knn_accuracy).toBeGreaterThan(0.1);
      expect(r.knn_accuracy).toBeLessThanOrEqual(1);
    }
  });

  it("diagnoseRun's layer summary agrees with its curve: pixels against the penultimate layer, and where the classes separate", () => {
    const l = result.layers!;
    const pixels = l.layers[0].knn_accuracy;
    const pen = l.layers.find((r) => r.role === "penultimate")!.knn_accuracy;
    expect(l.summary.pixels_beat_penultimate).toBe(pixels > pen);
    expect(l.summary.text).toContain(pixels > pen ? "Pixel-space neighbours beat the penultimate layer" : "The penultimate layer beats pixel-space neighbours");
    const best = Math.max(...l.layers.map((r) => r.knn_accuracy));
    const from = l.layers.find((r) => r.name === l.summary.separate_from)!;
    expect(from.knn_accuracy).toBeGreaterThanOrEqual(best - 2 * Math.sqrt((best * (1 - best)) / l.scored));
  });

  it("diagnoseRun counts dead units only in ReLU layers, and its penultimate count over all images agrees with the curve's over the same images", () => {
    const l = result.layers!;
    for (const r of l.layers) {
      if (r.op === "Relu") {
        expect(r.dead!.count).toBe(r.dead!.channels.length);
        expect(r.dead!.units).toBe(r.d);
      } else expect(r.dead).toBeNull();
    }
    const pen = l.layers.find((r) => r.role === "penultimate")!;
    expect(l.images).toBe(result.separation.n); // 1,000 images: the curve saw them all
    expect(result.separation.penultimate_dead!.dead).toEqual(pen.dead!.channels);
  });

  it("diagnoseRun stores separation.json, layers.json and the curve's PNG in the run, recorded as diagnose artifacts", async () => {
    const run = Run.read(dir);
    for (const f of ["diagnose/separation.json", "diagnose/layers.json", "diagnose/layers.png"]) {
      expect(run.record.artifacts[f]).toMatchObject({ kind: "diagnose", made_by: "diagnose" });
    }
    const stored = JSON.parse(readFileSync(join(dir, "diagnose/separation.json"), "utf8")) as SeparationJson;
    expect(stored.summary.text).toBe(result.separation.summary.text);
    expect((JSON.parse(readFileSync(join(dir, "diagnose/layers.json"), "utf8")) as LayersJson).chart).toBe("diagnose/layers.png");
    const png = await sharp(join(dir, "diagnose/layers.png")).stats();
    expect(png.channels[0].min).toBeLessThan(100); // a drawn line, not a blank picture
  });
});

describe("shiftRun", () => {
  it("shiftRun on an inverted copy of the test images finds a shift at the smallest p-value, keeps it as a domain, and writes shift.json and both confusion matrices", async () => {
    const copy = writeDatasetCopy(await loadDataset("sample:test"), { out: join(workspace, "inverted.npy"), transform: { kind: "invert" }, seed: 0 });
    const { shift, files } = await shiftRun({ workspace, run: "seed-cnn", data: copy.spec, domain: "inverted", threads: 2 });
    expect(shift.p_value).toBeCloseTo(1 / 201, 12);
    expect(shift.summary.significant).toBe(true);
    expect(shift.summary.text).toMatch(/^The features moved: MMD² = [\d.]+ between sample:test and inverted \(p = 0\.005, the smallest 200 permutations can give\)\. Accuracy fell from/);
    expect(shift.accuracy.domain!).toBeLessThan(shift.accuracy.run!);
    expect(shift.per_class).toHaveLength(10);
    for (const c of shift.per_class) {
      expect(c.relative_shift).toBeCloseTo(c.centroid_shift / c.spread, 9);
      expect(shift.classes).toContain(c.moves_toward);
    }
    const run = Run.read(dir);
    expect(run.record.domains.inverted).toMatchObject({ status: "complete", data: { n: 1000 } });
    expect(run.record.domains.inverted.maps.pca).toBeDefined();
    expect(files).toEqual(["domains/inverted/shift.json", "domains/inverted/shift-confusion.png"]);
    for (const f of files) expect(run.record.domains.inverted.artifacts[f]).toMatchObject({ kind: "shift", made_by: "shift" });
    expect((JSON.parse(readFileSync(join(dir, files[0]), "utf8")) as ShiftJson).p_value).toBe(shift.p_value);
    const meta = await sharp(join(dir, files[1])).metadata();
    expect(meta.width!).toBeGreaterThan(2 * meta.height! * 0.9); // two matrices side by side
  }, 120_000);

  it("shiftRun on a random part of the run's own images finds no shift", async () => {
    const { shift } = await shiftRun({ workspace, run: "seed-cnn", data: "sample:test", load: { limit: 500, seed: 3 }, domain: "half", threads: 2 });
    expect(shift.p_value).toBeGreaterThan(0.05);
    expect(shift.summary.significant).toBe(false);
    expect(shift.summary.text).toMatch(/^No shift in the features is detected/);
  }, 120_000);

  it("shiftRun takes images of another size (fed at the model's size, recorded) and leaves out a class of one image, saying so", async () => {
    const ds = await loadDataset("sample:test", { limit: 200, seed: 0 });
    // 32×32 copies (the 28×28 image in the corner of a black square), with class 0 down to one image
    const n = ds.n;
    const big = new Uint8Array(n * 32 * 32);
    for (let i = 0; i < n; i++) for (let y = 0; y < 28; y++) big.set(ds.images.subarray(i * 784 + y * 28, i * 784 + y * 28 + 28), i * 1024 + y * 32);
    let kept = 0;
    const labels = Int32Array.from(ds.labels, (y) => (y === 0 && kept++ > 0 ? -1 : y));
    writeNpy(join(workspace, "big.npy"), { dtype: "uint8", shape: [n, 32, 32], data: big });
    writeNpy(join(workspace, "big-labels.npy"), { dtype: "int32", shape: [n], data: labels });
    const notices: string[] = [];
    const { shift } = await shiftRun({ workspace, run: "seed-cnn", data: `npy:${join(workspace, "big.npy")},${join(workspace, "big-labels.npy")}`, domain: "big", threads: 2, onNotice: (m) => notices.push(m) });
    expect(shift.resized).toEqual({ from: [32, 32, 1], to: [28, 28, 1] });
    expect(shift.skipped).toEqual([{ index: 0, class: "T-shirt/top", n_run: 100, n_domain: 1 }]);
    expect(shift.per_class.map((c) => c.class)).not.toContain("T-shirt/top");
    expect(notices.some((m) => /are 32×32×1 and the run's 28×28×1: both are fed to the model at its input size 28×28×1/.test(m))).toBe(true);
    expect(notices.some((m) => /class T-shirt\/top has 100 image\(s\) in the run and 1 in the domain; it is left out of the per-class numbers/.test(m))).toBe(true);
  }, 120_000);

  it("shiftRun refuses a dataset of other classes, naming them; diagnoseRun a run without features, saying to analyze", async () => {
    writeNpy(join(workspace, "other.npy"), { dtype: "uint8", shape: [4, 28, 28], data: new Uint8Array(4 * 784) });
    writeNpy(join(workspace, "other-labels.npy"), { dtype: "int32", shape: [4], data: Int32Array.of(0, 1, 0, 1) });
    const other = `npy:${join(workspace, "other.npy")},${join(workspace, "other-labels.npy")}`;
    await expect(shiftRun({ workspace, run: "seed-cnn", data: other, load: { classes: ["cat", "dog"] } })).rejects.toThrow(/its classes cat, dog are not the run's \(T-shirt\/top, Trouser, .*\); a shift compares the same classes/);
    await expect(shiftRun({ workspace, run: "seed-cnn", data: "sample:test" })).rejects.toThrow(/holds the same images as run seed-cnn's own \(sample:test\)/);

    const bare = join(workspace, "runs", "bare");
    const run = openRunForWrite(bare, { command: "test", classes: ["a", "b"] });
    run.release();
    const err = await diagnoseRun({ workspace, run: "bare" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/run bare has no features to diagnose; make them with featurelens analyze --model M --data SPEC --out bare$/);
    expect(existsSync(join(bare, "diagnose"))).toBe(false);
  }, 60_000);
});

describe("the report of a diagnosed run", () => {
  it("reportRun shows the diagnosis (words, the pairs with their images, the layer curve) and each domain's shift (both matrices, the per-class table)", async () => {
    const { reportRun } = await import("./reportRun.js");
    const out = join(workspace, "report.html");
    await reportRun({ workspace, run: "seed-cnn", out });
    const html = readFileSync(out, "utf8");
    const section = (id: string) => html.slice(html.indexOf(`<section id="${id}">`), html.indexOf("</section>", html.indexOf(`<section id="${id}">`)));
    const diagnose = section("diagnose");
    expect(diagnose).toContain("<h2>Which classes mix, and from which layer on do they separate?</h2>");
    expect(diagnose).toContain(result.separation.summary.text.replace(/'/g, "&#39;"));
    expect(diagnose).toContain('aria-label="kNN accuracy layer by layer"');
    expect(diagnose.match(/<figure class="thumb/g)!.length).toBeGreaterThanOrEqual(8);
    const shift = section("shift");
    expect(shift).toContain("<h2>What did the domain shift do?</h2>");
    expect(shift).toContain("<h3>inverted</h3>");
    expect(shift).toContain('aria-label="confusion matrices of the run&#39;s images and the domain"');
    expect(shift).toContain("recall run → domain");
  }, 120_000);
});

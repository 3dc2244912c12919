import { copyFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { readNpy, writeNpy } from "../../data/npy.js";
import { queryRows } from "../../store/sql.testutil.js";
import { PREDICTION_COLUMNS } from "../../store/predictionsSchema.js";
import { ROOT, runCli } from "../cli.testutil.js";

const SEED = join(ROOT, "src", "engine", "fixtures", "seed-cnn", "model.onnx");
const RESNET = join(ROOT, "src", "engine", "fixtures", "mini-resnet18", "model.onnx");
const tmp = () => mkdtempSync(join(tmpdir(), "cli-model-"));

describe("featurelens layers", () => {
  it("featurelens layers --model M lists layers, marks penultimate and logits; --json has stable keys", () => {
    const r = runCli(["layers", "--model", SEED]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\/relu7\/Relu\s+Relu\s+\[N, 64\]\s+0\s+← penultimate/);
    expect(r.out).toMatch(/\/fc2\/Gemm\s+Gemm\s+\[N, 10\]\s+650\s+← logits/);
    const j = JSON.parse(runCli(["layers", "--model", RESNET, "--json"]).out);
    expect(j).toMatchObject({ output: "output", activation: "none", logits: "output", penultimate: "/Flatten_output_0" });
    expect(j.input).toEqual({ name: "input", layout: "NCHW", channels: 1, height: 28, width: 28, batch: "N" });
    expect(j.layers[0]).toMatchObject({ index: 0, name: "/conv1/Conv", op: "Conv", kind: "conv", shape: ["N", 8, 14, 14] });
  });

  it("featurelens layers --model RUN reads model.onnx inside a run folder", () => {
    const run = tmp();
    copyFileSync(SEED, join(run, "model.onnx"));
    expect(runCli(["layers", "--model", run]).code).toBe(0);
    expect(runCli(["layers", "--model", tmp()]).err).toMatch(/a folder, but no model\.onnx in it/);
  });
});

describe("featurelens predict and extract", () => {
  it("featurelens predict --out P.npy writes N×K probabilities that sum to 1", () => {
    const out = join(tmp(), "p.npy");
    const r = runCli(["predict", "--model", SEED, "--data", "sample:test", "--limit", "50", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/50×10 probabilities, accuracy \d+\.\d+% on 50 labelled images/);
    const p = readNpy(out);
    expect(p.shape).toEqual([50, 10]);
    const d = p.data as Float32Array;
    for (let i = 0; i < 50; i++) expect(d.subarray(i * 10, i * 10 + 10).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it("featurelens predict --out P.parquet writes the predictions table's columns, readable by DuckDB and by evaluate", async () => {
    const dir = tmp();
    const out = join(dir, "p.parquet");
    expect(runCli(["predict", "--model", RESNET, "--data", "sample:test", "--limit", "20", "--out", out]).code).toBe(0);
    const rows = await queryRows(`SELECT * FROM '${out}' ORDER BY index`);
    expect(rows).toHaveLength(20);
    expect(Object.keys(rows[0])).toEqual(PREDICTION_COLUMNS.map((c) => c.name));
    const r0 = rows[0] as { split: string; label: number; probabilities: number[]; confidence: number; predicted: number; loss: number };
    expect(r0.split).toBe("test");
    expect(r0.probabilities).toHaveLength(10);
    expect(r0.confidence).toBeCloseTo(Math.max(...r0.probabilities), 6);
    expect(r0.predicted).toBe(r0.probabilities.indexOf(Math.max(...r0.probabilities)));
    expect(r0.loss).toBeCloseTo(-Math.log(r0.probabilities[r0.label]), 4);
    // --limit keeps each image's index in the source dataset.
    const indices = rows.map((r) => (r as { index: number }).index);
    expect(Math.max(...indices)).toBeGreaterThan(19);
    expect(runCli(["evaluate", "--predictions", out, "--json"]).code).toBe(0);
  });

  it("featurelens predict/extract --shard i/n write Parquet parts that featurelens assemble puts together; a bad --shard or a missing part is one clear error", async () => {
    const dir = tmp();
    const data = ["--model", SEED, "--data", "sample:test", "--limit", "50"];
    for (const i of [0, 1]) {
      const r = runCli(["predict", ...data, "--shard", `${i}/2`, "--out", join(dir, `p-${i}.parquet`)]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(new RegExp(`p-${i}\\.parquet: 25×10 probabilities \\(shard ${i}/2 of 50 images\\)`));
    }
    const f = runCli(["extract", ...data, "--shard", "1/2", "--out", join(dir, "f-1.parquet")]);
    expect(f.out).toMatch(/25×64 float32 from '\/relu7\/Relu' \(shard 1\/2 of 50 images\)/);
    const cols = await queryRows(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '${join(dir, "f-1.parquet")}')`);
    expect(cols.map((c) => `${c.column_name} ${c.column_type}`)).toEqual(["index INTEGER", "label INTEGER", "features FLOAT[]"]);
    const missing = runCli(["assemble", ...data, "--predictions", join(dir, "p-1.parquet"), "--out", join(dir, "run1"), "--maps", "none"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/--predictions: parts cover 25 of 50 images; missing indices .* — rerun shard 0\/2/);
    const ok = runCli(["assemble", ...data, "--predictions", join(dir, "p-*.parquet"), "--out", join(dir, "run"), "--maps", "none"]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/assembled 2 predictions parts[\s\S]*accuracy \d+\.\d+%/);
    for (const bad of ["3/2", "1/2/3"]) {
      const e = runCli(["predict", "--model", SEED, "--data", "sample:test", "--shard", bad, "--out", join(dir, "x.parquet")]);
      expect(e.code).toBe(1);
      expect(e.err).toContain(`featurelens: error: --shard takes i/n with 0 ≤ i < n`);
      expect(e.err).toContain(`got '${bad}'`);
    }
    expect(runCli(["extract", "--model", SEED, "--data", "sample:test", "--shard", "0/2", "--out", join(dir, "x.npy")]).err).toMatch(/--shard 0\/2 writes a Parquet part: --out must end in \.parquet, got '.*x\.npy'/);
  });

  it("featurelens extract writes N×D penultimate features, and --keep-shape keeps conv maps", () => {
    const dir = tmp();
    const r = runCli(["extract", "--model", SEED, "--data", "sample:test", "--limit", "30", "--out", join(dir, "f.npy")]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/30×64 float32 from '\/relu7\/Relu'/);
    expect(readNpy(join(dir, "f.npy")).shape).toEqual([30, 64]);
    expect(runCli(["extract", "--model", SEED, "--data", "sample:test", "--limit", "10", "--layer", "/pool1/MaxPool", "--out", join(dir, "m.npy")]).code).toBe(0);
    expect(readNpy(join(dir, "m.npy")).shape).toEqual([10, 16 * 14 * 14]);
    runCli(["extract", "--model", SEED, "--data", "sample:test", "--limit", "10", "--layer", "/pool1/MaxPool", "--keep-shape", "--out", join(dir, "k.npy")]);
    expect(readNpy(join(dir, "k.npy")).shape).toEqual([10, 16, 14, 14]);
  });

  it("featurelens extract/predict errors: not ONNX, unknown layer, more classes than outputs", () => {
    const png = join(ROOT, "docs", "samples-train.png");
    expect(runCli(["layers", "--model", png]).err).toMatch(/samples-train\.png: not an ONNX model/);
    const bad = runCli(["extract", "--model", SEED, "--data", "sample:test", "--layer", "/conv9/Conv", "--out", join(tmp(), "x.npy")]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/no layer named '\/conv9\/Conv'; nearest: \/conv1\/Conv/);
    const dir = tmp();
    writeNpy(join(dir, "x.npy"), { dtype: "uint8", shape: [12, 28, 28], data: new Uint8Array(12 * 784) });
    writeNpy(join(dir, "y.npy"), { dtype: "int64", shape: [12], data: BigInt64Array.from({ length: 12 }, (_, i) => BigInt(i)) });
    const many = runCli(["predict", "--model", SEED, "--data", `npy:${join(dir, "x.npy")},${join(dir, "y.npy")}`, "--out", join(dir, "p.npy")]);
    expect(many.code).toBe(1);
    expect(many.err).toMatch(/the dataset's 12 classes do not match the model's 10 .*: 10, 11 are not among them/);
  });
});

describe("featurelens inspect", () => {
  it("featurelens inspect writes feature maps, histograms, the softmax chart and summary.json", async () => {
    const out = tmp();
    const r = runCli(["inspect", "--model", SEED, "--data", "sample:test", "--index", "3", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/image #3 \(\S+\): predicted \S+/);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
    expect(summary.layers).toHaveLength(18);
    expect(summary.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
    const relu = summary.layers.find((l: { name: string }) => l.name === "/relu1/Relu");
    expect(relu).toMatchObject({ shape: [16, 28, 28], maps: "maps/01-relu1-Relu.png", histogram: "histograms/01-relu1-Relu.png" });
    expect(relu.min).toBe(0);
    expect(relu.zeros).toBeGreaterThan(0);
    const maps = await sharp(join(out, relu.maps)).metadata();
    expect(maps.width).toBeGreaterThan(4 * 64);
    expect((await sharp(join(out, "softmax.png")).metadata()).width).toBeGreaterThan(400);
    expect(existsSync(join(out, "softmax.svg"))).toBe(true);
    expect(runCli(["inspect", "--model", SEED, "--data", "sample:test", "--index", "5000", "--out", out]).err).toMatch(/--index 5000 is outside 0\.\.999/);
  });
});

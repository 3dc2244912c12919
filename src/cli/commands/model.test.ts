import { copyFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { readNpy, writeNpy } from "../../data/npy.js";
import { FASHION_MNIST_CLASSES } from "../../data/sample.js";
import { queryRows } from "../../store/parquet.js";
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

  it("featurelens predict --out P.parquet adds label, prediction and confidence, readable by DuckDB", async () => {
    const out = join(tmp(), "p.parquet");
    expect(runCli(["predict", "--model", RESNET, "--data", "sample:test", "--limit", "20", "--out", out]).code).toBe(0);
    const rows = await queryRows(`SELECT * FROM '${out}' ORDER BY index`);
    expect(rows).toHaveLength(20);
    expect(Object.keys(rows[0])).toEqual(["index", "label", "label_name", "predicted", "predicted_name", "confidence", "probabilities"]);
    const r0 = rows[0] as { label: number; label_name: string; probabilities: number[]; confidence: number; predicted: number };
    expect(r0.label_name).toBe(FASHION_MNIST_CLASSES[r0.label]);
    expect(r0.probabilities).toHaveLength(10);
    expect(r0.confidence).toBeCloseTo(Math.max(...r0.probabilities), 6);
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
    expect(many.err).toMatch(/the dataset has 12 classes but the model has 10 outputs/);
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

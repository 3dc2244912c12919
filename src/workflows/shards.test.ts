import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDataset } from "../data/load.js";
import { readNpy } from "../data/npy.js";
import { openModelFile } from "../nn/open.js";
import { closeQueryEngine } from "../store/duckdb.js";
import { readFeatureParts, readPartInfo } from "../store/parts.js";
import { readPredictions } from "../store/predictions.js";
import { DataError } from "../util/errors.js";
import type { AnalyzedData } from "./analyze.js";
import { assembleRun } from "./assemble.js";
import { extractToFile } from "./extract.js";
import { predictToFile } from "./predict.js";

const ROOT = join(import.meta.dirname, "..", "..");
const SEED = join(ROOT, "src", "engine", "fixtures", "seed-cnn", "model.onnx");
const SHARDS = 4;
const dir = mkdtempSync(join(tmpdir(), "fl-shards-"));
const parts = join(dir, "parts");
let data: AnalyzedData;

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

beforeAll(async () => {
  data = { dataset: await loadDataset("sample:test"), spec: "sample:test", seed: 0 };
  const opened = openModelFile(SEED);
  mkdirSync(parts);
  await predictToFile({ opened, data, out: join(dir, "whole.parquet") });
  await extractToFile({ opened, data, layer: "penultimate", out: join(dir, "whole.npy") });
  for (let index = 0; index < SHARDS; index++) {
    const shard = { index, count: SHARDS };
    await predictToFile({ opened, data, shard, out: join(parts, `p-${index}.parquet`) });
    await extractToFile({ opened, data, shard, layer: "penultimate", out: join(parts, `f-${index}.parquet`) });
  }
});

afterAll(async () => {
  await closeQueryEngine();
  rmSync(dir, { recursive: true, force: true });
});

describe("sharded predict and extract, assembled", () => {
  it("predictToFile/extractToFile with --shard i/4 write parts that DuckDB reads as one table in index order, recording shard, model and data", async () => {
    const files = [0, 1, 2, 3].map((i) => join(parts, `p-${i}.parquet`));
    const joined = await readPredictions(files);
    const whole = await readPredictions(join(dir, "whole.parquet"));
    expect(Array.from(joined.index)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(joined.split).toBe("test");
    expect(Array.from(joined.label)).toEqual(Array.from(data.dataset.labels));
    // Conv, Gemm and softmax of one image do not depend on the other images of its batch in
    // onnxruntime's CPU kernels (MLAS), so strided shards give the same floats here; 1e-6 allows
    // for a build whose kernels block by batch size.
    expect(maxAbsDiff(joined.probabilities, whole.probabilities)).toBeLessThanOrEqual(1e-6);
    expect(Array.from(joined.predicted)).toEqual(Array.from(whole.predicted));
    const features = await readFeatureParts([0, 1, 2, 3].map((i) => join(parts, `f-${i}.parquet`)));
    expect(features.d).toBe(64);
    expect(maxAbsDiff(features.data, readNpy(join(dir, "whole.npy")).data as Float32Array)).toBeLessThanOrEqual(1e-6);
    const [info] = await readPartInfo([join(parts, "f-1.parquet")]);
    expect(info).toMatchObject({ kind: "features", shard: { index: 1, count: 4 }, model: { file: "model.onnx" }, data: { spec: "sample:test", n: 1000 }, layer: { arg: "penultimate", name: "/relu7/Relu", dims: [64] } });
    expect(info!.model.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("assembleRun(parts) writes the run analyze would: predictions and features equal to the unsharded output within 1e-6, then evaluation and a map", async () => {
    const r = await assembleRun({ workspace: dir, out: "assembled", model: SEED, data: "sample:test", predictions: [join(parts, "p-*.parquet")], features: [join(parts, "f-*.parquet")], maps: ["pca"] });
    expect(r.parts.predictions).toHaveLength(SHARDS);
    expect(r.run.record.status).toBe("complete");
    expect(r.stages.map((s) => s.stage)).toEqual(["reading and checking parts", "predictions and features", "evaluation", "pca map"]);
    const whole = await readPredictions(join(dir, "whole.parquet"));
    const assembled = await readPredictions(r.run.path("predictions.parquet"));
    expect(Array.from(assembled.index)).toEqual(Array.from(whole.index));
    expect(maxAbsDiff(assembled.probabilities, whole.probabilities)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(assembled.loss, whole.loss)).toBeLessThanOrEqual(1e-6);
    const features = readNpy(r.run.path(r.scope.features.penultimate.file)).data as Float32Array;
    expect(maxAbsDiff(features, readNpy(join(dir, "whole.npy")).data as Float32Array)).toBeLessThanOrEqual(1e-6);
    const correct = whole.predicted.filter((y, i) => y === whole.label[i]).length;
    expect(r.scope.summary.accuracy).toBeCloseTo(correct / 1000, 6);
    expect(r.scope.maps.pca).toBeDefined();
  });

  it("assembleRun with a part missing, or one part twice, names the indices and the shard to rerun", async () => {
    const some = join(dir, "some");
    mkdirSync(some);
    for (const i of [0, 2, 3]) copyFileSync(join(parts, `p-${i}.parquet`), join(some, `p-${i}.parquet`));
    const missing = assembleRun({ workspace: dir, out: "missing", model: SEED, data: "sample:test", predictions: [join(some, "p-*.parquet")], maps: [] });
    await expect(missing).rejects.toThrow(DataError);
    await expect(missing).rejects.toThrow(/^--predictions: parts cover 750 of 1,000 images; missing indices 1, 5, 9, 13, 17, 21, … — rerun shard 1\/4$/);
    copyFileSync(join(parts, "p-2.parquet"), join(some, "p-2-again.parquet"));
    copyFileSync(join(parts, "p-1.parquet"), join(some, "p-1.parquet"));
    await expect(assembleRun({ workspace: dir, out: "twice", model: SEED, data: "sample:test", predictions: [join(some, "p-*.parquet")], maps: [] })).rejects.toThrow(
      /indices in more than one part: 2 \(p-2-again\.parquet, p-2\.parquet\)/,
    );
  });

  it("assembleRun refuses parts of other images (--limit) or of another model, naming the parts", async () => {
    const glob = [join(parts, "p-*.parquet")];
    await expect(assembleRun({ workspace: dir, out: "limited", model: SEED, data: "sample:test", load: { limit: 500 }, predictions: glob, maps: [] })).rejects.toThrow(
      /p-0\.parquet … p-3\.parquet \(4 parts\): cut from other images \(1,000 images of 'sample:test' --seed 0\) than --data gives here \(500 images\)/,
    );
    const resnet = join(ROOT, "src", "engine", "fixtures", "mini-resnet18", "model.onnx");
    await expect(assembleRun({ workspace: dir, out: "other", model: resnet, data: "sample:test", predictions: glob, maps: [] })).rejects.toThrow(/\(4 parts\): made by another model/);
  });
});

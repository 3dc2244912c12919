import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readNpy } from "../data/npy.js";
import { readPredictions } from "../store/predictions.js";
import { Run } from "../store/run.js";
import { analyzeRun } from "./analyzeRun.js";

const FIXTURES = join(import.meta.dirname, "..", "engine", "fixtures");
const SEED = join(FIXTURES, "seed-cnn", "model.onnx");
const RESNET = join(FIXTURES, "mini-resnet18", "model.onnx");
const tmp = () => mkdtempSync(join(tmpdir(), "analyze-"));
const sha = (f: string) => createHash("sha256").update(readFileSync(f)).digest("hex");

describe("analyzeRun", () => {
  it("analyzeRun({model, data, out}) writes one run: predictions with source indices, features, evaluation, a map; a rerun does nothing again", async () => {
    const workspace = tmp();
    const r = await analyzeRun({ workspace, out: "seed", model: SEED, data: "sample:test", load: { limit: 200, seed: 0 }, maps: ["pca"] });
    const run = Run.read(r.run.dir);
    expect(run.record.status).toBe("complete");
    expect(run.record.model).toMatchObject({ file: "model.onnx", source: SEED, penultimate: "/relu7/Relu" });
    expect(run.record.model!.sha256).toBe(sha(SEED));
    expect(run.record.data).toMatchObject({ spec: "sample:test", split: "test", n: 200, limit: 200 });
    expect(run.record.summary.accuracy).toBeGreaterThanOrEqual(0); // the fixture is untrained: about chance
    const p = await readPredictions(run.path("predictions.parquet"));
    expect(p.n).toBe(200);
    // --limit keeps each image's index in the source dataset: 20 per class of 1,000, ascending.
    expect(Math.max(...p.index)).toBeGreaterThan(199);
    expect(Array.from(p.index)).toEqual(Array.from(p.index).sort((a, b) => a - b));
    const features = readNpy(run.path(run.record.features.penultimate.file));
    expect(features.shape).toEqual([200, 64]);
    expect(run.record.features.penultimate).toMatchObject({ layer: "/relu7/Relu", file: "features/penultimate.npy" });
    expect(readNpy(run.path("maps/pca.npy")).shape).toEqual([200, 2]);
    expect(existsSync(run.path("evaluation/confusion.png"))).toBe(true);
    expect(run.record.maps.pca.quality).toHaveProperty("trustworthiness");

    const again = await analyzeRun({ workspace, out: "seed", model: SEED, data: "sample:test", load: { limit: 200, seed: 0 }, maps: ["pca"] });
    expect(again.stages.every((s) => s.skipped)).toBe(true);
  }, 60_000);

  it("a second dataset becomes a domain of the run, placed into its maps, and the run's own results stay as they were", async () => {
    const workspace = tmp();
    await analyzeRun({ workspace, out: "seed", model: SEED, data: "sample:test", load: { limit: 200, seed: 0 }, maps: ["pca", "tsne"] });
    const dir = join(workspace, "runs", "seed");
    const before = sha(join(dir, "predictions.parquet"));
    const r = await analyzeRun({ workspace, run: "seed", data: "sample:train", load: { limit: 300, seed: 0 } });
    expect(r.domain).toBe("sample-train");
    const run = Run.read(dir);
    expect(sha(join(dir, "predictions.parquet"))).toBe(before);
    expect(run.record.domains["sample-train"]).toMatchObject({ status: "complete", data: { spec: "sample:train", n: 300 } });
    expect(readNpy(join(dir, "domains/sample-train/maps/tsne.npy")).shape).toEqual([300, 2]);
    expect(readNpy(join(dir, "domains/sample-train/maps/pca.npy")).shape).toEqual([300, 2]);
    expect(run.record.domains["sample-train"].maps.tsne.placed_into).toBe("tsne");
    expect(existsSync(join(dir, "domains/sample-train/evaluation/report.json"))).toBe(true);
  }, 60_000);

  it("a run keeps one model and one dataset: another model, or other images as the run's own, are refused", async () => {
    const workspace = tmp();
    await analyzeRun({ workspace, out: "seed", model: SEED, data: "sample:test", load: { limit: 100, seed: 0 }, maps: [] });
    await expect(analyzeRun({ workspace, out: "seed", model: RESNET, data: "sample:test", load: { limit: 100, seed: 0 }, maps: [] })).rejects.toThrow(/holds the analysis of another model/);
    await expect(analyzeRun({ workspace, out: "seed", model: SEED, data: "sample:test", load: { limit: 150, seed: 0 }, maps: [] })).rejects.toThrow(/holds the analysis of other images .* add these as a domain/);
    await expect(analyzeRun({ workspace, run: "seed", model: SEED, data: "sample:train" })).rejects.toThrow(/--run uses the run's own model/);
  }, 60_000);

  it("an interrupted analysis leaves the run incomplete with what finished; the rerun completes it without redoing that", async () => {
    const workspace = tmp();
    const stop = new Error("killed");
    await expect(
      analyzeRun({ workspace, out: "r", model: SEED, data: "sample:test", load: { limit: 100, seed: 0 }, maps: ["pca"], onStage: (s) => { if (s === "pca map") throw stop; } }),
    ).rejects.toBe(stop);
    const half = Run.read(join(workspace, "runs", "r"));
    expect(half.record.status).toBe("incomplete");
    expect(Object.keys(half.record.artifacts)).toEqual(expect.arrayContaining(["predictions.parquet", "evaluation", "features/penultimate.npy"]));
    const done = await analyzeRun({ workspace, out: "r", model: SEED, data: "sample:test", load: { limit: 100, seed: 0 }, maps: ["pca"] });
    expect(done.stages.map((s) => [s.stage, s.skipped])).toEqual([["predictions and features", true], ["evaluation", true], ["pca map", false]]);
    expect(Run.read(done.run.dir).record.status).toBe("complete");
  }, 60_000);

  it("a model exported by PyTorch (mini ResNet-18) is analyzed with its own penultimate layer", async () => {
    const r = await analyzeRun({ workspace: tmp(), out: "resnet", model: RESNET, data: "sample:test", load: { limit: 100, seed: 0 }, layers: ["penultimate", "logits"], maps: ["pca"] });
    const run = Run.read(r.run.dir);
    expect(run.record.model!.penultimate).toBeTruthy();
    expect(Object.keys(run.record.features).sort()).toEqual(["logits", "penultimate"]);
    expect(readNpy(run.path(run.record.features.logits.file)).shape).toEqual([100, 10]);
  }, 60_000);
});

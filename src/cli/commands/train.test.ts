import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli.testutil.js";

const tmp = () => mkdtempSync(join(tmpdir(), "cli-train-"));

describe("featurelens train", () => {
  it("featurelens train --arch mlp writes a run folder that layers/predict read, with history and its plot", async () => {
    const out = tmp();
    const r = runCli(["train", "--data", "sample:train", "--limit", "1000", "--arch", "mlp", "--epochs", "2", "--out", out]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/epoch 2: loss \d\.\d+ {2}acc \d+\.\d+% {2}val loss \d\.\d+ {2}val acc \d+\.\d+%/);
    for (const f of ["model.onnx", "history.json", "history.png", "run.json", join("checkpoint", "state.json")]) expect(existsSync(join(out, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(out, "history.json"), "utf8"))).toHaveLength(2);
    expect((await sharp(join(out, "history.png")).metadata()).width).toBeGreaterThan(500);
    const p = runCli(["predict", "--model", out, "--data", "sample:test", "--limit", "200", "--out", join(out, "p.npy")]);
    expect(p.out).toMatch(/accuracy (\d+)\.\d+%/);
    expect(Number(/accuracy (\d+)/.exec(p.out)![1])).toBeGreaterThan(50);
  });

  it("featurelens train --arch FILE.onnx --freeze k starts from a model with a new head; bad k is one clear error", () => {
    const a = tmp();
    expect(runCli(["train", "--data", "sample:train", "--limit", "500", "--arch", "mlp", "--epochs", "1", "--out", a]).code).toBe(0);
    const b = tmp();
    const r = runCli(["train", "--data", "sample:train", "--limit", "500", "--arch", join(a, "model.onnx"), "--freeze", "1", "--epochs", "1", "--out", b]);
    expect(r.code, r.err).toBe(0);
    const bad = runCli(["train", "--data", "sample:train", "--limit", "500", "--arch", join(a, "model.onnx"), "--freeze", "5", "--epochs", "1", "--out", tmp()]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--freeze 5: the model has 2 layers with weights/);
  });

  it("featurelens train --only a,b --loss bce trains one sigmoid unit with binary cross-entropy; predict reads it as two classes", () => {
    const out = tmp();
    const r = runCli(["train", "--data", "sample:train", "--only", "Sneaker,Bag", "--limit", "600", "--arch", "mlp", "--loss", "bce", "--epochs", "2", "--out", out]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(readFileSync(join(out, "run.json"), "utf8")).classes).toEqual(["Sneaker", "Bag"]);
    const p = runCli(["predict", "--model", out, "--data", "sample:test", "--only", "7,8", "--out", join(out, "p.npy")]);
    expect(p.code, p.err).toBe(0);
    expect(Number(/accuracy (\d+)/.exec(p.out)![1])).toBeGreaterThan(90);
    const bad = runCli(["train", "--data", "sample:train", "--limit", "100", "--arch", "mlp", "--loss", "bce", "--out", tmp()]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--loss bce is for two classes, but the data has 10; pick two with --only/);
  });

  it("featurelens transfer writes the table and the accuracy-vs-k plot", () => {
    const out = tmp();
    const r = runCli(["transfer", "--data", "sample:train", "--limit", "1000", "--source", "0-4", "--target", "5-9", "--arch", "mlp", "--layers", "1", "--fine-tune", "--epochs", "1", "--out", out]);
    expect(r.code, r.err).toBe(0);
    const rows = JSON.parse(readFileSync(join(out, "transfer.json"), "utf8")) as { variant: string; k: number; accuracy: number }[];
    expect(rows.map((x) => x.variant)).toEqual(["baseB", "BnB", "BnB+", "AnB", "AnB+"]);
    for (const x of rows) expect(x.accuracy >= 0 && x.accuracy <= 1).toBe(true);
    expect(rows[0].accuracy).toBeGreaterThan(0.4); // baseB, 5 classes: well above chance
    expect(existsSync(join(out, "transfer.png"))).toBe(true);
    expect(readFileSync(join(out, "transfer.md"), "utf8")).toMatch(/\| k \| BnB \| BnB\+ \| AnB \| AnB\+ \|/);
  });
});

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { ROOT, runCli } from "./cli.testutil.js";

const run = runCli;

describe("featurelens CLI", () => {
  it("featurelens --help and --version answer", () => {
    expect(existsSync(join(ROOT, "dist", "cli", "main.js"))).toBe(true);
    const help = run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Usage: featurelens/);
    expect(help.out).toMatch(/demo/);
    expect(run(["--version"]).out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(run(["dataset", "--help"]).out).toMatch(/Examples:/);
  });

  it("featurelens demo --no-serve: the sample, training, inside the model, every metric, the t-SNE map", async () => {
    const out = mkdtempSync(join(tmpdir(), "demo-"));
    const r = run(["demo", "--out", out, "--no-serve"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/sample:train: 5000 images, 28×28×1, 10 classes/);
    expect(r.out).toMatch(/Ankle boot\s+500\s+10\.0%/);
    const meta = await sharp(join(out, "samples-train.png")).metadata();
    expect(meta.width).toBeGreaterThan(600);
    expect(r.out).toMatch(/\/relu7\/Relu\s+Relu\s+\[N, 64\]\s+0\s+← penultimate/);
    expect(r.out).toMatch(/62,650 parameters/);
    expect(r.out).toMatch(/epoch 2: loss \d\.\d+, validation accuracy (\d+)\.\d%/);
    expect(Number(/epoch 2: .*validation accuracy (\d+)/.exec(r.out)![1])).toBeGreaterThan(50);
    const dir = join(out, "runs", "seed-cnn");
    for (const f of ["model.onnx", "run.json", "predictions.parquet", "features/penultimate.npy", "maps/tsne.npy", "maps/pca.npy", "evaluation/confusion.png", "inspect/0/summary.json", "inspect/0/maps/01-relu1-Relu.png", "maps/tsne-true.png"]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
    }
    expect(r.out).toMatch(/ROC AUC \(one vs rest\): macro 0\.\d{4}/);
    expect(r.out).toMatch(/KL \d\.\d{3} · 10-NN label accuracy 0\.\d{3}/);
    const report = readFileSync(join(out, "report.html"), "utf8");
    expect(report).toMatch(/Which classes does it confuse\?/);
    expect(report).not.toMatch(/(src|href)="https?:/);
    expect(r.out).toMatch(/the report +.*report\.html/);
    // A second demo reuses the trained run and remakes the rest.
    const again = runCli(["demo", "--out", out, "--no-serve"]);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/already trained and analyzed; using it/);
  }, 180_000); // ~15 s alone; minutes when the machine is busy

  it("featurelens dataset --json prints stable keys", () => {
    const r = run(["dataset", "--data", "sample:test", "--limit", "100", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ name: "sample:test", n: 100, height: 28, width: 28, channels: 1, unlabelled: 0 });
    expect(j.class_counts).toEqual(Array(10).fill(10));
  });

  it("featurelens errors print one line, exit non-zero, and no stack unless --verbose", () => {
    const r = run(["dataset", "--data", "npy:/no/such.npy"]);
    expect(r.code).toBe(1);
    expect(r.err.trim().split("\n")).toEqual(["featurelens: error: /no/such.npy: no such file or folder"]);
    const v = run(["--verbose", "dataset", "--data", "npy:/no/such.npy"]);
    expect(v.err).toMatch(/at .*npy/);
    const bad = run(["dataset", "--data", "sample", "--limit", "zero"]);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/--limit must be a positive integer, got 'zero'/);
  });

  it("featurelens dataset --data folder:PATH reports skipped and ignored files and counts the rest", async () => {
    const root = mkdtempSync(join(tmpdir(), "folder-cli-"));
    for (const [cls, colour] of [["cats", "#f00"], ["dogs", "#00f"]] as const) {
      mkdirSync(join(root, cls));
      for (let i = 0; i < 3; i++) {
        await sharp({ create: { width: 8, height: 6, channels: 3, background: colour } }).png().toFile(join(root, cls, `${i}.png`));
      }
    }
    writeFileSync(join(root, "dogs", "broken.jpg"), "not a jpeg");
    writeFileSync(join(root, "dogs", "notes.txt"), "hello");
    const r = run(["dataset", "--data", `folder:${root}`, "--size", "4", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ n: 6, height: 4, width: 4, channels: 3, classes: ["cats", "dogs"], class_counts: [3, 3] });
    expect(r.err).toMatch(/skipped 1 image\(s\) that could not be decoded: .*broken\.jpg/);
    expect(r.err).toMatch(/ignored 1 file\(s\) that are not images/);
  });

  it("featurelens via npx resolves the package's own bin", () => {
    const out = execFileSync("npm", ["exec", "--offline", "--", "featurelens", "--version"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  }, 180_000); // npm exec starts npm, then node: a minute on a loaded 2-core machine
});

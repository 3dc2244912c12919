import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeNpy } from "../../data/npy.js";
import { runCli } from "../cli.testutil.js";
import { testSplitOf } from "../../workflows/trainRun.js";

const tmp = () => mkdtempSync(join(tmpdir(), "cli-evaluate-"));

describe("featurelens evaluate", () => {
  it("evaluate --run scores the run's model on the test split and stores report.json and the charts in RUN/evaluation", () => {
    const run = tmp();
    expect(runCli(["train", "--data", "sample:train", "--limit", "500", "--arch", "mlp", "--epochs", "1", "--out", run]).code).toBe(0);
    const r = runCli(["evaluate", "--run", run]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/on sample:test: 1000 samples, 10 classes/);
    expect(r.out).toMatch(/ T-shirt\/top {4}\d\.\d{4} {4}\d\.\d{4} {4}\d\.\d{4} {7}100/);
    expect(r.out).toMatch(/macro avg/);
    expect(r.out).toMatch(/ROC AUC \(one vs rest\): macro 0\.\d{4}/);
    expect(r.out).toMatch(/confusion matrix \(rows: true class, columns: predicted class\)/);
    for (const f of ["report.json", "confusion.png", "confusion.svg", "per-class.png", "roc.png", "pr.png", "reliability.png", "confidence.png"]) {
      expect(existsSync(join(run, "evaluation", f)), f).toBe(true);
    }
    const report = JSON.parse(readFileSync(join(run, "evaluation", "report.json"), "utf8")) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(expect.arrayContaining(["accuracy", "confusion", "per_class", "macro", "micro", "weighted", "roc_auc", "log_loss", "top_k", "ece"]));
    expect((report.per_class as { name: string }[])[0].name).toBe("T-shirt/top");
  });

  it("evaluate --labels --probs --json reads predict's output, with the same accuracy predict printed", () => {
    const dir = tmp();
    expect(runCli(["train", "--data", "sample:train", "--limit", "500", "--arch", "mlp", "--epochs", "1", "--out", join(dir, "run")]).code).toBe(0);
    const p = runCli(["predict", "--model", join(dir, "run"), "--data", "sample:test", "--limit", "300", "--out", join(dir, "p.npy"), "--labels-out", join(dir, "l.npy")]);
    expect(p.code, p.err).toBe(0);
    const accuracy = Number(/accuracy (\d+\.\d+)%/.exec(p.out)![1]) / 100;
    const r = runCli(["evaluate", "--labels", join(dir, "l.npy"), "--probs", join(dir, "p.npy"), "--json"]);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as { accuracy: number; per_class: { support: number; tp: number; fp: number; fn: number; tn: number }[]; roc_auc: { per_class: number[]; macro: number; micro: number } };
    expect(report.accuracy).toBeCloseTo(accuracy, 4);
    expect(report.per_class).toHaveLength(10);
    for (const c of report.per_class) expect(c.tp + c.fp + c.fn + c.tn).toBe(300);
    expect(report.roc_auc.per_class).toHaveLength(10);
    expect(report.roc_auc.macro).toBeGreaterThan(0.5);
    expect(runCli(["predict", "--model", join(dir, "run"), "--data", "sample:test", "--limit", "300", "--out", join(dir, "p.parquet")]).code).toBe(0);
    const fromParquet = runCli(["evaluate", "--predictions", join(dir, "p.parquet"), "--json"]);
    expect(fromParquet.code, fromParquet.err).toBe(0);
    expect((JSON.parse(fromParquet.out) as { accuracy: number }).accuracy).toBe(report.accuracy);
  });

  it("a binary run (one sigmoid unit) gets the binary view: ROC AUC, Youden's threshold, metrics at --threshold", () => {
    const run = tmp();
    expect(runCli(["train", "--data", "sample:train", "--only", "Sandal,Bag", "--arch", "mlp", "--loss", "bce", "--epochs", "1", "--out", run]).code).toBe(0);
    const r = runCli(["evaluate", "--run", run, "--threshold", "0.7"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/200 samples, 2 classes/);
    expect(r.out).toMatch(/binary, positive class Bag: ROC AUC \d\.\d{4}/);
    expect(r.out).toMatch(/at threshold 0\.7: precision/);
    expect(r.out).toMatch(/at Youden's J threshold/);
  });

  it("bad input gets one clear error each: logits (with --logits as the fix), labels out of range, length mismatch, --classes count", () => {
    const dir = tmp();
    const labels = join(dir, "labels.npy");
    writeNpy(labels, { dtype: "int32", shape: [3], data: Int32Array.of(0, 1, 2) });
    const logits = join(dir, "logits.npy");
    writeNpy(logits, { dtype: "float32", shape: [3, 3], data: Float32Array.of(2, 0, -1, 0, 3, 1, -2, 0, 4) });
    const bad = runCli(["evaluate", "--labels", labels, "--probs", logits]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--logits/);
    const ok = runCli(["evaluate", "--labels", labels, "--probs", logits, "--logits", "--classes", "a,b,c"]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/accuracy\s+1\.0000\s+3/);

    const outOfRange = join(dir, "bad-labels.npy");
    writeNpy(outOfRange, { dtype: "int32", shape: [3], data: Int32Array.of(0, 5, 2) });
    expect(runCli(["evaluate", "--labels", outOfRange, "--probs", logits, "--logits"]).err).toMatch(/labels must be classes 0\.\.2; 1 of 3 is not \(first: index 1 holds 5\)/);
    const short = join(dir, "short.npy");
    writeNpy(short, { dtype: "int32", shape: [2], data: Int32Array.of(0, 1) });
    expect(runCli(["evaluate", "--labels", short, "--probs", logits]).err).toMatch(/2 labels but 3 rows of probabilities/);
    expect(runCli(["evaluate", "--labels", labels, "--probs", logits, "--logits", "--classes", "a,b"]).err).toMatch(/--classes names 2 classes but the probabilities have 3 columns/);
    expect(runCli(["evaluate"]).err).toMatch(/say what to evaluate/);
  });

  it("testSplitOf(spec) is the test split of the data a run was trained on", () => {
    expect(testSplitOf("sample:train")).toBe("sample:test");
    expect(testSplitOf("fashion-mnist@/data/fm")).toBe("fashion-mnist:test@/data/fm");
    expect(testSplitOf("folder:/x")).toBeUndefined();
    expect(testSplitOf(undefined)).toBeUndefined();
  });
});

import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNpy } from "../../data/npy.js";
import { closeQueryEngine } from "../../store/query.js";
import { makeSmallRun } from "../../workflows/smallRun.testutil.js";
import { runCli } from "../cli.testutil.js";

let ws: string;
const dir = mkdtempSync(join(tmpdir(), "fl-cli-diagnose-"));
beforeAll(async () => {
  ws = (await makeSmallRun("fl-cli-diagnose-")).workspace;
}, 120_000);
afterAll(() => closeQueryEngine());

/** One line on stderr, naming what is wrong, and exit 1. */
function expectOneLine(r: { code: number | null; err: string }, message: RegExp): void {
  expect(r.code, r.err).toBe(1);
  expect(r.err).toMatch(/^featurelens: error: /);
  expect(r.err).toMatch(message);
  expect(r.err.trim().split("\n")).toHaveLength(1);
}

describe("featurelens diagnose", () => {
  it("diagnose prints the summary in words, the classes, the pairs and the layer curve, and says what it wrote", () => {
    const r = runCli(["diagnose", "--workspace", ws, "--run", "small", "--max-images", "500", "--threads", "2"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Class separation: run small, sample:test \(1,000 images; \/relu7\/Relu, 64 features; 10 nearest neighbours, exact\)\n\n/);
    expect(r.out).toMatch(/\nclass +images +kNN purity +silhouette +in tsne map +recall +most mixed with\n/);
    expect(r.out).toMatch(/\nLayer by layer: kNN accuracy \(k = 10\) of 100 held-out images, fitted on 400 \(a stratified sample of 500 of the 1,000, seed 0\)\n/);
    expect(r.out).toMatch(/\n 0 +input \(pixels\) +784 +\d+\.\d%/);
    expect(r.out).toMatch(/\nwrote diagnose\/separation\.json, diagnose\/layers\.png, diagnose\/layers\.json in run small \(\d+\.\d s\)\n$/);
  });

  it("diagnose --domain --no-layers --json prints the separation of the domain as JSON and measures no layers", () => {
    const r = runCli(["diagnose", "--workspace", ws, "--run", "small", "--domain", "sample:train", "--no-layers", "--json"]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { domain: string; layers: unknown; files: string[]; separation: { n: number; summary: { text: string } } };
    expect(j.domain).toBe("sample-train");
    expect(j.layers).toBeNull();
    expect(j.separation.n).toBe(300);
    expect(j.separation.summary.text).toMatch(/\.$/);
    expect(j.files).toEqual(["domains/sample-train/diagnose/separation.json"]);
  });

  it("diagnose with an unknown domain fails with one line listing the run's domains", () => {
    expectOneLine(runCli(["diagnose", "--workspace", ws, "--run", "small", "--domain", "mnist"]), /--domain mnist: run small has no such domain; its domains: sample-train$/m);
  });
});

describe("featurelens dataset --transform and featurelens shift", () => {
  it("dataset --transform noise:40 --out writes uint8 images and int32 labels beside them, and shift --json reads them back as a domain with a p_value", () => {
    const out = join(dir, "noisy.npy");
    const d = runCli(["dataset", "--data", "sample:test", "--limit", "300", "--transform", "noise:40", "--seed", "1", "--out", out]);
    expect(d.code, d.err).toBe(0);
    expect(d.out).toContain(`wrote ${out} (uint8, 300×28×28, with Gaussian noise (sd 40)) and its labels ${join(dir, "noisy.labels.npy")} (int32); read them with --data npy:${out},${join(dir, "noisy.labels.npy")}\n`);
    expect(readNpy(out)).toMatchObject({ dtype: "uint8", shape: [300, 28, 28] });
    expect(readNpy(join(dir, "noisy.labels.npy"))).toMatchObject({ dtype: "int32", shape: [300] });

    const s = runCli(["shift", "--workspace", ws, "--run", "small", "--data", `npy:${out},${join(dir, "noisy.labels.npy")}`, "--domain", "noisy", "--permutations", "100", "--json", "--threads", "2"]);
    expect(s.code, s.err).toBe(0);
    const j = JSON.parse(s.out) as Record<string, unknown> & { per_class: unknown[]; files: string[] };
    expect(Object.keys(j)).toEqual(expect.arrayContaining(["p_value", "mmd2", "per_class", "confusion", "summary", "files"]));
    expect(j.p_value as number).toBeGreaterThan(0);
    expect(j.p_value as number).toBeLessThanOrEqual(1);
    expect(j.per_class).toHaveLength(10);
    expect(existsSync(join(ws, "runs", "small", "domains", "noisy", "shift-confusion.png"))).toBe(true);
  }, 120_000);

  it("dataset and shift refuse bad input with one line each: a transform without --out, an unknown transform, other classes", () => {
    expectOneLine(runCli(["dataset", "--data", "sample:test", "--transform", "invert"]), /--transform writes a changed copy of the images: say where with --out X\.npy/);
    expectOneLine(runCli(["dataset", "--data", "sample:test", "--transform", "sharpen", "--out", join(dir, "s.npy")]), /--transform 'sharpen': unknown transform 'sharpen'; it takes invert, blur:S, noise:S, rotate:DEG, edges/);
    const out = join(dir, "two.npy");
    expect(runCli(["dataset", "--data", "sample:test", "--only", "0,1", "--limit", "20", "--out", out]).code).toBe(0);
    expectOneLine(
      runCli(["shift", "--workspace", ws, "--run", "small", "--data", `npy:${out},${join(dir, "two.labels.npy")}`, "--classes", "cat,dog"]),
      /two\.npy,.*two\.labels\.npy: its classes cat, dog are not the run's \(T-shirt\/top, Trouser, .*\); a shift compares the same classes/,
    );
  }, 60_000);
});

import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { writeNpy } from "../../data/npy.js";
import { runCli } from "../cli.testutil.js";

const tmp = () => mkdtempSync(join(tmpdir(), "cli-neighbors-"));

/** 6 points on a line, feature i = [i, 0]; point 5 is a duplicate of point 4. */
function lineFile(dir: string, extra: number[] = []): string {
  const f = join(dir, "x.npy");
  writeNpy(f, { dtype: "float32", shape: [6 + extra.length / 2, 2], data: Float32Array.of(0, 0, 1, 0, 2, 0, 3.5, 0, 6, 0, 6, 0, ...extra) });
  return f;
}

describe("featurelens neighbors", () => {
  it("--json lists the k nearest other rows, nearest first, duplicates at distance 0 included", () => {
    const x = lineFile(tmp());
    const r = runCli(["neighbors", "--in", x, "--query", "4", "--k", "3", "--json"]);
    expect(r.code, r.err).toBe(0);
    const got = JSON.parse(r.out) as { query: number; feature: { index: number; distance: number }[] };
    expect(got.feature.map((n) => n.index)).toEqual([5, 3, 2]);
    expect(got.feature.map((n) => n.distance)).toEqual([0, 2.5, 4]);
    const l1 = JSON.parse(runCli(["neighbors", "--in", x, "--query", "0", "--k", "2", "--metric", "l1", "--json"]).out) as { feature: { index: number }[] };
    expect(l1.feature.map((n) => n.index)).toEqual([1, 2]);
  });

  it("with --data: pixel-space neighbours beside feature-space ones, class agreement, and a PNG strip", async () => {
    const dir = tmp();
    expect(runCli(["train", "--data", "sample:train", "--limit", "500", "--arch", "mlp", "--epochs", "1", "--out", join(dir, "run")]).code).toBe(0);
    expect(runCli(["extract", "--model", join(dir, "run"), "--data", "sample:test", "--limit", "200", "--out", join(dir, "f.npy")]).code).toBe(0);
    const r = runCli(["neighbors", "--in", join(dir, "f.npy"), "--query", "3", "--data", "sample:test", "--limit", "200", "--out", join(dir, "nn.png")]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/nearest to #3 in feature space — \d+ of 10 share its class/);
    expect(r.out).toMatch(/nearest to #3 in pixel space — \d+ of 10 share its class/);
    expect(existsSync(join(dir, "nn.png"))).toBe(true);
    expect((await sharp(join(dir, "nn.png")).metadata()).width).toBeGreaterThan(500);
  });

  it("bad input gets one clear error each: NaN rows (or --drop-invalid), a query out of range, k too large, not 2-D", () => {
    const dir = tmp();
    const x = lineFile(dir, [NaN, 1]);
    const nan = runCli(["neighbors", "--in", x, "--query", "0", "--k", "2"]);
    expect(nan.code).toBe(1);
    expect(nan.err).toMatch(/1 row holds NaN or ±Infinity \(row 6\); fix them, or pass --drop-invalid/);
    expect(runCli(["neighbors", "--in", x, "--query", "0", "--k", "2", "--drop-invalid"]).code).toBe(0);
    expect(runCli(["neighbors", "--in", x, "--query", "9", "--drop-invalid"]).err).toMatch(/--query 9 is not a row/);
    expect(runCli(["neighbors", "--in", x, "--query", "0", "--k", "9", "--drop-invalid"]).err).toMatch(/--k 9 is more than the other 5 points; the largest is 5/);
    const cube = join(dir, "cube.npy");
    writeNpy(cube, { dtype: "float32", shape: [2, 2, 2], data: new Float32Array(8) });
    expect(runCli(["neighbors", "--in", cube, "--query", "0"]).err).toMatch(/must be a 2-D N×D array, got shape \[2, 2, 2\]/);
  });
});

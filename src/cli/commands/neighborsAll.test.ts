import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exactKnn } from "../../analysis/neighbors/exact.js";
import { clusteredPoints } from "../../analysis/neighbors/neighbors.testutil.js";
import { readNpy, writeNpy } from "../../data/npy.js";
import { runCli } from "../cli.testutil.js";

const tmp = () => mkdtempSync(join(tmpdir(), "cli-neighbors-all-"));

describe("featurelens neighbors --all", () => {
  it("--all --k K --out G.npy writes int32 N×K indices and float32 G.distances.npy equal to the exact graph", () => {
    const dir = tmp();
    // 2,100 × 50 is enough work for the onnxruntime path; rows 1 and 2 repeat row 0 (ties by index).
    const p = clusteredPoints(2100, 50, 6, 1);
    p.data.copyWithin(50, 0, 50);
    p.data.copyWithin(100, 0, 50);
    writeNpy(join(dir, "x.npy"), { dtype: "float32", shape: [p.n, p.d], data: p.data });
    for (const metric of ["l2", "cosine", "l1"] as const) {
      const r = runCli(["neighbors", "--in", join(dir, "x.npy"), "--all", "--k", "12", "--metric", metric, "--out", join(dir, `G-${metric}.npy`)]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(new RegExp(`12 ${metric} neighbours of 2100 rows \\(exact\\).*G-${metric}\\.distances\\.npy`));
      const g = readNpy(join(dir, `G-${metric}.npy`));
      const dist = readNpy(join(dir, `G-${metric}.distances.npy`));
      expect([g.dtype, g.shape, dist.dtype, dist.shape]).toEqual(["int32", [2100, 12], "float32", [2100, 12]]);
      const want = exactKnn(p, 12, { metric });
      expect(g.data).toEqual(want.indices);
      expect(dist.data).toEqual(want.distances);
      if (metric === "l2") expect(Array.from((g.data as Int32Array).subarray(0, 2))).toEqual([1, 2]);
    }
  });

  it("--all --drop-invalid leaves the invalid rows out: their graph rows are −1 and NaN, and file row numbers are kept", () => {
    const dir = tmp();
    writeNpy(join(dir, "x.npy"), { dtype: "float32", shape: [5, 1], data: Float32Array.of(0, NaN, 1, 3, 7) });
    const r = runCli(["neighbors", "--in", join(dir, "x.npy"), "--all", "--k", "2", "--drop-invalid", "--out", join(dir, "G.npy")]);
    expect(r.code, r.err).toBe(0);
    expect(Array.from(readNpy(join(dir, "G.npy")).data as Int32Array)).toEqual([2, 3, -1, -1, 0, 3, 2, 0, 3, 2]);
    expect(Array.from(readNpy(join(dir, "G.distances.npy")).data as Float32Array)).toEqual([1, 3, NaN, NaN, 1, 2, 2, 3, 4, 6]);
  });

  it("--all refuses what it cannot do, each with the fix: no --out, a --query too, a non-.npy --out, k too large, a file it did not write", () => {
    const dir = tmp();
    const x = join(dir, "x.npy");
    writeNpy(x, { dtype: "float32", shape: [4, 1], data: Float32Array.of(0, 1, 2, 3) });
    expect(runCli(["neighbors", "--in", x]).err).toMatch(/give --query I .* or --all --out G\.npy/);
    expect(runCli(["neighbors", "--in", x, "--all"]).err).toMatch(/--all needs --out G\.npy/);
    expect(runCli(["neighbors", "--in", x, "--all", "--query", "1", "--out", join(dir, "G.npy")]).err).toMatch(/takes no --query; leave it out/);
    expect(runCli(["neighbors", "--in", x, "--all", "--out", join(dir, "G.csv")]).err).toMatch(/written as \.npy/);
    expect(runCli(["neighbors", "--in", x, "--all", "--k", "4", "--out", join(dir, "G.npy")]).err).toMatch(/--k 4 must be between 1 and the number of other points, 3/);
    writeFileSync(join(dir, "mine.distances.npy"), "someone else's");
    const clash = runCli(["neighbors", "--in", x, "--all", "--k", "1", "--out", join(dir, "mine.npy")]);
    expect(clash.code).toBe(1);
    expect(clash.err).toMatch(/--force/);
    expect(runCli(["neighbors", "--in", x, "--all", "--k", "1", "--out", join(dir, "mine.npy"), "--force"]).code).toBe(0);
  });
});

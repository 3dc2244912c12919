import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readNpy, writeNpy } from "../../data/npy.js";
import { pca } from "../../analysis/embed/pca.js";
import { createRng } from "../../util/rng.js";
import { runCli } from "../cli.testutil.js";

const tmp = () => mkdtempSync(join(tmpdir(), "cli-embed-"));

/** `perClass` points around each of `k` well-separated centres in `d` dimensions, and their labels. */
function blobs(dir: string, name: string, k: number, perClass: number, d: number, seed: number): { x: string; y: string } {
  const rng = createRng(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => 20 * rng.next()));
  const n = k * perClass;
  const data = new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % k;
    for (let j = 0; j < d; j++) data[i * d + j] = centres[labels[i]][j] + (rng.next() - 0.5);
  }
  const x = join(dir, `${name}.npy`);
  const y = join(dir, `${name}-labels.npy`);
  writeNpy(x, { dtype: "float32", shape: [n, d], data });
  writeNpy(y, { dtype: "int32", shape: [n], data: labels });
  return { x, y };
}

describe("featurelens embed", () => {
  it("--method tsne maps wide features (PCA to 50 first), separates the classes, and saves the map, its picture and the quality measures", () => {
    const dir = tmp();
    const { x, y } = blobs(dir, "train", 4, 60, 64, 1);
    const out = join(dir, "map.npy");
    const r = runCli(["embed", "--in", x, "--out", out, "--labels", y, "--json"]);
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out) as { n: number; dims: number; input_dims: number; kl: number; iterations: number; quality: { trustworthiness: number; knn_accuracy: number; knn_preservation: number } };
    expect(s).toMatchObject({ n: 240, dims: 2, input_dims: 50, iterations: 1000 });
    expect(s.kl).toBeGreaterThan(0);
    expect(s.quality.knn_accuracy).toBeGreaterThan(0.95);
    expect(s.quality.trustworthiness).toBeGreaterThan(0.9);
    expect(readNpy(out).shape).toEqual([240, 2]);
    for (const f of ["map.map", "map.pca.json", "map.png"]) expect(existsSync(join(dir, f)), f).toBe(true);

    // The same seed gives the same map.
    const again = join(dir, "again.npy");
    expect(runCli(["embed", "--in", x, "--out", again]).code).toBe(0);
    expect(Array.from(readNpy(again).data as Float32Array)).toEqual(Array.from(readNpy(out).data as Float32Array));

    // New points of the same classes land among their class in the saved map.
    const held = blobs(dir, "held", 4, 10, 64, 1);
    const placed = join(dir, "placed.npy");
    const p = runCli(["embed", "--in", held.x, "--into", out, "--out", placed]);
    expect(p.code, p.err).toBe(0);
    const map = readNpy(out).data as Float32Array;
    const pts = readNpy(placed).data as Float32Array;
    const mapLabels = readNpy(y).data as Int32Array;
    const heldLabels = readNpy(held.y).data as Int32Array;
    let right = 0;
    for (let i = 0; i < 40; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let j = 0; j < 240; j++) {
        const d = (pts[2 * i] - map[2 * j]) ** 2 + (pts[2 * i + 1] - map[2 * j + 1]) ** 2;
        if (d < bestD) [best, bestD] = [j, d];
      }
      if (mapLabels[best] === heldLabels[i]) right++;
    }
    expect(right / 40).toBeGreaterThan(0.95);
  });

  it("--method umap (fed featurelens' kNN graph) separates the classes, and the same seed gives the same map", () => {
    const dir = tmp();
    const { x, y } = blobs(dir, "u", 3, 40, 20, 4);
    const out = join(dir, "umap.npy");
    const r = runCli(["embed", "--in", x, "--method", "umap", "--out", out, "--labels", y, "--json"]);
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out) as { method: string; n: number; quality: { knn_accuracy: number } };
    expect(s).toMatchObject({ method: "umap", n: 120 });
    expect(s.quality.knn_accuracy).toBeGreaterThan(0.95);
    expect(existsSync(join(dir, "umap.png"))).toBe(true);
    const again = join(dir, "umap2.npy");
    expect(runCli(["embed", "--in", x, "--method", "umap", "--out", again]).code).toBe(0);
    expect(Array.from(readNpy(again).data as Float32Array)).toEqual(Array.from(readNpy(out).data as Float32Array));
  });

  it("--method pca --dims 3 gives the first three principal components", () => {
    const dir = tmp();
    const { x } = blobs(dir, "a", 3, 20, 8, 2);
    const r = runCli(["embed", "--in", x, "--method", "pca", "--dims", "3", "--out", join(dir, "p.npy"), "--json"]);
    expect(r.code, r.err).toBe(0);
    expect(readNpy(join(dir, "p.npy")).shape).toEqual([60, 3]);
  });

  it("--method pca --dims 50 writes the first 50 components (N×50 float32, as pca()) and says it draws no picture above 3 dimensions", () => {
    const dir = tmp();
    const { x } = blobs(dir, "wide", 5, 40, 80, 6);
    const out = join(dir, "pca50.npy");
    const r = runCli(["embed", "--in", x, "--method", "pca", "--dims", "50", "--out", out, "--json"]);
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out) as { method: string; dims: number; quality: unknown; variance_kept: number; files: string[] };
    expect(s).toMatchObject({ method: "pca", dims: 50, quality: null });
    expect(s.variance_kept).toBeGreaterThan(0.9);
    expect(s.variance_kept).toBeLessThanOrEqual(1 + 1e-9);
    expect(s.files).toEqual([out]);
    expect(r.err).toMatch(/50 components are a reduction .* no picture and no map-quality measures/);
    expect(existsSync(join(dir, "pca50.png"))).toBe(false);
    const got = readNpy(out);
    expect(got.shape).toEqual([200, 50]);
    const points = readNpy(x);
    const want = pca({ n: 200, d: 80, data: points.data as Float32Array }, { components: 50 }).projected.data;
    const y = got.data as Float32Array;
    const scale = Math.max(...Array.from(want, Math.abs));
    for (let c = 0; c < 50; c++) {
      // up to each component's sign (onnxruntime's float32 products and the WebAssembly kernel round differently)
      let dot = 0;
      for (let i = 0; i < 200; i++) dot += y[i * 50 + c] * want[i * 50 + c];
      const sign = dot < 0 ? -1 : 1;
      for (let i = 0; i < 200; i++) expect(Math.abs(sign * y[i * 50 + c] - want[i * 50 + c]), `component ${c}, row ${i}`).toBeLessThan(1e-3 * scale);
    }
    expect(runCli(["embed", "--in", x, "--method", "pca", "--dims", "50", "--out", out]).out).toMatch(/the 50 components keep \d+\.\d% of the variance/);
  });

  it("bad input gets one clear error each: too few points for the perplexity, constant features, --into without a map", () => {
    const dir = tmp();
    const { x } = blobs(dir, "few", 2, 20, 5, 3);
    expect(runCli(["embed", "--in", x, "--out", join(dir, "m.npy")]).err).toMatch(/perplexity/);
    const flat = join(dir, "flat.npy");
    writeNpy(flat, { dtype: "float32", shape: [100, 3], data: new Float32Array(300).fill(2) });
    expect(runCli(["embed", "--in", flat, "--out", join(dir, "m.npy")]).err).toMatch(/every feature is constant/);
    expect(runCli(["embed", "--in", x, "--into", join(dir, "nothing.npy"), "--out", join(dir, "m.npy")]).err).toMatch(/no .*nothing\.map; make the map first/);
    expect(runCli(["embed", "--in", x, "--out", x]).err).toMatch(/--out .* would overwrite --in/);
  });
});

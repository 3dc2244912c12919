import { describe, expect, it } from "vitest";
import { exactKnn } from "../../neighbors/exact.js";
import { initialize, INIT_STD } from "./init.js";
import { exactRepulsion } from "./exact.js";
import { chooseRepulsion, resolveMethod, tsne, TSNE_DEFAULTS } from "./tsne.js";
import { blobs, mapKnnAccuracy } from "./tsne.testutil.js";
import type { TsneProgress } from "./optimize.js";

describe("tsne(points, options)", () => {
  it("tsne() separates 5 Gaussian blobs in 50-D (750 points, Barnes–Hut, 2-D): map kNN accuracy > 0.95", async () => {
    const { points, labels } = blobs(5, 150, 50, 1);
    const seen: TsneProgress[] = [];
    const r = await tsne(points, { method: "barnes-hut", iterations: 250, seed: 1, onProgress: (p) => void seen.push(p) });
    expect(r.iterations).toBe(500);
    expect(r.stoppedEarly).toBe(false);
    expect(r.embedding.every(Number.isFinite)).toBe(true);
    expect(mapKnnAccuracy(r.embedding, 2, labels)).toBeGreaterThan(0.95);
    expect(seen.map((p) => p.iteration)).toEqual([50, 100, 150, 200, 250, 300, 350, 400, 450, 500]);
    expect(seen[4].phase).toBe("early-exaggeration");
    expect(seen[5].phase).toBe("embedding");
    expect(seen[9].kl).toBeLessThan(seen[5].kl);
    expect(Math.abs(r.kl - seen[9].kl)).toBeLessThan(0.05);
  });

  it("tsne() separates the blobs in 3-D too (Barnes–Hut octree)", async () => {
    const { points, labels } = blobs(5, 80, 50, 2);
    const r = await tsne(points, { dims: 3, method: "barnes-hut", iterations: 200, seed: 2 });
    expect(r.embedding.length).toBe(1200);
    expect(mapKnnAccuracy(r.embedding, 3, labels)).toBeGreaterThan(0.95);
  });

  it("tsne() with the same seed gives the identical map; another seed another map", async () => {
    const { points } = blobs(3, 40, 10, 3);
    const knn = exactKnn(points, 30);
    const options = { perplexity: 10, init: "random" as const, iterations: 50, exaggerationIterations: 50, knn };
    const a = await tsne(points, { ...options, seed: 5 });
    const b = await tsne(points, { ...options, seed: 5 });
    const c = await tsne(points, { ...options, seed: 6 });
    expect(Array.from(b.embedding)).toEqual(Array.from(a.embedding));
    expect(Array.from(c.embedding)).not.toEqual(Array.from(a.embedding));
    expect(b.kl).toBe(a.kl);
  });

  it("tsne() stops when onProgress returns false and returns the partial map", async () => {
    const { points } = blobs(3, 40, 10, 4);
    const r = await tsne(points, { perplexity: 10, onProgress: (p) => p.iteration < 100 });
    expect(r.stoppedEarly).toBe(true);
    expect(r.iterations).toBe(100);
    expect(Number.isFinite(r.kl)).toBe(true);
    expect(r.embedding.length).toBe(240);
  });

  it("tsne() with the exact method reaches a lower KL than its start and keeps the map centred", async () => {
    const { points } = blobs(4, 50, 20, 5);
    const r = await tsne(points, { method: "exact", perplexity: 15, iterations: 200 });
    let mx = 0;
    let my = 0;
    for (let i = 0; i < 200; i++) [mx, my] = [mx + r.embedding[2 * i] / 200, my + r.embedding[2 * i + 1] / 200];
    expect(Math.abs(mx) + Math.abs(my)).toBeLessThan(1e-3);
    expect(r.kl).toBeLessThan(1);
  });

  it("tsne() reports every bad option together, and too large a perplexity with the largest valid one", async () => {
    const { points } = blobs(2, 20, 5, 6);
    await expect(tsne(points, { dims: 4 as 2, iterations: -1 })).rejects.toThrow(/dims must be 2 or 3.*iterations must be an integer ≥ 0/);
    await expect(tsne(points)).rejects.toThrow(/perplexity 30 needs at least 91 points.*at most 13/);
    await expect(tsne(points, { perplexity: 5, method: "fft", dims: 3 })).rejects.toThrow(/"fft" makes 2-D maps only/);
  });

  it("TSNE_DEFAULTS are openTSNE's: perplexity 30, exaggeration 12 for 250 iterations, then 750", () => {
    expect(TSNE_DEFAULTS).toMatchObject({ perplexity: 30, earlyExaggeration: 12, exaggerationIterations: 250, iterations: 750, theta: 0.5 });
  });
});

describe("initialize(points, init, {dims, seed})", () => {
  const { points } = blobs(3, 50, 10, 8);
  const std0 = (y: Float64Array, dims: number) => {
    let m = 0;
    let s = 0;
    for (let i = 0; i < points.n; i++) m += y[i * dims] / points.n;
    for (let i = 0; i < points.n; i++) s += (y[i * dims] - m) ** 2 / points.n;
    return Math.sqrt(s);
  };

  it("initialize('pca') scales the first principal component to std 1e-4 (plus 1% jitter)", () => {
    for (const dims of [2, 3] as const) {
      const y = initialize(points, "pca", { dims, seed: 1 });
      expect(y.length).toBe(points.n * dims);
      expect(Math.abs(std0(y, dims) / INIT_STD - 1)).toBeLessThan(0.02);
      expect(std0(y.subarray(1), dims)).toBeLessThan(std0(y, dims));
    }
  });

  it("initialize('random') is seeded Gaussian of std 1e-4", () => {
    const a = initialize(points, "random", { dims: 2, seed: 3 });
    expect(Array.from(initialize(points, "random", { dims: 2, seed: 3 }))).toEqual(Array.from(a));
    expect(Math.abs(std0(a, 2) / INIT_STD - 1)).toBeLessThan(0.2);
  });

  it("initialize(array) copies given positions and checks their length", () => {
    const given = new Float32Array(points.n * 2).fill(0.5);
    expect(initialize(points, given, { dims: 2 })[7]).toBe(0.5);
    expect(() => initialize(points, new Float32Array(3), { dims: 2 })).toThrow(/init holds 3 values but the map needs N×dims = 150×2 = 300/);
  });
});

describe("resolveMethod(method, n, dims)", () => {
  it("resolveMethod('auto') is exact below 1,000 points, FFT for 2-D maps from 10,000, else Barnes–Hut", () => {
    expect(resolveMethod("auto", 999, 2)).toBe("exact");
    expect(resolveMethod("auto", 1000, 2)).toBe("barnes-hut");
    expect(resolveMethod("auto", 9999, 2)).toBe("barnes-hut");
    expect(resolveMethod("auto", 10000, 2)).toBe("fft");
    expect(resolveMethod("auto", 70000, 3)).toBe("barnes-hut");
    expect(resolveMethod("exact", 70000, 3)).toBe("exact");
    expect(chooseRepulsion("auto", 999, 2)).toBe(exactRepulsion);
  });
});

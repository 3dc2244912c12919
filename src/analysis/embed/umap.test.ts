import { describe, expect, it } from "vitest";
import { exactKnn } from "../neighbors/exact.js";
import { fuzzySimplicialSet, umap } from "./umap.js";
import { blobs, mapKnnAccuracy } from "./tsne/tsne.testutil.js";

describe("umap", () => {
  const { points, labels } = blobs(4, 150, 10, 3);
  const knn = exactKnn(points, 14);

  it("fuzzySimplicialSet() is symmetric, in (0, 1], with each point's nearest neighbour at strength 1", () => {
    const g = fuzzySimplicialSet(knn, 15);
    const weight = new Map<string, number>();
    for (let e = 0; e < g.rows.length; e++) weight.set(`${g.rows[e]},${g.cols[e]}`, g.weights[e]);
    for (let e = 0; e < g.rows.length; e++) {
      expect(weight.get(`${g.cols[e]},${g.rows[e]}`)).toBe(g.weights[e]);
      expect(g.weights[e]).toBeGreaterThan(0);
      expect(g.weights[e]).toBeLessThanOrEqual(1);
    }
    for (let i = 0; i < points.n; i++) expect(weight.get(`${i},${knn.indices[i * 14]}`)).toBeCloseTo(1, 12);
    // Every stored neighbour pair is an edge, and no pair is listed twice.
    expect(weight.size).toBe(g.rows.length);
    expect(g.rows.length).toBeGreaterThanOrEqual(points.n * 14);
  });

  it("umap() separates well-separated blobs and the same seed gives the same map", async () => {
    const a = await umap(points, { knn, seed: 1 });
    const b = await umap(points, { knn, seed: 1 });
    const c = await umap(points, { knn, seed: 2 });
    expect(a.embedding.length).toBe(2 * points.n);
    expect(Array.from(a.embedding)).toEqual(Array.from(b.embedding));
    expect(Array.from(a.embedding)).not.toEqual(Array.from(c.embedding));
    expect(a.epochs).toBe(500);
    expect(mapKnnAccuracy(a.embedding, 2, labels)).toBeGreaterThan(0.98);
  });

  // The layout is chaotic (alpha starts at 1, forces are clipped): any perturbation, a rounding as
  // much as the table's 1e-8, grows to whole units within 10 epochs, so maps are compared by quality.
  it("umap({ tablePow: false }) (Math.exp/log for d^b) and the table agree: 5 epochs within 1e-5, the whole map's quality within 0.01", async () => {
    const table = await umap(points, { knn, seed: 4, nEpochs: 5 });
    const explog = await umap(points, { knn, seed: 4, nEpochs: 5, tablePow: false });
    let worst = 0;
    for (let e = 0; e < table.embedding.length; e++) worst = Math.max(worst, Math.abs(table.embedding[e] - explog.embedding[e]));
    expect(worst).toBeLessThan(1e-5);
    const full = [await umap(points, { knn, seed: 4 }), await umap(points, { knn, seed: 4, tablePow: false })];
    const [a, b] = full.map((r) => mapKnnAccuracy(r.embedding, 2, labels));
    expect(Math.abs(a - b)).toBeLessThanOrEqual(0.01);
  });

  it("umap({ dims: 3, nEpochs, onProgress }) makes a 3-D map and stops when asked", async () => {
    const seen: number[] = [];
    const r = await umap(points, { knn, dims: 3, nEpochs: 100, onProgress: (epoch) => (seen.push(epoch), epoch < 50) });
    expect(r.embedding.length).toBe(3 * points.n);
    expect(r.stoppedEarly).toBe(true);
    expect(r.epochs).toBe(50);
    expect(seen).toEqual([10, 20, 30, 40, 50]);
    expect(r.embedding.every(Number.isFinite)).toBe(true);
  });

  it("umap() refuses a graph of other points or too few neighbours, and nNeighbors < 2", async () => {
    await expect(umap(points, { knn: exactKnn(points, 5) })).rejects.toThrow(/at least 14 neighbours, got 600 × 5/);
    await expect(umap(points, { knn, nNeighbors: 1 })).rejects.toThrow(/nNeighbors must be an integer ≥ 2, got 1/);
  });
});

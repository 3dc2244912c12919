import { describe, expect, it } from "vitest";
import type { Points } from "../../neighbors/types.js";
import { decodeMap, encodeMap } from "./mapFile.js";
import { transform, TRANSFORM_DEFAULTS, type TsneMap } from "./transform.js";
import { tsne } from "./tsne.js";
import { blobs } from "./tsne.testutil.js";

/** Rows of `points` where keep(i) holds. */
function rows(points: Points, keep: (i: number) => boolean): { points: Points; index: number[] } {
  const index = Array.from({ length: points.n }, (_, i) => i).filter(keep);
  const data = new Float32Array(index.length * points.d);
  index.forEach((i, r) => data.set(points.data.subarray(i * points.d, (i + 1) * points.d), r * points.d));
  return { points: { n: index.length, d: points.d, data }, index };
}

describe("transform(map, points, options)", async () => {
  const all = blobs(4, 100, 20, 21);
  const ref = rows(all.points, (i) => i % 5 !== 0);
  const held = rows(all.points, (i) => i % 5 === 0);
  const result = await tsne(ref.points, { method: "exact", iterations: 300, seed: 3 });
  const map: TsneMap = { dims: 2, embedding: result.embedding, points: ref.points };
  const refLabels = ref.index.map((i) => all.labels[i]);
  const heldLabels = held.index.map((i) => all.labels[i]);

  /** Fraction of placed points whose nearest reference point in the map has their label. */
  function nearestLabelAccuracy(y: Float32Array): number {
    let right = 0;
    for (let i = 0; i < heldLabels.length; i++) {
      let best = Infinity;
      let label = -1;
      for (let j = 0; j < refLabels.length; j++) {
        const d = (y[2 * i] - map.embedding[2 * j]) ** 2 + (y[2 * i + 1] - map.embedding[2 * j + 1]) ** 2;
        if (d < best) [best, label] = [d, refLabels[j]];
      }
      if (label === heldLabels[i]) right++;
    }
    return right / heldLabels.length;
  }

  for (const method of ["exact", "barnes-hut"] as const) {
    it(`transform() places held-out points of each blob next to their blob (${method})`, async () => {
      const r = await transform(map, held.points, { method });
      expect(r.iterations).toBe(250);
      expect(r.embedding.every(Number.isFinite)).toBe(true);
      expect(nearestLabelAccuracy(r.embedding)).toBeGreaterThan(0.95);
      expect(r.kl).toBeGreaterThan(0);
    });
  }

  it("transform() moves the median start toward lower KL and leaves the map alone", async () => {
    const before = Float32Array.from(map.embedding);
    const start = await transform(map, held.points, { iterations: 0 });
    const end = await transform(map, held.points, {});
    expect(end.kl).toBeLessThan(start.kl);
    expect(Array.from(map.embedding)).toEqual(Array.from(before));
  });

  it("transform() stops when onProgress returns false", async () => {
    const r = await transform(map, held.points, { onProgress: () => false });
    expect(r.stoppedEarly).toBe(true);
    expect(r.iterations).toBe(50);
  });

  it("transform() rejects points of another dimension and too large a perplexity", async () => {
    await expect(transform(map, { n: 1, d: 3, data: new Float32Array(3) })).rejects.toThrow(/points have 3 dimensions but the map was made from 20/);
    await expect(transform(map, held.points, { perplexity: 200 })).rejects.toThrow(/perplexity must be > 0 and at most 106.66/);
  });

  it("TRANSFORM_DEFAULTS are openTSNE's transform defaults", () => {
    expect(TRANSFORM_DEFAULTS).toMatchObject({ perplexity: 5, k: 25, learningRate: 0.1, exaggeration: 1.5, iterations: 250, momentum: 0.8, maxGradNorm: 0.25 });
  });

  it("encodeMap() / decodeMap() round-trip a map and reject other bytes", () => {
    const back = decodeMap(encodeMap(map));
    expect(back.dims).toBe(2);
    expect(Array.from(back.embedding)).toEqual(Array.from(map.embedding));
    expect(back.points.n).toBe(map.points.n);
    expect(Array.from(back.points.data)).toEqual(Array.from(map.points.data));
    expect(() => decodeMap(new Uint8Array(10), "x.bin")).toThrow(/x.bin: not a featurelens t-SNE map/);
    expect(() => decodeMap(encodeMap(map).subarray(0, 100))).toThrow(/truncated or damaged/);
  });
});

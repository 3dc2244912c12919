import { describe, expect, it } from "vitest";
import { DataError, UsageError } from "../../util/errors.js";
import type { KnnGraph } from "../neighbors/types.js";
import { bruteKnn, decodePoints, expectClose, loadFixture, randomPoints } from "./embed.testutil.js";
import { knnAccuracy, knnPreservation, silhouette, trustworthiness } from "./quality.js";
import { createRng } from "../../util/rng.js";

// scripts/make-embed-fixtures.py: scikit-learn 1.2 on float32 points (seen as float64 by both).
// Trustworthiness is a sum of integer ranks: exact up to rounding. Silhouettes within 1e-9.
const f = loadFixture("quality.json");
const x = decodePoints(f.x.data, f.x.d);
const y = decodePoints(f.y.data, f.y.d);
const labels = Int32Array.from(f.labels as number[]);

describe("trustworthiness()", () => {
  it.each(Object.keys(f.trustworthiness).map(Number))("trustworthiness(x, y, { k: %i }) matches sklearn.manifold.trustworthiness", (k) => {
    const expected = f.trustworthiness[String(k)];
    expectClose(trustworthiness(x, y, { k }), expected, 1e-12, "from map points");
    expectClose(trustworthiness(x, bruteKnn(y, 44), { k }), expected, 1e-12, "from a map kNN graph");
  });

  it("trustworthiness() of a map that is the input itself is 1", () => {
    expect(trustworthiness(x, x, { k: 7 })).toBeCloseTo(1, 12);
  });

  it("trustworthiness({ sample }) is seeded, near the exact value, and exact when sample ≥ N", () => {
    const exact = trustworthiness(x, y, { k: 5 });
    expect(trustworthiness(x, y, { k: 5, sample: 500 })).toBe(exact);
    const a = trustworthiness(x, y, { k: 5, sample: 45, seed: 3 });
    expect(trustworthiness(x, y, { k: 5, sample: 45, seed: 3 })).toBe(a);
    expect(Math.abs(a - exact)).toBeLessThan(0.03);
  });

  it("trustworthiness() rejects k ≥ N/2, a map of other points and a graph with too few neighbours", () => {
    expect(() => trustworthiness(x, y, { k: 45 })).toThrow(/1 ≤ k < N\/2 = 45, got 45/);
    expect(() => trustworthiness(x, randomPoints(10, 2, 1))).toThrow(DataError);
    expect(() => trustworthiness(x, bruteKnn(y, 3), { k: 5 })).toThrow(/k must be an integer in 1\.\.3/);
    expect(() => trustworthiness(x, y, { sample: 0.5 })).toThrow(UsageError);
  });
});

describe("knnPreservation()", () => {
  const gx = bruteKnn(x, 10);
  const gy = bruteKnn(y, 10);

  it("knnPreservation(g, g) is 1, and counts shared neighbours against a brute-force count", () => {
    expect(knnPreservation(gx, gx)).toBe(1);
    let shared = 0;
    for (let i = 0; i < x.n; i++) {
      const a = new Set(gx.indices.subarray(i * 10, i * 10 + 5));
      for (const j of gy.indices.subarray(i * 10, i * 10 + 5)) if (a.has(j)) shared++;
    }
    expect(knnPreservation(gx, gy, { k: 5 })).toBeCloseTo(shared / (x.n * 5), 12);
  });

  it("knnPreservation() of a lossy map lies strictly between chance and 1", () => {
    const p = knnPreservation(gx, gy);
    expect(p).toBeGreaterThan(10 / 89);
    expect(p).toBeLessThan(1);
  });

  it("knnPreservation() rejects k beyond the graphs' and graphs of different sizes", () => {
    expect(() => knnPreservation(gx, gy, { k: 11 })).toThrow(/k must be an integer in 1\.\.10/);
    expect(() => knnPreservation(gx, bruteKnn(randomPoints(20, 2, 1), 10))).toThrow(DataError);
  });
});

describe("knnAccuracy()", () => {
  it("knnAccuracy() votes by majority, a tie going to the label met first (nearest)", () => {
    // Points on a line: 0 1 2 | 10 11 | 20. Labels 0 0 1 1 1 2.
    const line = { n: 6, d: 1, data: new Float32Array([0, 1, 2, 10, 11, 20]) };
    const lab = Int32Array.from([0, 0, 1, 1, 1, 2]);
    // k = 2: point 0 → {1: label 0, 2: label 1} tie → label 0 (nearest) ✓; point 1 → {0, 2} tie → 0 first ✓;
    // point 2 → {1: 0, 0: 0} → 0 ✗; point 3 → {4: 1, 2: 1} ✓; point 4 → {3, 2} ✓; point 5 → {4, 3} → 1 ✗.
    expect(knnAccuracy(line, lab, { k: 2 })).toBeCloseTo(4 / 6, 12);
    expect(knnAccuracy(bruteKnn(line, 2), lab, { k: 2 })).toBeCloseTo(4 / 6, 12);
  });

  it("knnAccuracy() of well-separated classes is high and matches between points and graph", () => {
    const acc = knnAccuracy(x, labels);
    expect(acc).toBeGreaterThan(0.8);
    expect(knnAccuracy(bruteKnn(x, 10), labels)).toBe(acc);
  });

  it("knnAccuracy() rejects labels of another length, negative labels and k ≥ N", () => {
    expect(() => knnAccuracy(y, labels.subarray(1))).toThrow(/labels has 89 entries for 90 points/);
    expect(() => knnAccuracy(y, Int32Array.from(labels, (l) => l - 1))).toThrow(/index 0 holds -1/);
    const tiny: KnnGraph = bruteKnn({ n: 3, d: 1, data: new Float32Array([0, 1, 2]) }, 2);
    expect(() => knnAccuracy(tiny, Int32Array.from([0, 1, 0]), { k: 3 })).toThrow(UsageError);
  });
});

describe("silhouette()", () => {
  const classMeans = (samples: number[], labs: number[], k: number) =>
    Array.from({ length: k }, (_, c) => {
      const own = samples.filter((_, i) => labs[i] === c);
      return own.reduce((a, b) => a + b, 0) / own.length;
    });

  it.each(["map", "input"])("silhouette() of the %s matches silhouette_samples and silhouette_score", (which) => {
    const e = f.silhouette[which];
    const s = silhouette(which === "map" ? y : x, labels);
    expectClose(s.samples, e.samples, 1e-9, "samples");
    expectClose(s.score, e.score, 1e-9, "score");
    expectClose(s.perClass, classMeans(e.samples, f.labels, 3), 1e-9, "perClass");
    expect(Array.from(s.indices)).toEqual(Array.from({ length: 90 }, (_, i) => i));
  });

  it("silhouette() gives a one-member class 0, as scikit-learn", () => {
    const e = f.silhouette.singleton;
    const s = silhouette(y, Int32Array.from(e.labels as number[]));
    expectClose(s.samples, e.samples, 1e-9, "samples");
    expectClose(s.score, e.score, 1e-9, "score");
    expect(s.perClass[3]).toBe(0);
  });

  it("silhouette({ sample }) is seeded and computed within the sampled rows", () => {
    const a = silhouette(y, labels, { sample: 30, seed: 2 });
    const b = silhouette(y, labels, { sample: 30, seed: 2 });
    expect(a).toEqual(b);
    expect(a.indices.length).toBe(30);
    const sub = { n: 30, d: 2, data: Float32Array.from(Array.from(a.indices).flatMap((i) => [y.data[2 * i], y.data[2 * i + 1]])) };
    const direct = silhouette(sub, Int32Array.from(a.indices, (i) => labels[i]));
    expectClose(a.samples, direct.samples, 1e-12, "samples");
  });

  it("silhouette() rejects a single class", () => {
    expect(() => silhouette(y, new Int32Array(90))).toThrow(/needs 2\.\.89 distinct labels .* got 1/);
  });
});

describe("sampled estimates against all rows (the sizes mapQuality uses)", () => {
  // Seeded: 6,000 points in 8 Gaussian clusters in 20-D; the map is a noisy 2-D projection of them.
  const rng = createRng(7);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const n = 6000;
  const d = 20;
  const centres = Float32Array.from({ length: 8 * d }, () => 3 * normal());
  const cls = Int32Array.from({ length: n }, () => rng.int(8));
  const input = { n, d, data: Float32Array.from({ length: n * d }, (_, e) => centres[cls[Math.floor(e / d)] * d + (e % d)] + normal()) };
  const map = { n, d: 2, data: Float32Array.from({ length: 2 * n }, (_, e) => input.data[Math.floor(e / 2) * d + (e % 2)] + input.data[Math.floor(e / 2) * d + 2 + (e % 2)] + 0.5 * normal()) };

  it("trustworthiness({ sample: 300 }) is within 0.005 of all 6,000 rows' value, for 3 seeds", () => {
    const all = trustworthiness(input, map, { k: 10 });
    for (const seed of [0, 1, 2]) expect(Math.abs(trustworthiness(input, map, { k: 10, sample: 300, seed }) - all)).toBeLessThan(0.005);
  });

  it("silhouette({ sample: 2000 }) is within 0.02 of all 6,000 rows' value, in the input and in the map, for 3 seeds", () => {
    for (const points of [input, map]) {
      const all = silhouette(points, cls).score;
      for (const seed of [0, 1, 2]) expect(Math.abs(silhouette(points, cls, { sample: 2000, seed }).score - all)).toBeLessThan(0.02);
    }
  });
});

import { createRng } from "../../util/rng.js";
import type { KnnGraph, Metric, Points } from "./types.js";

/** Seeded uniform points in [-1, 1)^d. */
export function randomPoints(n: number, d: number, seed: number): Points {
  const rng = createRng(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = 2 * rng.next() - 1;
  return { n, d, data };
}

/** Small integers in 0..levels-1: every distance is exact in float64, and ties are common. */
export function gridPoints(n: number, d: number, levels: number, seed: number): Points {
  const rng = createRng(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(levels);
  return { n, d, data };
}

/** `clusters` Gaussian-ish blobs (sum of uniforms) around random centres, points shuffled by the RNG. */
export function clusteredPoints(n: number, d: number, clusters: number, seed: number): Points {
  const rng = createRng(seed);
  const centres = Array.from({ length: clusters * d }, () => 10 * (2 * rng.next() - 1));
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = rng.int(clusters);
    for (let t = 0; t < d; t++) data[i * d + t] = centres[c * d + t] + (rng.next() + rng.next() + rng.next() - 1.5);
  }
  return { n, d, data };
}

/** Direct float64 distance, the test oracle. */
export function distance(a: Float32Array, p: number, b: Float32Array, q: number, d: number, metric: Metric): number {
  let s = 0;
  let na = 0;
  let nb = 0;
  for (let t = 0; t < d; t++) {
    const x = a[p + t];
    const y = b[q + t];
    if (metric === "l2") s += (x - y) * (x - y);
    else if (metric === "l1") s += Math.abs(x - y);
    else {
      s += x * y;
      na += x * x;
      nb += y * y;
    }
  }
  if (metric === "l2") return Math.sqrt(s);
  if (metric === "l1") return s;
  return na === 0 || nb === 0 ? 1 : 1 - s / Math.sqrt(na * nb);
}

/** Brute force: every distance, fully sorted (nearer first, then lower index). */
export function bruteKnn(reference: Points, queries: Points | null, k: number, metric: Metric): KnnGraph {
  const q = queries ?? reference;
  const indices = new Int32Array(q.n * k);
  const distances = new Float32Array(q.n * k);
  for (let i = 0; i < q.n; i++) {
    const all: [number, number][] = [];
    for (let j = 0; j < reference.n; j++) {
      if (!queries && j === i) continue;
      all.push([distance(q.data, i * q.d, reference.data, j * q.d, q.d, metric), j]);
    }
    all.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    for (let m = 0; m < k; m++) {
      indices[i * k + m] = all[m][1];
      distances[i * k + m] = all[m][0];
    }
  }
  return { n: q.n, k, metric, indices, distances };
}

import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { createRng } from "../../util/rng.js";
import type { KnnGraph, Points } from "../neighbors/types.js";

const DIR = new URL("./fixtures/", import.meta.url);

/** A fixture written by scripts/make-embed-fixtures.py. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadFixture(name: string): any {
  return JSON.parse(readFileSync(new URL(name, DIR), "utf8"));
}

/** Points from the fixtures' base64 little-endian float32. */
export function decodePoints(base64: string, d: number): Points {
  const bytes = Buffer.from(base64, "base64");
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { n: data.length / d, d, data };
}

/** Asserts each number within tol·max(1, |expected|) of the expected one. */
export function expectClose(actual: ArrayLike<number> | number, expected: ArrayLike<number> | number, tol: number, what: string): void {
  const a = typeof actual === "number" ? [actual] : actual;
  const e = typeof expected === "number" ? [expected] : expected;
  expect(a.length, `${what}: length`).toBe(e.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs(a[i] - e[i]) / Math.max(1, Math.abs(e[i]));
    if (!(err <= worst)) [worst, at] = [err, i];
  }
  expect(worst <= tol, `${what}[${at}]: got ${a[at]}, expected ${e[at]} (relative difference ${worst} > ${tol})`).toBe(true);
}

/** Exact k nearest neighbours by brute force (l2, self excluded, ties by index), for tests. */
export function bruteKnn(points: Points, k: number): KnnGraph {
  const { n, d, data } = points;
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const dist = new Float64Array(n);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const v = data[i * d + t] - data[j * d + t];
        s += v * v;
      }
      dist[j] = Math.sqrt(s);
    }
    const sorted = order.filter((j) => j !== i).sort((a, b) => dist[a] - dist[b] || a - b);
    for (let c = 0; c < k; c++) {
      indices[i * k + c] = sorted[c];
      distances[i * k + c] = dist[sorted[c]];
    }
  }
  return { n, k, metric: "l2", indices, distances };
}

/** n seeded standard-normal points of d dimensions, times per-dimension scales (default 1). */
export function randomPoints(n: number, d: number, seed: number, scales?: number[]): Points {
  const rng = createRng(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n * d; i++) {
    const u = 1 - rng.next();
    const g = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
    data[i] = g * (scales?.[i % d] ?? 1);
  }
  return { n, d, data };
}

import { describe, expect, it } from "vitest";
import { centeredGram, ckaFromGrams, ckaMatrix, linearCka } from "./cka.js";

/** Deterministic pseudo-random features, n×d. */
function features(n: number, d: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n * d }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
}

/** x (n×d) times a d×d rotation (a product of Givens rotations) and a scale. */
function rotateScale(x: Float32Array, n: number, d: number, scale: number): Float32Array {
  const y = Float64Array.from(x);
  for (let p = 0; p + 1 < d; p++) {
    const c = Math.cos(0.3 + p);
    const s = Math.sin(0.3 + p);
    for (let i = 0; i < n; i++) {
      const a = y[i * d + p];
      const b = y[i * d + p + 1];
      y[i * d + p] = c * a - s * b;
      y[i * d + p + 1] = s * a + c * b;
    }
  }
  return Float32Array.from(y, (v) => v * scale);
}

describe("linear CKA (Kornblith et al. 2019)", () => {
  const n = 40;
  const x = features(n, 6, 1);
  const y = features(n, 9, 2);

  it("ckaFromGrams(centeredGram(x), centeredGram(y)) equals the N×D form linearCka(x, y)", () => {
    const viaGram = ckaFromGrams(centeredGram(x, n, 6), centeredGram(y, n, 9));
    expect(Math.abs(viaGram - linearCka(x, y, n, 6, 9))).toBeLessThan(1e-9);
    expect(viaGram).toBeGreaterThan(0);
    expect(viaGram).toBeLessThan(1);
  });

  it("linear CKA is 1 for a layer against itself, rotated and rescaled, and is unchanged by shifting either", () => {
    const rotated = rotateScale(x, n, 6, 3.5);
    expect(ckaFromGrams(centeredGram(x, n, 6), centeredGram(rotated, n, 6))).toBeCloseTo(1, 6);
    const shifted = x.map((v, i) => v + (i % 6) * 10);
    expect(linearCka(shifted, y, n, 6, 9)).toBeCloseTo(linearCka(x, y, n, 6, 9), 5);
  });

  it("ckaMatrix(a, b) holds every pair, row by row, and NaN for a constant layer", () => {
    const grams = [centeredGram(x, n, 6), centeredGram(y, n, 9), centeredGram(new Float32Array(n * 2).fill(3), n, 2)];
    const m = ckaMatrix(grams.slice(0, 2), grams);
    expect(m.length).toBe(6);
    expect(m[0]).toBeCloseTo(1, 12);
    expect(m[4]).toBeCloseTo(1, 12);
    expect(m[1]).toBeCloseTo(m[3], 12);
    expect(Number.isNaN(m[2])).toBe(true);
  });
});

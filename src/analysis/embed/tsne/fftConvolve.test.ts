import { describe, expect, it } from "vitest";
import { createRng } from "../../../util/rng.js";
import { createGridConvolver } from "./fftConvolve.js";

describe("createGridConvolver", () => {
  for (const m of [1, 5, 12, 15]) {
    it(`convolvePair(re, im) on a ${m}×${m} grid equals the direct sum Σ K(node − node') w(node')`, () => {
      const rng = createRng(m);
      const h = 0.37;
      const re = Float64Array.from({ length: m * m }, () => rng.next() - 0.5);
      const im = Float64Array.from({ length: m * m }, () => rng.next() - 0.5);
      const expRe = new Float64Array(m * m);
      const expIm = new Float64Array(m * m);
      for (let y = 0; y < m; y++) {
        for (let x = 0; x < m; x++) {
          for (let y2 = 0; y2 < m; y2++) {
            for (let x2 = 0; x2 < m; x2++) {
              const k = 1 / (1 + ((x - x2) ** 2 + (y - y2) ** 2) * h * h) ** 2;
              expRe[y * m + x] += k * re[y2 * m + x2];
              expIm[y * m + x] += k * im[y2 * m + x2];
            }
          }
        }
      }
      const convolver = createGridConvolver(m);
      convolver.setSpacing(h);
      convolver.convolvePair(re, im);
      for (let i = 0; i < m * m; i++) {
        expect(re[i]).toBeCloseTo(expRe[i], 12);
        expect(im[i]).toBeCloseTo(expIm[i], 12);
      }
    });
  }
});

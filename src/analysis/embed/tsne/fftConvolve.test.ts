import { describe, expect, it } from "vitest";
import { createRng } from "../../../util/rng.js";
import { createGridConvolver } from "./fftConvolve.js";

describe("createGridConvolver", () => {
  for (const [m, simd] of [[1, false], [5, false], [12, false], [15, false], [1, true], [5, true], [12, true], [15, true], [48, true]] as const) {
    it(`convolvePair(re, im) on a ${m}×${m} grid equals the direct sum Σ K(node − node') w(node') (${simd ? "float32 WebAssembly SIMD" : "float64 JavaScript"})`, () => {
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
      const convolver = createGridConvolver(m, { simd });
      convolver.setSpacing(h);
      convolver.convolvePair(re, im);
      if (!simd) {
        for (let i = 0; i < m * m; i++) {
          expect(re[i]).toBeCloseTo(expRe[i], 12);
          expect(im[i]).toBeCloseTo(expIm[i], 12);
        }
        return;
      }
      // float32 transforms: within ~1e-6 of the largest value (the sums cancel, so not per entry).
      const scale = Math.max(...expRe.map(Math.abs), ...expIm.map(Math.abs));
      let worst = 0;
      for (let i = 0; i < m * m; i++) worst = Math.max(worst, Math.abs(re[i] - expRe[i]), Math.abs(im[i] - expIm[i]));
      expect(worst / scale).toBeLessThan(5e-6);
      expect(worst).toBeGreaterThan(0); // it did run in float32
    });
  }
});

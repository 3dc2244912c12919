import { describe, expect, it } from "vitest";
import { createRng } from "../../util/rng.js";
import { createFftPlan, fftColumns, fftInPlace, nextSmoothSize } from "./transform.js";

/** X_k = Σ_t x_t e^{∓2πi kt/n}, summed directly in O(n²). */
function directDft(re: Float64Array, im: Float64Array, inverse: boolean): [Float64Array, Float64Array] {
  const n = re.length;
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const angle = (sign * 2 * Math.PI * ((k * t) % n)) / n;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      sr += re[t] * c - im[t] * s;
      si += re[t] * s + im[t] * c;
    }
    outRe[k] = sr;
    outIm[k] = si;
  }
  return [outRe, outIm];
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("fftInPlace", () => {
  const lengths = [1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 30, 49, 60, 64, 77, 96, 100, 150, 300, 600, 1024];
  for (const n of lengths) {
    it(`fftInPlace(plan(${n})) matches a direct DFT, forward and inverse`, () => {
      const rng = createRng(n);
      const re = Float64Array.from({ length: n }, () => rng.next() * 2 - 1);
      const im = Float64Array.from({ length: n }, () => rng.next() * 2 - 1);
      const plan = createFftPlan(n);
      for (const inverse of [false, true]) {
        const [expRe, expIm] = directDft(re, im, inverse);
        const gotRe = re.slice();
        const gotIm = im.slice();
        fftInPlace(plan, gotRe, gotIm, inverse);
        const tol = 1e-12 * n;
        expect(maxAbsDiff(gotRe, expRe)).toBeLessThan(tol);
        expect(maxAbsDiff(gotIm, expIm)).toBeLessThan(tol);
      }
    });
  }

  it("fftInPlace(plan, x) then the inverse divided by n returns x", () => {
    const n = 360;
    const rng = createRng(3);
    const re = Float64Array.from({ length: n }, () => rng.next());
    const im = Float64Array.from({ length: n }, () => rng.next());
    const plan = createFftPlan(n);
    const r2 = re.slice();
    const i2 = im.slice();
    fftInPlace(plan, r2, i2);
    fftInPlace(plan, r2, i2, true);
    for (let i = 0; i < n; i++) {
      r2[i] /= n;
      i2[i] /= n;
    }
    expect(maxAbsDiff(r2, re)).toBeLessThan(1e-13);
    expect(maxAbsDiff(i2, im)).toBeLessThan(1e-13);
  });

  it("fftColumns(plan, buffers, cols) transforms every column as fftInPlace does", () => {
    const n = 60;
    const cols = 7;
    const rng = createRng(5);
    const re = Float64Array.from({ length: n * cols }, () => rng.next());
    const im = Float64Array.from({ length: n * cols }, () => rng.next());
    const plan = createFftPlan(n);
    const buffers = { re: re.slice(), im: im.slice(), spareRe: new Float64Array(n * cols), spareIm: new Float64Array(n * cols) };
    fftColumns(plan, buffers, cols, true);
    for (let c = 0; c < cols; c++) {
      const colRe = Float64Array.from({ length: n }, (_, t) => re[t * cols + c]);
      const colIm = Float64Array.from({ length: n }, (_, t) => im[t * cols + c]);
      fftInPlace(plan, colRe, colIm, true);
      for (let t = 0; t < n; t++) {
        expect(buffers.re[t * cols + c]).toBeCloseTo(colRe[t], 12);
        expect(buffers.im[t * cols + c]).toBeCloseTo(colIm[t], 12);
      }
    }
  });

  it("createFftPlan(0) is a RangeError naming the length", () => {
    expect(() => createFftPlan(0)).toThrow(/FFT length must be a positive integer, got 0/);
  });
});

describe("nextSmoothSize", () => {
  it("nextSmoothSize(n) rounds up to a product of 2, 3 and 5", () => {
    expect([1, 7, 11, 49, 50, 51, 97, 101, 127].map(nextSmoothSize)).toEqual([1, 8, 12, 50, 50, 54, 100, 108, 128]);
  });
});

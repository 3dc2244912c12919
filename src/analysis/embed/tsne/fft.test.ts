import { describe, expect, it } from "vitest";
import { createFftRepulsion, FFT_REPULSION_DEFAULTS, fftGridLayout, fftRepulsion } from "./fft.js";
import { clusteredMap, exactRepulsion2d, gaussianMap, relativeError, uniformMap } from "./fft.testutil.js";
import type { Repulsion, RepulsionMethod } from "./types.js";

const N = 3000;

async function errors(method: RepulsionMethod, y: Float64Array, exact: Repulsion): Promise<{ z: number; forces: number }> {
  const got = await method(y, N, 2);
  return { z: Math.abs(got.z - exact.z) / exact.z, forces: relativeError(got.forces, exact.forces) };
}

describe("fftRepulsion", () => {
  const maps: [string, Float64Array, number][] = [
    // name, map, force tolerance with the defaults. FIt-SNE's defaults (3 nodes per unit-wide
    // interval) leave 1–3% force error once the map is ±50 wide (measured: 1.2e-2 here, 0.9–2e-2
    // at 70k points); interpolationPoints: 4 brings it under 1e-2, see below.
    ["an initialisation (N(0, 1e-4²))", gaussianMap(N, 1e-4, 1), 1e-6],
    ["an early map (N(0, 1))", gaussianMap(N, 1, 2), 1e-3],
    ["a uniform map in ±5", uniformMap(N, 5, 3), 1e-3],
    ["a late-stage map (10 clusters in ±50)", clusteredMap(N, 10, 48, 2, 4), 3e-2],
    ["a late-stage map far from the origin", clusteredMap(N, 10, 48, 2, 5).map((v) => v + 1000), 3e-2],
  ];
  const float64 = createFftRepulsion({ simd: false });
  for (const [name, y, forceTolerance] of maps) {
    it(`fftRepulsion(y) on ${name} matches the exact sums: Z within 1e-3, forces within ${forceTolerance} (float64; float32 within 1e-4)`, async () => {
      const exact = exactRepulsion2d(y, N);
      const e = await errors(float64, y, exact);
      expect(e.z).toBeLessThan(1e-3);
      expect(e.forces).toBeLessThan(forceTolerance);
      // The default float32 transforms: only where interpolation is near exact does their rounding show.
      const e32 = await errors(fftRepulsion, y, exact);
      expect(e32.z).toBeLessThan(1e-3);
      expect(e32.forces).toBeLessThan(Math.max(forceTolerance, 1e-4));
    });
  }

  it("createFftRepulsion({ interpolationPoints }) tightens the error on a late-stage ±50 map", async () => {
    const y = clusteredMap(N, 10, 48, 2, 4);
    const exact = exactRepulsion2d(y, N);
    const e3 = await errors(createFftRepulsion({ interpolationPoints: 3 }), y, exact);
    const e4 = await errors(createFftRepulsion({ interpolationPoints: 4 }), y, exact);
    const e5 = await errors(createFftRepulsion({ interpolationPoints: 5 }), y, exact);
    expect(e4.forces).toBeLessThan(1e-2);
    expect(e5.forces).toBeLessThan(3e-3);
    expect(e5.z).toBeLessThan(1e-4);
    expect(e4.forces).toBeLessThan(e3.forces / 2);
    expect(e5.forces).toBeLessThan(e4.forces / 2);
  });

  it("createFftRepulsion({ intervalsPerUnit: 2 }) tightens the error too", async () => {
    const y = clusteredMap(N, 10, 48, 2, 4);
    const exact = exactRepulsion2d(y, N);
    const e1 = await errors(fftRepulsion, y, exact);
    const e2 = await errors(createFftRepulsion({ intervalsPerUnit: 2 }), y, exact);
    expect(e2.forces).toBeLessThan(e1.forces / 3);
  });

  for (const [simd, tolerance] of [[false, 1e-9], [true, 1e-4]] as const) {
    it(`fftRepulsion(y) does not depend on where the map sits (${simd ? "float32" : "float64"}: within ${tolerance})`, async () => {
      const method = createFftRepulsion({ simd });
      for (const y of [clusteredMap(N, 5, 20, 3, 6), clusteredMap(N, 8, 60, 3, 6)]) {
        const shifted = y.map((v) => v - 250);
        const a = await method(y, N, 2);
        const forces = a.forces.slice();
        const b = await method(shifted, N, 2);
        expect(Math.abs(a.z - b.z) / a.z).toBeLessThan(tolerance);
        expect(relativeError(b.forces, forces)).toBeLessThan(tolerance);
      }
    });
  }

  it("fftRepulsion(y) of coincident points has zero forces and Z = N(N − 1)", async () => {
    const n = 50;
    const y = new Float64Array(2 * n).fill(3.5);
    // float32: the potentials' rounding (~1e-7 of N) leaves forces of ~1e-6 where they cancel exactly.
    for (const [simd, tolerance, forces] of [[false, 1e-9, 1e-12], [true, 1e-6, 1e-4]] as const) {
      const r = await createFftRepulsion({ simd })(y, n, 2);
      expect(Math.abs(r.z - n * (n - 1)) / (n * (n - 1))).toBeLessThan(tolerance);
      expect(Math.max(...r.forces.map(Math.abs))).toBeLessThan(forces);
    }
  });

  it("fftRepulsion(y, n, 2, out) writes into out and stays right as the map size and extent change", async () => {
    const method = createFftRepulsion();
    const out = new Float64Array(2 * N);
    for (const [n, y] of [
      [N, clusteredMap(N, 8, 30, 2, 7)],
      [500, uniformMap(500, 3, 8)],
      [N, gaussianMap(N, 1e-3, 9)],
    ] as const) {
      const r = await method(y, n, 2, out);
      expect(r.forces).toBe(out);
      const fresh = await createFftRepulsion()(y, n, 2);
      expect(relativeError(r.forces, fresh.forces, 2 * n)).toBeLessThan(1e-12);
      expect(r.z).toBeCloseTo(fresh.z, 6);
    }
  });

  it("fftRepulsion(y) of fewer than two points is zero", async () => {
    expect(await fftRepulsion(new Float64Array(0), 0, 2)).toEqual({ forces: new Float64Array(0), z: 0 });
    expect(await fftRepulsion(new Float64Array([1, 2]), 1, 2)).toEqual({ forces: new Float64Array(2), z: 0 });
  });

  it("fftRepulsion(y, n, 3) is a RangeError: 2-D only", () => {
    expect(() => fftRepulsion(new Float64Array(9), 3, 3)).toThrow(RangeError);
    expect(() => fftRepulsion(new Float64Array(9), 3, 3)).toThrow(/2-D maps only, got dims = 3/);
  });

  it("fftRepulsion(y) with a NaN coordinate is a RangeError", () => {
    expect(() => fftRepulsion(new Float64Array([0, 0, NaN, 1]), 2, 2)).toThrow(/non-finite coordinate/);
  });

  it("createFftRepulsion(bad options) names every bad option at once", () => {
    expect(() => createFftRepulsion({ interpolationPoints: 0, minIntervals: 2.5, intervalsPerUnit: -1 })).toThrow(
      /interpolationPoints must be an integer ≥ 1, got 0; minIntervals must be an integer ≥ 1, got 2.5; intervalsPerUnit must be a finite number > 0, got -1/,
    );
  });
});

describe("fftGridLayout", () => {
  it("fftGridLayout(y) covers [min, max]² with at least minIntervals intervals, rounded to 2^a 3^b 5^c", () => {
    expect(fftGridLayout(new Float64Array([0, 0, 10, 4]), 2, FFT_REPULSION_DEFAULTS)).toEqual({ origin: 0, width: 0.2, intervals: 50 });
    // Wider than minIntervals units: unit-wide intervals, centred, so the spacing stays put as the map moves.
    const wide = fftGridLayout(new Float64Array([-50, 3, 51, 0]), 2, FFT_REPULSION_DEFAULTS);
    expect(wide).toEqual({ origin: -53.5, width: 1, intervals: 108 }); // ceil(101) → 108 = 2²·3³
    const wider = fftGridLayout(new Float64Array([-50.5, 3, 51.2, 0]), 2, FFT_REPULSION_DEFAULTS);
    expect(wider.width).toBe(1);
    expect(wider.intervals).toBe(108);
  });
});

/**
 * FFT-accelerated interpolation repulsion for 2-D t-SNE ("FIt-SNE": Linderman, Rachh, Hoskins,
 * Steinerberger & Kluger 2019, Nature Methods 16:243, Methods "Interpolation-based
 * approximation"; the single squared kernel and four charges follow FIt-SNE's
 * `computeFftGradient`). O(N + G log G) per call for a grid of G nodes. Browser-safe.
 */
import { assembleRepulsion, createPairSolver, locatePoints, type GridPlacement, type PointWeights } from "./fftPoints.js";
import { fftPassCost, nextSmoothSize } from "../../fft/transform.js";
import type { Repulsion, RepulsionMethod } from "./types.js";

/** Options of the FFT repulsion; defaults in {@link FFT_REPULSION_DEFAULTS}. */
export interface FftRepulsionOptions {
  /** Lagrange interpolation nodes per interval and axis (equispaced); more is more accurate. */
  interpolationPoints?: number;
  /** Fewest intervals per axis, whatever the map's extent. */
  minIntervals?: number;
  /**
   * Intervals per unit of map length once the map is wide enough: intervals per axis =
   * max(minIntervals, ceil(extent · intervalsPerUnit)), rounded up to 2^a 3^b 5^c for the FFT.
   * (The reciprocal of FIt-SNE's `intervals_per_integer` / openTSNE's `ints_in_interval`.)
   */
  intervalsPerUnit?: number;
  /**
   * Run the transforms in float32 WebAssembly SIMD where available (default true, 2× faster per
   * call); false keeps float64 JavaScript. Either way the interpolation's own error (~1e-2 of the
   * forces on a wide map) is far above float32 rounding (~1e-5).
   */
  simd?: boolean;
}

/** Defaults as in openTSNE (`n_interpolation_points=3, min_num_intervals=50, ints_in_interval=1`). */
export const FFT_REPULSION_DEFAULTS: Readonly<Required<FftRepulsionOptions>> = Object.freeze({
  interpolationPoints: 3,
  minIntervals: 50,
  intervalsPerUnit: 1,
  simd: true,
});

/** The options with defaults filled in; a RangeError naming every bad one. */
export function resolveFftRepulsionOptions(options: FftRepulsionOptions): Required<FftRepulsionOptions> {
  const o = { ...FFT_REPULSION_DEFAULTS, ...options };
  const problems: string[] = [];
  if (!Number.isInteger(o.interpolationPoints) || o.interpolationPoints < 1)
    problems.push(`interpolationPoints must be an integer ≥ 1, got ${o.interpolationPoints}`);
  if (!Number.isInteger(o.minIntervals) || o.minIntervals < 1) problems.push(`minIntervals must be an integer ≥ 1, got ${o.minIntervals}`);
  if (!(o.intervalsPerUnit > 0 && Number.isFinite(o.intervalsPerUnit)))
    problems.push(`intervalsPerUnit must be a finite number > 0, got ${o.intervalsPerUnit}`);
  if (problems.length > 0) throw new RangeError(`createFftRepulsion: ${problems.join("; ")}`);
  return o;
}

/** The square grid laid over a map: `intervals` boxes per axis from `origin`, each `width` wide. */
export type FftGridLayout = GridPlacement;

/**
 * The square box [min, max]² over both coordinates (FIt-SNE's choice) split into intervals.
 * @example fftGridLayout(new Float64Array([0, 0, 10, 4]), 2, FFT_REPULSION_DEFAULTS) // { origin: 0, width: 0.2, intervals: 50 }
 */
export function fftGridLayout(y: Float64Array, n: number, options: Required<FftRepulsionOptions>): FftGridLayout {
  let min = Infinity;
  let max = -Infinity;
  let finite = true;
  for (let i = 0; i < 2 * n; i++) {
    const v = y[i];
    if (v < min) min = v;
    if (v > max) max = v;
    if (v - v !== 0) finite = false;
  }
  if (!finite) throw new RangeError(`fftRepulsion: the map y holds a non-finite coordinate`);
  // A map of coincident points still needs boxes of positive width.
  const extent = Math.max(max - min, 1e-12 * Math.max(1, Math.abs(max)));
  const fewest = Math.ceil(extent * options.intervalsPerUnit);
  if (fewest <= options.minIntervals) {
    const intervals = cheapestIntervals(options.minIntervals, options.interpolationPoints);
    return { origin: min, width: extent / intervals, intervals };
  }
  // Wide maps: intervals of exactly 1 / intervalsPerUnit, the grid centred on the map. The node
  // spacing then stays the same from one iteration to the next (until the map outgrows the
  // grid), so the kernel's spectrum is reused instead of recomputed on every call.
  const intervals = cheapestIntervals(fewest, options.interpolationPoints);
  const width = 1 / options.intervalsPerUnit;
  return { origin: min - (intervals * width - extent) / 2, width, intervals };
}

/**
 * The number of intervals ≥ `fewest` whose 2-D transforms (length 2·p·intervals per axis) cost
 * least, among lengths 2^a 3^b 5^c up to 25% more (FIt-SNE rounds to a list of FFTW-friendly sizes).
 */
function cheapestIntervals(fewest: number, p: number): number {
  let best = nextSmoothSize(fewest);
  let bestCost = Infinity;
  for (let k = best; k <= Math.max(best, Math.ceil(fewest * 1.25)); k = nextSmoothSize(k + 1)) {
    const len = 2 * p * k;
    const cost = len * len * fftPassCost(len);
    if (cost < bestCost) {
      best = k;
      bestCost = cost;
    }
  }
  return best;
}

/**
 * A repulsion method with its own reusable buffers (one map size at a time; not re-entrant).
 * @example const repulsion = createFftRepulsion({ interpolationPoints: 5 }); const { forces, z } = repulsion(y, n, 2) as Repulsion;
 */
export function createFftRepulsion(options: FftRepulsionOptions = {}): RepulsionMethod {
  const o = resolveFftRepulsionOptions(options);
  const solve = createPairSolver({ simd: o.simd });
  let weights: PointWeights | undefined;
  let phiA = new Float64Array(0);
  let phiB = new Float64Array(0);
  return (y, n, dims, out): Repulsion => {
    const forces = checkedForces(y, n, dims, out);
    if (n < 2) return { forces, z: 0 };
    const layout = fftGridLayout(y, n, o);
    weights = pointWeights(weights, n, o.interpolationPoints, layout, (len) => new Float64Array(len), (len) => new Int32Array(len));
    if (phiA.length < 2 * n) {
      phiA = new Float64Array(2 * n);
      phiB = new Float64Array(2 * n);
    }
    locatePoints(y, layout, weights);
    solve(y, weights, 0, phiA);
    solve(y, weights, 1, phiB);
    return { forces, z: assembleRepulsion(y, weights, phiA, phiB, forces) };
  };
}

/** Validates a call of a repulsion method and returns the zeroed forces array to fill. */
export function checkedForces(y: Float64Array, n: number, dims: number, out: Float64Array | undefined): Float64Array {
  if (dims !== 2) throw new RangeError(`fftRepulsion handles 2-D maps only, got dims = ${dims}; use the exact or Barnes–Hut repulsion for 3-D`);
  if (y.length < 2 * n) throw new RangeError(`fftRepulsion: y must hold n·2 = ${2 * n} coordinates, got ${y.length}`);
  const forces = out && out.length >= 2 * n ? out : new Float64Array(2 * n);
  forces.fill(0, 0, 2 * n);
  return forces;
}

/** Point weights for n points on `layout`, reusing `previous`'s arrays when they are big enough. */
export function pointWeights(
  previous: PointWeights | undefined,
  n: number,
  p: number,
  layout: FftGridLayout,
  floats: (length: number) => Float64Array,
  ints: (length: number) => Int32Array,
): PointWeights {
  const big = previous !== undefined && previous.p === p && previous.firstNode.length >= n;
  return {
    n,
    p,
    m: layout.intervals * p,
    h: layout.width / p,
    centre: layout.origin + (layout.width * layout.intervals) / 2,
    firstNode: big ? previous.firstNode : ints(n),
    weightsX: big ? previous.weightsX : floats(n * p),
    weightsY: big ? previous.weightsY : floats(n * p),
  };
}

/** {@link createFftRepulsion} with {@link FFT_REPULSION_DEFAULTS}. */
export const fftRepulsion: RepulsionMethod = createFftRepulsion();


/**
 * The per-point stages of the FFT repulsion (Linderman et al. 2019, Methods, Steps 1 and 3):
 * locating points in the grid with their Lagrange weights, spreading charges onto the grid nodes,
 * gathering potentials back, and assembling forces and Z as FIt-SNE's `computeFftGradient`.
 * The charges come in two pairs, each convolved as one complex grid, so that the pairs can run on
 * two threads. Browser-safe.
 */
import { createGridConvolver, type GridConvolver } from "./fftConvolve.js";

/** Where each point sits in the grid; arrays may live on a SharedArrayBuffer. */
export interface PointWeights {
  n: number;
  /** Interpolation nodes per interval and axis. */
  p: number;
  /** Grid nodes per axis (intervals · p). */
  m: number;
  /** Node spacing. */
  h: number;
  /** Charges are taken about (centre, centre): the same sums with less cancellation. */
  centre: number;
  /** Grid index (row y, column x, m×m) of the first node of each point's box. */
  firstNode: Int32Array;
  /** p Lagrange weights per point along x and along y. */
  weightsX: Float64Array;
  weightsY: Float64Array;
}

/** The grid laid over a map: `intervals` boxes per axis from `origin`, each `width` wide. */
export interface GridPlacement {
  origin: number;
  width: number;
  intervals: number;
}

/** Per point: its box's first node and its p Lagrange weights per axis, on nodes t_q = (q + ½)/p. */
export function locatePoints(y: Float64Array, grid: GridPlacement, w: PointWeights): void {
  const { n, p, m, firstNode, weightsX, weightsY } = w;
  const { origin, width, intervals } = grid;
  const nodes = Float64Array.from({ length: p }, (_, q) => (q + 0.5) / p);
  const inv = nodes.map((tq, q) => 1 / nodes.reduce((acc, tk, k) => (k === q ? acc : acc * (tq - tk)), 1));
  const invWidth = 1 / width;
  const last = intervals - 1;
  for (let i = 0; i < n; i++) {
    const rx = (y[2 * i] - origin) * invWidth;
    const ry = (y[2 * i + 1] - origin) * invWidth;
    let bx = Math.floor(rx);
    let by = Math.floor(ry);
    bx = bx < 0 ? 0 : bx > last ? last : bx;
    by = by < 0 ? 0 : by > last ? last : by;
    firstNode[i] = by * p * m + bx * p;
    lagrangeWeights(rx - bx, p, nodes, inv, weightsX, i * p);
    lagrangeWeights(ry - by, p, nodes, inv, weightsY, i * p);
  }
}

function lagrangeWeights(t: number, p: number, nodes: Float64Array, invDenominators: Float64Array, out: Float64Array, offset: number): void {
  for (let q = 0; q < p; q++) {
    let w = invDenominators[q];
    for (let k = 0; k < p; k++) if (k !== q) w *= t - nodes[k];
    out[offset + q] = w;
  }
}

/** Charge pair 0 is (1, x), pair 1 is (y, x² + y²), coordinates about the centre. */
export type ChargePair = 0 | 1;

/**
 * Spreads one pair of charges onto the grid (Step 1), convolves it with q̃² (Step 2) and gathers
 * the two potentials per point into `phi` (n×2, Step 3). Owns its grid and convolver, and keeps
 * the kernel's spectrum while the grid size and spacing stay the same.
 */
export type PairSolver = (y: Float64Array, w: PointWeights, pair: ChargePair, phi: Float64Array) => void;

export function createPairSolver(options: { simd?: boolean } = {}): PairSolver {
  let convolver: GridConvolver | undefined;
  let spacing = NaN;
  return (y, w, pair, phi) => {
    const { m } = w;
    if (convolver?.m !== m) {
      convolver = createGridConvolver(m, options);
      spacing = NaN;
    }
    const { re, im } = convolver.grid;
    re.fill(0);
    im.fill(0);
    // The kernel's spectrum is shared by both pairs of one call.
    if (w.h !== spacing) convolver.setSpacing(w.h);
    spacing = w.h;
    spreadPair(y, w, pair, re, im);
    convolver.convolvePair(re, im);
    gatherPair(w, re, im, phi);
  };
}

function spreadPair(y: Float64Array, w: PointWeights, pair: ChargePair, re: Float64Array, im: Float64Array): void {
  const { n, p, m, centre, firstNode, weightsX, weightsY } = w;
  if (p === 3) return spreadPair3(y, w, pair, re, im);
  for (let i = 0; i < n; i++) {
    const cx = y[2 * i] - centre;
    const cy = y[2 * i + 1] - centre;
    const c1 = pair === 0 ? 1 : cy;
    const c2 = pair === 0 ? cx : cx * cx + cy * cy;
    const base = firstNode[i];
    const off = i * p;
    for (let qy = 0; qy < p; qy++) {
      const wy = weightsY[off + qy];
      const rowBase = base + qy * m;
      for (let qx = 0; qx < p; qx++) {
        const wxy = wy * weightsX[off + qx];
        re[rowBase + qx] += wxy * c1;
        im[rowBase + qx] += wxy * c2;
      }
    }
  }
}

function gatherPair(w: PointWeights, re: Float64Array, im: Float64Array, phi: Float64Array): void {
  const { n, p, m, firstNode, weightsX, weightsY } = w;
  if (p === 3) return gatherPair3(w, re, im, phi);
  for (let i = 0; i < n; i++) {
    const base = firstNode[i];
    const off = i * p;
    let s1 = 0;
    let s2 = 0;
    for (let qy = 0; qy < p; qy++) {
      const wy = weightsY[off + qy];
      const rowBase = base + qy * m;
      for (let qx = 0; qx < p; qx++) {
        const wxy = wy * weightsX[off + qx];
        s1 += wxy * re[rowBase + qx];
        s2 += wxy * im[rowBase + qx];
      }
    }
    phi[2 * i] = s1;
    phi[2 * i + 1] = s2;
  }
}

/** {@link spreadPair} unrolled for the default p = 3. */
function spreadPair3(y: Float64Array, w: PointWeights, pair: ChargePair, re: Float64Array, im: Float64Array): void {
  const { n, m, centre, firstNode, weightsX, weightsY } = w;
  for (let i = 0; i < n; i++) {
    const cx = y[2 * i] - centre;
    const cy = y[2 * i + 1] - centre;
    const c1 = pair === 0 ? 1 : cy;
    const c2 = pair === 0 ? cx : cx * cx + cy * cy;
    const off = 3 * i;
    const x0 = weightsX[off];
    const x1 = weightsX[off + 1];
    const x2 = weightsX[off + 2];
    let k = firstNode[i];
    for (let qy = 0; qy < 3; qy++, k += m) {
      const wy = weightsY[off + qy];
      const w0 = wy * x0;
      const w1 = wy * x1;
      const w2 = wy * x2;
      re[k] += w0 * c1;
      im[k] += w0 * c2;
      re[k + 1] += w1 * c1;
      im[k + 1] += w1 * c2;
      re[k + 2] += w2 * c1;
      im[k + 2] += w2 * c2;
    }
  }
}

/** {@link gatherPair} unrolled for the default p = 3. */
function gatherPair3(w: PointWeights, re: Float64Array, im: Float64Array, phi: Float64Array): void {
  const { n, m, firstNode, weightsX, weightsY } = w;
  for (let i = 0; i < n; i++) {
    const off = 3 * i;
    const x0 = weightsX[off];
    const x1 = weightsX[off + 1];
    const x2 = weightsX[off + 2];
    let k = firstNode[i];
    let s1 = 0;
    let s2 = 0;
    for (let qy = 0; qy < 3; qy++, k += m) {
      const wy = weightsY[off + qy];
      s1 += wy * (x0 * re[k] + x1 * re[k + 1] + x2 * re[k + 2]);
      s2 += wy * (x0 * im[k] + x1 * im[k + 1] + x2 * im[k + 2]);
    }
    phi[2 * i] = s1;
    phi[2 * i + 1] = s2;
  }
}

/**
 * From the potentials φ1, φ2 (pair 0) and φ3, φ4 (pair 1), as FIt-SNE:
 * forces_i = y_i φ1 − (φ2, φ3), Z = Σ_i [(1 + ‖y_i‖²) φ1 − 2 y_i·(φ2, φ3) + φ4] − self-pairs.
 * Returns Z.
 */
export function assembleRepulsion(y: Float64Array, w: PointWeights, phiA: Float64Array, phiB: Float64Array, forces: Float64Array): number {
  const { n, centre } = w;
  let z = 0;
  for (let i = 0; i < n; i++) {
    const cx = y[2 * i] - centre;
    const cy = y[2 * i + 1] - centre;
    const phi1 = phiA[2 * i];
    const phi2 = phiA[2 * i + 1];
    const phi3 = phiB[2 * i];
    const phi4 = phiB[2 * i + 1];
    forces[2 * i] = cx * phi1 - phi2;
    forces[2 * i + 1] = cy * phi1 - phi3;
    z += (1 + cx * cx + cy * cy) * phi1 - 2 * (cx * phi2 + cy * phi3) + phi4;
  }
  return z - interpolatedSelfTerms(w);
}

/**
 * Σ_i of what the interpolation puts in for the pair (i, i), whose true q̃ is 1 and which Z must
 * leave out. FIt-SNE subtracts N; subtracting the interpolated value itself,
 * Σ_{a,b} w_a(i) w_b(i) K(node_a − node_b), removes the interpolation error of the self-pairs
 * (forces need no such term: their self-pair charge y_i − y_i cancels exactly).
 */
function interpolatedSelfTerms(w: PointWeights): number {
  const { n, p, h, weightsX, weightsY } = w;
  const kernel = new Float64Array(p * p);
  for (let dy = 0; dy < p; dy++) {
    for (let dx = 0; dx < p; dx++) {
      const q = 1 / (1 + (dx * dx + dy * dy) * h * h);
      kernel[dy * p + dx] = q * q;
    }
  }
  // Per axis, u[d] = Σ_{|a − b| = d} w_a w_b over ordered pairs (a, b).
  const ux = new Float64Array(p);
  const uy = new Float64Array(p);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const off = i * p;
    for (let d = 0; d < p; d++) {
      let sx = 0;
      let sy = 0;
      for (let a = 0; a + d < p; a++) {
        sx += weightsX[off + a] * weightsX[off + a + d];
        sy += weightsY[off + a] * weightsY[off + a + d];
      }
      ux[d] = d > 0 ? 2 * sx : sx;
      uy[d] = d > 0 ? 2 * sy : sy;
    }
    for (let dy = 0; dy < p; dy++) {
      let row = 0;
      for (let dx = 0; dx < p; dx++) row += ux[dx] * kernel[dy * p + dx];
      total += uy[dy] * row;
    }
  }
  return total;
}

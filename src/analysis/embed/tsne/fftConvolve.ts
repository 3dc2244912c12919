/**
 * Discrete convolution of values on a regular m×m grid with the squared Cauchy kernel
 * q̃² = (1 + ‖Δ‖²)^−2, by embedding the block-Toeplitz kernel matrix in a 2m×2m circulant and
 * multiplying in Fourier space (Linderman et al. 2019, Methods, "Step 2"). The 2-D transforms
 * run on blocks of columns that fit in cache, and never store the zero padding. Browser-safe.
 */
import { createFftPlan, fftColumns, type ComplexBuffers, type FftPlan } from "./fftTransform.js";

/** Columns transformed together: 2m × BLOCK complex values stay in L2 cache. */
const BLOCK = 16;

/**
 * Convolves pairs of real m×m grids packed as one complex grid (re = first grid, im = second,
 * row-major, rows y, columns x): the kernel is real and even, so its spectrum is real and the two
 * results stay apart.
 */
export interface GridConvolver {
  /** Nodes per axis. */
  readonly m: number;
  /** Evaluates the kernel at node spacing `h` and takes its spectrum; call before `convolvePair`. */
  setSpacing(h: number): void;
  /** Replaces re + i·im (m×m each) by (K ∗ re) + i·(K ∗ im) in place. */
  convolvePair(re: Float64Array, im: Float64Array): void;
}

/** A convolver for m nodes per axis; it owns O(m²) scratch and reuses it on every call. */
export function createGridConvolver(m: number): GridConvolver {
  const p2 = 2 * m;
  const plan = createFftPlan(p2);
  const forward = createFftPlan(p2, "first");
  const inverse = createFftPlan(p2, "last");
  // Spectrum of the kernel (real, even in both axes) for frequencies v ≤ m, at v·2m + u.
  const spectrum = new Float64Array((m + 1) * p2);
  const half = new Float64Array((m + 1) * (m + 1));
  // The grid after the transform along y: rows x < m, columns v < 2m.
  const midRe = new Float64Array(m * p2);
  const midIm = new Float64Array(m * p2);
  const block: ComplexBuffers = {
    re: new Float64Array(p2 * BLOCK),
    im: new Float64Array(p2 * BLOCK),
    spareRe: new Float64Array(p2 * BLOCK),
    spareIm: new Float64Array(p2 * BLOCK),
  };
  return {
    m,
    setSpacing: (h) => kernelSpectrum(plan, m, h, block, half, spectrum),
    convolvePair(re, im) {
      transformAlongY(forward, m, re, im, midRe, midIm, block);
      convolveAlongX(forward, inverse, m, midRe, midIm, spectrum, block);
      inverseAlongY(inverse, m, midRe, midIm, re, im, block);
    },
  };
}

/** Per block of columns x: zero-padded FFT along y, stored transposed as mid[x][v]. */
function transformAlongY(plan: FftPlan, m: number, re: Float64Array, im: Float64Array, midRe: Float64Array, midIm: Float64Array, block: ComplexBuffers): void {
  const p2 = 2 * m;
  for (let x0 = 0; x0 < m; x0 += BLOCK) {
    const bw = Math.min(BLOCK, m - x0);
    const sRe = block.re;
    const sIm = block.im;
    for (let y = 0; y < m; y++) {
      for (let b = 0; b < bw; b++) {
        sRe[y * bw + b] = re[y * m + x0 + b];
        sIm[y * bw + b] = im[y * m + x0 + b];
      }
    }
    fftColumns(plan, block, bw, false, "zeroUpperHalf");
    for (let b = 0; b < bw; b++) {
      const row = (x0 + b) * p2;
      for (let v = 0; v < p2; v++) {
        midRe[row + v] = block.re[v * bw + b];
        midIm[row + v] = block.im[v * bw + b];
      }
    }
  }
}

/** Per block of frequencies v: zero-padded FFT along x, times the spectrum, inverse FFT, rows x < m. */
function convolveAlongX(forward: FftPlan, inverse: FftPlan, m: number, midRe: Float64Array, midIm: Float64Array, spectrum: Float64Array, block: ComplexBuffers): void {
  const p2 = 2 * m;
  for (let v0 = 0; v0 < p2; v0 += BLOCK) {
    const bw = Math.min(BLOCK, p2 - v0);
    const sRe = block.re;
    const sIm = block.im;
    for (let x = 0; x < m; x++) {
      for (let b = 0; b < bw; b++) {
        sRe[x * bw + b] = midRe[x * p2 + v0 + b];
        sIm[x * bw + b] = midIm[x * p2 + v0 + b];
      }
    }
    fftColumns(forward, block, bw, false, "zeroUpperHalf");
    const fRe = block.re;
    const fIm = block.im;
    for (let b = 0; b < bw; b++) {
      const v = v0 + b;
      const column = (v <= m ? v : p2 - v) * p2;
      for (let u = 0; u < p2; u++) {
        const k = spectrum[column + u];
        fRe[u * bw + b] *= k;
        fIm[u * bw + b] *= k;
      }
    }
    fftColumns(inverse, block, bw, true, "lowerHalfOut");
    for (let x = 0; x < m; x++) {
      for (let b = 0; b < bw; b++) {
        midRe[x * p2 + v0 + b] = block.re[x * bw + b];
        midIm[x * p2 + v0 + b] = block.im[x * bw + b];
      }
    }
  }
}

/** Per block of columns x: inverse FFT along y of mid[x][·], rows y < m back into the grid. */
function inverseAlongY(plan: FftPlan, m: number, midRe: Float64Array, midIm: Float64Array, re: Float64Array, im: Float64Array, block: ComplexBuffers): void {
  const p2 = 2 * m;
  for (let x0 = 0; x0 < m; x0 += BLOCK) {
    const bw = Math.min(BLOCK, m - x0);
    const sRe = block.re;
    const sIm = block.im;
    for (let b = 0; b < bw; b++) {
      const row = (x0 + b) * p2;
      for (let v = 0; v < p2; v++) {
        sRe[v * bw + b] = midRe[row + v];
        sIm[v * bw + b] = midIm[row + v];
      }
    }
    fftColumns(plan, block, bw, true, "lowerHalfOut");
    for (let y = 0; y < m; y++) {
      for (let b = 0; b < bw; b++) {
        re[y * m + x0 + b] = block.re[y * bw + b];
        im[y * m + x0 + b] = block.im[y * bw + b];
      }
    }
  }
}

/** Index a of the circulant generator folded to its distance |a| < m (m itself maps to −1: zero). */
function fold(a: number, m: number): number {
  if (a < m) return a;
  return a === m ? -1 : 2 * m - a;
}

/**
 * The spectrum of the circulant generator k[a][b] = K(|a|·h, |b|·h) (|a|, |b| < m, indices mod 2m,
 * 0 at m), with the inverse FFT's 1/(2m)² folded in. k is real and even in each axis, so each 1-D
 * transform stays real and even: two columns share one complex transform (re and im), and only
 * columns ≤ m are needed.
 */
function kernelSpectrum(plan: FftPlan, m: number, h: number, block: ComplexBuffers, half: Float64Array, spectrum: Float64Array): void {
  const p2 = 2 * m;
  const h2 = h * h;
  const scale = 1 / (p2 * p2);
  // Along y for columns x ≤ m, two per complex column: half[v][x] for v ≤ m.
  for (let c0 = 0; c0 <= m; c0 += 2 * BLOCK) {
    const bw = Math.min(BLOCK, Math.ceil((m + 1 - c0) / 2));
    for (let t = 0; t < p2; t++) {
      const a = fold(t, m);
      for (let b = 0; b < bw; b++) {
        const x = c0 + 2 * b;
        block.re[t * bw + b] = a < 0 || x >= m ? 0 : squaredCauchy(a, x, h2);
        block.im[t * bw + b] = a < 0 || x + 1 >= m ? 0 : squaredCauchy(a, x + 1, h2);
      }
    }
    fftColumns(plan, block, bw);
    for (let v = 0; v <= m; v++) {
      for (let b = 0; b < bw; b++) {
        const x = c0 + 2 * b;
        half[v * (m + 1) + x] = block.re[v * bw + b];
        if (x + 1 <= m) half[v * (m + 1) + x + 1] = block.im[v * bw + b];
      }
    }
  }
  // Along x for frequencies v ≤ m, two per complex column: spectrum[v][u].
  for (let c0 = 0; c0 <= m; c0 += 2 * BLOCK) {
    const bw = Math.min(BLOCK, Math.ceil((m + 1 - c0) / 2));
    for (let t = 0; t < p2; t++) {
      const a = fold(t, m);
      for (let b = 0; b < bw; b++) {
        const v = c0 + 2 * b;
        block.re[t * bw + b] = a < 0 ? 0 : half[v * (m + 1) + a];
        block.im[t * bw + b] = a < 0 || v + 1 > m ? 0 : half[(v + 1) * (m + 1) + a];
      }
    }
    fftColumns(plan, block, bw);
    for (let b = 0; b < bw; b++) {
      const v = c0 + 2 * b;
      for (let u = 0; u < p2; u++) {
        spectrum[v * p2 + u] = block.re[u * bw + b] * scale;
        if (v + 1 <= m) spectrum[(v + 1) * p2 + u] = block.im[u * bw + b] * scale;
      }
    }
  }
}

function squaredCauchy(a: number, b: number, h2: number): number {
  const q = 1 / (1 + (a * a + b * b) * h2);
  return q * q;
}

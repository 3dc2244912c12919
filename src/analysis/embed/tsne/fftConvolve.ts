/**
 * Discrete convolution of values on a regular m×m grid with the squared Cauchy kernel
 * q̃² = (1 + ‖Δ‖²)^−2, by embedding the block-Toeplitz kernel matrix in a 2m×2m circulant and
 * multiplying in Fourier space (Linderman et al. 2019, Methods, "Step 2"). The 2-D transforms
 * run on blocks of columns that fit in cache, and never store the zero padding: in float32
 * WebAssembly SIMD where there is WebAssembly SIMD (analysis/fft/simd.ts), else in float64 JavaScript.
 * Browser-safe.
 */
import { createSimdFft } from "../../fft/simd.js";
import { createFftPlan, fftColumns, type ComplexBuffers, type FftPruning } from "../../fft/transform.js";

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
  /** The convolver's own m×m grids: convolving these skips two copies. */
  readonly grid: { re: Float64Array; im: Float64Array };
}

/** Which plan a block transform uses: plain, radix 2 first (zero upper half in), radix 2 last (lower half out). */
type PlanKind = 0 | 1 | 2;

type Floats = Float32Array | Float64Array;

/**
 * The block of columns the 1-D transforms run on, in float64 JavaScript or in float32 WebAssembly
 * memory, with the moves between it and the grids: after a transform the result is in
 * `block.re`/`block.im` (the references swap with the spares).
 */
interface BlockTransforms {
  block: { re: Floats; im: Floats };
  /** The block's row stride for `bw` columns. */
  stride(bw: number): number;
  run(kind: PlanKind, cols: number, inverse?: boolean, pruning?: FftPruning): void;
  /** Arrays of the transforms' precision, and float64 arrays, that copy and scale can reach. */
  floats(length: number): Floats;
  floats64(length: number): Float64Array;
  /** rows×cols elements, strides in elements: dst[dstAt + r·dstRow + c·dstCol] = src[srcAt + r·srcRow + c·srcCol]. */
  copy(src: Floats, srcAt: number, srcRow: number, srcCol: number, dst: Floats, dstAt: number, dstRow: number, dstCol: number, rows: number, cols: number): void;
  /** re[t] *= k[kAt + t], im[t] *= k[kAt + t] for t < count. */
  scale(re: Floats, im: Floats, k: Floats, kAt: number, count: number): void;
}

function blockTransforms(m: number, simd: boolean): BlockTransforms {
  const p2 = 2 * m;
  const bytes = 4 * 4 * p2 * BLOCK + 8 * 3 * p2 + 2 * 8 * m * m + 2 * 4 * m * p2 + 4 * p2 * (p2 + BLOCK) + 65536;
  const kernel = simd ? createSimdFft(bytes) : null;
  if (kernel) {
    const plans = [kernel.plan(p2), kernel.plan(p2, "first"), kernel.plan(p2, "last")];
    const block = kernel.buffers(p2 * BLOCK);
    return {
      block,
      stride: (bw) => (bw + 3) & ~3,
      run: (kind, cols, inverse, pruning) => kernel.columns(plans[kind], block, cols, inverse, pruning),
      floats: (length) => kernel.floats32(length),
      floats64: (length) => kernel.floats64(length),
      copy: kernel.copy,
      scale: (re, im, k, kAt, count) => kernel.scale(re as Float32Array, im as Float32Array, k as Float32Array, kAt, count),
    };
  }
  const plans = [createFftPlan(p2), createFftPlan(p2, "first"), createFftPlan(p2, "last")];
  const block: ComplexBuffers = {
    re: new Float64Array(p2 * BLOCK),
    im: new Float64Array(p2 * BLOCK),
    spareRe: new Float64Array(p2 * BLOCK),
    spareIm: new Float64Array(p2 * BLOCK),
  };
  return {
    block,
    stride: (bw) => bw,
    run: (kind, cols, inverse, pruning) => fftColumns(plans[kind], block, cols, inverse, pruning),
    floats: (length) => new Float64Array(length),
    floats64: (length) => new Float64Array(length),
    copy(src, srcAt, srcRow, srcCol, dst, dstAt, dstRow, dstCol, rows, cols) {
      for (let r = 0; r < rows; r++) {
        for (let c = 0, from = srcAt + r * srcRow, to = dstAt + r * dstRow; c < cols; c++, from += srcCol, to += dstCol) dst[to] = src[from];
      }
    },
    scale(re, im, k, kAt, count) {
      for (let t = 0; t < count; t++) {
        re[t] *= k[kAt + t];
        im[t] *= k[kAt + t];
      }
    },
  };
}

/**
 * A convolver for m nodes per axis; it owns O(m²) scratch and reuses it on every call. `simd:
 * false` keeps the float64 JavaScript transforms even where WebAssembly SIMD exists (tests).
 */
export function createGridConvolver(m: number, options: { simd?: boolean } = {}): GridConvolver {
  const p2 = 2 * m;
  // The float32 kernel handles smooth lengths (2^a 3^b 5^c); any other takes the float64 path.
  const tf = blockTransforms(m, options.simd !== false && isSmooth(p2));
  // Spectrum of the kernel (real, even in both axes) laid out as convolveAlongX's blocks use it:
  // per block of BLOCK frequencies v, [u][v − v0] with the block's row stride.
  const spectrum = tf.floats(p2 * Math.ceil(p2 / BLOCK) * BLOCK);
  const half = new Float64Array((m + 1) * (m + 1));
  // The grid after the transform along y: rows x < m, columns v < 2m.
  const midRe = tf.floats(m * p2);
  const midIm = tf.floats(m * p2);
  const grid = { re: tf.floats64(m * m), im: tf.floats64(m * m) };
  return {
    m,
    grid,
    setSpacing: (h) => kernelSpectrum(tf, m, h, half, spectrum),
    convolvePair(re, im) {
      if (re !== grid.re) grid.re.set(re.subarray(0, m * m));
      if (im !== grid.im) grid.im.set(im.subarray(0, m * m));
      transformAlongY(tf, m, grid.re, grid.im, midRe, midIm);
      convolveAlongX(tf, m, midRe, midIm, spectrum);
      inverseAlongY(tf, m, midRe, midIm, grid.re, grid.im);
      if (re !== grid.re) re.set(grid.re);
      if (im !== grid.im) im.set(grid.im);
    },
  };
}

function isSmooth(n: number): boolean {
  for (const f of [2, 3, 5]) while (n % f === 0) n /= f;
  return n === 1;
}

/** Per block of columns x: zero-padded FFT along y, stored transposed as mid[x][v]. */
function transformAlongY(tf: BlockTransforms, m: number, re: Float64Array, im: Float64Array, midRe: Floats, midIm: Floats): void {
  const p2 = 2 * m;
  const { block } = tf;
  for (let x0 = 0; x0 < m; x0 += BLOCK) {
    const bw = Math.min(BLOCK, m - x0);
    const bs = tf.stride(bw);
    tf.copy(re, x0, m, 1, block.re, 0, bs, 1, m, bw);
    tf.copy(im, x0, m, 1, block.im, 0, bs, 1, m, bw);
    tf.run(1, bs, false, "zeroUpperHalf");
    // block[v][b] → mid[x0 + b][v]
    tf.copy(block.re, 0, bs, 1, midRe, x0 * p2, 1, p2, p2, bw);
    tf.copy(block.im, 0, bs, 1, midIm, x0 * p2, 1, p2, p2, bw);
  }
}

/** Per block of frequencies v: zero-padded FFT along x, times the spectrum, inverse FFT, rows x < m. */
function convolveAlongX(tf: BlockTransforms, m: number, midRe: Floats, midIm: Floats, spectrum: Floats): void {
  const p2 = 2 * m;
  const { block } = tf;
  for (let v0 = 0; v0 < p2; v0 += BLOCK) {
    const bw = Math.min(BLOCK, p2 - v0);
    const bs = tf.stride(bw);
    tf.copy(midRe, v0, p2, 1, block.re, 0, bs, 1, m, bw);
    tf.copy(midIm, v0, p2, 1, block.im, 0, bs, 1, m, bw);
    tf.run(1, bs, false, "zeroUpperHalf");
    tf.scale(block.re, block.im, spectrum, v0 * p2, p2 * bs);
    tf.run(2, bs, true, "lowerHalfOut");
    tf.copy(block.re, 0, bs, 1, midRe, v0, p2, 1, m, bw);
    tf.copy(block.im, 0, bs, 1, midIm, v0, p2, 1, m, bw);
  }
}

/** Per block of columns x: inverse FFT along y of mid[x][·], rows y < m back into the grid. */
function inverseAlongY(tf: BlockTransforms, m: number, midRe: Floats, midIm: Floats, re: Float64Array, im: Float64Array): void {
  const p2 = 2 * m;
  const { block } = tf;
  for (let x0 = 0; x0 < m; x0 += BLOCK) {
    const bw = Math.min(BLOCK, m - x0);
    const bs = tf.stride(bw);
    // mid[x0 + b][v] → block[v][b]
    tf.copy(midRe, x0 * p2, 1, p2, block.re, 0, bs, 1, p2, bw);
    tf.copy(midIm, x0 * p2, 1, p2, block.im, 0, bs, 1, p2, bw);
    tf.run(2, bs, true, "lowerHalfOut");
    tf.copy(block.re, 0, bs, 1, re, x0, m, 1, m, bw);
    tf.copy(block.im, 0, bs, 1, im, x0, m, 1, m, bw);
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
function kernelSpectrum(tf: BlockTransforms, m: number, h: number, half: Float64Array, spectrum: Floats): void {
  const { block } = tf;
  const p2 = 2 * m;
  const h2 = h * h;
  const scale = 1 / (p2 * p2);
  // Along y for columns x ≤ m, two per complex column: half[v][x] for v ≤ m.
  for (let c0 = 0; c0 <= m; c0 += 2 * BLOCK) {
    const bw = Math.min(BLOCK, Math.ceil((m + 1 - c0) / 2));
    const bs = tf.stride(bw);
    for (let t = 0; t < p2; t++) {
      const a = fold(t, m);
      for (let b = 0; b < bw; b++) {
        const x = c0 + 2 * b;
        block.re[t * bs + b] = a < 0 || x >= m ? 0 : squaredCauchy(a, x, h2);
        block.im[t * bs + b] = a < 0 || x + 1 >= m ? 0 : squaredCauchy(a, x + 1, h2);
      }
    }
    tf.run(0, bs);
    for (let v = 0; v <= m; v++) {
      for (let b = 0; b < bw; b++) {
        const x = c0 + 2 * b;
        half[v * (m + 1) + x] = block.re[v * bs + b];
        if (x + 1 <= m) half[v * (m + 1) + x + 1] = block.im[v * bs + b];
      }
    }
  }
  // Along x for frequencies v ≤ m, two per complex column: spectrum[v][u].
  for (let c0 = 0; c0 <= m; c0 += 2 * BLOCK) {
    const bw = Math.min(BLOCK, Math.ceil((m + 1 - c0) / 2));
    const bs = tf.stride(bw);
    for (let t = 0; t < p2; t++) {
      const a = fold(t, m);
      for (let b = 0; b < bw; b++) {
        const v = c0 + 2 * b;
        block.re[t * bs + b] = a < 0 ? 0 : half[v * (m + 1) + a];
        block.im[t * bs + b] = a < 0 || v + 1 > m ? 0 : half[(v + 1) * (m + 1) + a];
      }
    }
    tf.run(0, bs);
    for (let b = 0; b < bw; b++) {
      const v = c0 + 2 * b;
      storeSpectrumColumn(tf, m, v, block.re, bs, b, scale, spectrum);
      if (v + 1 <= m) storeSpectrumColumn(tf, m, v + 1, block.im, bs, b, scale, spectrum);
    }
  }
}

/** Frequency column v ≤ m of the spectrum (column b of a block) into its place, and into its mirror 2m − v. */
function storeSpectrumColumn(tf: BlockTransforms, m: number, v: number, from: Floats, fromStride: number, b: number, scale: number, spectrum: Floats): void {
  const p2 = 2 * m;
  for (const w of v === 0 || v === m ? [v] : [v, p2 - v]) {
    const v0 = w - (w % BLOCK);
    const bs = tf.stride(Math.min(BLOCK, p2 - v0));
    const at = v0 * p2 + (w - v0);
    for (let u = 0; u < p2; u++) spectrum[at + u * bs] = from[u * fromStride + b] * scale;
  }
}

function squaredCauchy(a: number, b: number, h2: number): number {
  const q = 1 / (1 + (a * a + b * b) * h2);
  return q * q;
}

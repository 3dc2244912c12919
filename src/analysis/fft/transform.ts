/**
 * Complex FFT of any length on split Float64Arrays: mixed radix 4/2/3/5 with a generic radix for
 * any other prime factor, Stockham autosort (Van Loan 1992, "Computational Frameworks for the FFT",
 * §1.7), so no bit reversal. Transforms run down the columns of a row-major n×cols array, all
 * columns at once, so the innermost loop is unit-stride over columns. Browser-safe.
 */

/** One Stockham stage: radix `p` combining sub-transforms of length `l` into ones of length l·p. */
interface Stage {
  p: number;
  l: number;
  /** Twiddles ω_{l·p}^{j·q} for j < l, 1 ≤ q < p, at j·(p − 1) + q − 1 (forward sign). */
  twRe: Float64Array;
  twIm: Float64Array;
}

/** A precomputed transform of one length; owns its scratch, so one plan serves one thread. */
export interface FftPlan {
  n: number;
  stages: Stage[];
  workRe: Float64Array;
  workIm: Float64Array;
}

/** The factors of n, radix 4 first (fewest passes), then 2, 3, 5 and any other primes. */
function factorize(n: number): number[] {
  const factors: number[] = [];
  let m = n;
  while (m % 4 === 0) {
    factors.push(4);
    m /= 4;
  }
  for (let f = 2; m > 1; f++) {
    while (m % f === 0) {
      factors.push(f);
      m /= f;
    }
    if (f * f > m && m > 1) {
      factors.push(m);
      break;
    }
  }
  return factors;
}

/**
 * Plans a transform of length `n` (any positive integer; fastest when n = 2^a 3^b 5^c).
 * `radix2: "first" | "last"` (n even) puts a radix-2 stage first or last, which the pruned
 * transforms of {@link fftColumns} need.
 * @example const plan = createFftPlan(600); fftInPlace(plan, re, im); // re/im now hold the DFT
 */
export function createFftPlan(n: number, radix2?: "first" | "last"): FftPlan {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`FFT length must be a positive integer, got ${n}`);
  if (radix2 && n % 2 !== 0) throw new RangeError(`an FFT plan with a radix-2 stage needs an even length, got ${n}`);
  const factors = radix2 === "first" ? [2, ...factorize(n / 2)] : radix2 === "last" ? [...factorize(n / 2), 2] : factorize(n);
  const stages: Stage[] = [];
  let l = 1;
  for (const p of factors.filter((f) => f > 1)) {
    const twRe = new Float64Array(l * (p - 1));
    const twIm = new Float64Array(l * (p - 1));
    for (let j = 0; j < l; j++) {
      for (let q = 1; q < p; q++) {
        const angle = (-2 * Math.PI * j * q) / (l * p);
        twRe[j * (p - 1) + q - 1] = Math.cos(angle);
        twIm[j * (p - 1) + q - 1] = Math.sin(angle);
      }
    }
    stages.push({ p, l, twRe, twIm });
    l *= p;
  }
  return { n, stages, workRe: new Float64Array(n), workIm: new Float64Array(n) };
}

/**
 * Relative cost of one pass of a 1-D transform of length `n` per element, from the stage
 * radices (measured here: a radix-3 pass costs about as much as radix 4, which does two bits).
 */
export function fftPassCost(n: number): number {
  let cost = 0;
  for (const p of factorize(n)) cost += p <= 4 ? 1 : p === 5 ? 1.5 : p;
  return cost;
}

/** The smallest integer ≥ n whose only prime factors are 2, 3 and 5. */
export function nextSmoothSize(n: number): number {
  for (let m = Math.max(1, Math.ceil(n)); ; m++) {
    let r = m;
    for (const f of [2, 3, 5]) while (r % f === 0) r /= f;
    if (r === 1) return m;
  }
}

/**
 * A complex array in split form plus a spare of the same size; transforms ping-pong between the
 * two and leave the result in `re`/`im`, swapping the references with the spare when needed.
 */
export interface ComplexBuffers {
  re: Float64Array;
  im: Float64Array;
  spareRe: Float64Array;
  spareIm: Float64Array;
}

/**
 * Pruned transforms: `"zeroUpperHalf"` takes rows ≥ n/2 as zero without reading them (the plan's
 * first stage must be radix 2); `"lowerHalfOut"` computes only rows < n/2 of the result (the
 * plan's last stage must be radix 2).
 */
export type FftPruning = "none" | "zeroUpperHalf" | "lowerHalfOut";

/**
 * The pruning's set-up, shared by the float64 passes here and the float32 ones (simd.ts):
 * "zeroUpperHalf" fills the upper half with the lower (a first radix-2 stage of x with a zero upper
 * half is [x; x]) and skips that stage; "lowerHalfOut" marks the last (radix-2) stage as halved.
 * An Error names `who` when the plan's radix-2 stage is not where the pruning needs it.
 */
export function applyPruning(
  stages: readonly { p: number }[],
  n: number,
  buffers: { re: Float32Array | Float64Array; im: Float32Array | Float64Array },
  cols: number,
  pruning: FftPruning,
  who: string,
): { first: number; lowerHalfOnly: boolean } {
  let first = 0;
  if (pruning === "zeroUpperHalf") {
    if (stages[0]?.p !== 2) throw new Error(`${who}: zeroUpperHalf needs a plan whose first stage is radix 2`);
    const half = (n / 2) * cols;
    buffers.re.copyWithin(half, 0, half);
    buffers.im.copyWithin(half, 0, half);
    first = 1;
  }
  const lowerHalfOnly = pruning === "lowerHalfOut";
  if (lowerHalfOnly && stages[stages.length - 1]?.p !== 2) throw new Error(`${who}: lowerHalfOut needs a plan whose last stage is radix 2`);
  return { first, lowerHalfOnly };
}

/**
 * DFT down each of the `cols` columns of the row-major n×cols array in `buffers`:
 * X[k][c] = Σ_t x[t][c] e^{∓2πi kt/n} (− forward, + inverse; the inverse is not divided by n).
 */
export function fftColumns(plan: FftPlan, buffers: ComplexBuffers, cols: number, inverse = false, pruning: FftPruning = "none"): void {
  const { n, stages } = plan;
  const sign = inverse ? -1 : 1;
  const { first, lowerHalfOnly } = applyPruning(stages, n, buffers, cols, pruning, "fftColumns");
  for (let si = first; si < stages.length; si++) {
    const stage = stages[si];
    const rp = n / (stage.l * stage.p);
    const { re, im, spareRe, spareIm } = buffers;
    switch (lowerHalfOnly && si === stages.length - 1 ? 0 : stage.p) {
      case 0:
        radix2Lower(re, im, spareRe, spareIm, stage, cols, sign);
        break;
      case 4:
        radix4(re, im, spareRe, spareIm, stage, rp, cols, sign);
        break;
      case 2:
        radix2(re, im, spareRe, spareIm, stage, rp, cols, sign);
        break;
      case 3:
        radix3(re, im, spareRe, spareIm, stage, rp, cols, sign);
        break;
      case 5:
        radix5(re, im, spareRe, spareIm, stage, rp, cols, sign);
        break;
      default:
        radixGeneric(re, im, spareRe, spareIm, stage, rp, cols, sign);
    }
    buffers.re = spareRe;
    buffers.im = spareIm;
    buffers.spareRe = re;
    buffers.spareIm = im;
  }
}

/** In-place DFT of re/im[0 … n) (one column; see {@link fftColumns}). */
export function fftInPlace(plan: FftPlan, re: Float64Array, im: Float64Array, inverse = false): void {
  const buffers = { re, im, spareRe: plan.workRe, spareIm: plan.workIm };
  fftColumns(plan, buffers, 1, inverse);
  if (buffers.re !== re) {
    re.set(buffers.re.subarray(0, plan.n));
    im.set(buffers.im.subarray(0, plan.n));
  }
}

// Each stage reads a_q = x[j·r + q·r' + k] · ω_{lp}^{jq} (r' = rp, r = p·r') and writes the
// p-point DFT b_u to y[(j + l·u)·r' + k], for j < l, k < r', every index scaled by `cols` and
// offset by the column c.

function radix2(xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, s: Stage, rp: number, cols: number, sign: number): void {
  const { l, twRe, twIm } = s;
  const inStep = rp * cols;
  const outStep = l * rp * cols;
  for (let j = 0; j < l; j++) {
    const w1r = twRe[j];
    const w1i = sign * twIm[j];
    for (let k = 0; k < rp; k++) {
      const i0 = (2 * j * rp + k) * cols;
      const o0 = (j * rp + k) * cols;
      for (let c = 0; c < cols; c++) {
        const i = i0 + c;
        const a0r = xr[i];
        const a0i = xi[i];
        const br = xr[i + inStep];
        const bi = xi[i + inStep];
        const a1r = br * w1r - bi * w1i;
        const a1i = br * w1i + bi * w1r;
        const o = o0 + c;
        yr[o] = a0r + a1r;
        yi[o] = a0i + a1i;
        yr[o + outStep] = a0r - a1r;
        yi[o + outStep] = a0i - a1i;
      }
    }
  }
}

/** The last radix-2 stage (r' = 1), outputs u = 0 only: y[j] = x[2j] + ω^j x[2j + 1]. */
function radix2Lower(xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, s: Stage, cols: number, sign: number): void {
  const { l, twRe, twIm } = s;
  for (let j = 0; j < l; j++) {
    const w1r = twRe[j];
    const w1i = sign * twIm[j];
    const i0 = 2 * j * cols;
    const o0 = j * cols;
    for (let c = 0; c < cols; c++) {
      const i = i0 + c;
      const br = xr[i + cols];
      const bi = xi[i + cols];
      yr[o0 + c] = xr[i] + br * w1r - bi * w1i;
      yi[o0 + c] = xi[i] + br * w1i + bi * w1r;
    }
  }
}

function radix4(xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, s: Stage, rp: number, cols: number, sign: number): void {
  const { l, twRe, twIm } = s;
  const inStep = rp * cols;
  const outStep = l * rp * cols;
  for (let j = 0; j < l; j++) {
    const t = 3 * j;
    const w1r = twRe[t];
    const w1i = sign * twIm[t];
    const w2r = twRe[t + 1];
    const w2i = sign * twIm[t + 1];
    const w3r = twRe[t + 2];
    const w3i = sign * twIm[t + 2];
    for (let k = 0; k < rp; k++) {
      const i0 = (4 * j * rp + k) * cols;
      const o0 = (j * rp + k) * cols;
      for (let c = 0; c < cols; c++) {
        const i = i0 + c;
        const a0r = xr[i];
        const a0i = xi[i];
        let vr = xr[i + inStep];
        let vi = xi[i + inStep];
        const a1r = vr * w1r - vi * w1i;
        const a1i = vr * w1i + vi * w1r;
        vr = xr[i + 2 * inStep];
        vi = xi[i + 2 * inStep];
        const a2r = vr * w2r - vi * w2i;
        const a2i = vr * w2i + vi * w2r;
        vr = xr[i + 3 * inStep];
        vi = xi[i + 3 * inStep];
        const a3r = vr * w3r - vi * w3i;
        const a3i = vr * w3i + vi * w3r;
        const t0r = a0r + a2r;
        const t0i = a0i + a2i;
        const t1r = a0r - a2r;
        const t1i = a0i - a2i;
        const t2r = a1r + a3r;
        const t2i = a1i + a3i;
        // ∓i·(a1 − a3): forward multiplies by −i, inverse by +i.
        const t3r = sign * (a1i - a3i);
        const t3i = -sign * (a1r - a3r);
        const o = o0 + c;
        yr[o] = t0r + t2r;
        yi[o] = t0i + t2i;
        yr[o + outStep] = t1r + t3r;
        yi[o + outStep] = t1i + t3i;
        yr[o + 2 * outStep] = t0r - t2r;
        yi[o + 2 * outStep] = t0i - t2i;
        yr[o + 3 * outStep] = t1r - t3r;
        yi[o + 3 * outStep] = t1i - t3i;
      }
    }
  }
}

const SIN_60 = Math.sqrt(3) / 2;

function radix3(xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, s: Stage, rp: number, cols: number, sign: number): void {
  const { l, twRe, twIm } = s;
  const inStep = rp * cols;
  const outStep = l * rp * cols;
  const h = sign * SIN_60;
  for (let j = 0; j < l; j++) {
    const w1r = twRe[2 * j];
    const w1i = sign * twIm[2 * j];
    const w2r = twRe[2 * j + 1];
    const w2i = sign * twIm[2 * j + 1];
    for (let k = 0; k < rp; k++) {
      const i0 = (3 * j * rp + k) * cols;
      const o0 = (j * rp + k) * cols;
      for (let c = 0; c < cols; c++) {
        const i = i0 + c;
        const a0r = xr[i];
        const a0i = xi[i];
        let vr = xr[i + inStep];
        let vi = xi[i + inStep];
        const a1r = vr * w1r - vi * w1i;
        const a1i = vr * w1i + vi * w1r;
        vr = xr[i + 2 * inStep];
        vi = xi[i + 2 * inStep];
        const a2r = vr * w2r - vi * w2i;
        const a2i = vr * w2i + vi * w2r;
        const sr = a1r + a2r;
        const si = a1i + a2i;
        const dr = a1r - a2r;
        const di = a1i - a2i;
        const mr = a0r - 0.5 * sr;
        const mi = a0i - 0.5 * si;
        const o = o0 + c;
        yr[o] = a0r + sr;
        yi[o] = a0i + si;
        yr[o + outStep] = mr + h * di;
        yi[o + outStep] = mi - h * dr;
        yr[o + 2 * outStep] = mr - h * di;
        yi[o + 2 * outStep] = mi + h * dr;
      }
    }
  }
}

const C1 = Math.cos((2 * Math.PI) / 5);
const C2 = Math.cos((4 * Math.PI) / 5);
const S1 = Math.sin((2 * Math.PI) / 5);
const S2 = Math.sin((4 * Math.PI) / 5);

function radix5(xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, s: Stage, rp: number, cols: number, sign: number): void {
  const { l, twRe, twIm } = s;
  const inStep = rp * cols;
  const outStep = l * rp * cols;
  const s1 = sign * S1;
  const s2 = sign * S2;
  for (let j = 0; j < l; j++) {
    const t = 4 * j;
    const w1r = twRe[t];
    const w1i = sign * twIm[t];
    const w2r = twRe[t + 1];
    const w2i = sign * twIm[t + 1];
    const w3r = twRe[t + 2];
    const w3i = sign * twIm[t + 2];
    const w4r = twRe[t + 3];
    const w4i = sign * twIm[t + 3];
    for (let k = 0; k < rp; k++) {
      const i0 = (5 * j * rp + k) * cols;
      const o0 = (j * rp + k) * cols;
      for (let c = 0; c < cols; c++) {
        const i = i0 + c;
        const a0r = xr[i];
        const a0i = xi[i];
        let vr = xr[i + inStep];
        let vi = xi[i + inStep];
        const a1r = vr * w1r - vi * w1i;
        const a1i = vr * w1i + vi * w1r;
        vr = xr[i + 2 * inStep];
        vi = xi[i + 2 * inStep];
        const a2r = vr * w2r - vi * w2i;
        const a2i = vr * w2i + vi * w2r;
        vr = xr[i + 3 * inStep];
        vi = xi[i + 3 * inStep];
        const a3r = vr * w3r - vi * w3i;
        const a3i = vr * w3i + vi * w3r;
        vr = xr[i + 4 * inStep];
        vi = xi[i + 4 * inStep];
        const a4r = vr * w4r - vi * w4i;
        const a4i = vr * w4i + vi * w4r;
        const s14r = a1r + a4r;
        const s14i = a1i + a4i;
        const d14r = a1r - a4r;
        const d14i = a1i - a4i;
        const s23r = a2r + a3r;
        const s23i = a2i + a3i;
        const d23r = a2r - a3r;
        const d23i = a2i - a3i;
        // b1,4 = a0 + C1·s14 + C2·s23 ∓ i(S1·d14 + S2·d23); b2,3 = a0 + C2·s14 + C1·s23 ∓ i(S2·d14 − S1·d23).
        const m1r = a0r + C1 * s14r + C2 * s23r;
        const m1i = a0i + C1 * s14i + C2 * s23i;
        const n1r = s1 * d14r + s2 * d23r;
        const n1i = s1 * d14i + s2 * d23i;
        const m2r = a0r + C2 * s14r + C1 * s23r;
        const m2i = a0i + C2 * s14i + C1 * s23i;
        const n2r = s2 * d14r - s1 * d23r;
        const n2i = s2 * d14i - s1 * d23i;
        const o = o0 + c;
        yr[o] = a0r + s14r + s23r;
        yi[o] = a0i + s14i + s23i;
        // −i·(n_r + i n_i) = n_i − i n_r
        yr[o + outStep] = m1r + n1i;
        yi[o + outStep] = m1i - n1r;
        yr[o + 4 * outStep] = m1r - n1i;
        yi[o + 4 * outStep] = m1i + n1r;
        yr[o + 2 * outStep] = m2r + n2i;
        yi[o + 2 * outStep] = m2i - n2r;
        yr[o + 3 * outStep] = m2r - n2i;
        yi[o + 3 * outStep] = m2i + n2r;
      }
    }
  }
}

/** Any prime p by a direct p-point DFT (O(p²) per butterfly); only for lengths with such factors. */
function radixGeneric(xr: Float64Array, xi: Float64Array, yr: Float64Array, yi: Float64Array, s: Stage, rp: number, cols: number, sign: number): void {
  const { p, l, twRe, twIm } = s;
  const ar = new Float64Array(p);
  const ai = new Float64Array(p);
  const rootRe = new Float64Array(p);
  const rootIm = new Float64Array(p);
  for (let q = 0; q < p; q++) {
    rootRe[q] = Math.cos((2 * Math.PI * q) / p);
    rootIm[q] = -sign * Math.sin((2 * Math.PI * q) / p);
  }
  for (let j = 0; j < l; j++) {
    for (let k = 0; k < rp; k++) {
      for (let c = 0; c < cols; c++) {
        for (let q = 0; q < p; q++) {
          const wr = q === 0 ? 1 : twRe[j * (p - 1) + q - 1];
          const wi = q === 0 ? 0 : sign * twIm[j * (p - 1) + q - 1];
          const i = (j * p * rp + q * rp + k) * cols + c;
          ar[q] = xr[i] * wr - xi[i] * wi;
          ai[q] = xr[i] * wi + xi[i] * wr;
        }
        for (let u = 0; u < p; u++) {
          let br = 0;
          let bi = 0;
          for (let q = 0; q < p; q++) {
            const e = (u * q) % p;
            br += ar[q] * rootRe[e] - ai[q] * rootIm[e];
            bi += ar[q] * rootIm[e] + ai[q] * rootRe[e];
          }
          const o = ((j + l * u) * rp + k) * cols + c;
          yr[o] = br;
          yi[o] = bi;
        }
      }
    }
  }
}

/**
 * x^b for one fixed exponent b, by table: x = m·2^e splits into 2^(e·b) (one entry per binary
 * exponent) times m^b (4,096 entries over m ∈ [1, 2], linearly interpolated; relative error below
 * 1e-8). UMAP's layout raises every sampled distance to its curve's b, 550 million times at 70,000
 * points; Math.pow costs several times as much as this, Math.exp(b·Math.log(x)) about 3×. The
 * tables are ~50 KB. Browser-safe.
 */

const MANTISSA_BITS = 12;
const STEPS = 1 << MANTISSA_BITS;
/** Weight of the low 32 mantissa bits in units of a table step. */
const FRACTION = 2 ** -(52 - MANTISSA_BITS);

export interface PowTable {
  b: number;
  /** m^b at m = 1 + i/4096, i = 0 … 4096. */
  mantissa: Float64Array;
  /** 2^((e − 1023)·b) for each biased exponent e (1 … 2046 used). */
  exponent: Float64Array;
  /** Scratch: the float64 being split, and its two 32-bit halves. */
  bits: Float64Array;
  words: Int32Array;
}

/** The tables for x^b. */
export function createPowTable(b: number): PowTable {
  const mantissa = Float64Array.from({ length: STEPS + 1 }, (_, i) => Math.pow(1 + i / STEPS, b));
  const exponent = Float64Array.from({ length: 2048 }, (_, e) => Math.pow(2, (e - 1023) * b));
  const bits = new Float64Array(1);
  return { b, mantissa, exponent, bits, words: new Int32Array(bits.buffer) };
}

/**
 * x^b (x > 0) within 1e-8 relative; zero, subnormal, infinite and NaN inputs go to Math.pow.
 * @example powFromTable(createPowTable(0.5), 2) // 1.41421…
 */
export function powFromTable(t: PowTable, x: number): number {
  t.bits[0] = x;
  const hi = t.words[1 - LOW_WORD];
  const e = hi >>> 20;
  if (e === 0 || e >= 2047) return Math.pow(x, t.b);
  // The top 12 mantissa bits index the table, the other 40 are the fraction between entries.
  const scaled = (hi & 0xfffff) * (1 / (1 << (20 - MANTISSA_BITS))) + (t.words[LOW_WORD] >>> 0) * FRACTION;
  const i = scaled | 0;
  const m = t.mantissa;
  return t.exponent[e] * (m[i] + (scaled - i) * (m[i + 1] - m[i]));
}

/** Index of the low 32-bit word of a float64 in an Int32Array view (0 on little-endian machines). */
const LOW_WORD = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f ? 0 : 1;

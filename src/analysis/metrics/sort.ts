/**
 * Ascending sorts of score arrays by LSD radix sort on their IEEE-754 bit patterns (Knuth, TAOCP
 * vol. 3 §5.2.5, radix sorting; flipping the bits so that floats order as unsigned integers is from
 * Herf 2001, "Radix Tricks"). O(n) with 11-bit digits: 3 passes for float32, 6 for float64, and a
 * pass is skipped when every key has the same digit. For the million-score columns that ROC and
 * precision–recall curves rank this is several times faster than a comparison sort.
 */

/** Scores as the metrics take them: one typed array, float32 or float64. */
export type Scores = Float32Array | Float64Array;

const BITS = 11;
const RADIX = 1 << BITS;
const MASK = RADIX - 1;
const SIGN = 0x80000000;
// Word order of a float64 inside a Uint32Array view: little-endian on every platform we run on,
// checked here rather than assumed.
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LE ? 0 : 1;
const HI = 1 - LO;

/**
 * A sorted copy of `values`, ascending, in the same array type; -0 comes out as +0 (so that equal
 * scores compare equal bit for bit). NaN must not occur (the metrics validate their inputs first).
 * @example sortScores(new Float32Array([0.5, -1, 0.25])) // Float32Array [-1, 0.25, 0.5]
 */
export function sortScores<T extends Scores>(values: T): T {
  return (values instanceof Float32Array ? sortFloat32(values, new Uint32Array(values.length)) : sortFloat64(values as Float64Array)) as T;
}

/**
 * Like `sortScores`, but sorts `values` itself and returns it; for float32 the keys live in the
 * array's own memory, which spares a copy of a large array.
 * @example sortScoresInPlace(new Float32Array([0.5, -1, 0.25])) // the same array, now [-1, 0.25, 0.5]
 */
export function sortScoresInPlace<T extends Scores>(values: T): T {
  if (values instanceof Float32Array) sortFloat32(values, new Uint32Array(values.buffer, values.byteOffset, values.length));
  else values.set(sortFloat64(values as Float64Array));
  return values;
}

/** Sorts `values` through `keys` (a new array, or the bits of `values` themselves). */
function sortFloat32(values: Float32Array, keys: Uint32Array): Float32Array {
  const n = values.length;
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  for (let i = 0; i < n; i++) {
    const u = bits[i];
    keys[i] = u === SIGN ? SIGN : u & SIGN ? ~u : u | SIGN;
  }
  let sorted = radixSort32(keys, new Uint32Array(n));
  if (sorted !== keys) {
    keys.set(sorted);
    sorted = keys;
  }
  for (let i = 0; i < n; i++) {
    const k = sorted[i];
    sorted[i] = k & SIGN ? k ^ SIGN : ~k;
  }
  return new Float32Array(sorted.buffer, sorted.byteOffset, n);
}

function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  let hi: Uint32Array = new Uint32Array(n);
  let lo: Uint32Array = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + HI];
    const l = words[2 * i + LO];
    if (h === SIGN && l === 0) {
      hi[i] = SIGN; // -0 as +0
    } else if (h & SIGN) {
      hi[i] = ~h;
      lo[i] = ~l;
    } else {
      hi[i] = h | SIGN;
      lo[i] = l;
    }
  }
  [hi, lo] = radixSort64(hi, lo);
  const out = new Float64Array(n);
  const ow = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) {
    const h = hi[i];
    if (h & SIGN) {
      ow[2 * i + HI] = h ^ SIGN;
      ow[2 * i + LO] = lo[i];
    } else {
      ow[2 * i + HI] = ~h;
      ow[2 * i + LO] = ~lo[i];
    }
  }
  return out;
}

/** Sorts unsigned 32-bit keys ascending; returns whichever of the two arrays holds the result. */
function radixSort32(keys: Uint32Array, scratch: Uint32Array): Uint32Array {
  const n = keys.length;
  const counts = [new Uint32Array(RADIX), new Uint32Array(RADIX), new Uint32Array(RADIX)];
  const [c0, c1, c2] = counts;
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    c0[k & MASK]++;
    c1[(k >>> BITS) & MASK]++;
    c2[k >>> (2 * BITS)]++;
  }
  let src = keys;
  let dst = scratch;
  for (let d = 0; d < 3; d++) {
    if (!prefixSums(counts[d], n)) continue;
    scatter(src, dst, src, dst, counts[d], d * BITS, false);
    [src, dst] = [dst, src];
  }
  return src;
}

/** Sorts 64-bit keys given as high and low words, ascending, moving both; returns [hi, lo]. */
function radixSort64(hi: Uint32Array, lo: Uint32Array): [Uint32Array, Uint32Array] {
  const n = hi.length;
  const counts = Array.from({ length: 6 }, () => new Uint32Array(RADIX));
  const [l0, l1, l2, h0, h1, h2] = counts;
  for (let i = 0; i < n; i++) {
    const a = lo[i];
    const b = hi[i];
    l0[a & MASK]++;
    l1[(a >>> BITS) & MASK]++;
    l2[a >>> (2 * BITS)]++;
    h0[b & MASK]++;
    h1[(b >>> BITS) & MASK]++;
    h2[b >>> (2 * BITS)]++;
  }
  let sHi = hi;
  let sLo = lo;
  let dHi: Uint32Array = new Uint32Array(n);
  let dLo: Uint32Array = new Uint32Array(n);
  for (let d = 0; d < 6; d++) {
    if (!prefixSums(counts[d], n)) continue;
    const onHi = d >= 3;
    scatter(onHi ? sHi : sLo, onHi ? dHi : dLo, onHi ? sLo : sHi, onHi ? dLo : dHi, counts[d], (d % 3) * BITS, true);
    [sHi, dHi] = [dHi, sHi];
    [sLo, dLo] = [dLo, sLo];
  }
  return [sHi, sLo];
}

/** Turns digit counts into start offsets; false when one digit holds all n keys (pass not needed). */
function prefixSums(counts: Uint32Array, n: number): boolean {
  let sum = 0;
  for (let d = 0; d < RADIX; d++) {
    const c = counts[d];
    if (c === n) return false;
    counts[d] = sum;
    sum += c;
  }
  return true;
}

/** One stable counting pass on the digit of `key` at `shift`, carrying `other` along when `pair`. */
function scatter(
  key: Uint32Array,
  keyOut: Uint32Array,
  other: Uint32Array,
  otherOut: Uint32Array,
  offsets: Uint32Array,
  shift: number,
  pair: boolean,
): void {
  const n = key.length;
  if (pair) {
    for (let i = 0; i < n; i++) {
      const k = key[i];
      const j = offsets[(k >>> shift) & MASK]++;
      keyOut[j] = k;
      otherOut[j] = other[i];
    }
  } else {
    for (let i = 0; i < n; i++) {
      const k = key[i];
      keyOut[offsets[(k >>> shift) & MASK]++] = k;
    }
  }
}

/**
 * Confident learning, the counting half (Northcutt, Jiang & Chuang, JAIR 2021, "Confident Learning:
 * Estimating Uncertainty in Dataset Labels"): per-class thresholds, the confident joint of given and
 * true labels, and its calibration. Typed arrays in and out, browser-safe. The constants and the
 * rounding follow cleanlab (`cleanlab/count.py`, `cleanlab/internal/util.py`), so that the same
 * inputs give cleanlab's counts. Pruning is in confidentLearningPrune.ts.
 *
 * Probabilities must be out-of-sample (k-fold cross-validated, or a model that never saw the
 * images): in-sample probabilities agree with the given labels, noisy ones included.
 */

/** cleanlab's fuzzy comparison of probabilities (FLOATING_POINT_COMPARISON). */
export const FLOAT_TOLERANCE = 1e-6;
/** The lowest threshold (cleanlab's CONFIDENT_THRESHOLDS_LOWER_BOUND = 2 × FLOAT_TOLERANCE). */
const THRESHOLD_FLOOR = 2 * FLOAT_TOLERANCE;
/** The threshold of a class no image is labelled with: no probability reaches it (cleanlab's BIG_VALUE). */
const ABSENT_CLASS_THRESHOLD = 2;

/** The confident joint: K×K counts, row-major, row = given label, column = true label (eq. 2–3). */
export interface ConfidentJoint {
  k: number;
  /** Integer counts; calibrated (eq. 3) unless asked otherwise: row i sums to the images labelled i. */
  counts: Int32Array;
  /** Per-class thresholds t_j (§3.1). */
  thresholds: Float64Array;
  /** Rows counted into an off-diagonal cell (the "confident joint only" issues of the paper's Table). */
  offDiagonal: Int32Array;
}

/** Checks the shapes and values every function here takes; `RangeError`s name what is wrong. */
export function checkInputs(labels: Int32Array, probabilities: Float32Array, k: number): void {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`k must be an integer of at least 2 classes, got ${k}`);
  if (probabilities.length !== labels.length * k) {
    throw new RangeError(`probabilities hold ${probabilities.length} values, expected ${labels.length} rows × ${k} classes`);
  }
  for (let i = 0; i < labels.length; i++) {
    if (!(labels[i] >= 0 && labels[i] < k)) throw new RangeError(`label ${labels[i]} of row ${i} is not a class 0..${k - 1}`);
  }
  for (let i = 0; i < probabilities.length; i++) {
    if (!(probabilities[i] >= 0 && probabilities[i] <= 1 + FLOAT_TOLERANCE)) {
      throw new RangeError(`probability ${probabilities[i]} at row ${Math.floor(i / k)}, class ${i % k} is not in [0, 1]`);
    }
  }
}

/** Images per given label. */
export function labelCounts(labels: Int32Array, k: number): Int32Array {
  const counts = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

/**
 * The per-class thresholds t_j: the mean predicted probability of class j over the images labelled
 * j (Northcutt et al. 2021, §3.1, eq. 1), at least 2·10⁻⁶; a class no image is labelled with gets 2.
 * @example confidentThresholds(Int32Array.of(0, 0, 1), Float32Array.of(0.9, 0.1, 0.7, 0.3, 0.2, 0.8), 2) // Float64Array [0.8, 0.8]
 */
export function confidentThresholds(labels: Int32Array, probabilities: Float32Array, k: number): Float64Array {
  checkInputs(labels, probabilities, k);
  const sum = new Float64Array(k);
  const counts = labelCounts(labels, k);
  for (let i = 0; i < labels.length; i++) sum[labels[i]] += probabilities[i * k + labels[i]];
  return sum.map((s, j) => (counts[j] === 0 ? ABSENT_CLASS_THRESHOLD : Math.max(s / counts[j], THRESHOLD_FLOOR)));
}

/**
 * The confident joint C[ỹ][y*] (eq. 2): each image is counted under its given label ỹ and the class
 * y* whose probability reaches its threshold (p_j ≥ t_j − 10⁻⁶) — the most probable class when
 * several do, none when no class does. The diagonal is at least 1; then, unless `calibrate` is
 * false, rows are scaled to the label counts and the whole to N (eq. 3) and rounded keeping row totals.
 * @example
 * // four images labelled 0 and four labelled 1; the 4th "0" is counted as a 1:
 * const p = Float32Array.of(.9,.1, .8,.2, .9,.1, .1,.9, .2,.8, .1,.9, .3,.7, .1,.9);
 * confidentJoint(Int32Array.of(0, 0, 0, 0, 1, 1, 1, 1), p, 2).counts // Int32Array [3, 1, 0, 4]
 */
export function confidentJoint(labels: Int32Array, probabilities: Float32Array, k: number, options: { calibrate?: boolean; thresholds?: Float64Array } = {}): ConfidentJoint {
  const thresholds = options.thresholds ?? confidentThresholds(labels, probabilities, k);
  checkInputs(labels, probabilities, k);
  if (thresholds.length !== k) throw new RangeError(`thresholds hold ${thresholds.length} values, expected ${k}`);
  const raw = new Float64Array(k * k);
  const off: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const y = confidentClass(probabilities.subarray(i * k, (i + 1) * k), thresholds);
    if (y < 0) continue;
    raw[labels[i] * k + y]++;
    if (y !== labels[i]) off.push(i);
  }
  for (let j = 0; j < k; j++) raw[j * k + j] = Math.max(raw[j * k + j], 1);
  const counts = options.calibrate === false ? Int32Array.from(raw) : calibrateJoint(raw, labelCounts(labels, k), k);
  return { k, counts, thresholds, offDiagonal: Int32Array.from(off) };
}

/** The class an image is confidently counted under (eq. 2), or −1. */
function confidentClass(p: Float32Array, thresholds: Float64Array): number {
  let first = -1;
  let confident = 0;
  let argmax = 0;
  for (let j = 0; j < p.length; j++) {
    if (p[j] > p[argmax]) argmax = j;
    if (p[j] >= thresholds[j] - FLOAT_TOLERANCE) {
      if (first < 0) first = j;
      confident++;
    }
  }
  // NOTE: with several confident classes cleanlab takes the arg-max over all classes (count.py).
  return confident === 0 ? -1 : confident === 1 ? first : argmax;
}

/**
 * Calibrates a confident joint (eq. 3): row i scaled to the number of images labelled i, then the
 * whole to their total, then rounded to integers that keep each row's total.
 */
export function calibrateJoint(raw: ArrayLike<number>, counts: Int32Array, k: number): Int32Array {
  const scaled = new Float64Array(k * k);
  let n = 0;
  for (let i = 0; i < k; i++) {
    let row = 0;
    for (let j = 0; j < k; j++) row += raw[i * k + j];
    for (let j = 0; j < k; j++) scaled[i * k + j] = (raw[i * k + j] / Math.max(row, 1e-100)) * counts[i];
    n += counts[i];
  }
  const total = scaled.reduce((x, y) => x + y, 0);
  for (let c = 0; c < k * k; c++) scaled[c] = (scaled[c] / Math.max(total, 1e-100)) * n;
  return roundPreservingRowTotals(scaled, k);
}

/** Rounds each row of a K×K matrix to integers that keep the row's (rounded) total: cleanlab's `round_preserving_row_totals`. */
export function roundPreservingRowTotals(m: Float64Array, k: number): Int32Array {
  const out = new Int32Array(k * k);
  for (let i = 0; i < k; i++) out.set(roundPreservingSum(m.subarray(i * k, (i + 1) * k)), i * k);
  return out;
}

/**
 * Rounds (half to even, as numpy) and then moves the values with the largest rounding loss up (or
 * the largest gain down) by one until the sum is the rounded sum of the floats (cleanlab's
 * `round_preserving_sum`, after iteround).
 * @example roundPreservingSum(Float64Array.of(0.4, 0.4, 0.2)) // Int32Array [0, 1, 0]
 */
export function roundPreservingSum(floats: Float64Array): Int32Array {
  const ints = floats.map(roundHalfEven);
  const want = roundHalfEven(floats.reduce((a, b) => a + b, 0));
  let sum = ints.reduce((a, b) => a + b, 0);
  while (Math.abs(sum - want) > FLOAT_TOLERANCE) {
    const diff = roundHalfEven(want - sum);
    const step = diff < 0 ? -1 : 1;
    const changes = Math.min(Math.abs(diff), floats.length);
    // The largest remainders first when adding, the smallest first when taking away; ties as a
    // reversed stable argsort takes them (the later index first when adding). NOTE: numpy's
    // argsort may break exact ties otherwise (its SIMD sorts are not stable), so cleanlab's
    // counts can differ from these by one in cells whose remainders tie.
    const order = Array.from(floats, (_, j) => j).sort((a, b) => step * ((floats[b] - ints[b]) - (floats[a] - ints[a])) || step * (b - a));
    for (const j of order.slice(0, changes)) ints[j] += step;
    sum = ints.reduce((a, b) => a + b, 0);
  }
  return Int32Array.from(ints);
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** What the calibrated joint says about the noise: Q = C / N, and per given label the share whose true label is another. */
export interface NoiseEstimate {
  /** Q[ỹ][y*], K×K, sums to 1. */
  joint: Float64Array;
  /** P(y* ≠ i | ỹ = i) for each given label i (NaN for a class no image is labelled with). */
  perClass: Float64Array;
  /** Σ off-diagonal Q: the estimated share of wrong labels. */
  total: number;
}

/**
 * The estimated noise of a calibrated confident joint.
 * @example estimateNoise(Int32Array.of(8, 2, 0, 10), 2) // { joint: [0.4, 0.1, 0, 0.5], perClass: [0.2, 0], total: 0.1 }
 */
export function estimateNoise(counts: Int32Array, k: number): NoiseEstimate {
  const n = counts.reduce((a, b) => a + b, 0);
  const joint = Float64Array.from(counts, (c) => (n > 0 ? c / n : 0));
  const perClass = new Float64Array(k);
  let off = 0;
  for (let i = 0; i < k; i++) {
    let row = 0;
    for (let j = 0; j < k; j++) {
      row += counts[i * k + j];
      if (j !== i) off += counts[i * k + j];
    }
    perClass[i] = row > 0 ? 1 - counts[i * k + i] / row : NaN;
  }
  return { joint, perClass, total: n > 0 ? off / n : 0 };
}

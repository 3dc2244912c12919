import { DataError, UsageError } from "../../util/errors.js";
import type { Scores } from "./sort.js";

/** How far a row of probabilities may sum from 1 before it is taken for logits (float32 softmax
 * outputs over 1,000 classes sum within ~1e-5). */
export const ROW_SUM_TOLERANCE = 1e-3;

const LOGITS_HINT = "if these are logits, pass --logits (or apply softmax(logits, numClasses) first)";

/** Throws a UsageError unless `numClasses` is an integer ≥ 2. */
export function checkNumClasses(numClasses: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new UsageError(`numClasses must be an integer of at least 2, got ${numClasses}`);
  }
}

/**
 * Throws a DataError unless every label is an integer class in 0..numClasses-1 (`what` names the
 * array in the message: "labels" or "predicted classes").
 * @example checkLabels(new Int32Array([0, 3]), 3) // throws: labels must be classes 0..2; 1 of 2 is not (first: index 1 holds 3)
 */
export function checkLabels(labels: Int32Array, numClasses: number, what = "labels"): void {
  let bad = 0;
  let first = -1;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y < 0 || y >= numClasses) {
      if (bad++ === 0) first = i;
    }
  }
  if (bad > 0) {
    throw new DataError(
      `${what} must be classes 0..${numClasses - 1}; ${bad} of ${labels.length} ${bad === 1 ? "is" : "are"} not ` +
        `(first: index ${first} holds ${labels[first]}); check numClasses or the label encoding`,
    );
  }
}

/**
 * The number of probability columns: numClasses, or 1 for a binary problem given as one column
 * P(class 1) (a sigmoid output). Throws a DataError when probs.length is neither N·numClasses nor
 * (binary) N.
 */
export function probabilityColumns(n: number, probs: Scores, numClasses: number): number {
  if (n === 0) throw new DataError("no samples: labels is empty");
  if (probs.length === n * numClasses) return numClasses;
  if (numClasses === 2 && probs.length === n) return 1;
  const rows = probs.length / numClasses;
  throw new DataError(
    `${n} labels need ${n * numClasses} probabilities (N × numClasses = ${n} × ${numClasses})` +
      `${numClasses === 2 ? ` or ${n} (one column P(class 1))` : ""}, got ${probs.length}` +
      (Number.isInteger(rows) ? ` (${rows} rows): labels and probabilities come from different runs?` : `: check numClasses`),
  );
}

/**
 * Throws one DataError listing every kind of bad row among the probabilities: NaN or ±Infinity,
 * values outside [0, 1], and (with more than one column) rows that do not sum to 1 within
 * `tolerance`; each kind is counted and its first row named, with a hint to apply softmax when the
 * values look like logits.
 * @example checkProbabilities(new Float64Array([0.2, 0.8, 2, -1]), 2) // throws: probabilities: 1 row holds values outside [0, 1] (first: row 1, class 0 holds 2); ...
 */
export function checkProbabilities(probs: Scores, columns: number, tolerance = ROW_SUM_TOLERANCE): void {
  const n = probs.length / columns;
  const bad = { nonFinite: new Problem(), range: new Problem(), sum: new Problem() };
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let inRange = true;
    const base = i * columns;
    for (let j = 0; j < columns; j++) {
      const p = probs[base + j];
      if (!(p >= 0 && p <= 1)) inRange = false; // also catches NaN
      sum += p;
    }
    if (!inRange) rowProblem(probs, i, columns, bad);
    else if (columns > 1 && Math.abs(sum - 1) > tolerance) bad.sum.add(() => `row ${i} sums to ${sum}`);
  }
  const parts = [
    bad.nonFinite.describe("hold NaN or ±Infinity"),
    bad.range.describe("hold values outside [0, 1]"),
    bad.sum.describe(`do not sum to 1 within ${tolerance}`),
  ].filter((s) => s !== "");
  if (parts.length === 0) return;
  const hint = bad.range.count + bad.sum.count > 0 ? `; ${LOGITS_HINT}` : "; remove or fix those samples";
  throw new DataError(`probabilities: ${parts.join("; ")}${hint}`);
}

/** Files row i, which holds a value outside [0, 1], under NaN/Infinity or out of range. */
function rowProblem(probs: Scores, i: number, columns: number, bad: { nonFinite: Problem; range: Problem }): void {
  const base = i * columns;
  const cell = (j: number) => `row ${i}${columns > 1 ? `, class ${j}` : ""} holds ${probs[base + j]}`;
  for (let j = 0; j < columns; j++) {
    if (!Number.isFinite(probs[base + j])) return bad.nonFinite.add(() => cell(j));
  }
  for (let j = 0; j < columns; j++) {
    const p = probs[base + j];
    if (p < 0 || p > 1) return bad.range.add(() => cell(j));
  }
}

/** One kind of bad row: how many, and a description of the first. */
class Problem {
  count = 0;
  first = "";
  add(describe: () => string): void {
    if (this.count++ === 0) this.first = describe();
  }
  describe(what: string): string {
    if (this.count === 0) return "";
    const rows = this.count === 1 ? "1 row" : `${this.count} rows`;
    return `${rows} ${this.count === 1 ? what.replace(/^(hold|do)\b/, (v) => (v === "do" ? "does" : "holds")) : what} (first: ${this.first})`;
  }
}

/** Throws a UsageError unless `value` is an integer in [min, max]; `name` is the option's name. */
export function checkInteger(name: string, value: number, min: number, max = Infinity): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `an integer ≥ ${min}` : `an integer in ${min}..${max}`;
    throw new UsageError(`${name} must be ${range}, got ${value}`);
  }
}

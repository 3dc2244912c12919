import { describe, expect, it } from "vitest";
import { DataError, UsageError } from "../../util/errors.js";
import { evaluate } from "./evaluate.js";
import { checkLabels, checkProbabilities, probabilityColumns } from "./validate.js";

const labels = new Int32Array([0, 1, 2]);
const probs = new Float64Array([0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.2, 0.2, 0.6]);

describe("input validation", () => {
  it("evaluate() rejects rows that do not sum to 1, naming the row and suggesting --logits", () => {
    const logits = new Float64Array([2, 1, 0.5, 0.1, 3, 0.2, 0, 0, 1]);
    expect(() => evaluate(labels, logits, 3)).toThrow(DataError);
    expect(() => evaluate(labels, logits, 3)).toThrow(/values outside \[0, 1\] \(first: row 0, class 0 holds 2\).*--logits/);
    const bad = probs.slice();
    bad[4] = 0.5; // row 1 sums to 0.7
    expect(() => evaluate(labels, bad, 3)).toThrow(/1 row does not sum to 1 within 0\.001 \(first: row 1 sums to 0\.7\d*\).*softmax/);
  });

  it("evaluate() accepts rows within the tolerance, and the tolerance is an option", () => {
    const near = probs.slice();
    near[0] += 5e-4;
    expect(() => evaluate(labels, near, 3)).not.toThrow();
    expect(() => evaluate(labels, near, 3, { tolerance: 1e-4 })).toThrow(/do(es)? not sum to 1/);
  });

  it("evaluate() names the first row holding NaN or Infinity and counts the others", () => {
    const bad = probs.slice();
    bad[5] = NaN;
    bad[7] = Infinity;
    expect(() => evaluate(labels, bad, 3)).toThrow(/2 rows hold NaN or ±Infinity \(first: row 1, class 2 holds NaN\)/);
  });

  it("evaluate() reports every kind of bad row in one message", () => {
    const bad = new Float64Array([NaN, 0.5, 0.5, 3, -1, -1, 0.5, 0.1, 0.1]);
    const message = (() => {
      try {
        evaluate(labels, bad, 3);
      } catch (e) {
        return (e as Error).message;
      }
      return "";
    })();
    expect(message).toMatch(/NaN.*outside \[0, 1\].*sum to 1/);
  });

  it("evaluate() rejects labels outside 0..K-1, naming the first and how many", () => {
    expect(() => evaluate(new Int32Array([0, 3, -1]), probs, 3)).toThrow(/labels must be classes 0\.\.2; 2 of 3 are not \(first: index 1 holds 3\)/);
    expect(() => checkLabels(new Int32Array([0, 5]), 3, "predicted classes")).toThrow(/predicted classes must be classes 0\.\.2/);
  });

  it("evaluate() rejects a length mismatch between N labels and N×K probabilities", () => {
    expect(() => evaluate(new Int32Array([0, 1]), probs, 3)).toThrow(/2 labels need 6 probabilities \(N × numClasses = 2 × 3\), got 9 \(3 rows\)/);
    expect(() => evaluate(labels, probs.subarray(0, 8), 3)).toThrow(/check numClasses/);
    expect(() => probabilityColumns(3, new Float64Array(3), 2)).not.toThrow();
    expect(() => evaluate(new Int32Array(0), new Float64Array(0), 3)).toThrow(/no samples/);
  });

  it("evaluate() rejects bad options with a UsageError naming the option", () => {
    expect(() => evaluate(labels, probs, 1)).toThrow(UsageError);
    expect(() => evaluate(labels, probs, 3, { topK: [3] })).toThrow(/topK must be an integer in 1\.\.2, got 3/);
    expect(() => evaluate(labels, probs, 3, { bins: 0 })).toThrow(/bins must be an integer ≥ 1, got 0/);
    expect(() => evaluate(labels, probs, 3, { eps: 0 })).toThrow(/eps must be in \(0, 0\.5\)/);
  });

  it("checkProbabilities(p, 1) checks a single column only for range and finiteness", () => {
    expect(() => checkProbabilities(new Float32Array([0, 1, 0.3]), 1)).not.toThrow();
    expect(() => checkProbabilities(new Float32Array([0, 1.5]), 1)).toThrow(/row 1 holds 1\.5/);
  });
});

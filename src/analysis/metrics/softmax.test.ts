import { describe, expect, it } from "vitest";
import { createRng } from "../../util/rng.js";
import { evaluate } from "./evaluate.js";
import { sigmoid, softmax } from "./softmax.js";

describe("softmax", () => {
  it("softmax(logits, K) rows sum to 1 and do not change when a constant is added to a row", () => {
    const rng = createRng(3);
    const logits = Float64Array.from({ length: 40 }, () => (rng.next() - 0.5) * 20);
    const p = softmax(logits, 4);
    const q = softmax(logits.map((v, i) => v + (i < 4 ? 100 : 0)), 4);
    for (let r = 0; r < 10; r++) {
      expect(p.subarray(r * 4, r * 4 + 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
      for (let j = 0; j < 4; j++) expect(q[r * 4 + j]).toBeCloseTo(p[r * 4 + j], 12);
    }
  });

  it("softmax(logits, K) survives huge logits and keeps the array type", () => {
    const p = softmax(new Float32Array([1000, 0, -1000, 800]), 2);
    expect(p).toBeInstanceOf(Float32Array);
    expect(Array.from(p)).toEqual([1, 0, 0, 1]);
    const q = softmax(new Float64Array([0, Math.log(3)]), 2);
    expect(q[0]).toBeCloseTo(0.25, 15);
    expect(q[1]).toBeCloseTo(0.75, 15);
  });

  it("softmax(logits, K) rejects a length that is not a multiple of K", () => {
    expect(() => softmax(new Float64Array(5), 2)).toThrow(RangeError);
  });

  it("sigmoid(logits) maps 0 to 0.5, is symmetric and survives huge logits", () => {
    const s = sigmoid(new Float64Array([0, 2, -2, 800, -800]));
    expect(s[0]).toBe(0.5);
    expect(s[1] + s[2]).toBeCloseTo(1, 15);
    expect([s[3], s[4]]).toEqual([1, 0]);
  });

  it("evaluate(labels, softmax(logits, K), K) accepts what evaluate(labels, logits) refused", () => {
    const logits = new Float64Array([2, 1, 0.5, 0.1, 3, 0.2]);
    expect(evaluate(new Int32Array([0, 1]), softmax(logits, 3), 3).report.accuracy).toBe(1);
  });
});

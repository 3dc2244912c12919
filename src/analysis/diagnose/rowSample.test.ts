import { describe, expect, it } from "vitest";
import { heldOutSplit, randomRows, stratifiedSample } from "./rowSample.js";

const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : i < 98 ? 1 : i < 99 ? 2 : -1));

describe("stratifiedSample", () => {
  it("stratifiedSample(labels, limit, seed) keeps each class's share, leaves out unlabelled rows, and is seeded", () => {
    const s = stratifiedSample(labels, 50, 0);
    const count = (c: number) => Array.from(s).filter((i) => labels[i] === c).length;
    expect([count(0), count(1), count(2), s.length]).toEqual([40, 9, 1, 50]);
    expect(Array.from(s)).toEqual([...s].sort((a, b) => a - b));
    expect(stratifiedSample(labels, 50, 0)).toEqual(s);
    expect(stratifiedSample(labels, 50, 1)).not.toEqual(s);
    expect(stratifiedSample(labels, 1000, 0).length).toBe(99);
  });
});

describe("heldOutSplit", () => {
  it("heldOutSplit(labels, 0.2, seed) holds out a fifth of each class, disjoint from the rest, at least one row of each side per class of two or more", () => {
    const { fit, score } = heldOutSplit(labels, 0.2, 0);
    expect(score.length).toBe(16 + 4 + 0);
    expect(fit.length + score.length).toBe(99);
    expect(Array.from(fit).filter((i) => Array.from(score).includes(i))).toEqual([]);
    const tiny = heldOutSplit(Int32Array.of(0, 0, 1, 1), 0.2, 0);
    expect([tiny.fit.length, tiny.score.length]).toEqual([2, 2]);
  });
});

describe("randomRows", () => {
  it("randomRows(n, m, seed) picks m distinct rows, ascending", () => {
    const r = randomRows(1000, 10, 4);
    expect(new Set(r).size).toBe(10);
    expect(Array.from(r)).toEqual([...r].sort((a, b) => a - b));
    expect(randomRows(5, 10, 0)).toEqual(Int32Array.of(0, 1, 2, 3, 4));
  });
});

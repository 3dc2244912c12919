import { describe, expect, it } from "vitest";
import { graphOf } from "./separation.testutil.js";
import { deadUnits, globalAveragePool, knnVoteAccuracy, layerWords } from "./layerSeparation.js";

describe("globalAveragePool", () => {
  it("globalAveragePool(values, N, C, S) averages each channel's positions and folds the maxima in, batch after batch", () => {
    const max = new Float32Array(2).fill(-Infinity);
    // image 0: channel 0 = [1, 3], channel 1 = [0, 0]; image 1: channel 0 = [−1, −1], channel 1 = [2, 4]
    const a = globalAveragePool(Float32Array.of(1, 3, 0, 0), 1, 2, 2, max);
    const b = globalAveragePool(Float32Array.of(-1, -1, 2, 4), 1, 2, 2, max);
    expect(Array.from(a.data)).toEqual([2, 0]);
    expect(Array.from(b.data)).toEqual([-1, 3]);
    expect(Array.from(max)).toEqual([3, 4]);
    expect(() => globalAveragePool(new Float32Array(3), 1, 2, 2)).toThrow(RangeError);
  });
});

describe("deadUnits", () => {
  it("deadUnits(max) lists the channels whose largest value is ≤ 0", () => {
    expect(Array.from(deadUnits(Float32Array.of(0.5, 0, -1, 1e-7)))).toEqual([1, 2]);
  });
});

describe("knnVoteAccuracy", () => {
  it("knnVoteAccuracy(graph, fitLabels, scoreLabels) takes the majority, a tie going to the class met first", () => {
    // scored point 0: neighbours of classes 1, 0, 0 → 0 (right); point 1: 1, 0 (tie) → 1, the nearer (wrong, it is 0)
    const g0 = graphOf([[0, 1, 2]]);
    expect(knnVoteAccuracy(g0, Int32Array.of(1, 0, 0), Int32Array.of(0))).toBe(1);
    const g1 = graphOf([[0, 1]]);
    expect(knnVoteAccuracy(g1, Int32Array.of(1, 0), Int32Array.of(0))).toBe(0);
  });
});

describe("layerWords", () => {
  const curve = (acc: number[]) => acc.map((accuracy, i) => ({ name: i === 0 ? "input" : `layer${i}`, accuracy, role: i === 0 ? ("input" as const) : i === acc.length - 1 ? ("penultimate" as const) : null }));

  it("layerWords says when pixel-space neighbours beat the penultimate layer", () => {
    const w = layerWords(curve([0.75, 0.5, 0.6, 0.7]), 1000);
    expect(w.pixelsBeatPenultimate).toBe(true);
    expect(w.text).toMatch(/Pixel-space neighbours beat the penultimate layer \(75% against 70%\)/);
    expect(w.separateFrom).toBe("input");
  });

  it("layerWords names the first layer within two standard errors of the best as where the classes separate", () => {
    const w = layerWords(curve([0.7, 0.72, 0.84, 0.85, 0.86]), 1000);
    // best 0.86, se = √(0.86·0.14/1000) ≈ 0.011: 0.84 is within 2 se, 0.72 is not
    expect(w.separateFrom).toBe("layer2");
    expect(w.pixelsBeatPenultimate).toBe(false);
    expect(w.text).toMatch(/^The classes separate from layer2 on \(84% kNN accuracy; the best, layer4, 86%\); in pixel space kNN gets 70%\. The penultimate layer beats pixel-space neighbours by 16\.0 points/);
    expect(w.details[0]).toBe("Largest rise: 12.0 points, from layer1 to layer2.");
  });
});

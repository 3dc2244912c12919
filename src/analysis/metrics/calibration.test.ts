import { describe, expect, it } from "vitest";
import { createRng } from "../../util/rng.js";
import { calibration, confidenceStats } from "./calibration.js";

describe("calibration", () => {
  it("calibration(confidence, correct, bins) follows the documented example", () => {
    const { bins, ece } = calibration(new Float64Array([0.9, 0.6]), new Uint8Array([1, 0]), 2);
    expect(bins[0]).toMatchObject({ lower: 0, upper: 0.5, count: 0 });
    expect(bins[0].accuracy).toBeNaN();
    expect(bins[1]).toEqual({ lower: 0.5, upper: 1, count: 2, confidence: 0.75, accuracy: 0.5 });
    expect(ece).toBe(0.25);
  });

  it("calibration(...) puts a confidence equal to an edge in the lower bin, 0 in the first and 1 in the last", () => {
    const edges = [0, 1 / 15, 2 * (1 / 15), 7 * (1 / 15), 1];
    const { bins } = calibration(Float64Array.from(edges), new Uint8Array(5), 15);
    const counts = bins.map((b) => b.count);
    expect(counts[0]).toBe(2); // 0 and 1/15
    expect(counts[1]).toBe(1); // 2/15
    expect(counts[6]).toBe(1); // 7/15
    expect(counts[14]).toBe(1); // 1
  });

  it("calibration(...) has ECE near 0 for a calibrated model and near |acc − conf| for an overconfident one", () => {
    const rng = createRng(9);
    const n = 200000;
    const conf = Float64Array.from({ length: n }, () => 0.3 + 0.7 * rng.next());
    const calibrated = Uint8Array.from(conf, (c) => (rng.next() < c ? 1 : 0));
    expect(calibration(conf, calibrated).ece).toBeLessThan(0.01);
    const over = Uint8Array.from(conf, (c) => (rng.next() < c - 0.2 ? 1 : 0));
    expect(calibration(conf, over).ece).toBeCloseTo(0.2, 1);
  });

  it("confidenceStats(confidence, correct) splits the mean by correctness and gives numpy's quantiles", () => {
    const s = confidenceStats(new Float64Array([0.9, 0.6, 0.7, 0.8]), new Uint8Array([1, 0, 1, 1]));
    expect(s.mean_incorrect).toBe(0.6);
    expect(s.mean_correct).toBeCloseTo(0.8, 15);
    expect(s.quantiles["0.5"]).toBeCloseTo(0.75, 15);
    expect(s.quantiles["0.25"]).toBeCloseTo(0.675, 15);
    expect(confidenceStats(new Float64Array([0.9]), new Uint8Array([1])).mean_incorrect).toBeNaN();
  });
});

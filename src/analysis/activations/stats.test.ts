import { describe, expect, it } from "vitest";
import { createRng } from "../../util/rng.js";
import { activationStats } from "./stats.js";

describe("activationStats", () => {
  it("activationStats(values) gives mean, population std, min, max and the zero fraction", () => {
    const s = activationStats(new Float32Array([0, 2, 4, 0]));
    expect(s).toMatchObject({ count: 4, mean: 1.5, min: 0, max: 4, zeros: 0.5 });
    expect(s.std).toBeCloseTo(Math.sqrt((2.25 + 0.25 + 6.25 + 2.25) / 4), 12);
  });

  it("activationStats(values) stays accurate for a large offset (Welford)", () => {
    const rng = createRng(1);
    const xs = Float64Array.from({ length: 100000 }, () => 1e6 + rng.next());
    const s = activationStats(xs);
    expect(s.mean).toBeCloseTo(1e6 + 0.5, 2);
    expect(s.std).toBeCloseTo(Math.sqrt(1 / 12), 2);
  });

  it("activationStats([]) is NaN, not a crash", () => {
    expect(activationStats([]).mean).toBeNaN();
  });
});

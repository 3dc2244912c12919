import { describe, expect, it } from "vitest";
import { separationWords } from "./separationWords.js";

const FM = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

/** The purities and mixing shares of the seed CNN's penultimate layer on Fashion-MNIST's 70,000 images (two decimals). */
const MIXING = [
  [0.75, 0, 0.02, 0.03, 0, 0, 0.18, 0, 0.02, 0],
  [0, 0.97, 0, 0.02, 0.01, 0, 0, 0, 0, 0],
  [0.02, 0, 0.7, 0.01, 0.14, 0, 0.13, 0, 0, 0],
  [0.04, 0.02, 0.01, 0.84, 0.05, 0, 0.04, 0, 0, 0],
  [0, 0, 0.13, 0.05, 0.7, 0, 0.11, 0, 0.01, 0],
  [0, 0, 0, 0, 0, 0.95, 0, 0.04, 0, 0.01],
  [0.18, 0, 0.12, 0.03, 0.1, 0, 0.55, 0, 0.02, 0],
  [0, 0, 0, 0, 0, 0.03, 0, 0.93, 0, 0.04],
  [0.01, 0, 0.01, 0, 0, 0, 0.01, 0, 0.96, 0.01],
  [0, 0, 0, 0, 0, 0.01, 0, 0.05, 0, 0.94],
];
const purity = MIXING.map((r, i) => r[i]);

describe("separationWords", () => {
  it("separationWords on the seed CNN's Fashion-MNIST numbers says Shirt mixes with T-shirt/top, Pullover and Coat, and names the separated classes", () => {
    const w = separationWords({ classes: FM, purity, mixing: MIXING.flat(), include: () => true, k: 10 });
    expect(w.text).toBe("Shirt mixes with T-shirt/top, Pullover and Coat; Trouser, Bag, Sandal, Ankle boot and Sneaker separate well.");
    expect(w.details[0]).toBe("Shirt: 55% of its 10 nearest neighbours are Shirt (below 69%: it mixes); 18% T-shirt/top, 12% Pullover and 10% Coat.");
    expect(w.how).toMatch(/mean − 1 sd/);
  });

  it("separationWords' words agree with its numbers: mixers below the threshold, separated above, partners at their share", () => {
    const w = separationWords({ classes: FM, purity, mixing: MIXING.flat(), include: () => true, k: 10 });
    const t = w.thresholds;
    expect(t.mixBelow).toBeCloseTo(t.mean - t.sd, 12);
    for (const m of w.mixers) {
      expect(m.purity).toBeLessThan(t.mixBelow);
      expect(w.text).toContain(FM[m.class]);
      for (const p of m.partners) expect(p.share).toBeGreaterThanOrEqual(t.partnerShare * (1 - m.purity));
    }
    for (const s of w.separated) expect(s.purity).toBeGreaterThan(t.separateAbove);
    const unnamed = FM.map((_, c) => c).filter((c) => !w.mixers.some((m) => m.class === c) && !w.separated.some((s) => s.class === c));
    for (const c of unnamed) expect(purity[c]).toBeGreaterThanOrEqual(t.mixBelow);
  });

  it("separationWords leaves out the classes include() refuses, in the words and in the mean", () => {
    const w = separationWords({ classes: FM, purity, mixing: MIXING.flat(), include: (c) => c !== 6, k: 10 });
    expect(w.text).not.toContain("Shirt mixes");
    expect(w.details.at(-1)).toMatch(/\(9 classes\)/);
  });

  it("separationWords with every class alike says none mixes and all separate well; with all low, none separates", () => {
    const alike = separationWords({ classes: ["a", "b", "c"], purity: [0.95, 0.95, 0.95], mixing: [0.95, 0.05, 0, 0.05, 0.95, 0, 0, 0.05, 0.95], include: () => true, k: 10 });
    expect(alike.text).toBe("No class mixes markedly more than the others; a, b and c separate well.");
    const low = separationWords({ classes: ["a", "b"], purity: [0.5, 0.4], mixing: [0.5, 0.5, 0.6, 0.4], include: () => true, k: 10 });
    expect(low.text).toBe("No class mixes markedly more than the others; no class separates well (the best, a, keeps 50% of its neighbours in its class).");
  });
});

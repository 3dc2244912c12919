import { describe, expect, it } from "vitest";
import { shiftWords } from "./shiftWords.js";

const classes = ["T-shirt/top", "Trouser", "Pullover", "Bag"];

describe("shiftWords", () => {
  it("shiftWords says the features moved, what accuracy did, and which classes move toward which", () => {
    const w = shiftWords({
      classes, base: "fashion-mnist:test", domain: "inverted",
      overall: { mmd2: 0.4123, pValue: 1 / 201, permutations: 200 }, accuracy: { base: 0.85, domain: 0.4 },
      perClass: [
        { class: 0, pHolm: 0.02, relative: 0.5, nearest: 0 },
        { class: 1, pHolm: 0.004, relative: 2.5, nearest: 3 },
        { class: 2, pHolm: 0.004, relative: 1.5, nearest: 3 },
        { class: 3, pHolm: 0.004, relative: 0.8, nearest: 3 },
      ],
    });
    expect(w.significant).toBe(true);
    expect(w.text).toBe(
      "The features moved: MMD² = 0.412 between fashion-mnist:test and inverted (p = 0.005, the smallest 200 permutations can give). Accuracy fell from 85.0% to 40.0%. Trouser and Pullover move toward Bag; T-shirt/top and Bag stay nearest their own centroid.",
    );
    expect(w.details).toEqual([
      "3 of 4 classes shifted significantly (per-class MMD, Holm-adjusted p < 0.01).",
      "Moved most: Trouser (2.50× its spread), Pullover (1.50× its spread) and Bag (0.80× its spread); least: T-shirt/top (0.50×).",
    ]);
  });

  it("shiftWords names each class a group moves toward once, the groups apart", () => {
    const w = shiftWords({
      classes, base: "a", domain: "b", overall: { mmd2: 0.1, pValue: 0.001, permutations: 999 }, accuracy: { base: null, domain: null },
      perClass: [{ class: 0, pHolm: 0.5, relative: 1, nearest: 3 }, { class: 1, pHolm: 0.5, relative: 1, nearest: 2 }, { class: 2, pHolm: 0.5, relative: 1, nearest: 3 }],
    });
    expect(w.text).toBe("The features moved: MMD² = 0.1 between a and b (p = 0.001, the smallest 999 permutations can give). T-shirt/top and Pullover move toward Bag; Trouser toward Pullover.");
  });

  it("shiftWords counts the classes that stay when there are more than three", () => {
    const w = shiftWords({
      classes: ["a", "b", "c", "d", "e"], base: "x", domain: "y", overall: { mmd2: 0.1, pValue: 0.001, permutations: 999 }, accuracy: { base: null, domain: null },
      perClass: [0, 1, 2, 3, 4].map((c) => ({ class: c, pHolm: 0.5, relative: 1, nearest: c === 4 ? 0 : c })),
    });
    expect(w.text).toMatch(/ E moves toward a; the other 4 classes stay nearest their own centroid\.$/);
  });

  it("shiftWords with a large p-value says no shift is detected", () => {
    const w = shiftWords({ classes, base: "a", domain: "b", overall: { mmd2: -0.0001, pValue: 0.43, permutations: 200 }, accuracy: { base: 0.85, domain: 0.85 }, perClass: [] });
    expect(w.significant).toBe(false);
    expect(w.text).toBe("No shift in the features is detected: MMD² = -0.0001 (p = 0.43, not below 0.01). Accuracy stays at 85.0%.");
  });
});

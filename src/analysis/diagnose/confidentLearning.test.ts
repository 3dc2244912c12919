import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { calibrateJoint, confidentJoint, confidentThresholds, estimateNoise, roundPreservingSum } from "./confidentLearning.js";
import { findLabelIssues, keepAtLeast, predictedNotGiven } from "./confidentLearningPrune.js";

interface Case {
  name: string;
  k: number;
  labels: number[];
  probabilities: number[];
  thresholds: number[];
  raw_joint: number[];
  confident_joint: number[];
  issues: number[];
}

/** cleanlab's own results on four problems (fixtures/make-cleanlab-fixture.py). */
const oracle = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "cleanlab-prune.json"), "utf8")) as { cases: Case[] };

/**
 * A hand-checked case, 3 classes, 9 images (rows of p: classes 0, 1, 2):
 *   labelled 0: [.8 .1 .1] [.7 .2 .1] [.1 .8 .1]   ← the third looks like a 1
 *   labelled 1: [.1 .8 .1] [.2 .7 .1] [.1 .6 .3]
 *   labelled 2: [.1 .1 .8] [.1 .2 .7] [.6 .2 .2]   ← the third looks like a 0
 * Thresholds (mean p of the class over its own images): t0 = (.8+.7+.1)/3 = .5333,
 * t1 = (.8+.7+.6)/3 = .7, t2 = (.8+.7+.2)/3 = .5667.
 * Confident classes: row 2 (p1 = .8 ≥ .7) → 1; row 5 (p1 = .6 < .7, p2 = .3 < .5667, p0 = .1) → none;
 * row 8 (p0 = .6 ≥ .5333) → 0; the others their own label. Raw joint C[given][true]:
 *   [2 1 0; 0 2 0; 1 0 2]; calibrated: rows to 3, 3, 3 → [2 1 0; 0 3 0; 1 0 2] (row 1: 2 → 3).
 * Prune by noise rate: 1 image labelled 0 with the largest p1 − p0 (row 2), 1 labelled 2 with the
 * largest p0 − p2 (row 8).
 */
const HAND = {
  labels: Int32Array.of(0, 0, 0, 1, 1, 1, 2, 2, 2),
  p: Float32Array.of(.8, .1, .1, .7, .2, .1, .1, .8, .1, .1, .8, .1, .2, .7, .1, .1, .6, .3, .1, .1, .8, .1, .2, .7, .6, .2, .2),
};

describe("confident learning by hand", () => {
  it("confidentThresholds(labels, p, k) is the mean probability of each class over its own images", () => {
    const t = confidentThresholds(HAND.labels, HAND.p, 3);
    expect([...t].map((x) => Number(x.toFixed(4)))).toEqual([0.5333, 0.7, 0.5667]);
  });

  it("confidentJoint(labels, p, k) counts each confidently placed image once and calibrates rows to the label counts", () => {
    expect([...confidentJoint(HAND.labels, HAND.p, 3, { calibrate: false }).counts]).toEqual([2, 1, 0, 0, 2, 0, 1, 0, 2]);
    const cj = confidentJoint(HAND.labels, HAND.p, 3);
    expect([...cj.counts]).toEqual([2, 1, 0, 0, 3, 0, 1, 0, 2]);
    expect([...cj.offDiagonal]).toEqual([2, 8]);
  });

  it("findLabelIssues(labels, p, k) prunes the estimated number of each off-diagonal cell by margin", () => {
    const r = findLabelIssues(HAND.labels, HAND.p, 3);
    expect([...r.pruneCounts]).toEqual([0, 1, 0, 0, 0, 0, 1, 0, 0]);
    expect([...r.issues].flatMap((f, i) => (f ? [i] : []))).toEqual([2, 8]);
    expect(r.noise.total).toBeCloseTo(2 / 9, 12);
    expect([...r.noise.perClass].map((x) => Number(x.toFixed(4)))).toEqual([0.3333, 0, 0.3333]);
  });

  it("findLabelIssues(…) never flags an image predicted as its given label, however the joint counts", () => {
    // Row 2, labelled 0, reaches class 1's threshold (t1 = .4) but not class 0's (t0 = .7167): the
    // joint counts it as a 1 and pruning picks it, but its arg-max is 0, its given label.
    const labels = Int32Array.of(0, 0, 0, 1, 1, 1, 2, 2);
    const p = Float32Array.of(.9, .05, .05, .8, .1, .1, .45, .4, .15, .3, .4, .3, .2, .5, .3, .1, .3, .6, .1, .1, .8, .1, .2, .7);
    const r = findLabelIssues(labels, p, 3);
    expect([...r.joint.counts]).toEqual([2, 1, 0, 0, 3, 0, 0, 0, 2]);
    expect(r.pruneCounts[1]).toBe(1);
    expect([...r.issues]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("predictedNotGiven(labels, p, k) is the arg-max baseline", () => {
    expect([...predictedNotGiven(HAND.labels, HAND.p, 3)]).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 1]);
  });

  it("roundPreservingSum(x) keeps the rounded total; calibrateJoint(…) keeps the label counts per row", () => {
    expect([...roundPreservingSum(Float64Array.of(0.4, 0.4, 0.2))]).toEqual([0, 1, 0]);
    expect([...roundPreservingSum(Float64Array.of(2.6, 2.6, 2.8))]).toEqual([2, 3, 3]);
    const c = calibrateJoint(Float64Array.of(5, 1, 2, 2), Int32Array.of(9, 3), 2);
    expect(c[0] + c[1]).toBe(9);
    expect(c[2] + c[3]).toBe(3);
  });

  it("keepAtLeast(counts, k, n) raises a diagonal below n and takes the rise from that row's off-diagonals", () => {
    // Row 0: diagonal 0 → 2; its two non-zero cells lose 2 / 1 each: 5 − 2 = 3, 1 − 2 → 0.
    expect([...keepAtLeast(Int32Array.of(0, 5, 1, 0, 4, 0, 0, 0, 3), 3, 2)]).toEqual([0, 3, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("estimateNoise(counts, k) gives Q = C / N and the noise per given label", () => {
    const e = estimateNoise(Int32Array.of(8, 2, 0, 10), 2);
    expect([...e.joint]).toEqual([0.4, 0.1, 0, 0.5]);
    expect(e.perClass[0]).toBeCloseTo(0.2, 12);
    expect(e.total).toBeCloseTo(0.1, 12);
  });

  it("confidentThresholds(…) refuses rows of the wrong length and labels outside 0..k−1", () => {
    expect(() => confidentThresholds(Int32Array.of(0, 1), Float32Array.of(1, 0, 0), 2)).toThrow(/3 values, expected 2 rows × 2 classes/);
    expect(() => confidentThresholds(Int32Array.of(0, 2), Float32Array.of(1, 0, 0, 1), 2)).toThrow(/label 2 of row 1 is not a class 0\.\.1/);
  });
});

describe("confident learning against cleanlab", () => {
  for (const c of oracle.cases) {
    it(`confidentThresholds and confidentJoint match cleanlab's (calibrated counts up to ties in rounding): ${c.name}`, () => {
      const labels = Int32Array.from(c.labels);
      const p = Float32Array.from(c.probabilities);
      const t = confidentThresholds(labels, p, c.k);
      t.forEach((x, j) => expect(x).toBeCloseTo(c.thresholds[j], 9));
      expect([...confidentJoint(labels, p, c.k, { calibrate: false }).counts]).toEqual(c.raw_joint);
      // Cells whose rounding remainders tie exactly may get cleanlab's extra unit elsewhere in the
      // row (numpy's argsort breaks exact ties by its own order): same row totals, cells within one.
      const got = confidentJoint(labels, p, c.k).counts;
      for (let i = 0; i < c.k; i++) {
        const row = (a: ArrayLike<number>) => Array.from({ length: c.k }, (_, j) => a[i * c.k + j]);
        expect(row(got).reduce((a, b) => a + b, 0)).toBe(row(c.confident_joint).reduce((a, b) => a + b, 0));
        row(got).forEach((x, j) => expect(Math.abs(x - row(c.confident_joint)[j])).toBeLessThanOrEqual(1));
      }
    });

    it(`findLabelIssues(…, { counts: cleanlab's joint }) flags exactly cleanlab's prune_by_noise_rate issues: ${c.name}`, () => {
      const r = findLabelIssues(Int32Array.from(c.labels), Float32Array.from(c.probabilities), c.k, { counts: Int32Array.from(c.confident_joint) });
      expect([...r.issues].flatMap((f, i) => (f ? [i] : []))).toEqual(c.issues);
    });
  }

  it("findLabelIssues(…) with its own joint equals cleanlab's issues where the joints agree, and differs by no more than the tied cells allow", () => {
    for (const c of oracle.cases) {
      const labels = Int32Array.from(c.labels);
      const p = Float32Array.from(c.probabilities);
      const r = findLabelIssues(labels, p, c.k);
      const got = [...r.issues].flatMap((f, i) => (f ? [i] : []));
      const moved = [...r.joint.counts].reduce((s, x, j) => s + Math.abs(x - c.confident_joint[j]), 0);
      if (moved === 0) expect(got, c.name).toEqual(c.issues);
      const extra = got.filter((i) => !c.issues.includes(i)).length + c.issues.filter((i) => !got.includes(i)).length;
      expect(extra, c.name).toBeLessThanOrEqual(moved);
    }
  });
});

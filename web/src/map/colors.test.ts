import { describe, expect, it } from "vitest";
import { coloring } from "./colors.js";
import { pointsInPolygon } from "./points.js";

const classes = ["cat", "dog", "bird"];
const points = {
  label: Uint8Array.from([0, 1, 2, 255, 1]),
  predicted: Uint8Array.from([0, 2, 2, 1, 1]),
  confidence: Float32Array.from([0.9, 0.4, 0.8, 0.5, 0.95]),
  loss: Float32Array.from([0.1, 1.5, 0.2, NaN, 0.05]),
  margin: Float32Array.from([0.8, 0.1, 0.6, 0.2, 0.9]),
};

describe("coloring(points, by, classes)", () => {
  it("by true class: each point's class, 'unlabelled' last, the wrong ones ringed when asked", () => {
    const c = coloring(points, "true", classes, { marks: true });
    expect(Array.from(c.category)).toEqual([0, 1, 2, 3, 1]);
    expect(c.palette).toEqual(["#1f77b4", "#ff7f0e", "#2ca02c", "#c6cbd2"]);
    expect(c.legend.map((e) => e && [e.label, e.count])).toEqual([["cat", 1], ["dog", 2], ["bird", 1], ["unlabelled", 1]]);
    expect(Array.from(c.ring!)).toEqual([0, 1, 0, 0, 0]);
  });

  it("by right/wrong: right, wrong, unlabelled, the wrong drawn last", () => {
    const c = coloring(points, "wrong", classes, { marks: true });
    expect(Array.from(c.category)).toEqual([0, 1, 0, 2, 0]);
    expect(c.order[c.order.length - 1]).toBe(1);
    expect(c.ring).toBeNull();
  });

  it("by confidence: 256 steps of viridis over [1/k, 1], the least confident drawn last", () => {
    const c = coloring(points, "confidence", classes, { marks: false });
    expect(c.ramp!.domain).toEqual([1 / 3, 1]);
    expect(c.category[4]).toBe(Math.floor(((0.95 - 1 / 3) / (2 / 3)) * 256));
    expect(c.order[c.order.length - 1]).toBe(1);
  });

  it("by loss: a point without a loss takes the last palette entry and is drawn first", () => {
    const c = coloring(points, "loss", classes, { marks: false });
    expect(c.category[3]).toBe(256);
    expect(c.order[0]).toBe(3);
    expect(c.order[c.order.length - 1]).toBe(1);
  });
});

describe("pointsInPolygon(xy, dims, polygon)", () => {
  it("keeps the rows inside a square and leaves those outside", () => {
    const xy = Float32Array.from([0, 0, 2, 2, 0.5, 0.5, -1, 0.2]);
    expect(Array.from(pointsInPolygon(xy, 2, [-0.1, -0.1, 1, -0.1, 1, 1, -0.1, 1]))).toEqual([0, 2]);
  });
});

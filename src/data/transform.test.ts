import { describe, expect, it } from "vitest";
import { UsageError } from "../util/errors.js";
import { createRng } from "../util/rng.js";
import { describeTransform, parseTransform, transformDataset, transformImage } from "./transform.js";
import type { Dataset } from "./dataset.js";

const gray = (h: number, w: number, f: (x: number, y: number) => number) => ({ shape: { height: h, width: w, channels: 1 }, pixels: Uint8Array.from({ length: h * w }, (_, i) => f(i % w, Math.floor(i / w))) });

describe("parseTransform", () => {
  it("parseTransform reads invert, blur:S, noise:S, rotate:DEG and edges", () => {
    expect(parseTransform("invert")).toEqual({ kind: "invert" });
    expect(parseTransform("blur:1.5")).toEqual({ kind: "blur", sigma: 1.5 });
    expect(parseTransform("noise:40")).toEqual({ kind: "noise", sigma: 40 });
    expect(parseTransform("rotate:-15")).toEqual({ kind: "rotate", degrees: -15 });
    expect(parseTransform(" edges ")).toEqual({ kind: "edges" });
  });

  it("parseTransform refuses what it cannot read with a UsageError naming --transform and the forms", () => {
    expect(() => parseTransform("sharpen")).toThrow(/^--transform 'sharpen': unknown transform 'sharpen'; it takes invert, blur:S, noise:S, rotate:DEG, edges \(featurelens dataset --help/);
    expect(() => parseTransform("blur")).toThrow(/blur needs a width σ in pixels, e\.g\. blur:1\.5/);
    expect(() => parseTransform("noise:0")).toThrow(/must be in \(0, 255\], got 0/);
    expect(() => parseTransform("invert:2")).toThrow(UsageError);
  });
});

describe("transformImage", () => {
  it("transformImage invert maps v to 255 − v, and twice gives the image back", () => {
    const { shape, pixels } = gray(3, 4, (x, y) => 20 * x + y);
    const once = transformImage(pixels, shape, { kind: "invert" });
    expect(once[5]).toBe(255 - pixels[5]);
    expect(transformImage(once, shape, { kind: "invert" })).toEqual(pixels);
  });

  it("transformImage blur keeps a flat image flat and spreads a point symmetrically, keeping its mass", () => {
    const flat = gray(5, 5, () => 77);
    expect(transformImage(flat.pixels, flat.shape, { kind: "blur", sigma: 1 })).toEqual(flat.pixels);
    const dot = gray(9, 9, (x, y) => (x === 4 && y === 4 ? 255 : 0));
    const b = transformImage(dot.pixels, dot.shape, { kind: "blur", sigma: 1 });
    expect(b[4 * 9 + 3]).toBe(b[4 * 9 + 5]);
    expect(b[3 * 9 + 4]).toBe(b[4 * 9 + 3]);
    expect(b[4 * 9 + 4]).toBeLessThan(255);
    expect(Math.abs(b.reduce((s, v) => s + v, 0) - 255)).toBeLessThan(15);
  });

  it("transformImage noise is seeded, centred on the image and of the σ asked for", () => {
    const mid = gray(64, 64, () => 128);
    const a = transformImage(mid.pixels, mid.shape, { kind: "noise", sigma: 20 }, createRng(1));
    expect(transformImage(mid.pixels, mid.shape, { kind: "noise", sigma: 20 }, createRng(1))).toEqual(a);
    const d = Array.from(a, (v) => v - 128);
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    const sd = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length);
    expect(Math.abs(mean)).toBeLessThan(1);
    expect(sd).toBeGreaterThan(19);
    expect(sd).toBeLessThan(21);
    expect(() => transformImage(mid.pixels, mid.shape, { kind: "noise", sigma: 20 })).toThrow(/needs an rng/);
  });

  it("transformImage rotate by 0 and by 360 keeps the image; by 90 turns it counter-clockwise", () => {
    const { shape, pixels } = gray(5, 5, (x, y) => 10 * y + x);
    expect(transformImage(pixels, shape, { kind: "rotate", degrees: 0 })).toEqual(pixels);
    expect(transformImage(pixels, shape, { kind: "rotate", degrees: 360 })).toEqual(pixels);
    const r = transformImage(pixels, shape, { kind: "rotate", degrees: 90 });
    // counter-clockwise: the top-right corner (x = 4, y = 0) goes to the top-left (0, 0)
    expect(r[0]).toBe(pixels[4]);
    expect(r[4 * 5 + 0]).toBe(pixels[0]);
    expect(r[2 * 5 + 2]).toBe(pixels[2 * 5 + 2]);
  });

  it("transformImage edges is 0 on a flat image and 255 along a step, per channel", () => {
    const flat = gray(4, 4, () => 9);
    expect(Array.from(transformImage(flat.pixels, flat.shape, { kind: "edges" }))).toEqual(new Array(16).fill(0));
    const step = gray(4, 6, (x) => (x < 3 ? 0 : 200));
    const e = transformImage(step.pixels, step.shape, { kind: "edges" });
    expect([e[2], e[3], e[0], e[5]]).toEqual([255, 255, 0, 0]);
  });
});

describe("transformDataset", () => {
  it("transformDataset transforms every image, keeps labels and classes, and gives the same copy for the same seed", () => {
    const ds: Dataset = { name: "tiny", classes: ["a", "b"], n: 2, height: 2, width: 2, channels: 1, images: Uint8Array.of(0, 50, 100, 150, 200, 250, 10, 20), labels: Int32Array.of(0, 1) };
    const inv = transformDataset(ds, { kind: "invert" }, 0);
    expect(Array.from(inv.images)).toEqual([255, 205, 155, 105, 55, 5, 245, 235]);
    expect(inv.labels).toBe(ds.labels);
    expect(inv.name).toBe("tiny inverted");
    expect(transformDataset(ds, { kind: "noise", sigma: 30 }, 5).images).toEqual(transformDataset(ds, { kind: "noise", sigma: 30 }, 5).images);
    expect(describeTransform({ kind: "blur", sigma: 2 })).toBe("blurred (sd 2 px)");
  });
});

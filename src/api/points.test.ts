import { describe, expect, it } from "vitest";
import { decodePoints, encodePoints, labelArray, unlabelled } from "./points.js";

describe("points payload", () => {
  it("decodePoints(encodePoints(...)) gives the same columns, 8-byte aligned views into one buffer", () => {
    const n = 5;
    const label = labelArray(10, n);
    label.set([0, 1, 2, 255, 4]);
    const columns = {
      xy: Float32Array.from({ length: 2 * n }, (_, i) => i * 0.5 - 1),
      label,
      predicted: Uint8Array.of(0, 1, 1, 3, 4),
      confidence: Float32Array.of(0.9, 0.8, 0.4, 0.5, 0.99),
      loss: Float32Array.of(0.1, 0.2, 0.9, Number.NaN, 0.01),
      margin: Float32Array.of(0.8, 0.6, 0.1, 0.2, 0.98),
      index: Int32Array.of(3, 7, 11, 15, 19),
    };
    const bytes = encodePoints({ run: "r", domain: null, map: "tsne", n, dims: 2, classes: ["a", "b", "c", "d", "e"] }, columns);
    const d = decodePoints(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(d.header).toMatchObject({ version: 1, run: "r", map: "tsne", n, dims: 2, bounds: [-1, 3, -0.5, 3.5] });
    for (const key of ["xy", "label", "predicted", "confidence", "margin", "index"] as const) expect(Array.from(d[key])).toEqual(Array.from(columns[key]));
    expect(Number.isNaN(d.loss[3])).toBe(true);
    expect(unlabelled(d.label)).toBe(255);
    for (const c of d.header.columns) expect(c.offset % 8).toBe(0);
  });

  it("decodePoints refuses a truncated payload, and labelArray widens past 254 classes", () => {
    const bytes = encodePoints({ run: "r", domain: null, map: "pca", n: 1, dims: 2, classes: ["a"] }, {
      xy: Float32Array.of(0, 0), label: Uint8Array.of(0), predicted: Uint8Array.of(0), confidence: Float32Array.of(1), loss: Float32Array.of(0), margin: Float32Array.of(1), index: Int32Array.of(0),
    });
    expect(() => decodePoints(bytes.buffer.slice(0, bytes.length - 8) as ArrayBuffer)).toThrow(/past the end/);
    expect(labelArray(300, 2)).toBeInstanceOf(Uint16Array);
  });
});

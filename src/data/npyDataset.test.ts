import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readNpy, writeNpy } from "./npy.js";
import { loadNpyDataset } from "./npyDataset.js";

const fixture = (name: string) => join(import.meta.dirname, "fixtures", name);

describe("loadNpyDataset", () => {
  it("loadNpyDataset(images, labels) reads N×H×W uint8 with int64 labels", () => {
    const ds = loadNpyDataset(fixture("images_nhw_u8.npy"), fixture("labels_i64.npy"));
    expect([ds.n, ds.height, ds.width, ds.channels]).toEqual([6, 4, 5, 1]);
    expect(ds.classes).toEqual(["0", "1", "2"]);
    expect(ds.images).toEqual(readNpy(fixture("images_nhw_u8.npy")).data);
  });

  it("loadNpyDataset(images) turns channels-first float [0,1] into channels-last bytes", () => {
    const ds = loadNpyDataset(fixture("images_nchw_f32.npy"));
    const src = readNpy(fixture("images_nchw_f32.npy")).data as Float32Array;
    expect([ds.n, ds.height, ds.width, ds.channels]).toEqual([6, 4, 5, 3]);
    // pixel (i=2, y=1, x=3, c=2) in NCHW vs NHWC
    const nchw = ((2 * 3 + 2) * 4 + 1) * 5 + 3;
    const nhwc = ((2 * 4 + 1) * 5 + 3) * 3 + 2;
    expect(ds.images[nhwc]).toBe(Math.round(src[nchw] * 255));
    expect(Array.from(ds.labels)).toEqual([-1, -1, -1, -1, -1, -1]);
  });

  it("loadNpyDataset(images, labels) refuses bad shapes, ranges and counts, naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "npyds-"));
    writeNpy(join(dir, "flat.npy"), { dtype: "uint8", shape: [6], data: new Uint8Array(6) });
    writeNpy(join(dir, "big.npy"), { dtype: "float32", shape: [1, 1, 2], data: new Float32Array([0.5, 255]) });
    writeNpy(join(dir, "few.npy"), { dtype: "int32", shape: [2], data: new Int32Array(2) });
    expect(() => loadNpyDataset(join(dir, "flat.npy"))).toThrow(/flat\.npy: images must be 3-D/);
    expect(() => loadNpyDataset(join(dir, "big.npy"))).toThrow(/must lie in \[0, 1\]; element 1 is 255/);
    expect(() => loadNpyDataset(fixture("images_nhw_u8.npy"), join(dir, "few.npy"))).toThrow(/few\.npy: 2 labels for 6 images/);
    expect(() => loadNpyDataset(fixture("images_nhw_u8.npy"), fixture("labels_i64.npy"), { classes: ["a", "b"] })).toThrow(
      /label\(s\) outside 0\.\.1/,
    );
  });
});

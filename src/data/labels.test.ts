import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "../util/errors.js";
import { checkDataset, type Dataset, subset } from "./dataset.js";
import { encodeIdxUint8, loadIdxDataset } from "./idx.js";
import { classNamesFor } from "./labels.js";
import { MAX_CLASSES } from "./limits.js";
import { loadDataset } from "./load.js";
import { toInt32Labels, writeNpy } from "./npy.js";
import { loadNpyDataset } from "./npyDataset.js";

const tmp = () => mkdtempSync(join(tmpdir(), "labels-"));

/** Two 2×2 uint8 images as IMG.npy, and `labels` (int64) as LAB.npy, in a fresh folder. */
function npyPair(labels: bigint[]): { images: string; labels: string } {
  const dir = tmp();
  const n = labels.length;
  writeNpy(join(dir, "IMG.npy"), { dtype: "uint8", shape: [n, 2, 2], data: new Uint8Array(n * 4) });
  writeNpy(join(dir, "LAB.npy"), { dtype: "int64", shape: [n], data: BigInt64Array.from(labels) });
  return { images: join(dir, "IMG.npy"), labels: join(dir, "LAB.npy") };
}

describe("classNamesFor", () => {
  it("classNamesFor(labels, file) makes 0..max and refuses a label of MAX_CLASSES or more, naming index and value", () => {
    expect(classNamesFor(Int32Array.of(0, 2, -1), "y.npy")).toEqual(["0", "1", "2"]);
    expect(classNamesFor(Int32Array.of(MAX_CLASSES - 1), "y.npy")).toHaveLength(MAX_CLASSES);
    expect(() => classNamesFor(Int32Array.of(0, 3, 2 ** 30, 2 ** 30), "y.npy")).toThrow(
      "y.npy: 2 label(s) outside 0..99999 (first at index 2: 1073741824); without class names a label must lie in 0..99999, " +
        "or be -1 for an image with no label; fix the labels",
    );
  });

  it("classNamesFor(labels, file, {classes, classesFrom}) checks labels against the names given", () => {
    expect(classNamesFor(Int32Array.of(0, 1, -1), "y", { classes: ["a", "b"] })).toEqual(["a", "b"]);
    expect(() => classNamesFor(Int32Array.of(0, -3, 2), "y", { classes: ["a", "b"], classesFrom: "--classes" })).toThrow(
      "y: 2 label(s) outside 0..1 (first at index 1: -3); there are 2 class names (--classes); fix the labels (-1 marks an image with no label) or give one name per class",
    );
  });
});

describe("label checks of the loaders", () => {
  it("loadNpyDataset(images, labels) with one label of 2^30 is a DataError naming LAB.npy, not an out-of-memory", () => {
    const p = npyPair([0n, 1n, 1073741824n]);
    const err = (() => {
      try {
        loadNpyDataset(p.images, p.labels);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toMatch(new RegExp(`^${p.labels}: 1 label\\(s\\) outside 0\\.\\.99999 \\(first at index 2: 1073741824\\)`));
  });

  it("loadNpyDataset(images, labels) refuses a negative label other than -1, naming the index", () => {
    const p = npyPair([0n, -1n, -7n]);
    expect(() => loadNpyDataset(p.images, p.labels)).toThrow(`${p.labels}: label -7 at index 2 is negative; labels are classes 0, 1, … or -1 for an image with no label`);
  });

  it("loadDataset('npy:IMG,LAB', {classes, limit}) names --classes and the index in the file, before any shuffle", async () => {
    const p = npyPair([0n, 1n, 0n, 1n, 5n, 0n]);
    await expect(loadDataset(`npy:${p.images},${p.labels}`, { classes: ["a", "b"], limit: 2, seed: 3 })).rejects.toThrow(
      `${p.labels}: 1 label(s) outside 0..1 (first at index 4: 5); there are 2 class names (--classes)`,
    );
  });

  it("loadIdxDataset(images, labels) refuses a label of 200 past the names of a named set, and float labels", () => {
    const dir = tmp();
    writeFileSync(join(dir, "img"), encodeIdxUint8([3, 2, 2], new Uint8Array(12)));
    writeFileSync(join(dir, "lab"), encodeIdxUint8([3], Uint8Array.of(0, 9, 200)));
    const classes = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    expect(() => loadIdxDataset(join(dir, "img"), join(dir, "lab"), { classes })).toThrow(
      `${join(dir, "lab")}: 1 label(s) outside 0..9 (first at index 2: 200); there are 10 class names;`,
    );
    // Without names, 200 is a class index like any other: 201 classes.
    expect(loadIdxDataset(join(dir, "img"), join(dir, "lab")).classes).toHaveLength(201);
    const floats = new Uint8Array(4 + 4 + 3 * 4);
    floats.set([0, 0, 0x0d, 1, 0, 0, 0, 3]);
    writeFileSync(join(dir, "flab"), floats);
    expect(() => loadIdxDataset(join(dir, "img"), join(dir, "flab"))).toThrow(/flab: labels must be integers \(IDX type uint8, int8, int16 or int32\), got float32/);
  });
});

describe("toInt32Labels", () => {
  it("toInt32Labels(array, file) refuses labels shaped 500×2 with the shape, and takes N and N×1", () => {
    const data = new BigInt64Array(1000);
    expect(() => toInt32Labels({ dtype: "int64", shape: [500, 2], data }, "LAB.npy")).toThrow(
      "LAB.npy: labels must be 1-D, one per image, got shape (500, 2); save them with np.save(path, labels.reshape(-1))",
    );
    expect(toInt32Labels({ dtype: "int64", shape: [1000], data }, "LAB.npy")).toHaveLength(1000);
    expect(toInt32Labels({ dtype: "int64", shape: [1000, 1], data }, "LAB.npy")).toHaveLength(1000);
    expect(() => toInt32Labels({ dtype: "float32", shape: [2, 3], data: new Float32Array(6) }, "L.npy")).toThrow(
      /L\.npy: labels must be 1-D, .*; labels must be integers \(int32, int64 or uint8\), got float32/,
    );
  });

  it("loadNpyDataset(images, labels) refuses 500×2 labels naming the labels file", () => {
    const dir = tmp();
    writeNpy(join(dir, "IMG.npy"), { dtype: "uint8", shape: [500, 1, 1], data: new Uint8Array(500) });
    writeNpy(join(dir, "LAB.npy"), { dtype: "int32", shape: [500, 2], data: new Int32Array(1000) });
    expect(() => loadNpyDataset(join(dir, "IMG.npy"), join(dir, "LAB.npy"))).toThrow(`${join(dir, "LAB.npy")}: labels must be 1-D, one per image, got shape (500, 2)`);
  });
});

describe("checkDataset", () => {
  const base = (): Dataset => ({
    name: "t",
    classes: ["a", "b"],
    n: 4,
    height: 1,
    width: 1,
    channels: 1,
    images: new Uint8Array(4),
    labels: Int32Array.of(0, 1, 0, 1),
  });

  it("checkDataset(ds) reports every problem in one DataError, a bad label by its index in the source", () => {
    const part = subset(base(), [3, 1]);
    part.labels[0] = 7;
    part.images = new Uint8Array(3);
    part.height = 0;
    const err = (() => {
      try {
        checkDataset(part, "src.npy");
      } catch (e) {
        return e as DataError;
      }
    })();
    expect(err).toBeInstanceOf(DataError);
    expect(err!.message).toBe(
      "src.npy: height must be a positive integer, got 0; 3 image bytes do not make 2 images of 0×1×1; " +
        "1 label(s) outside 0..1 (first at index 3: 7); there are 2 class names — pass the class names, or fix the labels (-1 marks an image with no label)",
    );
  });

  it("checkDataset(ds) passes a dataset of 0 images or of one class: whether that will do is the caller's to say", () => {
    expect(checkDataset({ ...base(), n: 0, images: new Uint8Array(0), labels: new Int32Array(0) }).n).toBe(0);
    expect(checkDataset({ ...base(), classes: ["only"], labels: Int32Array.of(0, 0, -1, 0) }).classes).toEqual(["only"]);
  });
});

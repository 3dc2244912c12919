import { describe, expect, it } from "vitest";
import { DataError } from "../util/errors.js";
import { batches, checkDataset, classCounts, concatDatasets, type Dataset, subset } from "./dataset.js";
import { limitDataset, stratifiedIndices, trainValSplit } from "./subset.js";

/** n images of 1×1×1 whose pixel is the index (mod 256), labels cycling through k classes unevenly. */
function toy(n: number, k: number): Dataset {
  const labels = Int32Array.from({ length: n }, (_, i) => (i % 7 < 4 ? 0 : 1 + (i % (k - 1))));
  return { name: "toy", classes: Array.from({ length: k }, (_, i) => `c${i}`), n, height: 1, width: 1, channels: 1, images: Uint8Array.from({ length: n }, (_, i) => i % 256), labels };
}

describe("stratifiedIndices", () => {
  it("stratifiedIndices(labels, k, {limit, seed}) keeps each class's share, sorted, without repeats", () => {
    const ds = toy(1000, 4);
    const idx = stratifiedIndices(ds.labels, 4, { limit: 100, seed: 3 });
    expect(idx.length).toBe(100);
    expect(new Set(idx).size).toBe(100);
    expect(Array.from(idx)).toEqual(Array.from(idx).sort((a, b) => a - b));
    const full = classCounts(ds);
    const part = classCounts(subset(ds, idx));
    for (let c = 0; c < 4; c++) expect(Math.abs(part[c] - full[c] / 10)).toBeLessThan(1);
  });

  it("stratifiedIndices(labels, k, {limit, seed}) is reproducible for a seed and differs across seeds", () => {
    const ds = toy(500, 3);
    const a = stratifiedIndices(ds.labels, 3, { limit: 50, seed: 1 });
    expect(stratifiedIndices(ds.labels, 3, { limit: 50, seed: 1 })).toEqual(a);
    expect(stratifiedIndices(ds.labels, 3, { limit: 50, seed: 2 })).not.toEqual(a);
  });

  it("limitDataset(ds, {limit}) returns the set itself when limit ≥ n", () => {
    const ds = toy(10, 2);
    expect(limitDataset(ds, { limit: 10 })).toBe(ds);
  });
});

describe("trainValSplit", () => {
  it("trainValSplit(ds, {fraction}) gives disjoint parts that cover the set, stratified", () => {
    const ds = toy(700, 5);
    const { train, val } = trainValSplit(ds, { fraction: 0.2, seed: 9 });
    expect(train.n + val.n).toBe(700);
    expect(val.n).toBe(140);
    const all = [...Array.from(train.images), ...Array.from(val.images)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from(ds.images).sort((a, b) => a - b));
    const vc = classCounts(val);
    const fc = classCounts(ds);
    for (let c = 0; c < 5; c++) expect(Math.abs(vc[c] - fc[c] * 0.2)).toBeLessThan(1);
    expect(() => trainValSplit(ds, { fraction: 1 })).toThrow(RangeError);
  });
});

describe("checkDataset", () => {
  it("checkDataset(ds) reports every problem in one error", () => {
    const bad: Dataset = { ...toy(4, 2), labels: new Int32Array([0, 5, 1]), images: new Uint8Array(3) };
    expect(() => checkDataset(bad)).toThrow(DataError);
    expect(() => checkDataset(bad)).toThrow(/3 image bytes do not make 4 images.*4 images but 3 labels.*1 label\(s\) outside 0\.\.1/);
  });
});

describe("batches and concatDatasets", () => {
  it("batches(ds, size) covers every image once, the last batch smaller", () => {
    const ds = toy(10, 2);
    const got = [...batches(ds, 4)].map((b) => [b.start, b.n, b.images.length]);
    expect(got).toEqual([[0, 4, 4], [4, 4, 4], [8, 2, 2]]);
  });

  it("concatDatasets(parts) joins in order and refuses different shapes", () => {
    const a = toy(3, 2);
    const b = toy(2, 2);
    const c = concatDatasets([a, b], "ab");
    expect(c.n).toBe(5);
    expect(Array.from(c.images)).toEqual([0, 1, 2, 0, 1]);
    expect(() => concatDatasets([a, { ...b, width: 2, images: new Uint8Array(4) }], "x")).toThrow(/image shape/);
  });
});

import { describe, expect, it } from "vitest";
import { UsageError } from "../util/errors.js";
import type { Dataset } from "./dataset.js";
import { parseShard, shardOf, shardRows } from "./shard.js";
import { limitDataset } from "./subset.js";

/** n images of 1×1×1 whose pixel is the index (mod 256), labels cycling through 3 classes. */
function toy(n: number): Dataset {
  return { name: "toy", classes: ["a", "b", "c"], n, height: 1, width: 1, channels: 1, images: Uint8Array.from({ length: n }, (_, i) => i % 256), labels: Int32Array.from({ length: n }, (_, i) => i % 3) };
}

describe("parseShard", () => {
  it("parseShard('i/n') reads 0 ≤ i < n", () => {
    expect(parseShard("0/1")).toEqual({ index: 0, count: 1 });
    expect(parseShard("3/4")).toEqual({ index: 3, count: 4 });
    expect(parseShard(" 99/100 ")).toEqual({ index: 99, count: 100 });
  });

  it("parseShard(bad) throws one UsageError naming --shard, the value and the form", () => {
    for (const bad of ["3/2", "0/0", "-1/4", "a/b", "1/2/3", "4", "1/", "/4", "1.5/4", ""]) {
      let err: unknown;
      try {
        parseShard(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(UsageError);
      expect((err as Error).message).toContain(`--shard takes i/n with 0 ≤ i < n`);
      expect((err as Error).message).toContain(`got '${bad}'`);
    }
    expect(() => parseShard("3/2")).toThrow(/3 is not below 2/);
  });
});

describe("shardOf", () => {
  it("shardRows(n, shard) takes rows i, i+n, …; the shards cover every row once and differ in size by at most one", () => {
    expect(Array.from(shardRows(10, { index: 1, count: 4 }))).toEqual([1, 5, 9]);
    expect(shardRows(3, { index: 3, count: 4 }).length).toBe(0);
    const all = [0, 1, 2, 3].flatMap((index) => Array.from(shardRows(10, { index, count: 4 })));
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(() => shardRows(10, { index: 4, count: 4 })).toThrow(RangeError);
  });

  it("shardOf(ds, shard) keeps the source indices through --limit, with the images and labels of those rows", () => {
    const limited = limitDataset(toy(300), { limit: 90, seed: 5 });
    const part = shardOf(limited, { index: 2, count: 3 });
    expect(part.n).toBe(30);
    for (let j = 0; j < part.n; j++) {
      const row = 2 + 3 * j;
      expect(part.indices![j]).toBe(limited.indices![row]);
      expect(part.images[j]).toBe(limited.images[row]);
      expect(part.labels[j]).toBe(limited.labels[row]);
    }
  });
});

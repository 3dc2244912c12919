import { describe, expect, it } from "vitest";
import { UsageError } from "../util/errors.js";
import { parseDataSpec } from "./spec.js";

describe("parseDataSpec", () => {
  it("parseDataSpec(spec) reads every documented form", () => {
    expect(parseDataSpec("sample")).toEqual({ kind: "sample", split: "train" });
    expect(parseDataSpec("sample:test")).toEqual({ kind: "sample", split: "test" });
    expect(parseDataSpec("fashion-mnist:test")).toEqual({ kind: "named", name: "fashion-mnist", split: "test" });
    expect(parseDataSpec("mnist@/data/m")).toEqual({ kind: "named", name: "mnist", split: "train", dir: "/data/m" });
    expect(parseDataSpec("cifar10:test@/d")).toEqual({ kind: "named", name: "cifar10", split: "test", dir: "/d" });
    expect(parseDataSpec("folder:/x/y")).toEqual({ kind: "folder", path: "/x/y" });
    expect(parseDataSpec("npy:a.npy,b.npy")).toEqual({ kind: "npy", images: "a.npy", labels: "b.npy" });
    expect(parseDataSpec("npy:a.npy")).toEqual({ kind: "npy", images: "a.npy" });
    expect(parseDataSpec("idx:i.gz,l.gz")).toEqual({ kind: "idx", images: "i.gz", labels: "l.gz" });
    expect(parseDataSpec("cifar:/c:test")).toEqual({ kind: "cifar", path: "/c", split: "test" });
    expect(parseDataSpec(import.meta.dirname)).toEqual({ kind: "folder", path: import.meta.dirname });
  });

  it("parseDataSpec(spec) refuses unknown names and bad splits, listing the accepted forms", () => {
    expect(() => parseDataSpec("imagenet")).toThrow(UsageError);
    expect(() => parseDataSpec("imagenet")).toThrow(/not a known dataset name.*Accepted forms/s);
    expect(() => parseDataSpec("mnist:val")).toThrow(/split must be 'train' or 'test', got 'val'/);
    expect(() => parseDataSpec("npy:a,b,c")).toThrow(/takes IMAGES or IMAGES,LABELS/);
    expect(() => parseDataSpec("")).toThrow(/empty/);
  });
});

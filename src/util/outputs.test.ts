import { mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { removeStaleTemporaries, writeFileAtomic } from "./atomic.js";
import { FeaturelensError, UsageError } from "./errors.js";
import { checkOutputs, madeByFeaturelens, recordOutputs } from "./outputs.js";

const tmp = () => mkdtempSync(join(tmpdir(), "outputs-"));

describe("checkOutputs", () => {
  it("checkOutputs refuses writing over an input, also through a link, and two outputs on one file", () => {
    const dir = tmp();
    writeFileSync(join(dir, "images.npy"), "x");
    symlinkSync(join(dir, "images.npy"), join(dir, "alias.npy"));
    const input = [{ path: join(dir, "images.npy"), flag: "--data" }];
    expect(() => checkOutputs([{ path: join(dir, "images.npy"), flag: "--out" }], input, { command: "predict" })).toThrow(/--out .* would write over --data/);
    expect(() => checkOutputs([{ path: join(dir, "alias.npy"), flag: "--out" }], input, { command: "predict", force: true })).toThrow(UsageError);
    expect(() => checkOutputs([{ path: join(dir, "p.npy"), flag: "--out" }, { path: join(dir, "p.npy"), flag: "--labels-out" }], [], { command: "predict" })).toThrow(/--labels-out and --out name the same file/);
    expect(() => checkOutputs([{ path: "", flag: "--out" }], [], { command: "train" })).toThrow(/--out is empty/);
  });

  it("checkOutputs refuses replacing a file featurelens did not write unless forced, and allows its own", () => {
    const dir = tmp();
    const mine = join(dir, "thesis.npy");
    writeFileSync(mine, "precious");
    expect(() => checkOutputs([{ path: mine, flag: "--out" }], [], { command: "embed" })).toThrow(/exists and featurelens did not write it; choose another name, or pass --force/);
    checkOutputs([{ path: mine, flag: "--out" }], [], { command: "embed", force: true });
    const ours = join(dir, "map.npy");
    writeFileAtomic(ours, "map");
    recordOutputs([ours], "embed");
    expect(madeByFeaturelens(ours)).toBe(true);
    checkOutputs([{ path: ours, flag: "--out" }], [], { command: "embed" });
    // Changed since featurelens wrote it: no longer ours.
    writeFileSync(ours, "edited by hand");
    utimesSync(ours, new Date(), new Date(Date.now() + 5000));
    expect(madeByFeaturelens(ours)).toBe(false);
  });

  it("checkOutputs: a folder output must be new, empty or featurelens'; a file where a folder goes and the reverse are refused", () => {
    const dir = tmp();
    mkdirSync(join(dir, "photos"));
    writeFileSync(join(dir, "photos", "cat.jpg"), "x");
    expect(() => checkOutputs([{ path: join(dir, "photos"), flag: "--out", kind: "folder" }], [], { command: "inspect" })).toThrow(/holds 1 file\(s\) featurelens did not write \(cat\.jpg\)/);
    writeFileSync(join(dir, "f"), "x");
    expect(() => checkOutputs([{ path: join(dir, "f"), flag: "--out", kind: "folder" }], [], { command: "inspect" })).toThrow(/is a file; give a folder/);
    expect(() => checkOutputs([{ path: join(dir, "photos"), flag: "--out" }], [], { command: "embed" })).toThrow(/is a folder; give a file name/);
    expect(() => checkOutputs([{ path: join(dir, "f", "x.npy"), flag: "--out" }], [], { command: "embed" })).toThrow(/is a file, not a folder/);
    checkOutputs([{ path: join(dir, "new", "deeper"), flag: "--out", kind: "folder" }], [], { command: "inspect" });
  });
});

describe("writeFileAtomic", () => {
  it("writeFileAtomic removes the temporaries of killed writes, and names the path when it cannot write", () => {
    const dir = tmp();
    const target = join(dir, "E.npy");
    writeFileSync(`${target}.tmp-999999-abc`, "half"); // no such process
    writeFileSync(`${target}.tmp-${process.pid}-live`, "mine, in flight");
    expect(removeStaleTemporaries(target)).toBe(1);
    writeFileAtomic(target, "whole");
    mkdirSync(join(dir, "folder.npy"));
    expect(() => writeFileAtomic(join(dir, "folder.npy"), "x")).toThrow(FeaturelensError);
    expect(() => writeFileAtomic(join(dir, "folder.npy"), "x")).toThrow(/cannot write .*folder\.npy \(is a folder, not a file\)/);
    expect(() => writeFileAtomic("/proc/e.npy", "x")).toThrow(/cannot write \/proc\/e\.npy/);
  });
});

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../util/errors.js";
import { loadCifar10 } from "./cifar.js";
import { readIdx } from "./idx.js";
import { loadDataset } from "./load.js";
import { readNpy } from "./npy.js";
import { readRegularFile } from "./regularFile.js";

let dir: string;
let fifo: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "featurelens-regular-"));
  fifo = join(dir, "pipe.npy");
  execFileSync("mkfifo", [fifo]);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("readRegularFile", () => {
  it("readRegularFile(path) refuses a character device, a FIFO and a folder at once, naming each", () => {
    expect(() => readRegularFile("/dev/zero")).toThrow("/dev/zero: is a character device, not a regular file; give the path of a data file");
    expect(() => readRegularFile(fifo)).toThrow(`${fifo}: is a FIFO (named pipe), not a regular file; give the path of a data file`);
    expect(() => readRegularFile(dir)).toThrow(`${dir}: is a folder, not a file; give the path of a data file`);
    expect(() => readRegularFile(join(dir, "none"))).toThrow(`${join(dir, "none")}: no such file or folder`);
  });
});

describe("data readers on files that are not regular", () => {
  it("readNpy, readIdx and loadDataset('npy:/dev/zero' | 'idx:/dev/zero') refuse /dev/zero without reading it", async () => {
    for (const read of [readNpy, readIdx]) {
      expect(() => read("/dev/zero")).toThrow(DataError);
      expect(() => read("/dev/zero")).toThrow(/^\/dev\/zero: is a character device, not a regular file/);
      expect(() => read(fifo)).toThrow(/is a FIFO \(named pipe\)/);
    }
    await expect(loadDataset("npy:/dev/zero")).rejects.toThrow(/^\/dev\/zero: is a character device/);
    await expect(loadDataset("idx:/dev/zero,/dev/null")).rejects.toThrow(/^\/dev\/zero: is a character device/);
  });

  it("loadCifar10(dir) refuses a batch file that is a FIFO instead of waiting for a writer", () => {
    const folder = join(dir, "cifar-10-batches-bin");
    mkdirSync(folder);
    execFileSync("mkfifo", [join(folder, "test_batch.bin")]);
    expect(() => loadCifar10(dir, "test")).toThrow(`${join(folder, "test_batch.bin")}: is a FIFO (named pipe), not a regular file; a CIFAR-10 batch is a file of 30,730,000 bytes`);
  });
});

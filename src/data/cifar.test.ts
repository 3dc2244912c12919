import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../util/errors.js";
import { createRng } from "../util/rng.js";
import { CIFAR10_CLASSES, loadCifar10, parseCifarBatch, readCifarClassNames } from "./cifar.js";

const RECORD = 3073;

/** The known value of channel `c` at row `y`, column `x` of image `i` of batch `b`. */
function pixel(b: number, i: number, c: number, y: number, x: number): number {
  return (b * 101 + i * 37 + c * 83 + y * 7 + x * 3) & 255;
}

/** A CIFAR-10 binary batch: per record a label byte, then the R, G and B planes, row-major. */
function makeBatch(labels: number[], b = 0): Uint8Array {
  const bytes = new Uint8Array(labels.length * RECORD);
  labels.forEach((label, i) => {
    bytes[i * RECORD] = label;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) bytes[i * RECORD + 1 + c * 1024 + y * 32 + x] = pixel(b, i, c, y, x);
      }
    }
  });
  return bytes;
}

let dir: string;
let counter = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "featurelens-cifar-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh `parent/cifar-10-batches-bin` folder holding the given files. */
function makeFolder(files: Record<string, Uint8Array | string>): { parent: string; folder: string } {
  const parent = join(dir, `set${counter++}`);
  const folder = join(parent, "cifar-10-batches-bin");
  mkdirSync(folder, { recursive: true });
  for (const [name, data] of Object.entries(files)) writeFileSync(join(folder, name), data);
  return { parent, folder };
}

/** Five training batches of two images each, labels 0..9 in order, and a test batch. */
function standardFiles(): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (let b = 1; b <= 5; b++) files[`data_batch_${b}.bin`] = makeBatch([2 * (b - 1), 2 * (b - 1) + 1], b);
  files["test_batch.bin"] = makeBatch([9, 0, 4], 9);
  return files;
}

describe("parseCifarBatch", () => {
  it("parseCifarBatch(bytes) turns the R, G, B planes into HWC pixels, checked one by one", () => {
    const labels = [3, 0, 9];
    const parsed = parseCifarBatch(makeBatch(labels, 4), "b.bin");
    expect(parsed.n).toBe(3);
    expect(Array.from(parsed.labels)).toEqual(labels);
    expect(parsed.images.length).toBe(3 * 32 * 32 * 3);
    let mismatches = 0;
    for (let i = 0; i < 3; i++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          for (let c = 0; c < 3; c++) {
            if (parsed.images[((i * 32 + y) * 32 + x) * 3 + c] !== pixel(4, i, c, y, x)) mismatches++;
          }
        }
      }
    }
    expect(mismatches).toBe(0);
  });

  it("parseCifarBatch(bytes) rejects a size that is not a multiple of 3073", () => {
    const bytes = makeBatch([1, 2]).subarray(0, 2 * RECORD - 5);
    expect(() => parseCifarBatch(bytes, "cut.bin")).toThrow(DataError);
    expect(() => parseCifarBatch(bytes, "cut.bin")).toThrow(
      "cut.bin: truncated or not a CIFAR-10 binary batch: 6141 bytes is not a multiple of 3073",
    );
    expect(() => parseCifarBatch(new Uint8Array(0), "empty.bin")).toThrow(/empty\.bin: empty file/);
  });

  it("parseCifarBatch(bytes) rejects label bytes of 10 and more, counting them all", () => {
    const bytes = makeBatch([1, 10, 2, 255]);
    expect(() => parseCifarBatch(bytes, "labels.bin")).toThrow(DataError);
    expect(() => parseCifarBatch(bytes, "labels.bin")).toThrow(
      /labels\.bin: 2 record\(s\) with a label byte outside 0\.\.9 \(first: record 1 at byte 3073, label 10\)/,
    );
  });

  it("parseCifarBatch(bytes) on 200 seeded random truncations and byte flips parses or throws a DataError", () => {
    const rng = createRng(2009);
    const good = makeBatch([0, 5, 9, 3]);
    let parsed = 0;
    let rejected = 0;
    for (let trial = 0; trial < 200; trial++) {
      let bytes = Uint8Array.from(good);
      const flips = rng.int(6);
      for (let f = 0; f < flips; f++) bytes[rng.int(bytes.length)] ^= 1 + rng.int(255);
      if (rng.next() < 0.5) bytes = bytes.subarray(0, rng.int(bytes.length + 1));
      try {
        const out = parseCifarBatch(bytes, "fuzz.bin");
        expect(out.images.length).toBe(out.n * 3072);
        expect(out.labels.every((l) => l >= 0 && l < 10)).toBe(true);
        parsed++;
      } catch (err) {
        if (!(err instanceof DataError)) throw new Error(`trial ${trial}: ${String(err)}`);
        rejected++;
      }
    }
    expect(parsed + rejected).toBe(200);
    expect(parsed).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });
});

describe("readCifarClassNames", () => {
  it("readCifarClassNames(metaPath) reads one name per non-empty line", () => {
    const { folder } = makeFolder({ "batches.meta.txt": "cat\r\n dog \n\nbird\n\n\n" });
    expect(readCifarClassNames(join(folder, "batches.meta.txt"))).toEqual(["cat", "dog", "bird"]);
  });

  it("readCifarClassNames(metaPath) throws a DataError for a missing or empty file", () => {
    const { folder } = makeFolder({ "batches.meta.txt": "\n\n" });
    expect(() => readCifarClassNames(join(folder, "batches.meta.txt"))).toThrow(/no class names/);
    expect(() => readCifarClassNames(join(folder, "nope.txt"))).toThrow(DataError);
  });
});

describe("loadCifar10", () => {
  it("loadCifar10(dir, 'train') joins the five batches in order, from the folder or its parent", () => {
    const { parent, folder } = makeFolder(standardFiles());
    for (const where of [parent, folder]) {
      const ds = loadCifar10(where, "train");
      expect(ds.name).toBe("cifar10-train");
      expect([ds.n, ds.height, ds.width, ds.channels]).toEqual([10, 32, 32, 3]);
      expect(Array.from(ds.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(ds.classes).toEqual(CIFAR10_CLASSES);
      // Image 2j+i comes from batch j+1, record i: check a few pixels of each.
      for (let j = 0; j < 5; j++) {
        for (let i = 0; i < 2; i++) {
          const base = (2 * j + i) * 3072;
          expect(ds.images[base]).toBe(pixel(j + 1, i, 0, 0, 0));
          expect(ds.images[base + (5 * 32 + 7) * 3 + 1]).toBe(pixel(j + 1, i, 1, 5, 7));
          expect(ds.images[base + 3071]).toBe(pixel(j + 1, i, 2, 31, 31));
        }
      }
    }
  });

  it("loadCifar10(dir, 'test') reads test_batch.bin, with class names from batches.meta.txt and a chosen name", () => {
    const names = ["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"];
    const { parent } = makeFolder({ ...standardFiles(), "batches.meta.txt": `${names.join("\n")}\n\n` });
    const ds = loadCifar10(parent, "test", { name: "mine" });
    expect(ds.name).toBe("mine");
    expect(ds.n).toBe(3);
    expect(Array.from(ds.labels)).toEqual([9, 0, 4]);
    expect(ds.classes).toEqual(names);
  });

  it("loadCifar10(dir, split) names the missing batch files and the folder searched", () => {
    const files = standardFiles();
    delete files["data_batch_2.bin"];
    delete files["data_batch_5.bin"];
    const { parent, folder } = makeFolder(files);
    expect(() => loadCifar10(parent, "train")).toThrow(DataError);
    expect(() => loadCifar10(parent, "train")).toThrow(`missing CIFAR-10 train batch file(s) data_batch_2.bin, data_batch_5.bin in ${folder}`);
    const empty = join(dir, `empty${counter++}`);
    mkdirSync(empty);
    expect(() => loadCifar10(empty, "test")).toThrow(`test_batch.bin in ${empty} (and found no cifar-10-batches-bin folder in it)`);
  });

  it("loadCifar10(dir, split) names a truncated batch file, or one with a bad label", () => {
    const files = standardFiles();
    files["data_batch_3.bin"] = files["data_batch_3.bin"].subarray(0, RECORD + 100);
    files["test_batch.bin"][RECORD] = 12;
    const { folder } = makeFolder(files);
    expect(() => loadCifar10(folder, "train")).toThrow(`${join(folder, "data_batch_3.bin")}: truncated or not a CIFAR-10 binary batch`);
    expect(() => loadCifar10(folder, "test")).toThrow(`${join(folder, "test_batch.bin")}: 1 record(s) with a label byte outside 0..9`);
  });

  it("loadCifar10(dir, split) rejects a batches.meta.txt without ten names", () => {
    const { folder } = makeFolder({ ...standardFiles(), "batches.meta.txt": "cat\ndog\n" });
    expect(() => loadCifar10(folder, "test")).toThrow(/batches\.meta\.txt: 2 class names, but CIFAR-10 has 10/);
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DataError } from "../util/errors.js";
import { fuzzParser } from "../util/fuzz.testutil.js";
import { encodeIdxUint8, loadIdxDataset, parseIdx, readIdx, writeIdxUint8 } from "./idx.js";
import { FASHION_MNIST_FILES, SAMPLE_DIR } from "./sample.js";

const tmp = () => mkdtempSync(join(tmpdir(), "idx-"));

describe("parseIdx", () => {
  it("parseIdx(bytes) reads uint8 data, plain and gzipped, with its dimensions", () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
    for (const gz of [false, true]) {
      const arr = parseIdx(encodeIdxUint8([2, 3, 4], data, gz));
      expect(arr.dims).toEqual([2, 3, 4]);
      expect(Array.from(arr.data)).toEqual(Array.from(data));
    }
  });

  it("parseIdx(bytes) reads big-endian int32 and float32", () => {
    const buf = new Uint8Array(4 + 4 + 8);
    const v = new DataView(buf.buffer);
    buf.set([0, 0, 0x0c, 1]);
    v.setUint32(4, 2, false);
    v.setInt32(8, -7, false);
    v.setInt32(12, 123456, false);
    expect(Array.from(parseIdx(buf).data)).toEqual([-7, 123456]);
    buf[2] = 0x0d;
    v.setFloat32(8, 1.5, false);
    v.setFloat32(12, -0.25, false);
    expect(Array.from(parseIdx(buf).data)).toEqual([1.5, -0.25]);
  });

  it("parseIdx(bytes) names the problem of bad headers, truncation and trailing bytes", () => {
    const good = encodeIdxUint8([2, 2], new Uint8Array(4));
    expect(() => parseIdx(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 0]), "x")).toThrow(/first two bytes are not zero/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x42, 1, 0, 0, 0, 0]), "x")).toThrow(/unknown data type code 0x42/);
    expect(() => parseIdx(good.subarray(0, good.length - 1), "x")).toThrow(/x: truncated: dimensions 2×2 of uint8 need 4 data bytes, the file has 3/);
    expect(() => parseIdx(Uint8Array.from([...good, 9]), "x")).toThrow(/too long/);
    expect(() => parseIdx(good.subarray(0, 6), "x")).toThrow(/truncated IDX header/);
    const gz = gzipSync(good);
    expect(() => parseIdx(gz.subarray(0, gz.length - 6), "x.gz")).toThrow(/x\.gz: truncated gzip data/);
  });

  it("parseIdx(bytes) on 400 seeded truncations and byte flips throws DataError or parses, never anything else", () => {
    const plain = encodeIdxUint8([5, 6, 7], Uint8Array.from({ length: 210 }, (_, i) => i));
    const rejected = fuzzParser({ sources: [plain, gzipSync(plain)], trials: 400, seed: 11, parse: (b) => parseIdx(b, "fuzz"), errorClass: DataError });
    expect(rejected).toBeGreaterThan(100);
  });
});

describe("loadIdxDataset", () => {
  it("loadIdxDataset(images, labels) reads the embedded Fashion-MNIST sample", () => {
    const [images, labels] = FASHION_MNIST_FILES.test.map((f) => join(SAMPLE_DIR, f));
    const ds = loadIdxDataset(images, labels);
    expect([ds.n, ds.height, ds.width, ds.channels]).toEqual([1000, 28, 28, 1]);
    expect(ds.classes).toHaveLength(10);
    expect(ds.images.length).toBe(1000 * 784);
  });

  it("loadIdxDataset(images, labels) refuses mismatched counts and out-of-range labels", () => {
    const dir = tmp();
    writeIdxUint8(join(dir, "img"), [3, 2, 2], new Uint8Array(12));
    writeIdxUint8(join(dir, "lab2"), [2], new Uint8Array([0, 1]));
    writeIdxUint8(join(dir, "lab3"), [3], new Uint8Array([0, 1, 9]));
    expect(() => loadIdxDataset(join(dir, "img"), join(dir, "lab2"))).toThrow(/lab2: 2 labels for 3 images/);
    expect(() => loadIdxDataset(join(dir, "img"), join(dir, "lab3"), { classes: ["a", "b"] })).toThrow(
      /1 label\(s\) outside 0\.\.1 \(first at index 2: 9\)/,
    );
    expect(() => loadIdxDataset(join(dir, "nope"), undefined)).toThrow(/nope: no such file or folder/);
  });

  it("loadIdxDataset(images) without labels marks every image unlabelled", () => {
    const dir = tmp();
    writeIdxUint8(join(dir, "img.gz"), [2, 1, 1], new Uint8Array([5, 6]));
    expect(readFileSync(join(dir, "img.gz"))[0]).toBe(0x1f);
    const ds = loadIdxDataset(join(dir, "img.gz"), undefined);
    expect(Array.from(ds.labels)).toEqual([-1, -1]);
  });
});

describe("readIdx bounds", () => {
  /** An IDX header of uint8 with `dims`, followed by `data`. */
  function idxBytes(dims: number[], data: Uint8Array): Uint8Array {
    const out = new Uint8Array(4 + 4 * dims.length + data.length);
    out.set([0, 0, 0x08, dims.length]);
    dims.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d, false));
    out.set(data, 4 + 4 * dims.length);
    return out;
  }
  const write = (bytes: Uint8Array): string => {
    const path = join(tmp(), "x-idx3-ubyte");
    writeFileSync(path, bytes);
    return path;
  };

  it("readIdx(path) checks the file's size against the header before reading the data", () => {
    const path = write(idxBytes([1000, 1000, 1000], new Uint8Array(10)));
    expect(() => readIdx(path)).toThrow(`${path}: truncated: dimensions 1000×1000×1000 of uint8 need 1000000000 data bytes, the file has 10`);
    const absurd = write(idxBytes([65536, 65536, 65536], new Uint8Array(0)));
    expect(() => readIdx(absurd)).toThrow(`${absurd}: dimensions 65536×65536×65536 are absurd: more than 2^31 elements; the file is damaged or not an IDX file`);
  });

  it("readIdx(path) of gzip stops inflating at the size the header declares", () => {
    // 10 MB of zeros behind a header that declares 10 bytes: a small gzip bomb.
    const bomb = write(gzipSync(idxBytes([10], new Uint8Array(10_000_000))));
    expect(() => readIdx(bomb)).toThrow(`${bomb}: too long: it unpacks to more than the 18 bytes its header declares (dimensions 10)`);
    const short = write(gzipSync(idxBytes([1000, 1000, 1000], new Uint8Array(5))));
    expect(() => readIdx(short)).toThrow(/truncated: dimensions 1000×1000×1000 of uint8 need 1000000000 data bytes, the file has 5/);
    const ok = write(gzipSync(idxBytes([2, 2], Uint8Array.of(1, 2, 3, 4))));
    expect(readIdx(ok)).toEqual({ dims: [2, 2], data: Uint8Array.of(1, 2, 3, 4) });
  });
});

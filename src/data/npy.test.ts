import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "../util/errors.js";
import { fuzzParser } from "../util/fuzz.testutil.js";
import { encodeNpy, parseNpy, readNpy, toInt32Labels, writeNpy } from "./npy.js";

const fixture = (name: string) => join(import.meta.dirname, "fixtures", name);

describe("readNpy", () => {
  it("readNpy(path) reads each dtype numpy writes, with its shape", () => {
    const f32 = readNpy(fixture("f32_2x3.npy"));
    expect(f32.dtype).toBe("float32");
    expect(f32.shape).toEqual([2, 3]);
    expect(Array.from(f32.data as Float32Array)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);

    const f64 = readNpy(fixture("f64_vec.npy"));
    expect(f64.dtype).toBe("float64");
    expect(Array.from(f64.data as Float64Array)).toEqual([0.1, -2.5, 1e300, Math.PI]);

    const u8 = readNpy(fixture("u8_2x2x3.npy"));
    expect(u8.shape).toEqual([2, 2, 3]);
    expect(Array.from(u8.data as Uint8Array)).toEqual(Array.from({ length: 12 }, (_, i) => (i * 20) % 256));

    expect(Array.from(readNpy(fixture("i32_vec.npy")).data as Int32Array)).toEqual([-1, 0, 7, 2147483647]);
    expect(Array.from(readNpy(fixture("i64_vec.npy")).data as BigInt64Array)).toEqual([3n, 1n, 4n, 1n, 5n]);
    expect(Array.from(readNpy(fixture("bool_vec.npy")).data as Uint8Array)).toEqual([1, 0, 1]);
  });

  it("readNpy(path) reads scalars, empty arrays, big-endian data and format 2.0", () => {
    const scalar = readNpy(fixture("scalar_f32.npy"));
    expect(scalar.shape).toEqual([]);
    expect(scalar.data[0]).toBe(2.5);
    expect(readNpy(fixture("empty_0x4.npy")).shape).toEqual([0, 4]);
    expect(Array.from(readNpy(fixture("be_f4.npy")).data as Float32Array)).toEqual([1.5, -2, 3.25]);
    const v2 = readNpy(fixture("v2_f32.npy"));
    expect(v2.shape).toEqual([2, 2]);
    expect(Array.from(v2.data as Float32Array)).toEqual([1, 1, 1, 1]);
  });

  it("readNpy(path) refuses Fortran order, object and structured arrays, and other dtypes, saying how to fix", () => {
    expect(() => readNpy(fixture("fortran_f32.npy"))).toThrow(/Fortran-ordered.*np\.ascontiguousarray/);
    expect(() => readNpy(fixture("object.npy"))).toThrow(/object arrays.*astype/);
    expect(() => readNpy(fixture("structured.npy"))).toThrow(/structured arrays/);
    expect(() => readNpy(fixture("u16_vec.npy"))).toThrow(/unsupported dtype '<u2'/);
  });

  it("readNpy(path) names a missing file", () => {
    expect(() => readNpy("/no/such/file.npy")).toThrow(new DataError("no such file or folder", "/no/such/file.npy"));
  });
});

describe("encodeNpy", () => {
  it("encodeNpy(array) writes the same bytes as numpy's np.save", () => {
    for (const name of ["f32_2x3.npy", "f64_vec.npy", "u8_2x2x3.npy", "i32_vec.npy", "i64_vec.npy", "empty_0x4.npy"]) {
      const bytes = readFileSync(fixture(name));
      expect(Buffer.from(encodeNpy(parseNpy(bytes))).equals(bytes), name).toBe(true);
    }
  });

  it("writeNpy(path) then readNpy(path) round-trips every dtype", () => {
    const dir = mkdtempSync(join(tmpdir(), "npy-"));
    const arrays = [
      { dtype: "float32", shape: [3, 1, 2], data: new Float32Array([1, 2, 3, 4, 5, -6.5]) },
      { dtype: "float64", shape: [2], data: new Float64Array([1e-300, -0]) },
      { dtype: "uint8", shape: [4], data: new Uint8Array([0, 1, 254, 255]) },
      { dtype: "int32", shape: [1, 2], data: new Int32Array([-5, 5]) },
      { dtype: "int64", shape: [2], data: new BigInt64Array([-(2n ** 62n), 7n]) },
    ] as const;
    for (const a of arrays) {
      const path = join(dir, `${a.dtype}.npy`);
      writeNpy(path, { dtype: a.dtype, shape: [...a.shape], data: a.data });
      const back = readNpy(path);
      expect(back.dtype).toBe(a.dtype);
      expect(back.shape).toEqual(a.shape);
      expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(Array.from(a.data as ArrayLike<unknown>));
    }
  });

  it("encodeNpy(array) refuses data that does not fill the shape", () => {
    expect(() => encodeNpy({ dtype: "float32", shape: [2, 2], data: new Float32Array(3) })).toThrow(RangeError);
  });
});

describe("toInt32Labels", () => {
  it("toInt32Labels(array) converts int64 and refuses floats", () => {
    expect(Array.from(toInt32Labels(readNpy(fixture("labels_i64.npy")), "l.npy"))).toEqual([0, 1, 2, 0, 1, 2]);
    expect(() => toInt32Labels(readNpy(fixture("f32_2x3.npy")), "l.npy")).toThrow(/labels must be integers/);
  });
});

describe("parseNpy fuzz", () => {
  it("parseNpy(bytes) on 500 seeded truncations and byte flips throws DataError or parses, never anything else", () => {
    const sources = ["f32_2x3.npy", "i64_vec.npy", "v2_f32.npy", "u8_2x2x3.npy"].map((n) => readFileSync(fixture(n)));
    const rejected = fuzzParser({ sources, trials: 500, seed: 7, parse: (b) => parseNpy(b, "fuzz.npy"), errorClass: DataError });
    expect(rejected).toBeGreaterThan(100);
  });
});

describe("readNpy bounds", () => {
  /** A .npy 1.0 file with this header text and `dataBytes` zero bytes of data. */
  function npyFile(header: string, dataBytes: number, headerLen = header.length): string {
    const path = join(mkdtempSync(join(tmpdir(), "npy-bounds-")), "x.npy");
    const bytes = new Uint8Array(10 + header.length + dataBytes);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    new DataView(bytes.buffer).setUint16(8, headerLen, true);
    for (let i = 0; i < header.length; i++) bytes[10 + i] = header.charCodeAt(i);
    writeFileSync(path, bytes);
    return path;
  }

  it("readNpy(path) refuses a header that promises more data than the file holds, before allocating it", () => {
    const path = npyFile("{'descr': '<f4', 'fortran_order': False, 'shape': (20000, 50000), }\n", 16);
    expect(() => readNpy(path)).toThrow(`${path}: truncated: shape (20000, 50000) of float32 needs 4000000000 bytes of data, the file has 16`);
  });

  it("readNpy(path) refuses absurd shapes: more than 2^31 elements, or one dimension past it with another of 0", () => {
    const big = npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (65536, 65536), }\n", 0);
    expect(() => readNpy(big)).toThrow(/shape \(65536, 65536\) is absurd: more than 2\^31 elements \(the file has \d+ bytes\)/);
    const zero = npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (0, 9999999999999), }\n", 0);
    expect(() => readNpy(zero)).toThrow(/is absurd/);
  });

  it("readNpy(path) refuses a header length past the file, and reads exactly the data the header declares", () => {
    const header = "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }\n";
    const long = npyFile(header, 3, 60000);
    expect(() => readNpy(long)).toThrow(/truncated \.npy header: it says 60000 bytes/);
    const ok = npyFile(header, 3);
    expect(readNpy(ok)).toEqual({ dtype: "uint8", shape: [3], data: new Uint8Array(3) });
  });
});

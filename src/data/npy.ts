import { DataError } from "../util/errors.js";
import { writeFileAtomic } from "../util/atomic.js";
import { readFileChecked } from "../util/files.js";

/**
 * numpy's `.npy` format, version 1.0–3.0 (numpy NEP 1, "A simple file format for NumPy arrays"),
 * the one array file every part of featurelens reads and writes, so that numpy, pandas and DuckDB
 * open our features and embeddings directly.
 */

export type NpyDtype = "float32" | "float64" | "uint8" | "int32" | "int64";

export type NpyData = Float32Array | Float64Array | Uint8Array | Int32Array | BigInt64Array;

/** A C-ordered array: `data` holds `shape.reduce(*)` elements, row-major. */
export interface NpyArray<D extends NpyData = NpyData> {
  dtype: NpyDtype;
  shape: number[];
  data: D;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

interface DtypeInfo {
  dtype: NpyDtype;
  size: number;
  make: (buf: ArrayBuffer, n: number) => NpyData;
}

const BY_KIND: Record<string, DtypeInfo> = {
  f4: { dtype: "float32", size: 4, make: (b, n) => new Float32Array(b, 0, n) },
  f8: { dtype: "float64", size: 8, make: (b, n) => new Float64Array(b, 0, n) },
  u1: { dtype: "uint8", size: 1, make: (b, n) => new Uint8Array(b, 0, n) },
  b1: { dtype: "uint8", size: 1, make: (b, n) => new Uint8Array(b, 0, n) },
  i4: { dtype: "int32", size: 4, make: (b, n) => new Int32Array(b, 0, n) },
  i8: { dtype: "int64", size: 8, make: (b, n) => new BigInt64Array(b, 0, n) },
};

const DESCR: Record<NpyDtype, string> = { float32: "<f4", float64: "<f8", uint8: "|u1", int32: "<i4", int64: "<i8" };

/** Parses the bytes of a `.npy` file. `file` only names the source in errors. */
export function parseNpy(bytes: Uint8Array, file = "<npy>"): NpyArray {
  const fail = (msg: string): never => {
    throw new DataError(msg, file);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail("not a .npy file (it does not start with \\x93NUMPY); write it with numpy's np.save");
  }
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`unknown .npy format version ${major}.${bytes[7]} (known: 1.0–3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) fail("truncated .npy header");
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lenBytes + headerLen;
  if (dataStart > bytes.length) fail(`truncated .npy header: it says ${headerLen} bytes, the file has ${bytes.length - 8 - lenBytes}`);
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(8 + lenBytes, dataStart));
  const { descr, fortran, shape } = parseHeader(header, fail);

  if (fortran) fail("Fortran-ordered arrays are not supported; save a C-ordered copy: np.save(path, np.ascontiguousarray(a))");
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr);
  if (descr.includes("O")) fail(`object arrays (dtype ${descr}) cannot be read; save a numeric array, e.g. a.astype(np.float32)`);
  const info = m ? BY_KIND[m[2] + m[3]] : undefined;
  if (!m || !info) fail(`unsupported dtype '${descr}' (supported: float32, float64, uint8, bool, int32, int64)`);
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * info!.size;
  if (bytes.length - dataStart < need) {
    fail(`truncated: shape (${shape.join(", ")}) needs ${need} bytes of data, the file has ${bytes.length - dataStart}`);
  }
  // Copy into a fresh, aligned buffer (the file's bytes may sit at any offset).
  const buf = new ArrayBuffer(need);
  const out = new Uint8Array(buf);
  out.set(bytes.subarray(dataStart, dataStart + need));
  if (m![1] === ">" && info!.size > 1) swapBytes(out, info!.size);
  return { dtype: info!.dtype, shape, data: info!.make(buf, count) };
}

function parseHeader(header: string, fail: (msg: string) => never): { descr: string; fortran: boolean; shape: number[] } {
  const descrM = /['"]descr['"]\s*:\s*(['"])([^'"]*)\1/.exec(header);
  const fortranM = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header);
  const shapeM = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descrM) {
    if (/['"]descr['"]\s*:\s*\[/.test(header)) fail("structured arrays (record dtypes) cannot be read; save one numeric array per field");
    fail(`cannot read the .npy header: ${JSON.stringify(header.trim().slice(0, 120))}`);
  }
  if (!fortranM || !shapeM) fail(`cannot read the .npy header: ${JSON.stringify(header.trim().slice(0, 120))}`);
  const parts = shapeM![1].split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  const shape = parts.map((s) => (/^\d+L?$/.test(s) ? parseInt(s, 10) : NaN));
  if (shape.some((d) => !Number.isSafeInteger(d))) fail(`bad shape in .npy header: (${shapeM![1]})`);
  return { descr: descrM![2], fortran: fortranM![1] === "True", shape };
}

function swapBytes(b: Uint8Array, size: number): void {
  for (let i = 0; i < b.length; i += size) {
    for (let j = 0; j < size >> 1; j++) {
      const t = b[i + j];
      b[i + j] = b[i + size - 1 - j];
      b[i + size - 1 - j] = t;
    }
  }
}

/** Reads a `.npy` file. */
export function readNpy(path: string): NpyArray {
  return parseNpy(readFileChecked(path), path);
}

/** The `.npy` bytes (format 1.0, header padded to a multiple of 64) of a C-ordered array. */
export function encodeNpy(array: NpyArray): Uint8Array {
  const { dtype, shape, data } = array;
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new RangeError(`shape (${shape.join(", ")}) holds ${count} elements, data has ${data.length}`);
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  if (header.length > 65535) throw new RangeError("array has too many dimensions for a .npy 1.0 header");
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** Writes a `.npy` file atomically (readers never see half a file). */
export function writeNpy(path: string, array: NpyArray): void {
  writeFileAtomic(path, encodeNpy(array));
}

/** The dtype name of a typed array that `.npy` can hold. */
export function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Uint8Array) return "uint8";
  if (data instanceof Int32Array) return "int32";
  return "int64";
}

/** Integer labels from an int32/int64/uint8 array, as Int32Array; names the file on a bad value. */
export function toInt32Labels(array: NpyArray, file: string): Int32Array {
  const { data, dtype } = array;
  if (dtype === "int32") return data as Int32Array;
  if (dtype === "uint8") return Int32Array.from(data as Uint8Array);
  if (dtype === "int64") {
    const src = data as BigInt64Array;
    const out = new Int32Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      if (v < -2147483648n || v > 2147483647n) throw new DataError(`label ${v} at index ${i} does not fit in int32`, file);
      out[i] = Number(v);
    }
    return out;
  }
  throw new DataError(`labels must be integers (int32, int64 or uint8), got ${dtype}; save them with labels.astype(np.int64)`, file);
}

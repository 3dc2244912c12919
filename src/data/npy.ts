import { DataError } from "../util/errors.js";
import { writeFileAtomic } from "../util/atomic.js";
import { MAX_ELEMENTS, MAX_NPY_HEADER } from "./limits.js";
import { printable } from "./printable.js";
import { allocateBytes, withRegularFile } from "./regularFile.js";

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

/** Where a `.npy` file's data sits and how to read it, from its header. */
interface NpyLayout {
  info: DtypeInfo;
  shape: number[];
  count: number;
  /** Bytes of data: count × element size. */
  need: number;
  dataStart: number;
  bigEndian: boolean;
}

/**
 * Reads the header from `bytes`, which hold at least the whole header (or the whole file, if it is
 * shorter), of a file of `fileSize` bytes. Every check that can fail is done here, before any
 * data is allocated: a shape with more elements than {@link MAX_ELEMENTS}, or more data than the
 * file holds, is refused.
 */
function npyLayout(bytes: Uint8Array, fileSize: number, file: string): NpyLayout {
  const fail = (msg: string): never => {
    throw new DataError(msg, file);
  };
  const { major, lenBytes, headerLen } = npyPrefix(bytes, fileSize, file);
  const dataStart = 8 + lenBytes + headerLen;
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(8 + lenBytes, dataStart));
  const { descr, fortran, shape } = parseHeader(header, fail);

  if (fortran) fail("Fortran-ordered arrays are not supported; save a C-ordered copy: np.save(path, np.ascontiguousarray(a))");
  const m = /^([<>|=])([a-zA-Z])(\d+)$/.exec(descr);
  if (descr.includes("O")) fail(`object arrays (dtype ${descr}) cannot be read; save a numeric array, e.g. a.astype(np.float32)`);
  const info = m ? BY_KIND[m[2] + m[3]] : undefined;
  if (!m || !info) return fail(`unsupported dtype '${descr}' (supported: float32, float64, uint8, bool, int32, int64)`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_ELEMENTS || shape.some((d) => d > MAX_ELEMENTS)) {
    fail(`shape (${shape.join(", ")}) is absurd: more than 2^31 elements (the file has ${fileSize} bytes); the file is damaged or not an array of images`);
  }
  const need = count * info.size;
  if (fileSize - dataStart < need) {
    fail(`truncated: shape (${shape.join(", ")}) of ${info.dtype} needs ${need} bytes of data, the file has ${fileSize - dataStart}`);
  }
  return { info, shape, count, need, dataStart, bigEndian: m[1] === ">" };
}

/** The format version and header length from the first 8–12 bytes; checks the header fits the file. */
function npyPrefix(bytes: Uint8Array, fileSize: number, file: string): { major: number; lenBytes: number; headerLen: number } {
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
  if (headerLen > MAX_NPY_HEADER) fail(`the .npy header claims ${headerLen} bytes, more than the ${MAX_NPY_HEADER} read; the file is damaged`);
  if (8 + lenBytes + headerLen > fileSize) fail(`truncated .npy header: it says ${headerLen} bytes, the file has ${fileSize - 8 - lenBytes}`);
  return { major, lenBytes, headerLen };
}

/** Parses the bytes of a `.npy` file. `file` only names the source in errors. */
export function parseNpy(bytes: Uint8Array, file = "<npy>"): NpyArray {
  const layout = npyLayout(bytes, bytes.length, file);
  // Copy into a fresh, aligned buffer (the file's bytes may sit at any offset).
  const out = new Uint8Array(layout.need);
  out.set(bytes.subarray(layout.dataStart, layout.dataStart + layout.need));
  return finish(layout, out);
}

function finish(layout: NpyLayout, out: Uint8Array): NpyArray {
  const { info, shape, count, bigEndian } = layout;
  if (bigEndian && info.size > 1) swapBytes(out, info.size);
  return { dtype: info.dtype, shape, data: info.make(out.buffer as ArrayBuffer, count) };
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

/**
 * Reads a `.npy` file: a regular file only, its header first, then exactly the data bytes the
 * header declares, straight into the array's own buffer.
 */
export function readNpy(path: string): NpyArray {
  const name = printable(path);
  return withRegularFile(path, (f) => {
    const prefix = f.read(0, Math.min(f.size, 12));
    const { lenBytes, headerLen } = npyPrefix(prefix, f.size, name);
    const layout = npyLayout(f.read(0, 8 + lenBytes + headerLen), f.size, name);
    const out = allocateBytes(layout.need, path);
    f.readInto(out, layout.dataStart);
    return finish(layout, out);
  });
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

/**
 * Integer labels from an int32/int64/uint8 array of shape (N,) or (N, 1), as Int32Array; names the
 * file and the first bad value. Every label must be −1 ("no label") or more: which labels are
 * classes is the caller's to check, against its class count.
 * @example toInt32Labels(readNpy("y.npy"), "y.npy") // Int32Array [0, 1, 2, …]
 */
export function toInt32Labels(array: NpyArray, file: string): Int32Array {
  const { data, dtype, shape } = array;
  const problems: string[] = [];
  if (shape.length !== 1 && !(shape.length === 2 && shape[1] === 1)) {
    problems.push(`labels must be 1-D, one per image, got shape (${shape.join(", ")}); save them with np.save(path, labels.reshape(-1))`);
  }
  if (dtype !== "int32" && dtype !== "uint8" && dtype !== "int64") {
    problems.push(`labels must be integers (int32, int64 or uint8), got ${dtype}; save them with labels.astype(np.int64)`);
  }
  if (problems.length > 0) throw new DataError(problems.join("; "), file);
  const labels =
    dtype === "int32" ? (data as Int32Array) : dtype === "uint8" ? Int32Array.from(data as Uint8Array) : int64Labels(data as BigInt64Array, file);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < -1) {
      throw new DataError(`label ${labels[i]} at index ${i} is negative; labels are classes 0, 1, … or -1 for an image with no label`, file);
    }
  }
  return labels;
}

function int64Labels(src: BigInt64Array, file: string): Int32Array {
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (v < -2147483648n || v > 2147483647n) throw new DataError(`label ${v} at index ${i} does not fit in int32`, file);
    out[i] = Number(v);
  }
  return out;
}

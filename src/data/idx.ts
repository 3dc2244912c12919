import { kMaxLength } from "node:buffer";
import { constants as zlibConstants, gunzipSync, gzipSync } from "node:zlib";
import { DataError } from "../util/errors.js";
import { writeFileAtomic } from "../util/atomic.js";
import { checkDataset, type Dataset } from "./dataset.js";
import { classNamesFor } from "./labels.js";
import { MAX_ELEMENTS } from "./limits.js";
import { printable } from "./printable.js";
import { withRegularFile } from "./regularFile.js";

/**
 * The IDX format of MNIST and Fashion-MNIST (LeCun et al., "THE MNIST DATABASE", file formats
 * section): a big-endian header `0 0 TYPE NDIM`, NDIM uint32 sizes, then the data. Files may be
 * gzipped; gzip is recognised by its magic bytes, not the file name.
 */

export interface IdxArray {
  dims: number[];
  /** Elements in row-major order; uint8 data stays a Uint8Array view, other types become Float64Array/Int32Array. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { name: string; size: number }> = {
  0x08: { name: "uint8", size: 1 },
  0x09: { name: "int8", size: 1 },
  0x0b: { name: "int16", size: 2 },
  0x0c: { name: "int32", size: 4 },
  0x0d: { name: "float32", size: 4 },
  0x0e: { name: "float64", size: 8 },
};

/** Whether the bytes start with gzip's magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Where an IDX file's data sits, from its header. */
interface IdxLayout {
  code: number;
  type: { name: string; size: number };
  dims: number[];
  count: number;
  /** Offset of the data: 4 + 4 × the number of dimensions. */
  start: number;
  /** Bytes of data: count × element size. */
  need: number;
}

/**
 * Reads the header from the first bytes of an (un-gzipped) IDX file. Dimensions whose product
 * passes {@link MAX_ELEMENTS} are refused here, before anything is allocated.
 */
function idxLayout(bytes: Uint8Array, file: string): IdxLayout {
  const fail = (msg: string): never => {
    throw new DataError(msg, file);
  };
  if (bytes.length < 4) fail(`not an IDX file: ${bytes.length} bytes is too short for its header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail("not an IDX file (its first two bytes are not zero)");
  const type = TYPES[bytes[2]];
  if (!type) return fail(`not an IDX file: unknown data type code 0x${bytes[2].toString(16).padStart(2, "0")}`);
  const ndim = bytes[3];
  if (ndim < 1 || ndim > 8) fail(`not an IDX file: ${ndim} dimensions`);
  const start = 4 + 4 * ndim;
  if (bytes.length < start) fail(`truncated IDX header: ${ndim} dimensions need ${start} bytes, the file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (count > MAX_ELEMENTS || dims.some((d) => d > MAX_ELEMENTS)) {
    fail(`dimensions ${dims.join("×")} are absurd: more than 2^31 elements; the file is damaged or not an IDX file`);
  }
  return { code: bytes[2], type, dims, count, start, need: count * type.size };
}

/** Checks that `available` data bytes are exactly what the header declares. */
function checkDataLength(layout: IdxLayout, available: number, file: string): void {
  if (available !== layout.need) {
    const what = available < layout.need ? "truncated" : "too long";
    throw new DataError(
      `${what}: dimensions ${layout.dims.join("×")} of ${layout.type.name} need ${layout.need} data bytes, the file has ${available}`,
      file,
    );
  }
}

/**
 * Un-gzips IDX data, never making more than its header declares: the header is read from the
 * first bytes of the stream, then the whole stream is inflated with zlib's `maxOutputLength` set
 * to the header and data size, so a gzip bomb or a lying header stops at that size.
 */
export function gunzipIdx(compressed: Uint8Array, file: string): Uint8Array {
  const layout = idxLayout(inflatePrefix(compressed, file), file);
  const expected = layout.start + layout.need;
  if (expected > kMaxLength) {
    throw new DataError(`dimensions ${layout.dims.join("×")} of ${layout.type.name} need ${expected} bytes, more than can be read in one piece`, file);
  }
  try {
    return gunzipSync(compressed, { maxOutputLength: Math.max(expected, 1) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new DataError(`too long: it unpacks to more than the ${expected} bytes its header declares (dimensions ${layout.dims.join("×")})`, file);
    }
    throw gzipError(err, file);
  }
}

/** The first bytes of the un-gzipped stream, at least the longest IDX header when the stream has them. */
function inflatePrefix(compressed: Uint8Array, file: string): Uint8Array {
  const headerMax = 4 + 4 * 8;
  for (let take = 1024; ; take *= 16) {
    const part = compressed.subarray(0, take);
    let out: Uint8Array;
    try {
      // Z_SYNC_FLUSH returns what a cut-short stream holds so far instead of failing on its end;
      // at most ~1,000× `take` bytes, deflate's largest ratio.
      out = gunzipSync(part, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (err) {
      throw gzipError(err, file);
    }
    if (out.length >= headerMax || part.length === compressed.length) return out;
  }
}

function gzipError(err: unknown, file: string): DataError {
  const message = (err as Error).message;
  const reason = message.includes("unexpected end") ? "truncated" : "corrupt";
  return new DataError(`${reason} gzip data (${message}); download the file again`, file);
}

/** Un-gzips when the bytes are gzip (see {@link gunzipIdx}), naming the file when the stream is corrupt or cut short. */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  return isGzip(bytes) ? gunzipIdx(bytes, file) : bytes;
}

/** Parses IDX bytes (gzipped or not). `file` only names the source in errors. */
export function parseIdx(raw: Uint8Array, file = "<idx>"): IdxArray {
  const bytes = maybeGunzip(raw, file);
  const layout = idxLayout(bytes, file);
  checkDataLength(layout, bytes.length - layout.start, file);
  return { dims: layout.dims, data: readElements(bytes.subarray(layout.start), layout) };
}

/** The elements of `data` (exactly the data bytes, big-endian), uint8 and int8 as views. */
function readElements(data: Uint8Array, layout: IdxLayout): IdxArray["data"] {
  const { code, count } = layout;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (code) {
    case 0x08:
      return new Uint8Array(data.buffer, data.byteOffset, count);
    case 0x09:
      return new Int8Array(data.buffer, data.byteOffset, count);
    case 0x0b:
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(2 * i, false));
    case 0x0c:
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, false));
    case 0x0d:
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, false));
    default:
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, false));
  }
}

/**
 * Reads an IDX file (gzipped or not): a regular file only. A plain file's header is read first
 * and its size checked against it before the data is read; a gzipped one is inflated no further
 * than its header declares.
 */
export function readIdx(path: string): IdxArray {
  const name = printable(path);
  return withRegularFile(path, (f) => {
    const head = f.read(0, Math.min(f.size, 4 + 4 * 8));
    if (isGzip(head)) return parseIdx(f.read(0, f.size), name);
    const layout = idxLayout(head, name);
    checkDataLength(layout, f.size - layout.start, name);
    return { dims: layout.dims, data: readElements(f.read(layout.start, layout.need), layout) };
  });
}

/** The IDX bytes of a uint8 array with the given dimensions, gzipped when `gzip` is set. */
export function encodeIdxUint8(dims: number[], data: Uint8Array, gzip = false): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return gzip ? gzipSync(out, { level: 9 }) : out;
}

/** Writes a uint8 IDX file atomically; gzipped when the name ends in `.gz`. */
export function writeIdxUint8(path: string, dims: number[], data: Uint8Array): void {
  writeFileAtomic(path, encodeIdxUint8(dims, data, path.endsWith(".gz")));
}

/** Options for {@link loadIdxDataset}. */
export interface IdxDatasetOptions {
  name?: string;
  /** Class names; every label must index one. */
  classes?: string[];
  /** Where `classes` came from, named in a message about a label past them (e.g. "--classes"). */
  classesFrom?: string;
}

/**
 * An image set from an IDX image file (N×H×W uint8, or N×H×W×C) and, optionally, an IDX label file
 * (N integers). Class names default to "0".."K-1" for K = the largest label + 1, which may not
 * pass `MAX_CLASSES` (limits.ts); labels are checked against the names given (see {@link classNamesFor}).
 * @example loadIdxDataset("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz").classes // ["0", …, "9"]
 */
export function loadIdxDataset(imagesPath: string, labelsPath: string | undefined, options: IdxDatasetOptions = {}): Dataset {
  const images = readIdx(imagesPath);
  const imagesName = printable(imagesPath);
  if (!(images.data instanceof Uint8Array)) throw new DataError(`images must be uint8 (IDX type 0x08)`, imagesName);
  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw new DataError(`images must have 3 dimensions (N×H×W) or 4 (N×H×W×C), got ${images.dims.join("×")}`, imagesName);
  }
  const [n, height, width, channels = 1] = images.dims;
  const labels = labelsPath === undefined ? new Int32Array(n).fill(-1) : readIdxLabels(labelsPath, n, imagesName);
  const labelsName = printable(labelsPath ?? imagesPath);
  const classes = classNamesFor(labels, labelsName, options);
  const ds: Dataset = { name: options.name ?? imagesName, classes, n, height, width, channels, images: images.data, labels };
  return checkDataset(ds, labelsName);
}

/** One integer label per image from an IDX file of N integers. */
function readIdxLabels(path: string, n: number, imagesName: string): Int32Array {
  const name = printable(path);
  const l = readIdx(path);
  if (l.dims.length !== 1) throw new DataError(`labels must have 1 dimension, got ${l.dims.join("×")}`, name);
  if (l.dims[0] !== n) throw new DataError(`${l.dims[0]} labels for ${n} images in ${imagesName}`, name);
  if (l.data instanceof Float32Array || l.data instanceof Float64Array) {
    throw new DataError(`labels must be integers (IDX type uint8, int8, int16 or int32), got ${l.data instanceof Float32Array ? "float32" : "float64"}`, name);
  }
  return Int32Array.from(l.data);
}

/**
 * "0".."K-1" where K is one more than the largest label; a label of `MAX_CLASSES` (limits.ts) or more,
 * or below −1, is a DataError (see {@link classNamesFor}).
 */
export function defaultClassNames(labels: Int32Array, file = "<labels>"): string[] {
  return classNamesFor(labels, file);
}

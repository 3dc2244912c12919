import { gunzipSync, gzipSync } from "node:zlib";
import { DataError } from "../util/errors.js";
import { writeFileAtomic } from "../util/atomic.js";
import { readFileChecked } from "../util/files.js";
import { checkDataset, type Dataset } from "./dataset.js";

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

/** Un-gzips when the bytes are gzip, naming the file when the stream is corrupt or cut short. */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (err) {
    const reason = (err as Error).message.includes("unexpected end") ? "truncated" : "corrupt";
    throw new DataError(`${reason} gzip data (${(err as Error).message}); download the file again`, file);
  }
}

/** Parses IDX bytes (gzipped or not). `file` only names the source in errors. */
export function parseIdx(raw: Uint8Array, file = "<idx>"): IdxArray {
  const bytes = maybeGunzip(raw, file);
  const fail = (msg: string): never => {
    throw new DataError(msg, file);
  };
  if (bytes.length < 4) fail(`not an IDX file: ${bytes.length} bytes is too short for its header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) fail("not an IDX file (its first two bytes are not zero)");
  const type = TYPES[bytes[2]];
  if (!type) fail(`not an IDX file: unknown data type code 0x${bytes[2].toString(16).padStart(2, "0")}`);
  const ndim = bytes[3];
  if (ndim < 1 || ndim > 8) fail(`not an IDX file: ${ndim} dimensions`);
  const start = 4 + 4 * ndim;
  if (bytes.length < start) fail(`truncated IDX header: ${ndim} dimensions need ${start} bytes, the file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const need = count * type!.size;
  if (bytes.length - start !== need) {
    const what = bytes.length - start < need ? "truncated" : "too long";
    fail(`${what}: dimensions ${dims.join("×")} of ${type!.name} need ${need} data bytes, the file has ${bytes.length - start}`);
  }
  return { dims, data: readElements(view, start, count, bytes[2], bytes) };
}

function readElements(view: DataView, start: number, count: number, code: number, bytes: Uint8Array): IdxArray["data"] {
  switch (code) {
    case 0x08:
      return new Uint8Array(bytes.buffer, bytes.byteOffset + start, count);
    case 0x09:
      return new Int8Array(bytes.buffer, bytes.byteOffset + start, count);
    case 0x0b:
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(start + 2 * i, false));
    case 0x0c:
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(start + 4 * i, false));
    case 0x0d:
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(start + 4 * i, false));
    default:
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(start + 8 * i, false));
  }
}

/** Reads an IDX file (gzipped or not). */
export function readIdx(path: string): IdxArray {
  return parseIdx(readFileChecked(path), path);
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
  classes?: string[];
}

/**
 * An image set from an IDX image file (N×H×W uint8, or N×H×W×C) and, optionally, an IDX label file
 * (N uint8). Class names default to "0".."K-1" for K = the largest label + 1.
 */
export function loadIdxDataset(imagesPath: string, labelsPath: string | undefined, options: IdxDatasetOptions = {}): Dataset {
  const images = readIdx(imagesPath);
  if (!(images.data instanceof Uint8Array)) throw new DataError(`images must be uint8 (IDX type 0x08)`, imagesPath);
  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw new DataError(`images must have 3 dimensions (N×H×W) or 4 (N×H×W×C), got ${images.dims.join("×")}`, imagesPath);
  }
  const [n, height, width, channels = 1] = images.dims;
  let labels: Int32Array;
  if (labelsPath === undefined) {
    labels = new Int32Array(n).fill(-1);
  } else {
    const l = readIdx(labelsPath);
    if (l.dims.length !== 1) throw new DataError(`labels must have 1 dimension, got ${l.dims.join("×")}`, labelsPath);
    if (l.dims[0] !== n) throw new DataError(`${l.dims[0]} labels for ${n} images in ${imagesPath}`, labelsPath);
    labels = Int32Array.from(l.data as ArrayLike<number>);
  }
  const classes = options.classes ?? defaultClassNames(labels);
  const ds: Dataset = { name: options.name ?? imagesPath, classes, n, height, width, channels, images: images.data, labels };
  return checkDataset(ds, labelsPath ?? imagesPath);
}

/** "0".."K-1" where K is one more than the largest label. */
export function defaultClassNames(labels: Int32Array): string[] {
  let max = -1;
  for (let i = 0; i < labels.length; i++) if (labels[i] > max) max = labels[i];
  return Array.from({ length: max + 1 }, (_, i) => String(i));
}

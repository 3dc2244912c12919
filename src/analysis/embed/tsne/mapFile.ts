/**
 * A t-SNE map as bytes, to save and later place new points into (see ./transform.ts): a 24-byte
 * header (magic "FLTSNE01", then uint32 little-endian dims, n, d, 0) followed by the n×dims map
 * coordinates and the n×d reference input vectors, float32 little-endian. Browser-safe (bytes in,
 * bytes out; writing the file is the caller's).
 */
import { DataError } from "../../../util/errors.js";
import type { TsneMap } from "./transform.js";

const MAGIC = "FLTSNE01";
const HEADER = 24;

/**
 * The map as bytes.
 * @example decodeMap(encodeMap(map)) // an equal map
 */
export function encodeMap(map: TsneMap): Uint8Array {
  const { dims, embedding, points } = map;
  const bytes = new Uint8Array(HEADER + 4 * (embedding.length + points.data.length));
  for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, dims, true);
  view.setUint32(12, points.n, true);
  view.setUint32(16, points.d, true);
  let at = HEADER;
  for (const a of [embedding, points.data]) {
    for (let i = 0; i < a.length; i++, at += 4) view.setFloat32(at, a[i], true);
  }
  return bytes;
}

/** A map from the bytes of {@link encodeMap}; throws a DataError naming what is wrong with other bytes. */
export function decodeMap(bytes: Uint8Array, file?: string): TsneMap {
  const magic = String.fromCharCode(...bytes.subarray(0, MAGIC.length));
  if (bytes.length < HEADER || magic !== MAGIC) {
    throw new DataError(`not a featurelens t-SNE map (it should start with "${MAGIC}"); save maps with encodeMap`, file);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = view.getUint32(8, true);
  const n = view.getUint32(12, true);
  const d = view.getUint32(16, true);
  const expected = HEADER + 4 * n * (dims + d);
  if ((dims !== 2 && dims !== 3) || bytes.length !== expected) {
    throw new DataError(`t-SNE map of ${n} points, dims ${dims}, d ${d} should be ${expected} bytes, got ${bytes.length}: the file is truncated or damaged`, file);
  }
  const read = (from: number, count: number): Float32Array => {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(from + 4 * i, true);
    return out;
  };
  return { dims, embedding: read(HEADER, n * dims), points: { n, d, data: read(HEADER + 4 * n * dims, n * d) } };
}

/**
 * A map's points as one binary payload: what `GET /api/runs/:run/points` answers and the web app
 * uploads to the GPU as it arrives. Browser-safe (typed arrays and DataView only).
 *
 * Layout: uint32 little-endian H, then H bytes of UTF-8 JSON ({@link PointsHeader}), zero padding
 * to a multiple of 8, then each column's bytes at its `offset` (counted from the start of the
 * column area), each column 8-byte aligned. 200,000 points of a 2-D map with 10 classes take
 * 200,000 × (8 + 1 + 1 + 4 + 4 + 4 + 4) = 5.2 MB.
 */

export type ColumnType = "float32" | "int32" | "uint8" | "uint16";

export interface ColumnInfo {
  name: string;
  type: ColumnType;
  /** Byte offset from the start of the column area. */
  offset: number;
  /** Number of elements. */
  length: number;
}

export interface PointsHeader {
  version: 1;
  run: string;
  domain: string | null;
  map: string;
  n: number;
  dims: 2 | 3;
  /** Class names (labels and predictions index these). */
  classes: string[];
  /** Bounds of the coordinates: [min x, max x, min y, max y(, min z, max z)]. */
  bounds: number[];
  columns: ColumnInfo[];
}

/** The columns a points payload carries (xy is n × dims, the rest n each). */
export interface PointsColumns {
  xy: Float32Array;
  /** True class (−1 → 255 / 65535: unlabelled). */
  label: Uint8Array | Uint16Array;
  predicted: Uint8Array | Uint16Array;
  confidence: Float32Array;
  loss: Float32Array;
  margin: Float32Array;
  /** Index in the source dataset. */
  index: Int32Array;
}

export interface DecodedPoints extends PointsColumns {
  header: PointsHeader;
}

const ALIGN = 8;
const align = (x: number) => Math.ceil(x / ALIGN) * ALIGN;
const BYTES: Record<ColumnType, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2 };

/** The label type for `k` classes: uint8 up to 255 classes (255 = unlabelled), else uint16. */
export function labelArray(k: number, n: number): Uint8Array | Uint16Array {
  return k < 255 ? new Uint8Array(n) : new Uint16Array(n);
}

/**
 * Encodes a map's points.
 * @example decodePoints(encodePoints(header, columns).buffer).xy // the same Float32Array values
 */
export function encodePoints(meta: Omit<PointsHeader, "columns" | "version" | "bounds">, c: PointsColumns): Uint8Array {
  const n = meta.n;
  const parts: [string, ColumnType, ArrayLike<number> & { byteLength: number; buffer: ArrayBufferLike; byteOffset: number }][] = [
    ["xy", "float32", c.xy],
    ["label", c.label instanceof Uint8Array ? "uint8" : "uint16", c.label],
    ["predicted", c.predicted instanceof Uint8Array ? "uint8" : "uint16", c.predicted],
    ["confidence", "float32", c.confidence],
    ["loss", "float32", c.loss],
    ["margin", "float32", c.margin],
    ["index", "int32", c.index],
  ];
  if (c.xy.length !== n * meta.dims) throw new RangeError(`xy holds ${c.xy.length} values for ${n} points of ${meta.dims} dims`);
  const columns: ColumnInfo[] = [];
  let at = 0;
  for (const [name, type, data] of parts) {
    const length = data.byteLength / BYTES[type];
    if (name !== "xy" && length !== n) throw new RangeError(`column ${name} holds ${length} values for ${n} points`);
    columns.push({ name, type, offset: at, length });
    at = align(at + data.byteLength);
  }
  const header: PointsHeader = { ...meta, version: 1, bounds: bounds(c.xy, meta.dims), columns };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = align(4 + json.length);
  const out = new Uint8Array(start + at);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  parts.forEach(([, , data], i) => out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), start + columns[i].offset));
  return out;
}

/** Decodes a payload; the columns are views into `buffer` (no copy). Throws on a damaged payload. */
export function decodePoints(buffer: ArrayBuffer): DecodedPoints {
  if (buffer.byteLength < 4) throw new RangeError("points payload: too short");
  const h = new DataView(buffer).getUint32(0, true);
  if (4 + h > buffer.byteLength) throw new RangeError("points payload: header past the end");
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, h))) as PointsHeader;
  if (header.version !== 1) throw new RangeError(`points payload: version ${String(header.version)}, expected 1`);
  const start = align(4 + h);
  const view = (name: string): Float32Array | Int32Array | Uint8Array | Uint16Array => {
    const col = header.columns.find((c) => c.name === name);
    if (!col) throw new RangeError(`points payload: no column '${name}'`);
    const from = start + col.offset;
    if (from + col.length * BYTES[col.type] > buffer.byteLength) throw new RangeError(`points payload: column '${name}' past the end`);
    switch (col.type) {
      case "float32":
        return new Float32Array(buffer, from, col.length);
      case "int32":
        return new Int32Array(buffer, from, col.length);
      case "uint16":
        return new Uint16Array(buffer, from, col.length);
      default:
        return new Uint8Array(buffer, from, col.length);
    }
  };
  return {
    header,
    xy: view("xy") as Float32Array,
    label: view("label") as Uint8Array | Uint16Array,
    predicted: view("predicted") as Uint8Array | Uint16Array,
    confidence: view("confidence") as Float32Array,
    loss: view("loss") as Float32Array,
    margin: view("margin") as Float32Array,
    index: view("index") as Int32Array,
  };
}

/** The value a label column holds for "unlabelled". */
export function unlabelled(label: Uint8Array | Uint16Array): number {
  return label instanceof Uint8Array ? 255 : 65535;
}

function bounds(xy: Float32Array, dims: number): number[] {
  const out: number[] = [];
  for (let d = 0; d < dims; d++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = d; i < xy.length; i += dims) {
      if (xy[i] < lo) lo = xy[i];
      if (xy[i] > hi) hi = xy[i];
    }
    out.push(lo === Infinity ? 0 : lo, hi === -Infinity ? 0 : hi);
  }
  return out;
}

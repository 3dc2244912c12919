import {
  type AttributeIR,
  type AttributeValue,
  DATA_TYPE_SIZE,
  DataType,
  type Dim,
  type GraphIR,
  type ModelIR,
  type NodeIR,
  type TensorIR,
  type TypeIR,
  type ValueInfoIR,
} from "./ir.js";
import { Reader, WIRE, WireError, Writer } from "./wire.js";

/**
 * ModelProto bytes ⇄ {@link ModelIR}, by the field numbers of onnx/onnx.proto. Fields the IR does
 * not model are carried in `extra` as raw bytes and written back unchanged.
 */

/** Iterates the fields of one message, calling `on` for each; returns the fields `on` did not take. */
function fields(r: Reader, on: (field: number, wire: number, r: Reader) => boolean): Uint8Array[] | undefined {
  let extra: Uint8Array[] | undefined;
  while (!r.done) {
    const start = r.pos;
    const { field, wire } = r.tag();
    if (!on(field, wire, r)) (extra ??= []).push(r.skip(wire, start));
  }
  return extra;
}

function expectWire(got: number, want: number, what: string): void {
  if (got !== want && !(want === WIRE.varint && got === WIRE.len)) throw new WireError(`${what} has wire type ${got}, expected ${want}`);
}

function sub(r: Reader): Reader {
  const b = r.bytes();
  return new Reader(b);
}

// ---- decoding ----------------------------------------------------------------------------------

export function decodeModel(bytes: Uint8Array): ModelIR {
  const m: ModelIR = {
    irVersion: 0,
    opsetImports: [],
    producerName: "",
    producerVersion: "",
    domain: "",
    modelVersion: 0,
    docString: "",
    graph: emptyGraph(),
    metadata: [],
  };
  let sawGraph = false;
  const extra = fields(new Reader(bytes), (f, w, r) => {
    switch (f) {
      case 1: expectWire(w, WIRE.varint, "ir_version"); m.irVersion = r.int(); return true;
      case 2: m.producerName = r.string(); return true;
      case 3: m.producerVersion = r.string(); return true;
      case 4: m.domain = r.string(); return true;
      case 5: m.modelVersion = r.int(); return true;
      case 6: m.docString = r.string(); return true;
      case 7: expectWire(w, WIRE.len, "graph"); m.graph = decodeGraph(sub(r)); sawGraph = true; return true;
      case 8: {
        const o = { domain: "", version: 0 };
        fields(sub(r), (f2, _w, r2) => (f2 === 1 ? ((o.domain = r2.string()), true) : f2 === 2 ? ((o.version = r2.int()), true) : false));
        m.opsetImports.push(o);
        return true;
      }
      case 14: m.metadata.push(decodeEntry(sub(r))); return true;
      default: return false;
    }
  });
  if (!sawGraph) throw new WireError("no graph in the model");
  if (extra) m.extra = extra;
  return m;
}

function decodeEntry(r: Reader): { key: string; value: string } {
  const e = { key: "", value: "" };
  fields(r, (f, _w, r2) => (f === 1 ? ((e.key = r2.string()), true) : f === 2 ? ((e.value = r2.string()), true) : false));
  return e;
}

function emptyGraph(): GraphIR {
  return { name: "", nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] };
}

function decodeGraph(r: Reader): GraphIR {
  const g = emptyGraph();
  const extra = fields(r, (f, _w, r2) => {
    switch (f) {
      case 1: g.nodes.push(decodeNode(sub(r2))); return true;
      case 2: g.name = r2.string(); return true;
      case 5: g.initializers.push(decodeTensor(sub(r2))); return true;
      case 10: g.docString = r2.string(); return true;
      case 11: g.inputs.push(decodeValueInfo(sub(r2))); return true;
      case 12: g.outputs.push(decodeValueInfo(sub(r2))); return true;
      case 13: g.valueInfo.push(decodeValueInfo(sub(r2))); return true;
      default: return false;
    }
  });
  if (extra) g.extra = extra;
  return g;
}

function decodeNode(r: Reader): NodeIR {
  const n: NodeIR = { name: "", opType: "", domain: "", inputs: [], outputs: [], attributes: [] };
  const extra = fields(r, (f, _w, r2) => {
    switch (f) {
      case 1: n.inputs.push(r2.string()); return true;
      case 2: n.outputs.push(r2.string()); return true;
      case 3: n.name = r2.string(); return true;
      case 4: n.opType = r2.string(); return true;
      case 5: n.attributes.push(decodeAttribute(sub(r2))); return true;
      case 6: n.docString = r2.string(); return true;
      case 7: n.domain = r2.string(); return true;
      default: return false;
    }
  });
  if (extra) n.extra = extra;
  return n;
}

const ATTR_TYPES: Record<number, AttributeValue["type"]> = {
  1: "float", 2: "int", 3: "string", 4: "tensor", 5: "graph", 6: "floats", 7: "ints", 8: "strings", 9: "tensors", 10: "graphs",
};

function decodeAttribute(r: Reader): AttributeIR {
  const a: AttributeIR = { name: "", value: { type: "raw", code: 0 } };
  let code = 0;
  let f = 0;
  let i: number | bigint = 0;
  let s = "";
  let t: TensorIR | undefined;
  let g: GraphIR | undefined;
  const floats: number[] = [];
  const ints: (number | bigint)[] = [];
  const strings: string[] = [];
  const tensors: TensorIR[] = [];
  const graphs: GraphIR[] = [];
  const extra = fields(r, (field, w, r2) => {
    switch (field) {
      case 1: a.name = r2.string(); return true;
      case 2: f = r2.float(); return true;
      case 3: i = r2.varint(); return true;
      case 4: s = r2.string(); return true;
      case 5: t = decodeTensor(sub(r2)); return true;
      case 6: g = decodeGraph(sub(r2)); return true;
      case 7: r2.repeated(w, (x) => x.float(), floats); return true;
      case 8: r2.repeated(w, (x) => x.varint(), ints); return true;
      case 9: strings.push(r2.string()); return true;
      case 10: tensors.push(decodeTensor(sub(r2))); return true;
      case 11: graphs.push(decodeGraph(sub(r2))); return true;
      case 13: a.docString = r2.string(); return true;
      case 20: code = r2.uint(); return true;
      case 21: a.refAttrName = r2.string(); return true;
      default: return false;
    }
  });
  const type = ATTR_TYPES[code];
  const values: Record<string, unknown> = { float: f, int: i, string: s, tensor: t, graph: g, floats, ints, strings, tensors, graphs };
  if (type && (values[type] !== undefined)) a.value = { type, value: values[type] } as AttributeValue;
  else a.value = { type: "raw", code };
  if (extra) a.extra = extra;
  return a;
}

function decodeValueInfo(r: Reader): ValueInfoIR {
  const v: ValueInfoIR = { name: "" };
  const extra = fields(r, (f, _w, r2) => {
    switch (f) {
      case 1: v.name = r2.string(); return true;
      case 2: v.type = decodeType(r2.bytes()); return true;
      case 3: v.docString = r2.string(); return true;
      default: return false;
    }
  });
  if (extra) v.extra = extra;
  return v;
}

/** A TypeProto: tensor types with plain dims become fields; anything else stays raw. */
function decodeType(bytes: Uint8Array): TypeIR {
  let tensor: Uint8Array | undefined;
  const extra = fields(new Reader(bytes), (f, _w, r) => (f === 1 ? ((tensor = r.bytes()), true) : false));
  if (!tensor) return { kind: "raw", bytes };
  let elemType = 0;
  let shape: Dim[] | undefined;
  let clean = extra === undefined;
  const tExtra = fields(new Reader(tensor), (f, _w, r) => {
    if (f === 1) return (elemType = r.uint()), true;
    if (f !== 2) return false;
    shape = [];
    const sExtra = fields(sub(r), (f2, _w2, r2) => {
      if (f2 !== 1) return false;
      let d: Dim = null;
      const dExtra = fields(sub(r2), (f3, _w3, r3) => (f3 === 1 ? ((d = r3.int()), true) : f3 === 2 ? ((d = r3.string()), true) : false));
      if (dExtra) clean = false;
      shape!.push(d);
      return true;
    });
    if (sExtra) clean = false;
    return true;
  });
  if (tExtra) clean = false;
  if (!clean) return { kind: "raw", bytes, elemType };
  return shape ? { kind: "tensor", elemType, shape } : { kind: "tensor", elemType };
}

function decodeTensor(r: Reader): TensorIR {
  const t: TensorIR = { name: "", dataType: 0, dims: [], raw: new Uint8Array(0) };
  let raw: Uint8Array | undefined;
  const floats: number[] = [];
  const int32s: number[] = [];
  const int64s: (number | bigint)[] = [];
  const doubles: number[] = [];
  const uint64s: (number | bigint)[] = [];
  const extra = fields(r, (f, w, r2) => {
    switch (f) {
      case 1: r2.repeated(w, (x) => x.int(), t.dims); return true;
      case 2: t.dataType = r2.uint(); return true;
      case 4: r2.repeated(w, (x) => x.float(), floats); return true;
      case 5: r2.repeated(w, (x) => Number(BigInt.asIntN(32, BigInt(x.varint()))), int32s); return true;
      case 6: (t.strings ??= []).push(r2.bytes()); return true;
      case 7: r2.repeated(w, (x) => x.varint(), int64s); return true;
      case 8: t.name = r2.string(); return true;
      case 9: raw = r2.bytes(); return true;
      case 10: r2.repeated(w, (x) => readDouble(x), doubles); return true;
      case 11: r2.repeated(w, (x) => x.varint(), uint64s); return true;
      case 12: t.docString = r2.string(); return true;
      case 13: (t.external ??= []).push(decodeEntry(sub(r2))); return true;
      case 14: r2.uint(); return true; // data_location: implied by `external`
      default: return false;
    }
  });
  if (extra) t.extra = extra;
  t.raw = raw ? Uint8Array.from(raw) : typedFieldsToRaw(t.dataType, floats, int32s, int64s, doubles, uint64s);
  return t;
}

function readDouble(r: Reader): number {
  if (r.pos + 8 > r.end) throw new WireError("truncated double");
  const v = new DataView(r.buf.buffer, r.buf.byteOffset + r.pos, 8).getFloat64(0, true);
  r.pos += 8;
  return v;
}

/** The typed *_data fields of TensorProto, as the little-endian bytes raw_data would hold. */
function typedFieldsToRaw(
  dataType: number,
  floats: number[],
  int32s: number[],
  int64s: (number | bigint)[],
  doubles: number[],
  uint64s: (number | bigint)[],
): Uint8Array {
  if (floats.length) return new Uint8Array(Float32Array.from(floats).buffer);
  if (doubles.length) return new Uint8Array(Float64Array.from(doubles).buffer);
  if (int64s.length) return new Uint8Array(BigInt64Array.from(int64s, (v) => BigInt(v)).buffer);
  if (uint64s.length) {
    if (dataType === DataType.UINT32) return new Uint8Array(Uint32Array.from(uint64s, (v) => Number(v)).buffer);
    return new Uint8Array(BigUint64Array.from(uint64s, (v) => BigInt.asUintN(64, BigInt(v))).buffer);
  }
  if (int32s.length) {
    const size = DATA_TYPE_SIZE[dataType] ?? 4;
    if (size === 1) return Uint8Array.from(int32s, (v) => v & 0xff);
    if (size === 2) return new Uint8Array(Uint16Array.from(int32s, (v) => v & 0xffff).buffer);
    return new Uint8Array(Int32Array.from(int32s).buffer);
  }
  return new Uint8Array(0);
}

// ---- encoding ----------------------------------------------------------------------------------

export function encodeModel(m: ModelIR): Uint8Array {
  const w = new Writer();
  w.uintField(1, m.irVersion);
  if (m.producerName) w.stringField(2, m.producerName);
  if (m.producerVersion) w.stringField(3, m.producerVersion);
  if (m.domain) w.stringField(4, m.domain);
  if (m.modelVersion) w.uintField(5, m.modelVersion);
  if (m.docString) w.stringField(6, m.docString);
  w.message(7, (g) => encodeGraph(g, m.graph));
  for (const o of m.opsetImports) {
    w.message(8, (x) => {
      if (o.domain) x.stringField(1, o.domain);
      x.uintField(2, o.version);
    });
  }
  for (const e of m.metadata) w.message(14, (x) => encodeEntry(x, e));
  for (const b of m.extra ?? []) w.raw(b);
  return w.finish();
}

function encodeEntry(w: Writer, e: { key: string; value: string }): void {
  w.stringField(1, e.key);
  w.stringField(2, e.value);
}

function encodeGraph(w: Writer, g: GraphIR): void {
  for (const n of g.nodes) w.message(1, (x) => encodeNode(x, n));
  if (g.name) w.stringField(2, g.name);
  for (const t of g.initializers) w.message(5, (x) => encodeTensor(x, t));
  if (g.docString) w.stringField(10, g.docString);
  for (const v of g.inputs) w.message(11, (x) => encodeValueInfo(x, v));
  for (const v of g.outputs) w.message(12, (x) => encodeValueInfo(x, v));
  for (const v of g.valueInfo) w.message(13, (x) => encodeValueInfo(x, v));
  for (const b of g.extra ?? []) w.raw(b);
}

function encodeNode(w: Writer, n: NodeIR): void {
  for (const s of n.inputs) w.stringField(1, s);
  for (const s of n.outputs) w.stringField(2, s);
  if (n.name) w.stringField(3, n.name);
  w.stringField(4, n.opType);
  for (const a of n.attributes) w.message(5, (x) => encodeAttribute(x, a));
  if (n.docString) w.stringField(6, n.docString);
  if (n.domain) w.stringField(7, n.domain);
  for (const b of n.extra ?? []) w.raw(b);
}

const ATTR_CODES: Record<string, number> = Object.fromEntries(Object.entries(ATTR_TYPES).map(([k, v]) => [v, Number(k)]));

function encodeAttribute(w: Writer, a: AttributeIR): void {
  w.stringField(1, a.name);
  const v = a.value;
  switch (v.type) {
    case "float": w.floatField(2, v.value); break;
    case "int": w.uintField(3, v.value); break;
    case "string": w.stringField(4, v.value); break;
    case "tensor": w.message(5, (x) => encodeTensor(x, v.value)); break;
    case "graph": w.message(6, (x) => encodeGraph(x, v.value)); break;
    case "floats": w.floats(7, v.value); break;
    case "ints": w.varints(8, v.value); break;
    case "strings": for (const s of v.value) w.stringField(9, s); break;
    case "tensors": for (const t of v.value) w.message(10, (x) => encodeTensor(x, t)); break;
    case "graphs": for (const g of v.value) w.message(11, (x) => encodeGraph(x, g)); break;
    case "raw": break;
  }
  if (a.docString) w.stringField(13, a.docString);
  w.uintField(20, v.type === "raw" ? v.code : ATTR_CODES[v.type]);
  if (a.refAttrName) w.stringField(21, a.refAttrName);
  for (const b of a.extra ?? []) w.raw(b);
}

function encodeValueInfo(w: Writer, v: ValueInfoIR): void {
  w.stringField(1, v.name);
  if (v.type) w.message(2, (x) => encodeType(x, v.type!));
  if (v.docString) w.stringField(3, v.docString);
  for (const b of v.extra ?? []) w.raw(b);
}

function encodeType(w: Writer, t: TypeIR): void {
  if (t.kind === "raw") return w.raw(t.bytes);
  w.message(1, (x) => {
    x.uintField(1, t.elemType);
    if (t.shape) {
      x.message(2, (s) => {
        for (const d of t.shape!) {
          s.message(1, (dw) => {
            if (typeof d === "number") dw.uintField(1, d);
            else if (typeof d === "string") dw.stringField(2, d);
          });
        }
      });
    }
  });
}

function encodeTensor(w: Writer, t: TensorIR): void {
  w.varints(1, t.dims);
  w.uintField(2, t.dataType);
  for (const s of t.strings ?? []) w.bytesField(6, s);
  if (t.name) w.stringField(8, t.name);
  if (t.raw.length > 0 || (t.strings === undefined && t.external === undefined)) w.bytesField(9, t.raw);
  if (t.docString) w.stringField(12, t.docString);
  for (const e of t.external ?? []) w.message(13, (x) => encodeEntry(x, e));
  if (t.external) w.uintField(14, 1);
  for (const b of t.extra ?? []) w.raw(b);
}

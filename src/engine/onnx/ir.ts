/**
 * A small typed picture of an ONNX model (onnx/onnx.proto, IR version ≤ 10): the parts featurelens
 * reads and edits are fields; everything else is kept as the raw protobuf bytes it came in, so a
 * model read and written again loses nothing.
 */
import { ModelError } from "../../util/errors.js";

/** TensorProto.DataType. */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
} as const;

/** Our tensor dtype for each ONNX element type we run. */
export const DTYPE_OF_ELEM: Record<number, "float32" | "float64" | "int32" | "int64" | "uint8" | "bool"> = {
  1: "float32",
  11: "float64",
  6: "int32",
  7: "int64",
  2: "uint8",
  9: "bool",
};

/** Bytes per element of each numeric data type (0 for strings). */
export const DATA_TYPE_SIZE: Record<number, number> = {
  1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 8: 0, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 14: 8, 15: 16, 16: 2,
};

export const DATA_TYPE_NAME: Record<number, string> = Object.fromEntries(
  Object.entries(DataType).map(([k, v]) => [v, k.toLowerCase()]),
);

/** An initializer or constant: numeric data always as little-endian `raw` bytes. */
export interface TensorIR {
  name: string;
  dataType: number;
  dims: number[];
  raw: Uint8Array;
  /** STRING tensors only. */
  strings?: Uint8Array[];
  docString?: string;
  /** Where the data lives when it is not inline (data_location = EXTERNAL): location, offset, length. */
  external?: { key: string; value: string }[];
  /** Fields kept as they came (segment, metadata …). */
  extra?: Uint8Array[];
}

/** One dimension: a size, a symbolic name ("N", "batch_size"), or unknown. */
export type Dim = number | string | null;

export type TypeIR =
  | { kind: "tensor"; elemType: number; shape?: Dim[] }
  /** Sequence, map, optional, or a tensor type with fields we do not model: kept as raw TypeProto bytes. */
  | { kind: "raw"; bytes: Uint8Array; elemType?: number };

export interface ValueInfoIR {
  name: string;
  type?: TypeIR;
  docString?: string;
  extra?: Uint8Array[];
}

export type AttributeValue =
  | { type: "float"; value: number }
  | { type: "int"; value: number | bigint }
  | { type: "string"; value: string }
  | { type: "tensor"; value: TensorIR }
  | { type: "graph"; value: GraphIR }
  | { type: "floats"; value: number[] }
  | { type: "ints"; value: (number | bigint)[] }
  | { type: "strings"; value: string[] }
  | { type: "tensors"; value: TensorIR[] }
  | { type: "graphs"; value: GraphIR[] }
  /** Sparse tensors and type protos, kept as raw AttributeProto fields. */
  | { type: "raw"; code: number };

export interface AttributeIR {
  name: string;
  value: AttributeValue;
  refAttrName?: string;
  docString?: string;
  extra?: Uint8Array[];
}

export interface NodeIR {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: AttributeIR[];
  docString?: string;
  extra?: Uint8Array[];
}

export interface GraphIR {
  name: string;
  nodes: NodeIR[];
  initializers: TensorIR[];
  inputs: ValueInfoIR[];
  outputs: ValueInfoIR[];
  valueInfo: ValueInfoIR[];
  docString?: string;
  extra?: Uint8Array[];
}

export interface OpsetIR {
  domain: string;
  version: number;
}

export interface ModelIR {
  irVersion: number;
  opsetImports: OpsetIR[];
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  graph: GraphIR;
  /** metadata_props, in order. */
  metadata: { key: string; value: string }[];
  extra?: Uint8Array[];
}

/** Attribute type name → the type of its value. */
type AttributeValues = { [A in AttributeValue as A["type"]]: A extends { value: infer V } ? V : never };
type ValueOf<T extends keyof AttributeValues> = AttributeValues[T];

/** The value of attribute `name` of a node, or undefined; a wrong type is a ModelError (the model file breaks the ONNX spec). */
export function attr<T extends Exclude<AttributeValue["type"], "raw">>(node: NodeIR, name: string, type: T): ValueOf<T> | undefined {
  const a = node.attributes.find((x) => x.name === name);
  if (!a) return undefined;
  if (a.value.type !== type) throw wrongAttributeType(node, name, a.value.type, type);
  return (a.value as unknown as { value: ValueOf<T> }).value;
}

/** The error for an attribute of the wrong type: the model does not follow the ONNX spec. */
export function wrongAttributeType(node: NodeIR, name: string, got: string, expected: string): ModelError {
  return new ModelError(`${node.opType} node '${node.name}': attribute '${name}' is ${got}, but the ONNX spec makes it ${expected}; re-export the model`);
}

/** An int attribute as a number (int64 values beyond 2^53 are clamped to ±MAX_SAFE_INTEGER). */
export function intAttr(node: NodeIR, name: string, fallback: number): number {
  const v = attr(node, name, "int");
  return v === undefined ? fallback : toSafeNumber(v);
}

/** An ints attribute as numbers (see {@link intAttr}). */
export function intsAttr(node: NodeIR, name: string): number[] | undefined {
  return attr(node, name, "ints")?.map(toSafeNumber);
}

export function toSafeNumber(v: number | bigint): number {
  if (typeof v === "number") return v;
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : v < BigInt(Number.MIN_SAFE_INTEGER) ? Number.MIN_SAFE_INTEGER : Number(v);
}

/** The model's opset version for the default ("" / "ai.onnx") domain. */
export function defaultOpset(model: ModelIR): number {
  return model.opsetImports.find((o) => o.domain === "" || o.domain === "ai.onnx")?.version ?? 0;
}

/** A metadata value, or undefined. */
export function metadataValue(model: ModelIR, key: string): string | undefined {
  return model.metadata.find((m) => m.key === key)?.value;
}

/** Sets (or replaces) a metadata entry, in place. */
export function setMetadata(model: ModelIR, key: string, value: string): void {
  const m = model.metadata.find((e) => e.key === key);
  if (m) m.value = value;
  else model.metadata.push({ key, value });
}

/**
 * featurelens' own tensor: a dtype, dims and a row-major typed array. Everything outside the
 * runtime wrapper sees this type, never onnxruntime's.
 */

export type Dtype = "float32" | "float64" | "int32" | "int64" | "uint8" | "bool";

export interface DtypeArrays {
  float32: Float32Array;
  float64: Float64Array;
  int32: Int32Array;
  int64: BigInt64Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

export interface Tensor<D extends Dtype = Dtype> {
  dtype: D;
  dims: number[];
  data: DtypeArrays[D];
}

/** Number of elements of a shape. */
export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** A tensor, checking that `data` fills `dims`. */
export function tensor<D extends Dtype>(dtype: D, dims: number[], data: DtypeArrays[D]): Tensor<D> {
  if (data.length !== sizeOf(dims)) throw new RangeError(`tensor of shape [${dims.join(", ")}] needs ${sizeOf(dims)} elements, got ${data.length}`);
  return { dtype, dims, data };
}

/** "[N, 1, 28, 28]" */
export function formatShape(dims: readonly (number | string | null)[]): string {
  return `[${dims.map((d) => (d === null ? "?" : d)).join(", ")}]`;
}

import { DataType, type AttributeIR, type ModelIR, type NodeIR, type TensorIR, type ValueInfoIR } from "../onnx/ir.js";

/**
 * The small onnxruntime graphs behind the dense backend (./ortBackend.ts), built in code with our
 * IR: a Gemm for `matmul`, and for kNN a block of queries against the reference points in
 * column chunks — per chunk one Gemm (scores) and one TopK (smallest first, ties to the lower
 * index, as ONNX TopK specifies), then one TopK over the chunks' candidates. Chunking keeps each
 * block×chunk score tile in cache between the Gemm that writes it and the TopK that reads it.
 */

const OPSET = 13;

/** Names of the kNN graph's query input and outputs. */
export const KNN_IO = { queries: "q", scores: "scores", indices: "indices" } as const;
/** Names of the matmul graph's inputs and output. */
export const MATMUL_IO = { a: "a", b: "b", c: "c" } as const;

const value = (name: string, elemType: number, shape: (string | number)[]): ValueInfoIR => ({ name, type: { kind: "tensor", elemType, shape } });
const int = (name: string, v: number): AttributeIR => ({ name, value: { type: "int", value: v } });
const float = (name: string, v: number): AttributeIR => ({ name, value: { type: "float", value: v } });
const node = (opType: string, inputs: string[], outputs: string[], attributes: AttributeIR[] = []): NodeIR => ({
  name: `${opType}_${outputs[0]}`,
  opType,
  domain: "",
  inputs,
  outputs,
  attributes,
});
const floatTensor = (name: string, dims: number[], data: Float32Array): TensorIR => ({
  name,
  dataType: DataType.FLOAT,
  dims,
  raw: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
});
const int64Tensor = (name: string, values: number[]): TensorIR => ({
  name,
  dataType: DataType.INT64,
  dims: [values.length],
  raw: new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer),
});

function model(name: string, nodes: NodeIR[], initializers: TensorIR[], inputs: ValueInfoIR[], outputs: ValueInfoIR[]): ModelIR {
  return {
    irVersion: 8,
    opsetImports: [{ domain: "", version: OPSET }],
    producerName: "featurelens",
    producerVersion: "",
    domain: "",
    modelVersion: 1,
    docString: "",
    metadata: [],
    graph: { name, nodes, initializers, inputs, outputs, valueInfo: [] },
  };
}

/** c = op(a)·op(b) for float32 matrices of any size (one Gemm). */
export function matmulModel(transA: boolean, transB: boolean): ModelIR {
  const { a, b, c } = MATMUL_IO;
  return model(
    "matmul",
    [node("Gemm", [a, b], [c], [int("transA", transA ? 1 : 0), int("transB", transB ? 1 : 0)])],
    [],
    [value(a, DataType.FLOAT, ["A0", "A1"]), value(b, DataType.FLOAT, ["B0", "B1"])],
    [value(c, DataType.FLOAT, ["M", "N"])],
  );
}

/** One column chunk of the reference points, as the kNN graph holds it. */
export interface ReferenceChunk {
  /** Index of the chunk's first reference point. */
  start: number;
  /** Points in the chunk. */
  count: number;
  /** The chunk transposed, d×count row-major (so the Gemm reads it untransposed and MLAS prepacks it). */
  transposed: Float32Array;
  /** l2: the chunk's squared norms (count); cosine: absent (rows are unit vectors). */
  squaredNorms?: Float32Array;
}

/** What `knnModel` builds. */
export interface KnnGraphSpec {
  d: number;
  /** Candidates kept per query row. */
  keep: number;
  metric: "l2" | "cosine";
  chunks: ReferenceChunk[];
  /**
   * Two-stage selection (when > 1 and a chunk has at least `keep` groups): the chunk's points in
   * groups of this many consecutive points; TopK picks the `keep` groups with the smallest
   * minimum, then the `keep` best points among theirs. Every point left out scores at least the
   * last one kept (a left-out group's minimum is at least the keep-th group minimum, which is at
   * least the keep-th point kept), which is all the exact finish needs; TopK then reads
   * rows/group + keep·group values per row instead of every score.
   */
  group?: number;
}

/** Score added to padding points, so they rank after every real point. */
export const PADDING_SCORE = 1e30;

/**
 * scores, indices = the `keep` smallest scores of each query row against every reference point,
 * ascending, ties to the lower index (indices as int32: no BigInt per candidate in JavaScript), where score_j = ‖r_j‖² − 2 q·r_j (l2; the squared distance
 * less ‖q‖², which orders the same) or −q·r_j (cosine, on unit rows). The reference points are
 * initializers, so onnxruntime packs them for MLAS once, when the session is created.
 */
export function knnModel(spec: KnnGraphSpec): ModelIR {
  const { d, keep, metric, chunks } = spec;
  const { queries, scores, indices } = KNN_IO;
  const nodes: NodeIR[] = [];
  const inits: TensorIR[] = [];
  const single = chunks.length === 1;
  const vals: string[] = [];
  const idxs: string[] = [];
  for (const [c, chunk] of chunks.entries()) {
    const kc = Math.min(keep, chunk.count);
    const g = spec.group ?? 1;
    const grouped = g > 1 && chunk.count >= keep * g;
    const cols = grouped ? Math.ceil(chunk.count / g) * g : chunk.count;
    inits.push(floatTensor(`rt${c}`, [d, cols], pad(chunk.transposed, d, chunk.count, cols, 0)), int64Tensor(`k${c}`, [kc]));
    const gemmIn = [queries, `rt${c}`];
    if (metric === "l2" || cols > chunk.count) {
      const rn = new Float32Array(cols).fill(PADDING_SCORE);
      if (chunk.squaredNorms) rn.set(chunk.squaredNorms);
      else rn.fill(0, 0, chunk.count);
      inits.push(floatTensor(`rn${c}`, [cols], rn));
      gemmIn.push(`rn${c}`);
    }
    nodes.push(node("Gemm", gemmIn, [`s${c}`], [float("alpha", metric === "l2" ? -2 : -1), float("beta", 1)]));
    const [v, i] = single ? [scores, "local0"] : [`v${c}`, `local${c}`];
    if (grouped) nodes.push(...groupedTopK(`s${c}`, `k${c}`, cols / g, g, kc, v, i, `c${c}`, inits));
    else nodes.push(node("TopK", [`s${c}`, `k${c}`], [v, i], [int("axis", 1), int("largest", 0), int("sorted", 1)]));
    if (single) nodes.push(node("Cast", [i], [indices], [int("to", DataType.INT32)]));
    else {
      inits.push(int64Tensor(`off${c}`, [chunk.start]));
      nodes.push(node("Add", [i, `off${c}`], [`i${c}`]));
    }
    vals.push(v);
    idxs.push(`i${c}`);
  }
  if (!single) {
    inits.push(int64Tensor("keep", [keep]));
    nodes.push(node("Concat", vals, ["allScores"], [int("axis", 1)]));
    nodes.push(node("Concat", idxs, ["allIndices"], [int("axis", 1)]));
    nodes.push(node("TopK", ["allScores", "keep"], [scores, "pos"], [int("axis", 1), int("largest", 0), int("sorted", 1)]));
    nodes.push(node("GatherElements", ["allIndices", "pos"], ["indices64"], [int("axis", 1)]));
    nodes.push(node("Cast", ["indices64"], [indices], [int("to", DataType.INT32)]));
  }
  return model(
    `knn-${metric}`,
    nodes,
    inits,
    [value(queries, DataType.FLOAT, ["B", d])],
    [value(scores, DataType.FLOAT, ["B", keep]), value(indices, DataType.INT32, ["B", keep])],
  );
}

/** Rows of a d×count row-major matrix widened to d×cols with `fill` (the padding points). */
function pad(t: Float32Array, d: number, count: number, cols: number, fill: number): Float32Array {
  if (cols === count) return t;
  const out = new Float32Array(d * cols).fill(fill);
  for (let r = 0; r < d; r++) out.set(t.subarray(r * count, r * count + count), r * cols);
  return out;
}

/**
 * values, indices = TopK(scores, k) by two stages (see KnnGraphSpec.group): scores [B, groups·g]
 * → minima of each group [B, groups] → the k best groups → their k·g scores → TopK k, mapped
 * back to column indices group·g + offset.
 */
function groupedTopK(scores: string, k: string, groups: number, g: number, kc: number, values: string, indices: string, p: string, inits: TensorIR[]): NodeIR[] {
  inits.push(int64Tensor(`${p}shape3`, [0, groups, g]), int64Tensor(`${p}expand`, [1, kc, g]), int64Tensor(`${p}flat`, [0, kc * g]), int64Tensor(`${p}g`, [g]), int64Tensor(`${p}axes`, [2]));
  const topk = (input: string, outs: string[]) => node("TopK", [input, k], outs, [int("axis", 1), int("largest", 0), int("sorted", 1)]);
  return [
    node("Reshape", [scores, `${p}shape3`], [`${p}s3`]),
    node("ReduceMin", [`${p}s3`], [`${p}mins`], [{ name: "axes", value: { type: "ints", value: [2] } }, int("keepdims", 0)]),
    topk(`${p}mins`, [`${p}gv`, `${p}gi`]),
    node("Unsqueeze", [`${p}gi`, `${p}axes`], [`${p}gi3`]),
    node("Expand", [`${p}gi3`, `${p}expand`], [`${p}gidx`]),
    node("GatherElements", [`${p}s3`, `${p}gidx`], [`${p}cand3`], [int("axis", 1)]),
    node("Reshape", [`${p}cand3`, `${p}flat`], [`${p}cand`]),
    topk(`${p}cand`, [values, `${p}pos`]),
    node("Div", [`${p}pos`, `${p}g`], [`${p}slot`]),
    node("Mod", [`${p}pos`, `${p}g`], [`${p}off`]),
    node("GatherElements", [`${p}gi`, `${p}slot`], [`${p}grp`], [int("axis", 1)]),
    node("Mul", [`${p}grp`, `${p}g`], [`${p}base`]),
    node("Add", [`${p}base`, `${p}off`], [indices]),
  ];
}

import { DataType, type AttributeIR, type ModelIR, type NodeIR, type TensorIR, type ValueInfoIR } from "../onnx/ir.js";

/**
 * The small onnxruntime graphs behind the dense backend (./ortBackend.ts), built in code with our
 * IR: a Gemm for `matmul`, and for kNN a block of queries against the reference points in
 * column chunks — per chunk one Gemm (scores) and one TopK (smallest first, ties to the lower
 * index, as ONNX TopK specifies), then one TopK over the chunks' candidates. Chunking keeps each
 * block×chunk score tile in cache between the Gemm that writes it and the TopK that reads it.
 */

const OPSET = 13;

/** Names of the kNN graph's query input (rows of d + 1 values, the last a 1: see knnModel) and outputs. */
export const KNN_IO = { queries: "q", scores: "scores", indices: "indices" } as const;
/** Names of the matmul graph's inputs and output. */
export const MATMUL_IO = { a: "a", b: "b", c: "c" } as const;

const value = (name: string, elemType: number, shape: (string | number)[]): ValueInfoIR => ({ name, type: { kind: "tensor", elemType, shape } });
const int = (name: string, v: number): AttributeIR => ({ name, value: { type: "int", value: v } });
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
  /**
   * The chunk as the Gemm's right operand (see knnModel), (d + 1) × count row-major, so the Gemm
   * reads it untransposed and MLAS prepacks it: −2 times its coordinates (l2) or −1 times (cosine),
   * then a row of its squared norms (l2) or zeros (cosine).
   */
  folded: Float32Array;
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
   * groups of this many, strided (of G groups, group j holds the points j, G + j, 2G + j, …, so
   * the group minima are one element-wise minimum of g contiguous rows); TopK picks the `keep` groups with the smallest
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
 *
 * The norms ride in the product: the graph's query rows carry a trailing 1 (d + 1 columns) and
 * each reference column is (−2 r_j, ‖r_j‖²) (ReferenceChunk.folded; scaling by −2 is exact), so
 * one Gemm with no C gives the score. Broadcasting a C over the score tile before the product
 * took more than the product itself (70,000 × 50 on 2 cores: 5.3 s against 2.4 s for Gemm plus
 * one pass over the scores). Padding points score PADDING_SCORE through the same row.
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
    inits.push(floatTensor(`rt${c}`, [d + 1, cols], padded(chunk, d, cols)), int64Tensor(`k${c}`, [kc]));
    nodes.push(node("Gemm", [queries, `rt${c}`], [`s${c}`]));
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
    [value(queries, DataType.FLOAT, ["B", d + 1])],
    [value(scores, DataType.FLOAT, ["B", keep]), value(indices, DataType.INT32, ["B", keep])],
  );
}

/** The chunk's folded columns widened to `cols` by padding points: zero coordinates, PADDING_SCORE last. */
function padded(chunk: ReferenceChunk, d: number, cols: number): Float32Array {
  const { count, folded } = chunk;
  if (cols === count) return folded;
  const out = new Float32Array((d + 1) * cols);
  for (let r = 0; r <= d; r++) out.set(folded.subarray(r * count, r * count + count), r * cols);
  out.fill(PADDING_SCORE, d * cols + count, (d + 1) * cols);
  return out;
}

/**
 * values, indices = TopK(scores, k) by two stages (see KnnGraphSpec.group), with the groups strided:
 * scores [B, g·G] seen as [B, g, G], group j holding the points j, G + j, 2G + j, … → the
 * element-wise minimum of the g rows [B, G] (one streaming, vectorised pass over the scores) →
 * the k best groups → their k·g scores → TopK k, mapped back to point index member·G + group.
 */
function groupedTopK(scores: string, k: string, groups: number, g: number, kc: number, values: string, indices: string, p: string, inits: TensorIR[]): NodeIR[] {
  inits.push(int64Tensor(`${p}shape3`, [0, g, groups]), int64Tensor(`${p}expand`, [1, g, kc]), int64Tensor(`${p}flat`, [0, g * kc]), int64Tensor(`${p}kc`, [kc]), int64Tensor(`${p}G`, [groups]), int64Tensor(`${p}axes`, [1]));
  const topk = (input: string, outs: string[]) => node("TopK", [input, k], outs, [int("axis", 1), int("largest", 0), int("sorted", 1)]);
  return [
    node("Reshape", [scores, `${p}shape3`], [`${p}s3`]),
    node("ReduceMin", [`${p}s3`], [`${p}mins`], [{ name: "axes", value: { type: "ints", value: [1] } }, int("keepdims", 0)]),
    topk(`${p}mins`, [`${p}gv`, `${p}gi`]),
    node("Unsqueeze", [`${p}gi`, `${p}axes`], [`${p}gi3`]),
    node("Expand", [`${p}gi3`, `${p}expand`], [`${p}gidx`]),
    node("GatherElements", [`${p}s3`, `${p}gidx`], [`${p}cand3`], [int("axis", 2)]),
    node("Reshape", [`${p}cand3`, `${p}flat`], [`${p}cand`]),
    topk(`${p}cand`, [values, `${p}pos`]),
    node("Div", [`${p}pos`, `${p}kc`], [`${p}member`]),
    node("Mod", [`${p}pos`, `${p}kc`], [`${p}slot`]),
    node("GatherElements", [`${p}gi`, `${p}slot`], [`${p}grp`], [int("axis", 1)]),
    node("Mul", [`${p}member`, `${p}G`], [`${p}base`]),
    node("Add", [`${p}base`, `${p}grp`], [indices]),
  ];
}

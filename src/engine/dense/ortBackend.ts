import { availableParallelism } from "node:os";
import type { DenseBackend, DenseKnnRequest, Matrix, MatmulOptions } from "../../analysis/dense/backend.js";
import { productShape } from "../../analysis/dense/backend.js";
import { refineBlock, type RefineJob, type ScoreSpace } from "../../analysis/dense/refine.js";
import { checkQueryInput } from "../../analysis/neighbors/exact.js";
import { rowNorms } from "../../analysis/neighbors/kernel.js";
import type { KnnGraph, Points } from "../../analysis/neighbors/types.js";
import { checkK, checkMetric, checkPoints } from "../../analysis/neighbors/validate.js";
import { UsageError } from "../../util/errors.js";
import { Session } from "../runtime/session.js";
import { KNN_IO, knnModel, MATMUL_IO, matmulModel, type ReferenceChunk } from "./graphs.js";

/**
 * The onnxruntime dense backend (Node): `matmul` as one Gemm, exact kNN as Gemm + TopK graphs on
 * MLAS (AVX2 / AVX-512), both on every core. kNN takes the float32 candidates from onnxruntime and
 * finishes them exactly in float64 (analysis/dense/refine.ts), so its graph equals the exact
 * kernel's bit for bit, ties to the lower index.
 *
 * For l2 the points are centred on the reference mean first (distances do not change; the float32
 * scores ‖r‖² − 2 q·r lose far less to cancellation), for cosine scaled to unit length.
 */

/** Tunables of `ortBackend`; defaults in ORT_DENSE_DEFAULTS. */
export interface OrtDenseOptions {
  /** onnxruntime intra-op threads (default: every core). */
  threads?: number;
  /** Query rows per session run. */
  blockRows?: number;
  /** Reference points per Gemm + TopK chunk inside the graph (the score tile is blockRows × chunkCols). */
  chunkCols?: number;
  /** Candidates kept beyond k per row, so rounding rarely forces a full row scan. */
  slack?: number;
  /** Points per group of the two-stage TopK (graphs.ts, KnnGraphSpec.group); 1: one TopK over whole rows. */
  group?: number;
  /** Whether onnxruntime's idle threads spin (onnxruntime's default) or sleep, leaving the core to the float64 finish. */
  spinning?: boolean;
}

/** Measured on 70,000 × 50, k = 90, 2 cores (BENCHMARKS.md, "Exact kNN through onnxruntime"). */
export const ORT_DENSE_DEFAULTS = {
  threads: availableParallelism(),
  blockRows: 512,
  // One chunk: onnxruntime's TopK over whole rows measured 2-3× faster than over 8,192-column
  // chunks merged by a second TopK (70,000 × 50, k = 90, 2 cores).
  chunkCols: 1 << 30,
  slack: 16,
  // Measured at 70,000 × 50 on a loaded 2-core VM: groups of 16 cut TopK's share but not the
  // wall time (the Gemm dominated), so one TopK over whole rows stays the default.
  group: 1,
  // The float64 finish of one block runs on the main thread while onnxruntime computes the next:
  // spinning idle threads took its core (70,000 × 50, 2 cores: 29.0 s spinning, 24.0 s not).
  spinning: false,
};

/** An onnxruntime dense backend; sessions are made per shape kind and kept (matmul) or per reference set (kNN). */
export function ortBackend(options: OrtDenseOptions = {}): DenseBackend & { release(): Promise<void> } {
  const o = { ...ORT_DENSE_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  for (const key of ["threads", "blockRows", "chunkCols", "group"] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 1) throw new UsageError(`${key} must be a positive integer (got ${o[key]})`);
  }
  if (!Number.isInteger(o.slack) || o.slack < 0) throw new UsageError(`slack must be a non-negative integer (got ${o.slack})`);
  const matmuls = new Map<string, Promise<Session>>();
  return {
    name: "onnxruntime",
    async matmul(a: Matrix, b: Matrix, mo: MatmulOptions = {}): Promise<Matrix> {
      const [m, , n] = productShape(a, b, mo);
      const key = `${!!mo.transA}${!!mo.transB}`;
      let s = matmuls.get(key);
      if (!s) matmuls.set(key, (s = Session.create(matmulModel(!!mo.transA, !!mo.transB), { threads: o.threads, source: "matmul graph" })));
      const out = await (await s).run({
        [MATMUL_IO.a]: { dtype: "float32", dims: [a.rows, a.cols], data: a.data },
        [MATMUL_IO.b]: { dtype: "float32", dims: [b.rows, b.cols], data: b.data },
      });
      return { rows: m, cols: n, data: out[MATMUL_IO.c].data as Float32Array };
    },
    knn: (request) => knnOrt(request, o),
    async release() {
      for (const s of matmuls.values()) await (await s).release();
      matmuls.clear();
    },
  };
}

async function knnOrt(r: DenseKnnRequest, o: typeof ORT_DENSE_DEFAULTS): Promise<KnnGraph> {
  checkMetric(r.metric);
  if (r.metric !== "l2" && r.metric !== "cosine") throw new UsageError(`the onnxruntime kNN takes l2 or cosine (got '${r.metric as string}'); use the exact kernel for l1`);
  const { reference, k, metric } = r;
  const queries = r.queries ?? null;
  if (queries) checkQueryInput(reference, queries, k);
  else {
    checkPoints(reference, "points");
    checkK(k, reference.n - 1, "points");
  }
  const rows = (queries ?? reference).n;
  const d = reference.d;
  const mean = metric === "l2" ? columnMeans(reference) : new Float64Array(d);
  const ref = graphRows(reference, metric, mean);
  const qs = queries ? graphRows(queries, metric, mean) : ref;
  const keep = Math.min(reference.n, k + o.slack + (queries ? 0 : 1));
  const session = await Session.create(knnModel({ d, keep, metric, group: o.group, chunks: chunksOf(ref, reference.n, d, metric, o.chunkCols) }), {
    threads: o.threads,
    spinning: o.spinning,
    source: `kNN graph (${reference.n} × ${d}, ${metric})`,
  });
  const job: RefineJob = {
    reference,
    queries,
    k,
    metric,
    refInv: metric === "cosine" ? rowNorms(reference.data, reference.n, d, "cosine") : undefined,
    queryInv: metric === "cosine" && queries ? rowNorms(queries.data, queries.n, d, "cosine") : undefined,
    outIdx: new Int32Array(rows * k),
    outDist: new Float32Array(rows * k),
  };
  let maxNorm = 0;
  for (const v of ref.norms) maxNorm = Math.max(maxNorm, v);
  const space: ScoreSpace = { metric, maxReferenceNorm: maxNorm, queryNorm: (q) => qs.norms[q] };
  const w = d + 1;
  const runBlock = (first: number) => {
    const n = Math.min(o.blockRows, rows - first);
    return session.run({ [KNN_IO.queries]: { dtype: "float32", dims: [n, w], data: qs.data.subarray(first * w, (first + n) * w) } });
  };
  try {
    let pending = runBlock(0);
    for (let first = 0; first < rows; first += o.blockRows) {
      const out = await pending;
      r.signal?.throwIfAborted();
      const next = first + o.blockRows;
      if (next < rows) pending = runBlock(next);
      const n = Math.min(o.blockRows, rows - first);
      refineBlock(job, {
        first,
        rows: n,
        keep,
        scores: out[KNN_IO.scores].data as Float32Array,
        indices: out[KNN_IO.indices].data as Int32Array,
        complete: keep === reference.n,
      }, space);
      r.onProgress?.(first + n, rows);
    }
  } finally {
    await session.release();
  }
  return { n: rows, k, metric, indices: job.outIdx, distances: job.outDist };
}

/** Points as the kNN graph reads them. */
interface GraphRows {
  /** n × (d + 1): each row centred on the reference mean (l2) or scaled to unit length, zero rows staying zero (cosine), then a 1. */
  data: Float32Array;
  /** l2: each row's centred norm, from its float32 coordinates in float64; cosine: empty. */
  norms: Float64Array;
  /** l2: the squared norms rounded to float32 (the reference's last folded row); cosine: empty. */
  squared: Float32Array;
}

function columnMeans(points: Points): Float64Array {
  const { n, d, data } = points;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) mean[t] += data[i * d + t];
  for (let t = 0; t < d; t++) mean[t] /= n;
  return mean;
}

/** One pass over the points: their graph rows and (l2) norms. */
function graphRows(points: Points, metric: "l2" | "cosine", mean: Float64Array): GraphRows {
  const { n, d, data } = points;
  const w = d + 1;
  const out = new Float32Array(n * w);
  const l2 = metric === "l2";
  const norms = new Float64Array(l2 ? n : 0);
  const squared = new Float32Array(l2 ? n : 0);
  const inv = l2 ? null : rowNorms(data, n, d, "cosine");
  for (let i = 0; i < n; i++) {
    const o = i * w;
    if (inv) {
      for (let t = 0; t < d; t++) out[o + t] = data[i * d + t] * inv[i];
    } else {
      let s = 0;
      for (let t = 0; t < d; t++) {
        out[o + t] = data[i * d + t] - mean[t];
        s += out[o + t] * out[o + t]; // the float32 value stored, squared in float64
      }
      norms[i] = Math.sqrt(s);
      squared[i] = s;
    }
    out[o + d] = 1;
  }
  return { data: out, norms, squared };
}

/** The reference points' graph rows folded (ReferenceChunk.folded) in column chunks of at most `cols` points. */
function chunksOf(ref: GraphRows, n: number, d: number, metric: "l2" | "cosine", cols: number): ReferenceChunk[] {
  const chunks: ReferenceChunk[] = [];
  const count = Math.ceil(n / cols);
  const size = Math.ceil(n / count); // even chunks: no small last one
  const scale = metric === "l2" ? -2 : -1;
  const w = d + 1;
  for (let start = 0; start < n; start += size) {
    const m = Math.min(size, n - start);
    const folded = new Float32Array(w * m);
    for (let j = 0; j < m; j++) {
      const o = (start + j) * w;
      for (let t = 0; t < d; t++) folded[t * m + j] = scale * ref.data[o + t];
    }
    if (metric === "l2") folded.set(ref.squared.subarray(start, start + m), d * m);
    chunks.push({ start, count: m, folded });
  }
  return chunks;
}

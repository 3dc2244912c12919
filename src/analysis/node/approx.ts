import { Index, MetricKind, ScalarKind, type BatchMatches } from "usearch";
import { UsageError } from "../../util/errors.js";
import { createRng, shuffleInPlace } from "../../util/rng.js";
import { sortPairs } from "../neighbors/heap.js";
import { exactKnnQuery } from "../neighbors/exact.js";
import { rowNorms } from "../neighbors/kernel.js";
import { pairDistance } from "../neighbors/tiles.js";
import type { KnnGraph, Metric, Points } from "../neighbors/types.js";

/**
 * Approximate kNN with an HNSW graph (Malkov & Yashunin 2018, "Efficient and robust approximate
 * nearest neighbor search using Hierarchical Navigable Small World graphs") as built by USearch.
 * Node-only (a native addon). Inputs must already be checked (see validate.ts).
 */

/**
 * HNSW settings; the `knn` docs point here. Chosen on Fashion-MNIST PCA-50 (70,000 points,
 * k = 90, 2 threads): these take 11.4 s at recall 0.996, where efConstruction 128 with ef 2·(k+1)
 * took 21.5 s for 0.9996 and M = 8 with ef 100 took 7.3 s for 0.987 (bench/knn.ts measures it).
 */
export const APPROX_DEFAULTS = {
  /** Graph degree M (USearch's default). */
  connectivity: 16,
  /** Candidate list size while building (efConstruction). */
  expansionAdd: 48,
  /** Candidate list size while searching (ef) is max(this, ⌈1.3·(k+1)⌉). */
  expansionSearch: 64,
  /**
   * How the index holds the vectors: bfloat16 halves the bytes each distance reads, and the k found
   * are then measured again exactly from the float32 points. 200,000 clustered 50-D points, k = 90,
   * 2 threads: search 53.5 → 26.5 s, build 12.3 → 13.3 s, recall 0.8965 → 0.8983 (int8: 25.9 s
   * but recall 0.73).
   */
  quantization: "bf16",
} as const;

export interface ApproxOptions {
  metric: Metric;
  threads: number;
  /** Seeds the insertion order. The build is multi-threaded, so the graph may still differ slightly between runs. */
  seed: number;
}

/** As exactKnn (reference queries itself, self excluded) or exactKnnQuery (`queries` given), approximately. */
export function approxKnn(reference: Points, queries: Points | null, k: number, options: ApproxOptions): KnnGraph {
  const { metric, threads } = options;
  if (metric === "l1") {
    throw new UsageError("approximate kNN supports metric l2 and cosine, not l1; use method 'exact' for l1");
  }
  const { n, d } = reference;
  const index = new Index({
    dimensions: d,
    metric: metric === "l2" ? MetricKind.L2sq : MetricKind.Cos,
    quantization: APPROX_DEFAULTS.quantization as ScalarKind,
    connectivity: APPROX_DEFAULTS.connectivity,
    expansion_add: APPROX_DEFAULTS.expansionAdd,
    expansion_search: Math.max(APPROX_DEFAULTS.expansionSearch, Math.ceil(1.3 * (k + 1))),
    multi: false,
  } as ConstructorParameters<typeof Index>[0]);
  const order = shuffleInPlace(Int32Array.from({ length: n }, (_, i) => i), createRng(options.seed));
  const shuffled = new Float32Array(n * d);
  for (let r = 0; r < n; r++) shuffled.set(reference.data.subarray(order[r] * d, order[r] * d + d), r * d);
  index.add(BigUint64Array.from(order, (i) => BigInt(i)), shuffled, threads);

  const q = queries ?? reference;
  const want = queries ? k : k + 1;
  const found = index.search(q.data, want, threads);
  const matches = (q.n === 1 ? { ...found, counts: BigUint64Array.of(BigInt(found.keys.length)) } : found) as BatchMatches;
  const graph: KnnGraph = { n: q.n, k, metric, indices: new Int32Array(q.n * k), distances: new Float32Array(q.n * k) };
  const measure = exactDistance(reference, queries, metric);
  const short: number[] = [];
  for (let i = 0; i < q.n; i++) {
    if (!copyRow(matches, want, i, queries ? -1 : i, graph, measure)) short.push(i);
  }
  if (short.length > 0) fillExact(reference, queries, short, graph);
  return graph;
}

/**
 * Copies row i of the search results (minus `self`) into the graph, each neighbour's distance
 * measured again exactly (the index holds bfloat16 vectors), nearer first; false if fewer than k
 * came back.
 */
function copyRow(m: BatchMatches, want: number, i: number, self: number, g: KnnGraph, measure: (q: number, j: number) => number): boolean {
  const { k } = g;
  const count = Number(m.counts[i]);
  let w = i * k;
  for (let c = 0; c < count && w < i * k + k; c++) {
    const j = Number(m.keys[i * want + c]);
    if (j === self) continue;
    g.indices[w] = j;
    g.distances[w++] = measure(i, j);
  }
  if (w < i * k + k) return false;
  sortPairs(g.distances, g.indices, i * k, k);
  return true;
}

/** The exact kernel's distance (pairDistance) from query row q to reference point j. */
function exactDistance(reference: Points, queries: Points | null, metric: "l2" | "cosine"): (q: number, j: number) => number {
  const { d } = reference;
  const a = (queries ?? reference).data;
  const b = reference.data;
  if (metric === "l2") return (q, j) => pairDistance("l2", a, q * d, b, j * d, d);
  const refInv = rowNorms(b, reference.n, d, "cosine");
  const queryInv = queries ? rowNorms(queries.data, queries.n, d, "cosine") : refInv;
  return (q, j) => pairDistance("cosine", a, q * d, b, j * d, d, queryInv[q], refInv[j]);
}

/** Rows the graph search returned too few neighbours for (rare, tiny sets): fill them exactly. */
function fillExact(reference: Points, queries: Points | null, rows: number[], g: KnnGraph): void {
  const d = reference.d;
  const q = queries ?? reference;
  const sub = new Float32Array(rows.length * d);
  rows.forEach((r, m) => sub.set(q.data.subarray(r * d, r * d + d), m * d));
  // Without self-exclusion in query mode, ask for one more and drop the row itself.
  const extra = queries ? 0 : 1;
  const exact = exactKnnQuery(reference, { n: rows.length, d, data: sub }, g.k + extra, { metric: g.metric });
  rows.forEach((r, m) => {
    let w = r * g.k;
    for (let c = 0; c < g.k + extra && w < r * g.k + g.k; c++) {
      const j = exact.indices[m * (g.k + extra) + c];
      if (!queries && j === r) continue;
      g.indices[w] = j;
      g.distances[w++] = exact.distances[m * (g.k + extra) + c];
    }
  });
}

/**
 * HNSW (USearch) on synthetic clustered data (20 Gaussian clusters in 50-D, as bench/tsne-scaling.ts)
 * at k = 90, 2 threads: build and search times and recall against the exact graph (onnxruntime), for
 * the vector storage (`quantization`: f32, bf16, f16, i8) and graph settings given as
 * `kind:M:efConstruction:efSearch`. Chose APPROX_DEFAULTS.quantization (BENCHMARKS.md).
 *
 *   flock /tmp/featurelens-bench.lock node --import tsx bench/hnsw-quantization.ts [N=200000] [variants=f32:16:48:119,bf16:16:48:119,f16:16:48:119,i8:16:48:119]
 */
import { loadavg } from "node:os";
import { Index, MetricKind, type ScalarKind } from "usearch";
import { knn, recall, type KnnGraph } from "../src/analysis/node/neighbors.js";
import { CLUSTERED, clustered } from "./clustered.js";
import { withDenseBackend } from "../src/workflows/dense.js";

const N = Number(process.argv[2] ?? 200000);
const VARIANTS = (process.argv[3] ?? "f32:16:48:119,bf16:16:48:119,f16:16:48:119,i8:16:48:119").split(",");
const D = CLUSTERED.d;
const K = 90;
const load = () => loadavg().map((l) => l.toFixed(2)).join(", ");

const { data } = clustered(N, 1);
console.log(`load averages before: ${load()}`);
let t0 = performance.now();
const exact = await withDenseBackend((dense) => knn({ n: N, d: D, data }, K, { method: "exact", dense, threads: 2 }));
console.log(`exact (onnxruntime): ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
console.log("| storage | M | efConstruction | ef | build | search | recall |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const v of VARIANTS) {
  const [kind, m, efc, efs] = v.split(":");
  t0 = performance.now();
  const index = new Index({ dimensions: D, metric: MetricKind.L2sq, quantization: kind as ScalarKind, connectivity: Number(m), expansion_add: Number(efc), expansion_search: Number(efs), multi: false });
  index.add(BigUint64Array.from({ length: N }, (_, i) => BigInt(i)), data, 2);
  const t1 = performance.now();
  const found = index.search(data, K + 1, 2);
  const t2 = performance.now();
  const graph: KnnGraph = { n: N, k: K, metric: "l2", indices: new Int32Array(N * K), distances: new Float32Array(N * K) };
  for (let i = 0; i < N; i++) {
    let w = 0;
    for (let c = 0; c < K + 1 && w < K; c++) {
      const j = Number(found.keys[i * (K + 1) + c]);
      if (j !== i) graph.indices[i * K + w++] = j;
    }
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`| ${kind} | ${m} | ${efc} | ${efs} | ${s(t1 - t0)} | ${s(t2 - t1)} | ${recall(graph, exact).toFixed(4)} |`);
}
console.log(`\nload averages after: ${load()}`);

/**
 * Exact kNN through onnxruntime (engine/dense: Gemm + TopK on MLAS, finished exactly in float64)
 * against featurelens' WebAssembly exact kNN and scikit-learn's brute force, in one run on the same
 * machine, at k = 90 on Fashion-MNIST PCA-50 (70,000 × 50, `bench/.cache/fmnist-pca50.npy`, made by
 * `bench/sklearn_knn.py pca`); then exact-ORT against the HNSW approximation (USearch) on synthetic
 * clustered data (20 Gaussian clusters in 50-D, as bench/tsne-scaling.ts) at the sizes t-SNE uses,
 * to place `KNN_DEFAULTS.denseApproxAbove`. scikit-learn's time is fit + kneighbors measured inside
 * Python; its process total (start-up, imports, loading the .npy) is reported beside it.
 *
 *   apt-get install dataset-fashion-mnist python3-sklearn
 *   flock /tmp/featurelens-bench.lock node --import tsx bench/knn-ort.ts [threads=2] [repeats=1] [sizes=10000,20000,40000]
 */
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { readNpy } from "../src/data/npy.js";
import { knn, recall, type KnnGraph, type Points } from "../src/analysis/node/neighbors.js";
import { ortBackend } from "../src/engine/dense/ortBackend.js";
import { clustered } from "./clustered.js";

const THREADS = Number(process.argv[2] ?? 2);
const REPEATS = Number(process.argv[3] ?? 1);
const SIZES = (process.argv[4] ?? "10000,20000,40000").split(",").map(Number);
const K = 90;
const load = () => loadavg().map((x) => x.toFixed(1)).join(", ");
const secs = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const r = await f();
  return [r, (performance.now() - t0) / 1000];
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const dense = ortBackend({ threads: THREADS });

function sameGraph(a: KnnGraph, b: KnnGraph): boolean {
  return a.indices.every((v, i) => v === b.indices[i]) && a.distances.every((v, i) => v === b.distances[i]);
}


// 1. 70,000 × 50: ORT exact, WASM exact, scikit-learn brute.
execFileSync("/usr/bin/python3", [join("bench", "sklearn_knn.py"), "pca"]);
const pca = readNpy(join("bench", ".cache", "fmnist-pca50.npy"));
const points: Points = { n: pca.shape[0], d: pca.shape[1], data: pca.data as Float32Array };
const t: Record<string, number[]> = { ort: [], wasm: [], sklearn: [], sklearnProcess: [], hnsw: [] };
console.error(`load average at start: ${load()}`);
let agree = true;
let vsSklearn = 0;
let hnswRecall = 0;
for (let r = 0; r < REPEATS; r++) {
  const [ort, tOrt] = await secs(() => knn(points, K, { method: "exact", dense, threads: THREADS }));
  const [ort2] = r === 0 ? await secs(() => knn(points, K, { method: "exact", dense, threads: THREADS })) : [ort];
  const [wasm, tWasm] = await secs(() => knn(points, K, { method: "exact", threads: THREADS }));
  const [hnsw, tHnsw] = await secs(() => knn(points, K, { method: "approx", threads: THREADS, seed: r }));
  t.hnsw.push(tHnsw);
  hnswRecall = recall(hnsw, ort);
  const t0 = performance.now();
  const py = JSON.parse(execFileSync("/usr/bin/python3", [join("bench", "sklearn_knn.py"), "run", String(K), String(THREADS), "sklearn"], { encoding: "utf8" })) as { sklearn: { seconds: number } };
  t.sklearnProcess.push((performance.now() - t0) / 1000);
  t.ort.push(tOrt);
  t.wasm.push(tWasm);
  t.sklearn.push(py.sklearn.seconds);
  agree &&= sameGraph(ort, wasm) && sameGraph(ort, ort2);
  const sk = readNpy(join("bench", ".cache", `fmnist-pca50-knn${K}-sklearn.npy`));
  vsSklearn = recall(ort, { ...ort, indices: sk.data as Int32Array });
  console.error(`repeat ${r + 1}: ort ${tOrt.toFixed(1)} s, wasm ${tWasm.toFixed(1)} s, sklearn ${py.sklearn.seconds.toFixed(1)} s (process ${t.sklearnProcess.at(-1)!.toFixed(1)} s); load ${load()}`);
}
const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]));
const s = (x: number) => `${x.toFixed(1)} s`;
console.log(`\nExact kNN, k = ${K}, Fashion-MNIST PCA-50 (70,000 × 50), ${THREADS} threads, median of ${REPEATS}; load average after: ${load()}\n`);
console.log("| method | time | scikit-learn brute / this |");
console.log("|---|---:|---:|");
console.log(`| featurelens exact, onnxruntime (Gemm + TopK, float64 finish) | ${s(m.ort)} | ${(m.sklearn / m.ort).toFixed(2)}× |`);
console.log(`| featurelens exact, WebAssembly SIMD (${THREADS} workers) | ${s(m.wasm)} | ${(m.sklearn / m.wasm).toFixed(2)}× |`);
console.log(`| scikit-learn NearestNeighbors(algorithm="brute") fit + kneighbors | ${s(m.sklearn)} | 1× |`);
console.log(`| (scikit-learn's whole process: start-up, imports, loading the .npy) | ${s(m.sklearnProcess)} | |`);
console.log(`| featurelens approx, HNSW (USearch; recall ${hnswRecall.toFixed(4)}) | ${s(m.hnsw)} | ${(m.sklearn / m.hnsw).toFixed(2)}× |`);
console.log(`\nonnxruntime / WebAssembly: ${(m.wasm / m.ort).toFixed(2)}× faster. Graphs bit-identical (ORT vs WASM, ORT run twice): ${agree}. Share of scikit-learn's neighbour indices found: ${vsSklearn.toFixed(5)}.`);
console.log(`all runs (s): ${JSON.stringify(t)}`);

// 2. Exact (ORT) against HNSW at t-SNE's sizes (70,000: the Fashion-MNIST rows above).
console.log(`\nExact (onnxruntime) against HNSW (USearch), k = ${K}, synthetic clustered 50-D, ${THREADS} threads\n`);
console.log("| N | exact ORT | HNSW | HNSW recall | exact / HNSW | load |");
console.log("|---:|---:|---:|---:|---:|---|");
for (const n of SIZES) {
  const p = clustered(n, 1);
  const [exact, te] = await secs(() => knn(p, K, { method: "exact", dense, threads: THREADS }));
  const [approx, ta] = await secs(() => knn(p, K, { method: "approx", threads: THREADS, seed: 0 }));
  console.log(`| ${n.toLocaleString("en")} | ${s(te)} | ${s(ta)} | ${recall(approx, exact).toFixed(4)} | ${(te / ta).toFixed(2)} | ${load()} |`);
}
await dense.release();

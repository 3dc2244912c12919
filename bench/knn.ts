/**
 * k-nearest neighbours, k = 90 (t-SNE's 3 × perplexity 30), on the first 50 principal components of
 * Fashion-MNIST train + t10k (70,000 points): featurelens exact (WebAssembly SIMD tiles on worker
 * threads) and approximate (USearch HNSW) vs scikit-learn NearestNeighbors brute force and
 * pynndescent with openTSNE's parameters, all with the same threads, in one run. Each repeat runs
 * every contender once, interleaved so all see the same machine; medians of the repeats are
 * reported (this VM is shared and its timings vary run to run). Python timings are measured inside
 * Python (process start and data loading excluded; pynndescent's numba compilation included, as a
 * user of openTSNE pays it per process).
 *
 *   apt-get install dataset-fashion-mnist python3-sklearn python3-pynndescent
 *   node --import tsx bench/knn.ts [threads=2] [repeats=3] [k=90]
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { readNpy } from "../src/data/npy.js";
import { knn, recall, type KnnGraph, type Points } from "../src/analysis/node/neighbors.js";

const THREADS = Number(process.argv[2] ?? 2);
const REPEATS = Number(process.argv[3] ?? 3);
const K = Number(process.argv[4] ?? 90);
const SCRIPT = join("bench", "sklearn_knn.py");

const python = (...args: string[]) => execFileSync("/usr/bin/python3", [SCRIPT, ...args], { encoding: "utf8", maxBuffer: 1 << 24 });
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

python("pca");
const pca = readNpy(join("bench", ".cache", "fmnist-pca50.npy"));
const points: Points = { n: pca.shape[0], d: pca.shape[1], data: pca.data as Float32Array };

const times: Record<string, number[]> = { exact: [], approx: [], sklearn: [], pynndescent: [] };
const recalls: Record<string, number[]> = { approx: [], pynndescent: [], "exact vs sklearn": [] };
for (let r = 0; r < REPEATS; r++) {
  const py = JSON.parse(python("run", String(K), String(THREADS))) as Record<string, { seconds: number; recall?: number }>;
  times.sklearn.push(py.sklearn.seconds);
  times.pynndescent.push(py.pynndescent.seconds);
  recalls.pynndescent.push(py.pynndescent.recall!);

  let t0 = performance.now();
  const exact = await knn(points, K, { method: "exact", threads: THREADS });
  times.exact.push((performance.now() - t0) / 1000);
  t0 = performance.now();
  const approx = await knn(points, K, { method: "approx", threads: THREADS, seed: r });
  times.approx.push((performance.now() - t0) / 1000);
  recalls.approx.push(recall(approx, exact));
  recalls["exact vs sklearn"].push(recall(exact, sklearnGraph(exact)));
  console.error(`repeat ${r + 1}/${REPEATS}: ${Object.entries(times).map(([k, v]) => `${k} ${v.at(-1)!.toFixed(1)} s`).join(", ")}`);
}

/** scikit-learn's neighbour indices as a graph, to measure how many of them ours found. */
function sklearnGraph(like: KnnGraph): KnnGraph {
  const idx = readNpy(join("bench", ".cache", `fmnist-pca50-knn${K}-sklearn.npy`));
  return { ...like, indices: idx.data as Int32Array };
}

const t = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
const rc = Object.fromEntries(Object.entries(recalls).map(([k, v]) => [k, median(v)]));
const s = (x: number) => `${x.toFixed(1)} s`;
console.log(`kNN, k = ${K}, Fashion-MNIST PCA-50 (70,000 × 50), ${THREADS} threads, median of ${REPEATS} interleaved runs.\n`);
console.log("| method | time | recall@k | scikit-learn brute / this | pynndescent / this |");
console.log("|---|---:|---:|---:|---:|");
console.log(`| featurelens exact (WASM SIMD, ${THREADS} workers) | ${s(t.exact)} | 1 (${rc["exact vs sklearn"].toFixed(4)} of scikit-learn's) | ${(t.sklearn / t.exact).toFixed(2)}× | ${(t.pynndescent / t.exact).toFixed(2)}× |`);
console.log(`| featurelens approx (USearch HNSW) | ${s(t.approx)} | ${rc.approx.toFixed(4)} | ${(t.sklearn / t.approx).toFixed(2)}× | ${(t.pynndescent / t.approx).toFixed(2)}× |`);
console.log(`| scikit-learn NearestNeighbors brute | ${s(t.sklearn)} | 1 | 1× | |`);
console.log(`| pynndescent (openTSNE parameters) | ${s(t.pynndescent)} | ${rc.pynndescent.toFixed(4)} | | 1× |`);
console.log(`\nall runs (s): ${JSON.stringify(times)}`);
const perRun = times.exact.map((_, r) => `run ${r + 1}: sklearn/exact ${(times.sklearn[r] / times.exact[r]).toFixed(2)}×, pynndescent/approx ${(times.pynndescent[r] / times.approx[r]).toFixed(2)}×`);
console.log(`ratios within each run (the machine's load changes between runs): ${perRun.join("; ")}`);

/**
 * PCA-50 of the full Fashion-MNIST (70,000 × 784, pixels / 255 as float32): featurelens `fitPca`
 * (one thread) and `pcaThreaded` (THREADS worker threads; method "auto", which is randomized here,
 * as in scikit-learn) against scikit-learn 1.2's
 * PCA(50, svd_solver="randomized") in the same run, the runs interleaved so both see the same
 * machine; median seconds of REPEATS runs each (loading not counted), and how far the explained
 * variance ratios of the two agree.
 *
 *   apt-get install dataset-fashion-mnist python3-sklearn
 *   node --import tsx bench/pca.ts [components=50] [repeats=3] [threads=2]
 *
 * scikit-learn runs with OpenBLAS's default threads (all cores).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fitPca, type PcaModel } from "../src/analysis/embed/pca.js";
import { pcaThreaded } from "../src/analysis/node/pcaThreads.js";
import { loadDataset } from "../src/data/load.js";

const COMPONENTS = Number(process.argv[2] ?? 50);
const REPEATS = Number(process.argv[3] ?? 3);
const THREADS = Number(process.argv[4] ?? 2);

const parts = [await loadDataset("fashion-mnist:train"), await loadDataset("fashion-mnist:test")];
const n = parts.reduce((sum, ds) => sum + ds.n, 0);
const d = 784;
const data = new Float32Array(n * d);
let o = 0;
for (const ds of parts) for (let i = 0; i < ds.images.length; i++) data[o++] = ds.images[i] / 255;

const ours: number[] = [];
const threaded: number[] = [];
const theirs: number[] = [];
let model: PcaModel | undefined;
let sklearnRatio: number[] = [];
for (let r = 0; r < REPEATS; r++) {
  const out = execFileSync("/usr/bin/python3", [join("bench", "sklearn_pca.py"), String(COMPONENTS), "1"], { encoding: "utf8" });
  const sk = JSON.parse(out) as { seconds: number[]; explained_variance_ratio: number[] };
  theirs.push(sk.seconds[0]);
  sklearnRatio = sk.explained_variance_ratio;
  const t0 = process.hrtime.bigint();
  model = fitPca({ n, d, data }, { components: COMPONENTS, seed: r });
  ours.push(Number(process.hrtime.bigint() - t0) / 1e9);
  const t1 = process.hrtime.bigint();
  await pcaThreaded({ n, d, data }, { components: COMPONENTS, seed: r, threads: THREADS });
  threaded.push(Number(process.hrtime.bigint() - t1) / 1e9);
}

const median = (t: number[]) => {
  const s = [...t].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
};
const ratio = model!.explainedVarianceRatio;
// Randomized solvers (both libraries) are least accurate on the last components; report both.
const rel = Array.from(sklearnRatio, (v, c) => Math.abs(ratio[c] - v) / v);
const worst = Math.max(...rel);
const lead = Math.max(...rel.slice(0, Math.floor(0.8 * COMPONENTS)));
const sum = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);
const runs = (t: number[]) => t.map((v) => v.toFixed(2)).join(", ");
console.log(
  `PCA-${COMPONENTS} of Fashion-MNIST (${n.toLocaleString("en-US")} × ${d}, float32), median of ${REPEATS} interleaved runs, seconds ` +
    `(runs: fitPca ${runs(ours)}; pcaThreaded ${runs(threaded)}; scikit-learn ${runs(theirs)}).\n`,
);
console.log("| | seconds | / scikit-learn |");
console.log("|---|---:|---:|");
console.log(`| featurelens fitPca (1 thread) | ${median(ours).toFixed(2)} | ${(median(ours) / median(theirs)).toFixed(2)}× |`);
console.log(`| featurelens pcaThreaded (${THREADS} threads) | ${median(threaded).toFixed(2)} | ${(median(threaded) / median(theirs)).toFixed(2)}× |`);
console.log(`| scikit-learn 1.2 PCA(svd_solver="randomized") | ${median(theirs).toFixed(2)} | 1× |`);
console.log(`\nExplained variance ratio: sum ${sum(ratio).toFixed(6)} (scikit-learn ${sum(sklearnRatio).toFixed(6)}); largest relative difference per component ${lead.toExponential(2)} over the first ${Math.floor(0.8 * COMPONENTS)}, ${worst.toExponential(2)} over all (at component ${rel.indexOf(worst)}).`);

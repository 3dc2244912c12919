/**
 * UMAP on the first N rows of the first 50 principal components of Fashion-MNIST: featurelens
 * `embed --method umap` (its kNN graph on 2 threads, then UMAP on typed arrays) against umap-learn
 * 0.5.3 (seeded, which makes it single-threaded, and unseeded on 2 threads) and bare umap-js 1.4
 * (its own nearest-neighbour descent), in one run. Every map is judged by featurelens' quality
 * functions: 10-NN preservation against the exact input-space neighbours and leave-one-out 10-NN
 * label accuracy. Python times inside its process (imports and loading excluded).
 *
 *   apt-get install dataset-fashion-mnist umap-learn
 *   node --import tsx bench/umap.ts [N=10000] [contenders=featurelens,umap-learn,umap-learn-parallel,umap-js]
 *
 * Contender `featurelens-explog` is the same pipeline with d^b as Math.exp(b·Math.log(d)), the
 * layout's form before its power table (umap({ tablePow: false })), to show the table's share.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { UMAP } from "umap-js";
import { readNpy } from "../src/data/npy.js";
import { embed, mapQuality } from "../src/analysis/node/pipeline.js";
import { knn } from "../src/analysis/node/neighbors.js";
import { CACHE, fmnistPca50 } from "./fmnist.js";
import { createRng } from "../src/util/rng.js";
import { umap, UMAP_DEFAULTS } from "../src/analysis/embed/umap.js";

const N = Number(process.argv[2] ?? 10000);
const CONTENDERS = (process.argv[3] ?? "featurelens,umap-learn,umap-learn-parallel,umap-js").split(",");
const { points, labels } = fmnistPca50(N);

const rows: { name: string; seconds: number; map: Float32Array }[] = [];
for (const who of CONTENDERS) {
  console.error(`${who}: UMAP of ${N} points…`);
  if (who === "featurelens") {
    const t0 = performance.now();
    const r = await embed(points, { method: "umap", seed: 0, threads: 2 });
    rows.push({ name: "featurelens (own kNN + UMAP on typed arrays)", seconds: (performance.now() - t0) / 1000, map: r.embedding });
  } else if (who === "featurelens-explog") {
    const t0 = performance.now();
    const graph = await knn(points, UMAP_DEFAULTS.nNeighbors - 1, { threads: 2 });
    const r = await umap(points, { seed: 0, knn: graph, tablePow: false });
    rows.push({ name: "featurelens, d^b by Math.exp/log (before)", seconds: (performance.now() - t0) / 1000, map: r.embedding });
  } else if (who === "umap-learn" || who === "umap-learn-parallel") {
    const mode = who === "umap-learn" ? "seeded" : "parallel";
    const out = execFileSync("/usr/bin/python3", [join("bench", "umap_learn.py"), String(N), mode], { encoding: "utf8" });
    const { seconds } = JSON.parse(out.trim().split("\n").at(-1)!) as { seconds: number };
    const name = mode === "seeded" ? "umap-learn 0.5.3 (random_state: 1 thread)" : "umap-learn 0.5.3 (no seed, n_jobs 2)";
    rows.push({ name, seconds, map: readNpy(join(CACHE, `umap-learn-${N}-${mode}.npy`)).data as Float32Array });
  } else if (who === "umap-js") {
    const rng = createRng(0);
    const data = Array.from({ length: N }, (_, i) => Array.from(points.data.subarray(i * 50, (i + 1) * 50)));
    const t0 = performance.now();
    const model = new UMAP({ nComponents: 2, nNeighbors: 15, random: () => rng.next() });
    const map = Float32Array.from(model.fit(data).flat());
    rows.push({ name: "umap-js 1.4 alone (its own kNN)", seconds: (performance.now() - t0) / 1000, map });
  } else throw new Error(`unknown contender ${who} (featurelens, featurelens-explog, umap-learn, umap-learn-parallel, umap-js)`);
  console.error(`  ${rows.at(-1)!.seconds.toFixed(1)} s`);
}

const inputKnn = await knn(points, 10, { method: "exact", threads: 2 });
const ours = rows.find((r) => r.name.startsWith("featurelens ("));
console.log(`UMAP of Fashion-MNIST PCA-50, N = ${N.toLocaleString("en")}, 15 neighbours, min_dist 0.1, one run.\n`);
console.log("| method | time | 10-NN preservation | 10-NN accuracy | time / featurelens |");
console.log("|---|---:|---:|---:|---:|");
for (const r of rows) {
  const q = await mapQuality(points, { n: N, d: 2, data: r.map }, labels, { inputKnn, threads: 2 });
  console.log(`| ${r.name} | ${r.seconds.toFixed(1)} s | ${q.knn_preservation.toFixed(3)} | ${q.knn_accuracy!.toFixed(3)} | ${ours ? (r.seconds / ours.seconds).toFixed(1) + "×" : ""} |`);
}

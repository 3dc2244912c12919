/**
 * t-SNE on the first N rows of the first 50 principal components of Fashion-MNIST (train then
 * t10k): featurelens `embed` (what `featurelens embed --method tsne` runs: kNN graph on 2 threads,
 * perplexity 30, openTSNE's schedule, FFT repulsion from 10,000 points) against scikit-learn 1.2
 * `TSNE` (Barnes–Hut, 2 jobs) and `Rtsne` (Barnes–Hut, 2 threads), in one run on the same machine.
 * Every map is judged by featurelens' own quality functions (10-NN preservation against the exact
 * input-space neighbours, leave-one-out 10-NN label accuracy in the map); KL is each tool's own
 * report of its final KL(P‖Q) (their P differ in details such as the neighbour count, so KLs are
 * close but not strictly comparable). Python and R time inside their process, data loading
 * excluded; featurelens times the whole `embed` command (embedFile: reading the .npy, the map, its
 * quality report and picture, writing them), and says what share the report and picture took.
 *
 *   apt-get install dataset-fashion-mnist python3-sklearn r-cran-rtsne
 *   node --import tsx bench/tsne.ts [N=10000] [contenders=featurelens,sklearn,rtsne] [seed=0]
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeNpy, readNpy } from "../src/data/npy.js";
import { mapQuality } from "../src/analysis/node/pipeline.js";
import { embedFile } from "../src/workflows/embedFile.js";
import { knn } from "../src/analysis/node/neighbors.js";
import { CACHE, fmnistPca50 } from "./fmnist.js";

const N = Number(process.argv[2] ?? 10000);
const CONTENDERS = (process.argv[3] ?? "featurelens,sklearn,rtsne").split(",");
const SEED = Number(process.argv[4] ?? 0);
const { points, labels } = fmnistPca50(N);

interface Row {
  name: string;
  seconds: number;
  kl: number;
  map: Float32Array;
  note?: string;
}
const rows: Row[] = [];
const json = (out: string) => JSON.parse(out.trim().split("\n").at(-1)!) as { seconds: number; kl: number };

for (const who of CONTENDERS) {
  console.error(`${who}: t-SNE of ${N} points…`);
  if (who === "featurelens") {
    // The whole `featurelens embed --method tsne` (embedFile): read the .npy, kNN, t-SNE, the
    // quality report and the picture, write the files; the stages timed as it reports them.
    const file = join(CACHE, `fmnist-pca50-${N}.npy`);
    writeFileSync(file, encodeNpy({ dtype: "float32", shape: [N, 50], data: points.data }));
    writeFileSync(join(CACHE, `fmnist-labels-${N}.npy`), encodeNpy({ dtype: "int32", shape: [N], data: labels }));
    const stages: [string, number][] = [];
    const t0 = performance.now();
    let last = t0;
    const r = await embedFile({
      in: file, labels: join(CACHE, `fmnist-labels-${N}.npy`), out: join(CACHE, `tsne-featurelens-${N}-${SEED}.npy`), method: "tsne", seed: SEED, threads: 2, force: true,
      onStage: (stage) => {
        const t = performance.now();
        if (stages.length > 0) stages[stages.length - 1][1] = (t - last) / 1000;
        stages.push([stage, 0]);
        last = t;
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    stages[stages.length - 1][1] = (performance.now() - last) / 1000;
    const at = (name: string) => stages.find(([s]) => s === name)?.[1] ?? 0;
    const report = at("quality measures") + at("drawing the map");
    const note = `${stages.map(([s, t]) => `${s} ${t.toFixed(1)} s`).join("; ")}; quality and picture ${(100 * report / at("t-SNE")).toFixed(1)}% of the t-SNE time`;
    const map = readNpy(join(CACHE, `tsne-featurelens-${N}-${SEED}.npy`)).data as Float32Array;
    rows.push({ name: "featurelens embed (the whole command)", seconds, kl: r.kl!, map, note });
  } else if (who === "sklearn") {
    const r = json(execFileSync("/usr/bin/python3", [join("bench", "sklearn_tsne.py"), String(N), String(SEED)], { encoding: "utf8", maxBuffer: 1 << 24 }));
    rows.push({ name: "scikit-learn 1.2 TSNE (Barnes–Hut, n_jobs 2)", ...r, map: readNpy(join(CACHE, `tsne-sklearn-${N}-${SEED}.npy`)).data as Float32Array });
  } else if (who === "rtsne") {
    execFileSync("/usr/bin/python3", [join("bench", "sklearn_tsne.py"), "export", String(N)]);
    const r = json(execFileSync("Rscript", [join("bench", "rtsne.R"), String(N), String(SEED)], { encoding: "utf8", maxBuffer: 1 << 24 }));
    const raw = readFileSync(join(CACHE, `tsne-rtsne-${N}-${SEED}.f64`));
    const map = Float32Array.from(new Float64Array(raw.buffer, raw.byteOffset, 2 * N));
    rows.push({ name: "Rtsne 0.16 (Barnes–Hut, 2 threads)", ...r, map });
  } else throw new Error(`unknown contender ${who} (featurelens, sklearn, rtsne)`);
  console.error(`  ${rows.at(-1)!.seconds.toFixed(1)} s`);
}

// The exact input-space 10-NN graph once, shared by every map's preservation score.
const inputKnn = await knn(points, 10, { method: "exact", threads: 2 });
const ours = rows.find((r) => r.name.startsWith("featurelens"));
console.log(`t-SNE of Fashion-MNIST PCA-50, N = ${N.toLocaleString("en")}, perplexity 30, seed ${SEED}, 2 threads, one run.\n`);
console.log("| method | time | KL (own) | 10-NN preservation | 10-NN accuracy | time / featurelens |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const r of rows) {
  const q = await mapQuality(points, { n: N, d: 2, data: r.map }, labels, { inputKnn, threads: 2 });
  const ratio = ours ? `${(r.seconds / ours.seconds).toFixed(1)}×` : "";
  console.log(`| ${r.name} | ${r.seconds.toFixed(1)} s | ${r.kl.toFixed(3)} | ${q.knn_preservation.toFixed(3)} | ${q.knn_accuracy!.toFixed(3)} | ${ratio} |`);
}
if (ours?.note) console.log(`\nfeaturelens stages: ${ours.note}`);

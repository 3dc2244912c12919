/**
 * `featurelens analyze` of a 70,000-image run: the seed CNN trained here on Fashion-MNIST's 60,000
 * training images (3 epochs, cached in bench/.cache/fm-seed), analyzed on all 70,000 images (train
 * then t10k, as one .npy dataset) with t-SNE and PCA maps; the time of each stage, then the report
 * built from the run (its size and time).
 *
 *   node --import tsx bench/analyze.ts [N=70000]
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { concatDatasets } from "../src/data/dataset.js";
import { loadDataset } from "../src/data/load.js";
import { writeNpy } from "../src/data/npy.js";
import { FASHION_MNIST_CLASSES } from "../src/data/sample.js";
import { analyzeRun } from "../src/workflows/analyzeRun.js";
import { reportRun } from "../src/workflows/reportRun.js";
import { trainRun } from "../src/workflows/trainRun.js";
import { CACHE } from "./fmnist.js";

const n = Number(process.argv[2] ?? 70000);
const models = join(CACHE, "fm-seed");
const modelRun = join(models, "runs", "seed");
if (!existsSync(join(modelRun, "model.onnx"))) {
  console.error("training the seed CNN on fashion-mnist:train (3 epochs, once; cached)…");
  await trainRun({ workspace: models, out: "seed", data: "fashion-mnist:train", arch: "seed-cnn", epochs: 3, batchSize: 128, lr: 1e-3, optimizer: "adam", analyze: false });
}
const images = join(CACHE, `fmnist-${n}-images.npy`);
const labels = join(CACHE, `fmnist-${n}-labels.npy`);
if (!existsSync(images)) {
  const all = concatDatasets([await loadDataset("fashion-mnist:train"), await loadDataset("fashion-mnist:test")], "fashion-mnist train+test");
  mkdirSync(CACHE, { recursive: true });
  writeNpy(images, { dtype: "uint8", shape: [n, 28, 28], data: all.images.subarray(0, n * 784) });
  writeNpy(labels, { dtype: "int32", shape: [n], data: all.labels.subarray(0, n) });
}
const workspace = join(CACHE, "analyze-ws");
rmSync(workspace, { recursive: true, force: true });
const t0 = performance.now();
const r = await analyzeRun({
  workspace, out: "fm70k", model: modelRun, data: `npy:${images},${labels}`, load: { classes: [...FASHION_MNIST_CLASSES], seed: 0 }, maps: ["tsne", "pca"],
  onStage: (s) => console.error(`${((performance.now() - t0) / 1000).toFixed(1)} s: ${s}`),
});
const total = (performance.now() - t0) / 1000;
console.log(`\nanalyze of ${n} images (seed-cnn, Fashion-MNIST train+test): ${total.toFixed(1)} s\n`);
console.log("| stage | seconds |\n|---|---:|");
for (const s of r.stages) console.log(`| ${s.stage} | ${s.seconds.toFixed(1)} |`);
console.log(`| loading, hashing and the rest | ${(total - r.stages.reduce((a, s) => a + s.seconds, 0)).toFixed(1)} |`);
console.log(`| **total** | **${total.toFixed(1)}** |`);
const rep = await reportRun({ workspace, run: "fm70k", out: join(workspace, "report.html") });
console.log(`\nreport: ${(rep.bytes / 1e6).toFixed(2)} MB in ${rep.seconds.toFixed(1)} s`);

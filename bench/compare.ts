/**
 * `featurelens compare` of two 70,000-image runs of the seed CNN, the feature-extraction article's
 * "trained on 50K vs 10K images": fm70k (bench/analyze.ts: trained on Fashion-MNIST's 60,000
 * training images less the 10% held out for validation, 3 epochs) against fm10k (the same network
 * trained on 10,000 of them, stratified, less 10%, 3 epochs; trained and analyzed here once, cached),
 * both analyzed on the same 70,000 images. Then Grad-CAM's time per image.
 *
 *   node --import tsx bench/analyze.ts      # once: fm70k and the 70,000-image .npy dataset
 *   node --import tsx bench/compare.ts
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { subset } from "../src/data/dataset.js";
import { loadDataset } from "../src/data/load.js";
import { FASHION_MNIST_CLASSES } from "../src/data/sample.js";
import { gradCam } from "../src/nn/gradcam.js";
import { openModelFile } from "../src/nn/open.js";
import { readPredictions } from "../src/store/predictions.js";
import { analyzeRun } from "../src/workflows/analyzeRun.js";
import { compareRuns } from "../src/workflows/compareRuns.js";
import { trainRun } from "../src/workflows/trainRun.js";
import { CACHE } from "./fmnist.js";

const workspace = join(CACHE, "analyze-ws");
const models = join(CACHE, "fm-seed");
const data = `npy:${join(CACHE, "fmnist-70000-images.npy")},${join(CACHE, "fmnist-70000-labels.npy")}`;
if (!existsSync(join(workspace, "runs", "fm70k", "run.json"))) throw new Error("run bench/analyze.ts first (it makes fm70k and the 70,000-image dataset)");
if (!existsSync(join(models, "runs", "seed10k", "model.onnx"))) {
  console.error("training the seed CNN on 10,000 images of fashion-mnist:train (3 epochs, once; cached)…");
  await trainRun({ workspace: models, out: "seed10k", data: "fashion-mnist:train", load: { limit: 10000, seed: 0 }, arch: "seed-cnn", epochs: 3, batchSize: 128, lr: 1e-3, optimizer: "adam", analyze: false });
}
if (!existsSync(join(workspace, "runs", "fm10k", "predictions.parquet"))) {
  console.error("analyzing it on the same 70,000 images (once; cached)…");
  await analyzeRun({ workspace, out: "fm10k", model: join(models, "runs", "seed10k"), data, load: { classes: [...FASHION_MNIST_CLASSES], seed: 0 }, maps: ["pca"] });
}

const t0 = performance.now();
const r = await compareRuns({ workspace, a: "fm70k", b: "fm10k", onStage: (s) => console.error(`${((performance.now() - t0) / 1000).toFixed(1)} s: ${s}`) });
const c = r.comparison;
const act = c.activations!;
console.log(`\ncompare fm70k fm10k on ${c.n} images: ${r.seconds.toFixed(1)} s (activations and CKA on ${act.images} images: model A ${act.seconds.a.toFixed(1)} s, model B ${act.seconds.b.toFixed(1)} s)`);

// accuracy on the t10k part (rows 60,000 on), which neither model was trained on
const pa = await readPredictions(join(workspace, "runs", "fm70k", "predictions.parquet"));
const pb = await readPredictions(join(workspace, "runs", "fm10k", "predictions.parquet"));
const acc = (p: typeof pa, from: number, to: number) => {
  let right = 0;
  for (let i = from; i < to; i++) if (p.predicted[i] === p.label[i]) right++;
  return right / (to - from);
};
console.log(`\n| | fm70k (54K training images) | fm10k (9K) |\n|---|---:|---:|`);
console.log(`| accuracy, all 70,000 | ${(100 * c.a.accuracy).toFixed(2)}% | ${(100 * c.b.accuracy).toFixed(2)}% |`);
console.log(`| accuracy, t10k (10,000 unseen) | ${(100 * acc(pa, 60000, 70000)).toFixed(2)}% | ${(100 * acc(pb, 60000, 70000)).toFixed(2)}% |`);
console.log(`| macro F1 | ${c.a.macro_f1.toFixed(4)} | ${c.b.macro_f1.toFixed(4)} |`);
console.log(`| log loss | ${c.a.log_loss.toFixed(4)} | ${c.b.log_loss.toFixed(4)} |`);
console.log(`| mean confidence | ${(100 * c.a.mean_confidence).toFixed(1)}% | ${(100 * c.b.mean_confidence).toFixed(1)}% |`);
const k = c.agreement.counts;
console.log(`\nagreement: both right ${k.both_right}, only fm70k ${k.only_a}, only fm10k ${k.only_b}, both wrong ${k.both_wrong}; McNemar χ² ${c.agreement.mcnemar.chi2.toFixed(0)}`);
const worst = [...c.per_class].sort((x, y) => x.recall[1] - x.recall[0] - (y.recall[1] - y.recall[0]))[0];
console.log(`largest recall drop: ${worst.class} ${(100 * worst.recall[0]).toFixed(1)}% → ${(100 * worst.recall[1]).toFixed(1)}%`);
console.log("\n| layer | zeros fm70k | zeros fm10k | CKA (same layer) |\n|---|---:|---:|---:|");
const inB = new Map(act.b.map((l) => [l.name, l]));
for (const l of act.a) {
  if (l.kind !== "activation" && l.kind !== "pool") continue;
  const cka = act.cka[act.cka_a.indexOf(l.name) * act.cka_b.length + act.cka_b.indexOf(l.name)];
  console.log(`| ${l.name} | ${(100 * l.profile.zeros).toFixed(1)}% | ${(100 * inB.get(l.name)!.profile.zeros).toFixed(1)}% | ${cka?.toFixed(3) ?? "—"} |`);
}

// Grad-CAM: one image at a time (what inspect does: the gradient graph built and run once) and in batches
const opened = openModelFile(join(workspace, "runs", "fm70k"));
const ds = await loadDataset(data, { classes: [...FASHION_MNIST_CLASSES] });
let t = performance.now();
const single = 10;
for (let i = 0; i < single; i++) await gradCam(opened, ds, {}, [60000 + i]);
const oneMs = (performance.now() - t) / single;
const many = subset(ds, Int32Array.from({ length: 2000 }, (_, i) => 60000 + i));
t = performance.now();
await gradCam(opened, many, { batchSize: 64 });
const batchedMs = (performance.now() - t) / many.n;
console.log(`\nGrad-CAM + saliency (seed CNN, /relu6/Relu): ${oneMs.toFixed(0)} ms for one image with its own graph and session; ${batchedMs.toFixed(2)} ms per image over ${many.n} images in batches of 64`);

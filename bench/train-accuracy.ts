/**
 * Accuracy check of training (issue 4): the seed CNN trained for 3 epochs on the full Fashion-MNIST
 * train set by featurelens and by PyTorch 1.13 from the same initial weights with the same settings
 * — Adam, lr 1e-3, batch 128, dropout 0.5, no augmentation, no validation split — then scored on
 * the 10,000 test images. Only the shuffling order and the dropout masks differ. One line per seed.
 *
 *   apt-get install dataset-fashion-mnist python3-torch python3-onnx
 *   node --import tsx bench/train-accuracy.ts [seeds=0,1] [epochs=3] [threads=2]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDataset } from "../src/data/load.js";
import { seedCnn } from "../src/engine/onnx/architectures.js";
import { writeModel } from "../src/engine/onnx/io.js";
import { DEFAULT_PREPROCESS } from "../src/engine/onnx/modelInfo.js";
import { OPTIMIZER_DEFAULTS } from "../src/nn/optimizers.js";
import { evaluate, train } from "../src/nn/trainer.js";

const SEEDS = (process.argv[2] ?? "0,1").split(",").map(Number);
const EPOCHS = Number(process.argv[3] ?? 3);
const THREADS = Number(process.argv[4] ?? 2);

const trainSet = await loadDataset("fashion-mnist:train");
const testSet = await loadDataset("fashion-mnist:test");
const rows: { seed: number; ours: number; torch: number; oursSeconds: number; torchSeconds: number }[] = [];
for (const seed of SEEDS) {
  const dir = mkdtempSync(join(tmpdir(), "featurelens-acc-"));
  const model = seedCnn({ inputShape: [1, 28, 28], classes: 10, seed });
  writeModel(join(dir, "init.onnx"), model);
  const t0 = performance.now();
  const result = await train({ model, train: trainSet, out: join(dir, "run"), epochs: EPOCHS, batchSize: 128, lr: 1e-3, optimizer: OPTIMIZER_DEFAULTS.adam, seed, threads: THREADS, preprocess: DEFAULT_PREPROCESS });
  const oursSeconds = (performance.now() - t0) / 1000;
  const ours = await evaluate(result.model, testSet, DEFAULT_PREPROCESS, THREADS);
  const torch = JSON.parse(execFileSync("/usr/bin/python3", ["bench/torch_train_accuracy.py", join(dir, "init.onnx"), String(seed), String(EPOCHS), String(THREADS)], { encoding: "utf8" })) as { accuracy: number; seconds: number };
  rows.push({ seed, ours: ours.accuracy, torch: torch.accuracy, oursSeconds, torchSeconds: torch.seconds });
  console.log(`seed ${seed}: featurelens ${(100 * ours.accuracy).toFixed(2)}% (${oursSeconds.toFixed(0)} s)  PyTorch ${(100 * torch.accuracy).toFixed(2)}% (${torch.seconds.toFixed(0)} s)  difference ${(100 * (ours.accuracy - torch.accuracy)).toFixed(2)} pt`);
  rmSync(dir, { recursive: true, force: true });
}
const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
console.log(`mean over ${rows.length} seeds: featurelens ${(100 * mean((r) => r.ours)).toFixed(2)}%  PyTorch ${(100 * mean((r) => r.torch)).toFixed(2)}%  difference ${(100 * mean((r) => r.ours - r.torch)).toFixed(2)} pt (goal ≥ −0.5)`);

/**
 * Training throughput (images/s, Adam, batch 128, 2 threads) of seed-cnn and small-resnet on
 * Fashion-MNIST train: featurelens' training step (our autodiff graph in onnxruntime) vs PyTorch
 * 1.13 CPU with the same architecture, batch and threads, in one run; and the time saved by
 * freezing the first k layers of seed-cnn. Median of 3 runs of STEPS steps each. "Before issue 15"
 * is the step built and run as it was before that issue's changes (same session otherwise).
 *
 * Each side runs as its users run it: featurelens on huge pages, as `featurelens train` does
 * (src/cli/hugePages.ts; this bench starts itself again with the tunable when it is not set),
 * PyTorch without the tunable; PyTorch is also timed with it, for reference.
 *
 *   apt-get install dataset-fashion-mnist python3-torch python3-torchvision
 *   node --import tsx bench/train.ts [threads=2] [batch=128] [steps=50]
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { relaunchWithHugePages, wantsHugePages } from "../src/cli/hugePages.js";
import { loadDataset } from "../src/data/load.js";
import { subset } from "../src/data/dataset.js";
import { seedCnn, smallResnet } from "../src/engine/onnx/architectures.js";
import type { ModelIR } from "../src/engine/onnx/ir.js";
import { DEFAULT_PREPROCESS, inputSpec } from "../src/engine/onnx/modelInfo.js";
import { OPTIMIZER_DEFAULTS } from "../src/nn/optimizers.js";
import { toInputTensor } from "../src/nn/preprocess.js";
import { oneHotTargets } from "../src/nn/targets.js";
import { TrainSession, type TrainSessionOptions } from "../src/nn/trainSession.js";
import { trainableAfterFreezing } from "../src/nn/transfer.js";
import { createRng, shuffleInPlace } from "../src/util/rng.js";

// As `featurelens train` runs: once more on huge pages; this process then only passes on the exit code.
if (wantsHugePages(["node", "featurelens", "train"])) process.exit(await relaunchWithHugePages(fileURLToPath(import.meta.url), process.argv));

const THREADS = Number(process.argv[2] ?? 2);
const BATCH = Number(process.argv[3] ?? 128);
const STEPS = Number(process.argv[4] ?? 50);
const REPEATS = 3;

const ds = await loadDataset("fashion-mnist:train");
const order = shuffleInPlace(Int32Array.from({ length: ds.n }, (_, i) => i), createRng(0));

/** Median seconds for STEPS training steps (session creation not counted; batch preparation counted). */
async function time(model: ModelIR, trainable?: string[], options: Partial<TrainSessionOptions> = {}): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const ts = await TrainSession.create(model, { optimizer: OPTIMIZER_DEFAULTS.adam, threads: THREADS, ...(trainable ? { trainable } : {}), ...options });
    const spec = inputSpec(model);
    const t0 = performance.now();
    for (let s = 0; s < STEPS; s++) {
      const b = subset(ds, order.subarray(s * BATCH, (s + 1) * BATCH));
      await ts.step(toInputTensor(b, 0, b.n, spec, DEFAULT_PREPROCESS), oneHotTargets(b.labels, 10), 1e-3);
    }
    times.push((performance.now() - t0) / 1000);
    await ts.release();
  }
  return times.sort((a, b) => a - b)[1];
}

const torchRun = (env: NodeJS.ProcessEnv) =>
  JSON.parse(execFileSync("/usr/bin/python3", ["bench/torch_train.py", String(THREADS), String(BATCH), String(STEPS), String(REPEATS)], { encoding: "utf8", env })) as Record<string, number>;
const { GLIBC_TUNABLES: _ours, ...plainEnv } = process.env;
const torch = torchRun(plainEnv);
const torchHuge = torchRun({ ...plainEnv, GLIBC_TUNABLES: "glibc.malloc.hugetlb=1" });
const models: Record<string, ModelIR> = {
  "seed-cnn": seedCnn({ inputShape: [1, 28, 28], classes: 10 }),
  "small-resnet": smallResnet({ inputShape: [1, 28, 28], classes: 10 }),
};
/** The step as it was before issue 15: one Adam update a parameter, threads spinning. */
const BEFORE: Partial<TrainSessionOptions> = { graph: { flatOptimizer: false }, session: { spinning: true } };
const rate = (s: number) => Math.round((STEPS * BATCH) / s);
console.log(`Training throughput, Fashion-MNIST train, Adam, batch ${BATCH}, ${THREADS} threads, ${STEPS} steps, median of ${REPEATS} (images/s).\n`);
console.log("| model | featurelens before issue 15 | featurelens | PyTorch 1.13 CPU | ratio before | ratio | PyTorch on huge pages |\n|---|---:|---:|---:|---:|---:|---:|");
for (const [name, m] of Object.entries(models)) {
  const before = await time(m, undefined, BEFORE);
  const ours = await time(m);
  const fmt = (s: number) => rate(s).toLocaleString("en-US");
  console.log(`| ${name} | ${fmt(before)} | ${fmt(ours)} | ${fmt(torch[name])} | ${(torch[name] / before).toFixed(2)}× | ${(torch[name] / ours).toFixed(2)}× | ${fmt(torchHuge[name])} |`);
}
console.log("\nFreezing the first k weighted layers of seed-cnn (no gradients computed for them):\n");
console.log("| k frozen | featurelens images/s | time per step vs k = 0 |\n|---:|---:|---:|");
const seed = models["seed-cnn"];
let base = 0;
for (const k of [0, 2, 4, 6, 7]) {
  const s = await time(seed, trainableAfterFreezing(seed, k));
  if (k === 0) base = s;
  console.log(`| ${k} | ${rate(s).toLocaleString("en-US")} | ${(s / base).toFixed(2)}× |`);
}

/**
 * Each idea for a faster training step measured alone against the current default, interleaved
 * (A, B, C, A, B, C …) so that a change in the machine's load falls on every variant alike: ms a
 * step (median over rounds of STEPS steps after 3 warm-up steps), batch 128, Adam, Fashion-MNIST.
 * Prints the load average before and after; run it under `flock /tmp/featurelens-bench.lock`.
 *
 *   node --import tsx bench/train-ideas.ts [model=seed-cnn|small-resnet] [threads=2] [rounds=5] [steps=10] [variants=all, separated by |]
 */
import { loadavg } from "node:os";
import { subset } from "../src/data/dataset.js";
import { loadDataset } from "../src/data/load.js";
import { convRule } from "../src/engine/autodiff/rules/conv.js";
import { seedCnn, smallResnet } from "../src/engine/onnx/architectures.js";
import type { ModelIR } from "../src/engine/onnx/ir.js";
import { DEFAULT_PREPROCESS, inputSpec } from "../src/engine/onnx/modelInfo.js";
import { OPTIMIZER_DEFAULTS } from "../src/nn/optimizers.js";
import { toInputTensor } from "../src/nn/preprocess.js";
import { oneHotTargets } from "../src/nn/targets.js";
import { TrainSession, type TrainSessionOptions } from "../src/nn/trainSession.js";
import { createRng, shuffleInPlace } from "../src/util/rng.js";

const MODEL = process.argv[2] ?? "seed-cnn";
const THREADS = Number(process.argv[3] ?? 2);
const ROUNDS = Number(process.argv[4] ?? 5);
const STEPS = Number(process.argv[5] ?? 10);
const ONLY = process.argv[6]?.split("|");
const BATCH = 128;
const WARMUP = 3;

const MODELS: Record<string, () => ModelIR> = {
  "seed-cnn": () => seedCnn({ inputShape: [1, 28, 28], classes: 10 }),
  "small-resnet": () => smallResnet({ inputShape: [1, 28, 28], classes: 10 }),
};

/** The variants: each one change from the default (a flat Adam update, threads not spinning), by name. */
const VARIANTS: Record<string, Partial<TrainSessionOptions>> = {
  default: {},
  "before issue 15 (both below)": { graph: { flatOptimizer: false }, session: { spinning: true } },
  "threads spinning (before)": { session: { spinning: true } },
  "Adam a parameter (before)": { graph: { flatOptimizer: false } },
  "1 intra-op thread": { threads: 1 },
  "parallel, 2 inter-op, 1 intra-op": { threads: 1, session: { executionMode: "parallel", interOpThreads: 2 } },
  "parallel, 2 inter-op, 2 intra-op": { session: { executionMode: "parallel", interOpThreads: 2 } },
  "optimization basic": { session: { optimization: "basic" } },
  "optimization extended": { session: { optimization: "extended" } },
  "dW as one im2col MatMul": { graph: { rules: { Conv: convRule("im2col") } } },
};

const ds = await loadDataset("fashion-mnist:train");
const order = shuffleInPlace(Int32Array.from({ length: ds.n }, (_, i) => i), createRng(0));
const model = MODELS[MODEL]();
const spec = inputSpec(model);
const batches = Array.from({ length: WARMUP + STEPS }, (_, s) => {
  const b = subset(ds, order.subarray(s * BATCH, (s + 1) * BATCH));
  return { x: toInputTensor(b, 0, b.n, spec, DEFAULT_PREPROCESS), y: oneHotTargets(b.labels, 10) };
});

/** ms a step over STEPS steps after WARMUP, for one fresh session. */
async function round(options: Partial<TrainSessionOptions>): Promise<number> {
  const ts = await TrainSession.create(model, { optimizer: OPTIMIZER_DEFAULTS.adam, threads: THREADS, ...options });
  let t0 = 0;
  for (let s = 0; s < batches.length; s++) {
    if (s === WARMUP) t0 = performance.now();
    await ts.step(batches[s].x, batches[s].y, 1e-3);
  }
  const ms = (performance.now() - t0) / STEPS;
  await ts.release();
  return ms;
}

const names = Object.keys(VARIANTS).filter((n) => !ONLY || ONLY.includes(n));
const times = new Map<string, number[]>(names.map((n) => [n, []]));
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
const loadBefore = load();
for (let r = 0; r < ROUNDS; r++) for (const n of names) times.get(n)!.push(await round(VARIANTS[n]));
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times.get(names[0])!);
console.log(`${MODEL}, batch ${BATCH}, ${THREADS} threads, Adam; ms a step, median of ${ROUNDS} interleaved rounds of ${STEPS} steps; load average ${loadBefore} → ${load()}\n`);
console.log(`| variant | ms/step (median) | all rounds | vs ${names[0]} |\n|---|---:|---|---:|`);
for (const n of names) {
  const m = median(times.get(n)!);
  console.log(`| ${n} | ${m.toFixed(1)} | ${times.get(n)!.map((t) => t.toFixed(0)).join(" ")} | ${(m / base).toFixed(2)}× |`);
}

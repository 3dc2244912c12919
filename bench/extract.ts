/**
 * Feature extraction throughput on Fashion-MNIST test (10,000 images), penultimate layer, for the
 * seed CNN and ResNet-18 (1-channel stem): featurelens `collectValues` (what `extract` runs) vs a
 * bare onnxruntime-node loop on the same graph (our overhead; both timed from session creation
 * to the last batch, pixels converted batch by batch) vs
 * PyTorch on CPU with the same threads and batch size, in one run, median of 5 interleaved runs each (this VM's timings vary ±15% run to run).
 *
 *   apt-get install dataset-fashion-mnist python3-torch python3-torchvision
 *   /usr/bin/python3 scripts/make-torch-fixtures.py --full       # writes bench/.cache/resnet18
 *   node --import tsx bench/extract.ts [threads=2] [batch=256]
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { loadDataset } from "../src/data/load.js";
import { readModel, serializeModel } from "../src/engine/onnx/io.js";
import { withOutputs } from "../src/engine/onnx/surgery.js";
import { collectValues, openModel } from "../src/nn/infer.js";

const THREADS = Number(process.argv[2] ?? 2);
const BATCH = Number(process.argv[3] ?? 128);
const REPEATS = 5;
const MODELS = {
  "seed-cnn": "src/engine/fixtures/seed-cnn/model.onnx",
  resnet18: "bench/.cache/resnet18/model.onnx",
};

/** Median seconds of REPEATS runs of each function, the runs interleaved so both see the same machine. */
async function medians(fs: (() => Promise<void>)[]): Promise<number[]> {
  const times: number[][] = fs.map(() => []);
  for (let r = 0; r < REPEATS; r++) {
    for (const [i, f] of fs.entries()) {
      const t0 = process.hrtime.bigint();
      await f();
      times[i].push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}

const ds = await loadDataset("fashion-mnist:test");
const rows: string[] = [];
const torch = JSON.parse(execFileSync("/usr/bin/python3", [join("bench", "torch_extract.py"), String(THREADS), String(BATCH), String(REPEATS)], { encoding: "utf8" })) as Record<string, number>;
for (const [name, path] of Object.entries(MODELS)) {
  const opened = openModel(readModel(path));
  const value = opened.head.penultimate!;
  const runOurs = async () => {
    await collectValues(opened, ds, [value], { threads: THREADS, batchSize: BATCH });
  };
  // Bare onnxruntime: what a user would write by hand — create a session on the same graph and
  // outputs, convert each batch of pixels to float (÷255, NCHW), run.
  const bytes = serializeModel(withOutputs(opened.model, [value]));
  const runBare = async () => {
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: THREADS,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
    });
    for (let s = 0; s < ds.n; s += BATCH) {
      const n = Math.min(BATCH, ds.n - s);
      const x = new Float32Array(n * 784);
      const px = ds.images.subarray(s * 784, (s + n) * 784);
      for (let i = 0; i < x.length; i++) x[i] = px[i] / 255;
      await session.run({ [opened.spec.name]: new ort.Tensor("float32", x, [n, 1, 28, 28]) }, [value]);
    }
    await session.release();
  };
  const [ours, bare] = await medians([runOurs, runBare]);
  const rate = (s: number) => Math.round(ds.n / s).toLocaleString("en-US");
  rows.push(
    `| ${name} | ${rate(ours)} | ${rate(bare)} | ${rate(torch[name])} | ${(bare / ours).toFixed(2)}× | ${(torch[name] / ours).toFixed(2)}× |`,
  );
}
console.log(`Penultimate features of 10,000 Fashion-MNIST test images; ${THREADS} threads, batch ${BATCH}, median of ${REPEATS} interleaved runs (images/s).\n`);
console.log("| model | featurelens extract | bare onnxruntime-node | PyTorch 1.13 CPU | featurelens / bare ORT | featurelens / PyTorch |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const r of rows) console.log(r);

/**
 * Where a training step's time goes, op by op, on both sides of bench/train.ts: onnxruntime's
 * profiler over our training-step session, and torch.profiler over PyTorch 1.13's step of the same
 * architecture, batch, threads and optimizer (Adam). Both after 3 warm-up steps; ms per step.
 * Our nodes are grouped by op type and by part of the step (forward, backward, loss, optimizer),
 * as the node names tell (`/grad…`, `/optim…`, `/loss…`).
 *
 *   node --import tsx bench/profile-train.ts [model=seed-cnn|small-resnet|all] [threads=2] [batch=128] [steps=10] [top=15]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { subset } from "../src/data/dataset.js";
import { loadDataset } from "../src/data/load.js";
import { seedCnn, smallResnet } from "../src/engine/onnx/architectures.js";
import type { ModelIR } from "../src/engine/onnx/ir.js";
import { DEFAULT_PREPROCESS, inputSpec } from "../src/engine/onnx/modelInfo.js";
import { OPTIMIZER_DEFAULTS } from "../src/nn/optimizers.js";
import { toInputTensor } from "../src/nn/preprocess.js";
import { oneHotTargets } from "../src/nn/targets.js";
import { TrainSession, type TrainSessionOptions } from "../src/nn/trainSession.js";
import { createRng, shuffleInPlace } from "../src/util/rng.js";

const WHICH = process.argv[2] ?? "all";
const THREADS = Number(process.argv[3] ?? 2);
const BATCH = Number(process.argv[4] ?? 128);
const STEPS = Number(process.argv[5] ?? 10);
const TOP = Number(process.argv[6] ?? 15);
const WARMUP = 3;

const MODELS: Record<string, () => ModelIR> = {
  "seed-cnn": () => seedCnn({ inputShape: [1, 28, 28], classes: 10 }),
  "small-resnet": () => smallResnet({ inputShape: [1, 28, 28], classes: 10 }),
};

interface TraceEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string };
}

export interface OpTime {
  op: string;
  ms: number;
  calls: number;
}

/** Our step, profiled: ms a step by op type and by part, and the wall ms a step. */
export async function profileOurs(model: ModelIR, options: Partial<TrainSessionOptions> = {}): Promise<{ stepMs: number; byOp: OpTime[]; byPart: OpTime[] }> {
  const ds = await loadDataset("fashion-mnist:train");
  const order = shuffleInPlace(Int32Array.from({ length: ds.n }, (_, i) => i), createRng(0));
  const dir = join("bench", ".cache", "profile");
  mkdirSync(dir, { recursive: true });
  const ts = await TrainSession.create(model, { optimizer: OPTIMIZER_DEFAULTS.adam, threads: THREADS, ...options, session: { ...options.session, profile: join(dir, "train") } });
  const spec = inputSpec(model);
  let t0 = 0;
  for (let s = 0; s < WARMUP + STEPS; s++) {
    if (s === WARMUP) t0 = performance.now();
    const b = subset(ds, order.subarray(s * BATCH, (s + 1) * BATCH));
    await ts.step(toInputTensor(b, 0, b.n, spec, DEFAULT_PREPROCESS), oneHotTargets(b.labels, 10), 1e-3);
  }
  const stepMs = (performance.now() - t0) / STEPS;
  const file = ts.endProfiling();
  await ts.release();
  const events = JSON.parse(readFileSync(file, "utf8")) as TraceEvent[];
  rmSync(file);
  const runs = events.filter((e) => e.cat === "Session" && e.name === "model_run").sort((a, b) => a.ts - b.ts);
  const from = runs[runs.length - STEPS].ts;
  const byOp = new Map<string, OpTime>();
  const byPart = new Map<string, OpTime>();
  const add = (m: Map<string, OpTime>, key: string, us: number) => {
    const t = m.get(key) ?? { op: key, ms: 0, calls: 0 };
    t.ms += us / 1000 / STEPS;
    t.calls += 1 / STEPS;
    m.set(key, t);
  };
  for (const e of events) {
    if (e.cat !== "Node" || !e.name.endsWith("_kernel_time") || e.ts < from) continue;
    const op = e.args?.op_name ?? "?";
    add(byOp, op, e.dur);
    add(byPart, `${partOf(e.name)} ${op}`, e.dur);
  }
  const sorted = (m: Map<string, OpTime>) => [...m.values()].sort((a, b) => b.ms - a.ms);
  return { stepMs, byOp: sorted(byOp), byPart: sorted(byPart) };
}

/** forward, backward, loss or optimizer, from a node's name. */
function partOf(node: string): string {
  if (node.startsWith("/grad/loss")) return "loss";
  if (node.startsWith("/grad")) return "backward";
  if (node.startsWith("/optim")) return "optimizer";
  if (node.startsWith("/loss")) return "loss";
  return "forward";
}

function torchProfile(name: string): { stepMs: number; ops: OpTime[] } {
  const out = execFileSync("/usr/bin/python3", ["bench/torch_profile_train.py", name, String(THREADS), String(BATCH), String(STEPS)], { encoding: "utf8" });
  return JSON.parse(out) as { stepMs: number; ops: OpTime[] };
}

const table = (rows: OpTime[], total: number) =>
  rows.slice(0, TOP).map((r) => `| ${r.op} | ${r.ms.toFixed(1)} | ${((100 * r.ms) / total).toFixed(0)}% | ${r.calls.toFixed(0)} |`).join("\n");

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const name of WHICH === "all" ? Object.keys(MODELS) : [WHICH]) {
    const ours = await profileOurs(MODELS[name]());
    const torch = torchProfile(name);
    const oursKernels = ours.byOp.reduce((a, r) => a + r.ms, 0);
    const torchSelf = torch.ops.reduce((a, r) => a + r.ms, 0);
    console.log(`\n## ${name}: batch ${BATCH}, ${THREADS} threads, Adam, ${STEPS} steps after ${WARMUP}\n`);
    console.log(`featurelens: ${ours.stepMs.toFixed(1)} ms a step (kernels ${oursKernels.toFixed(1)} ms); PyTorch: ${torch.stepMs.toFixed(1)} ms a step (self CPU ${torchSelf.toFixed(1)} ms)\n`);
    console.log("featurelens by op type:\n\n| op | ms/step | share | calls/step |\n|---|---:|---:|---:|");
    console.log(table(ours.byOp, oursKernels));
    console.log("\nfeaturelens by part and op:\n\n| part op | ms/step | share | calls/step |\n|---|---:|---:|---:|");
    console.log(table(ours.byPart, oursKernels));
    console.log("\nPyTorch (self CPU time):\n\n| op | ms/step | share | calls/step |\n|---|---:|---:|---:|");
    console.log(table(torch.ops, torchSelf));
  }
}

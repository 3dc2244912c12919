import { join, resolve } from "node:path";
import type { Dataset } from "../data/dataset.js";
import { loadDataset, type LoadOptions } from "../data/load.js";
import { parseDataSpec, specPaths } from "../data/spec.js";
import { limitDataset, parseClassList, selectClasses, trainValSplit } from "../data/subset.js";
import { ARCHITECTURES } from "../engine/onnx/architectures.js";
import { DEFAULT_PREPROCESS, METADATA_KEYS } from "../engine/onnx/modelInfo.js";
import { penultimateName } from "../nn/open.js";
import { OPTIMIZER_DEFAULTS } from "../nn/optimizers.js";
import { train } from "../nn/trainer.js";
import { type BaseARow, summarizeSweep, type SweepCell, sweepLabel, transferSweep, type SweepRow } from "../nn/transferSweep.js";
import { weightedLayers } from "../nn/transfer.js";
import { transferSpec } from "../report/charts/transfer.js";
import { transferSummaryTable } from "../report/transferSummary.js";
import { writeChart } from "../report/vega.js";
import { openRunForWrite } from "../store/run.js";
import { openWorkspace, runFolder } from "../store/workspace.js";
import { writeFileAtomic } from "../util/atomic.js";
import { UsageError } from "../util/errors.js";
import { checkOutputs, recordOutputs } from "../util/outputs.js";

/**
 * `featurelens transfer`: the sweep of Yosinski et al. 2014 on two sets of a dataset's classes,
 * with every network it trains kept as a run of the workspace `out` (`out/runs/baseB`,
 * `out/runs/AnB-k3`, …, each with run.json: its variant, k, the tasks and its accuracy on B), and
 * the table and plot beside them. `transfer.json` keeps its format — the list of task-B trainings,
 * each row now also with its `repeat` and `seed` — and `transfer-summary.json` (versioned) adds the
 * mean ± sd per cell over `--seeds` repetitions, baseA on task A's test images, the size of task B's
 * training set and the layer names.
 */

/** Bump when transfer-summary.json changes in a way an older reader cannot follow. */
export const TRANSFER_SUMMARY_VERSION = 1;

export interface TransferRunOptions {
  out: string;
  data: string;
  load?: Omit<LoadOptions, "onProgress" | "onNotice">;
  source: string;
  target: string;
  arch: string;
  layers: number[];
  fineTune: boolean;
  epochs: number;
  batchSize: number;
  lr: number;
  testData?: string;
  threads?: number;
  seed: number;
  /** Repetitions of the sweep with other seeds (mean ± sd per cell). */
  seeds?: number;
  /** Task B's training images, stratified by class and seeded (`--target-limit`). */
  targetLimit?: number;
  argv?: string[];
  onTraining?: (label: string) => void;
  onRow?: (row: SweepRow) => void;
  onBaseA?: (row: BaseARow) => void;
  onNotice?: (message: string) => void;
}

export interface TransferRunResult {
  rows: SweepRow[];
  baseA: BaseARow[];
  /** Mean ± sd per cell (baseA first). */
  cells: SweepCell[];
  /** The network's weighted layers: layer k is layers[k − 1]. */
  layers: string[];
  /** Images task B was trained on. */
  targetImages: number;
  workspace: string;
  files: string[];
}

export async function transferRun(o: TransferRunOptions): Promise<TransferRunResult> {
  const ws = openWorkspace(resolve(o.out));
  const root = ["transfer.json", "transfer-summary.json", "transfer.md", "transfer.png", "transfer.svg"].map((f) => ({ path: join(ws.root, f), flag: "--out" }));
  checkOutputs(root, specPaths(o.data).map((p) => ({ path: p, flag: "--data" })), { command: "transfer" });
  const notices = o.onNotice ? { onNotice: o.onNotice } : {};
  const all = await loadDataset(o.data, { ...o.load, seed: o.seed, ...notices });
  const a = parseClassList(o.source, all.classes);
  const b = parseClassList(o.target, all.classes);
  if (a.some((c) => b.includes(c))) throw new UsageError("--source and --target must not share classes");
  for (const [flag, spec, task] of [["--source", o.source, a], ["--target", o.target, b]] as const) {
    if (task.length < 2) throw new UsageError(`${flag} '${spec}' names ${task.length} class; a task needs at least two (e.g. 0-4)`);
  }
  const archFn = ARCHITECTURES[o.arch as keyof typeof ARCHITECTURES];
  if (!archFn) throw new UsageError(`--arch takes ${Object.keys(ARCHITECTURES).join(", ")}, got '${o.arch}'`);
  const split = await taskBSplits(all, b, o, notices);
  const testB = split.testB;
  const trainB = limitTarget(split.trainB, o);
  const taskA = await taskASplits(all, a, o, notices);
  const arch = (classes: string[], seed: number) =>
    archFn({ inputShape: [all.channels, all.height, all.width], classes: classes.length, seed, build: { metadata: { [METADATA_KEYS.classes]: JSON.stringify(classes) } } });
  const tasks = { source: o.source, target: o.target, data: o.data, test: o.testData ?? null, classes_a: a.map((c) => all.classes[c]), classes_b: b.map((c) => all.classes[c]) };
  const layerNames = weightedLayers(arch(tasks.classes_b, o.seed)).map((n) => n.name || n.outputs[0]);
  const baseA: BaseARow[] = [];
  const rows = await transferSweep({
    arch, taskA, taskB: { train: trainB, test: testB }, layers: o.layers, fineTune: o.fineTune,
    epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, optimizer: OPTIMIZER_DEFAULTS.adam, preprocess: DEFAULT_PREPROCESS, seed: o.seed, seeds: o.seeds ?? 1,
    ...(o.threads ? { threads: o.threads } : {}), out: ws.runs,
    ...(o.onTraining ? { onTraining: o.onTraining } : {}),
    trainOne: async (label, options) => {
      const run = openRunForWrite(runFolder(ws, label), { command: "transfer", argv: o.argv ?? [], classes: options.train.classes });
      try {
        if (!run.created) throw new UsageError(`${run.dir} already holds a run; give transfer a new --out (the sweep's runs go in OUT/runs/)`);
        const repeat = Number(/-rep(\d+)$/.exec(label)?.[1] ?? 1) - 1;
        const variant = label.replace(/-rep\d+$/, "").replace(/-k\d+$/, "").replace("plus", "+");
        const k = Number(/-k(\d+)/.exec(label)?.[1] ?? 0);
        run.record.config = {
          transfer: { ...tasks, variant, k, layer: k ? layerNames[k - 1] : null, frozen: options.trainable !== undefined, arch: o.arch, epochs: o.epochs, batch: o.batchSize, lr: o.lr, seed: options.seed, repeat, target_images: trainB.n },
        };
        run.save();
        const result = await train({ ...options, out: run.dir });
        writeFileAtomic(run.path("history.json"), `${JSON.stringify(result.history, null, 1)}\n`);
        await run.adoptModel(run.path("model.onnx"), { arch: `${o.arch} (${variant}${k ? `, k = ${k}` : ""})`, penultimate: penultimateName(result.model) });
        run.recordArtifact(run.record, { file: "history.json", kind: "history", params: {} });
        run.record.status = "complete";
        run.save();
        return result;
      } finally {
        run.release();
      }
    },
    onRow: (row) => {
      summarize(ws, sweepLabel(row.variant, row.k, row.repeat), { accuracy_on_b: row.accuracy, test_images: testB.n });
      o.onRow?.(row);
    },
    onBaseA: (row) => {
      summarize(ws, sweepLabel("baseA", 0, row.repeat), { accuracy_on_a: row.accuracy, test_images: taskA.test?.n ?? null });
      baseA.push(row);
      o.onBaseA?.(row);
    },
  });
  const cells = summarizeSweep([...baseA, ...rows]);
  const files = [join(ws.root, "transfer.json"), join(ws.root, "transfer-summary.json"), join(ws.root, "transfer.md")];
  writeFileAtomic(files[0], `${JSON.stringify(rows, null, 1)}\n`);
  const summary = {
    version: TRANSFER_SUMMARY_VERSION, ...tasks, arch: o.arch, seeds: o.seeds ?? 1, seed: o.seed, epochs: o.epochs, target_limit: o.targetLimit ?? null, target_images: trainB.n, test_images_b: testB.n,
    test_images_a: taskA.test?.n ?? null, layers: layerNames.map((name, i) => ({ k: i + 1, name })), cells, base_a: baseA,
  };
  writeFileAtomic(files[1], `${JSON.stringify(summary, null, 1)}\n`);
  writeFileAtomic(files[2], transferSummaryTable({ cells, layers: layerNames }));
  const a0 = cells.find((c) => c.variant === "baseA");
  const points = cells.filter((c) => c.variant !== "baseA").map((c) => ({ variant: c.variant, k: c.k, accuracy: c.mean, sd: c.sd, n: c.n }));
  const title = `Transfer ${o.source} → ${o.target} (${o.arch}) on ${all.name}${o.targetLimit ? `, task B: ${trainB.n.toLocaleString("en-US")} images` : ""}`;
  files.push(...(await writeChart(join(ws.root, "transfer"), transferSpec({ rows: points, title, layers: layerNames, ...(a0 ? { baseA: { accuracy: a0.mean, sd: a0.sd, n: a0.n } } : {}) }))));
  recordOutputs(files, "transfer");
  return { rows, baseA, cells, layers: layerNames, targetImages: trainB.n, workspace: ws.root, files };
}

/** Adds numbers to the summary of the sweep's run `label`. */
function summarize(ws: ReturnType<typeof openWorkspace>, label: string, numbers: Record<string, number | null>): void {
  const run = openRunForWrite(runFolder(ws, label), { command: "transfer" });
  try {
    run.record.summary = { ...run.record.summary, ...numbers };
    run.save();
  } finally {
    run.release();
  }
}

/** `--target-limit N`: N of task B's training images, stratified by class and seeded. */
function limitTarget(trainB: Dataset, o: TransferRunOptions): Dataset {
  if (o.targetLimit === undefined) return trainB;
  const k = trainB.classes.length;
  if (!(Number.isInteger(o.targetLimit) && o.targetLimit >= k)) throw new UsageError(`--target-limit ${o.targetLimit}: task B has ${k} classes, so it needs at least ${k} images (one per class)`);
  return limitDataset(trainB, { limit: o.targetLimit, seed: o.seed });
}

/**
 * Task A's training images and, for the baseA row, its test images: --test-data's, else the test
 * split of a named set or the sample, else none (then there is no baseA row: holding images of A
 * out would change what baseA learns from).
 */
async function taskASplits(all: Dataset, a: number[], o: TransferRunOptions, notices: Pick<LoadOptions, "onNotice">): Promise<{ train: Dataset; test?: Dataset }> {
  const train = selectClasses(all, a, "task A");
  if (o.testData) return { train, test: selectClasses(await loadDataset(o.testData, { ...o.load, limit: undefined, seed: o.seed, ...notices } as LoadOptions), a, "task A test") };
  const spec = parseDataSpec(o.data);
  if ((spec.kind === "sample" || spec.kind === "named") && spec.split === "train") return { train, test: selectClasses(await loadDataset({ ...spec, split: "test" }), a, "task A test") };
  return { train };
}

/** Task B's training and test images: --test-data, else the test split of a named set or the sample, else 20% held out. */
async function taskBSplits(all: Dataset, b: number[], o: TransferRunOptions, notices: Pick<LoadOptions, "onNotice">): Promise<{ trainB: Dataset; testB: Dataset }> {
  const trainB = selectClasses(all, b, "task B");
  if (o.testData) return { trainB, testB: selectClasses(await loadDataset(o.testData, { ...o.load, limit: undefined, seed: o.seed, ...notices } as LoadOptions), b, "task B test") };
  const spec = parseDataSpec(o.data);
  if ((spec.kind === "sample" || spec.kind === "named") && spec.split === "train") {
    return { trainB, testB: selectClasses(await loadDataset({ ...spec, split: "test" }), b, "task B test") };
  }
  const { train: t, val } = trainValSplit(trainB, { fraction: 0.2, seed: o.seed });
  return { trainB: t, testB: val };
}

import { join, resolve } from "node:path";
import type { Dataset } from "../data/dataset.js";
import { loadDataset, type LoadOptions } from "../data/load.js";
import { parseDataSpec, specPaths } from "../data/spec.js";
import { parseClassList, selectClasses, trainValSplit } from "../data/subset.js";
import { ARCHITECTURES } from "../engine/onnx/architectures.js";
import { DEFAULT_PREPROCESS, METADATA_KEYS } from "../engine/onnx/modelInfo.js";
import { penultimateName } from "../nn/open.js";
import { OPTIMIZER_DEFAULTS } from "../nn/optimizers.js";
import { train } from "../nn/trainer.js";
import { sweepLabel, transferSweep, type SweepRow } from "../nn/transferSweep.js";
import { transferSpec } from "../report/charts/transfer.js";
import { transferTable } from "../report/transferText.js";
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
 * the table and plot beside them.
 */

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
  argv?: string[];
  onTraining?: (label: string) => void;
  onRow?: (row: SweepRow) => void;
  onNotice?: (message: string) => void;
}

export interface TransferRunResult {
  rows: SweepRow[];
  workspace: string;
  files: string[];
}

export async function transferRun(o: TransferRunOptions): Promise<TransferRunResult> {
  const ws = openWorkspace(resolve(o.out));
  const root = ["transfer.json", "transfer.md", "transfer.png", "transfer.svg"].map((f) => ({ path: join(ws.root, f), flag: "--out" }));
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
  const { trainB, testB } = await taskBSplits(all, b, o, notices);
  const arch = (classes: string[], seed: number) =>
    archFn({ inputShape: [all.channels, all.height, all.width], classes: classes.length, seed, build: { metadata: { [METADATA_KEYS.classes]: JSON.stringify(classes) } } });
  const tasks = { source: o.source, target: o.target, data: o.data, test: o.testData ?? null, classes_a: a.map((c) => all.classes[c]), classes_b: b.map((c) => all.classes[c]) };
  const rows = await transferSweep({
    arch, taskA: { train: selectClasses(all, a, "task A") }, taskB: { train: trainB, test: testB }, layers: o.layers, fineTune: o.fineTune,
    epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, optimizer: OPTIMIZER_DEFAULTS.adam, preprocess: DEFAULT_PREPROCESS, seed: o.seed,
    ...(o.threads ? { threads: o.threads } : {}), out: ws.runs,
    ...(o.onTraining ? { onTraining: o.onTraining } : {}),
    trainOne: async (label, options) => {
      const run = openRunForWrite(runFolder(ws, label), { command: "transfer", argv: o.argv ?? [], classes: options.train.classes });
      try {
        if (!run.created) throw new UsageError(`${run.dir} already holds a run; give transfer a new --out (the sweep's runs go in OUT/runs/)`);
        const variant = label.replace(/-k\d+$/, "").replace("plus", "+");
        const k = Number(/-k(\d+)$/.exec(label)?.[1] ?? 0);
        run.record.config = { transfer: { ...tasks, variant, k, frozen: options.trainable !== undefined, arch: o.arch, epochs: o.epochs, batch: o.batchSize, lr: o.lr, seed: o.seed } };
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
      const run = openRunForWrite(runFolder(ws, sweepLabel(row.variant, row.k)), { command: "transfer" });
      try {
        run.record.summary = { ...run.record.summary, accuracy_on_b: row.accuracy, test_images: testB.n };
        run.save();
      } finally {
        run.release();
      }
      o.onRow?.(row);
    },
  });
  const files = [join(ws.root, "transfer.json"), join(ws.root, "transfer.md")];
  writeFileAtomic(files[0], `${JSON.stringify(rows, null, 1)}\n`);
  writeFileAtomic(files[1], transferTable(rows));
  files.push(...(await writeChart(join(ws.root, "transfer"), transferSpec({ rows, title: `Transfer ${o.source} → ${o.target} (${o.arch}) on ${all.name}` }))));
  recordOutputs(files, "transfer");
  return { rows, workspace: ws.root, files };
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

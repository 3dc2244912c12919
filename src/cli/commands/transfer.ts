import type { Command } from "commander";
import { join, resolve } from "node:path";
import type { Dataset } from "../../data/dataset.js";
import { loadDataset } from "../../data/load.js";
import { parseDataSpec } from "../../data/spec.js";
import { parseClassList, selectClasses, trainValSplit } from "../../data/subset.js";
import { ARCHITECTURES } from "../../engine/onnx/architectures.js";
import { DEFAULT_PREPROCESS, METADATA_KEYS } from "../../engine/onnx/modelInfo.js";
import { OPTIMIZER_DEFAULTS } from "../../nn/optimizers.js";
import { transferSweep, type SweepRow } from "../../nn/transferSweep.js";
import { transferSpec } from "../../report/charts/transfer.js";
import { writeChart } from "../../report/vega.js";
import { writeFileAtomic } from "../../util/atomic.js";
import { UsageError } from "../../util/errors.js";
import { addDataOptions, type DataCliOptions, loadFromOptions } from "../data.js";
import { positiveInt } from "../options.js";

interface TransferCliOptions extends DataCliOptions {
  source: string;
  target: string;
  arch: string;
  layers: string;
  fineTune?: boolean;
  epochs: number;
  batch: number;
  lr: number;
  testData?: string;
  threads?: number;
  out: string;
}

/** `featurelens transfer`: the transfer-learning sweep of Yosinski et al. 2014 on two halves of a dataset's classes. */
export function registerTransfer(program: Command): void {
  const cmd = program
    .command("transfer")
    .description("how transferable are the first k layers? baseB, BnB, AnB (and BnB+, AnB+ with --fine-tune) for each k, as a table and a plot")
    .requiredOption("--source <classes>", "task A: classes of --data, e.g. 0-4 or T-shirt/top,Trouser")
    .requiredOption("--target <classes>", "task B: other classes, e.g. 5-9")
    .option("--arch <name>", `architecture (${Object.keys(ARCHITECTURES).join(", ")})`, "seed-cnn")
    .option("--layers <k..n|list>", "values of k, e.g. 1..7 or 1,3,5", "1..7")
    .option("--fine-tune", "also train BnB+ and AnB+ (copied layers fine-tuned)")
    .option("--epochs <n>", "epochs per training", positiveInt("--epochs"), 2)
    .option("--batch <n>", "images per step", positiveInt("--batch"), 64)
    .option("--lr <x>", "Adam learning rate", Number, 1e-3)
    .option("--test-data <spec>", "where task B is scored (default: the test split of --data, else 20% held out)")
    .option("--threads <n>", "CPU threads for onnxruntime", positiveInt("--threads"))
    .requiredOption("--out <dir>", "folder for transfer.json, transfer.md, transfer.png and the runs")
    .addHelpText("after", "\nExample:\n  featurelens transfer --data fashion-mnist:train --source 0-4 --target 5-9 --layers 1..7 --fine-tune --out transfer");
  addDataOptions(cmd).action(async (opts: TransferCliOptions) => {
    const all = await loadFromOptions(opts);
    const a = parseClassList(opts.source, all.classes);
    const b = parseClassList(opts.target, all.classes);
    if (a.some((c) => b.includes(c))) throw new UsageError("--source and --target must not share classes");
    for (const [flag, spec, task] of [["--source", opts.source, a], ["--target", opts.target, b]] as const) {
      if (task.length < 2) throw new UsageError(`${flag} '${spec}' names ${task.length} class; a task needs at least two (e.g. 0-4)`);
    }
    const archFn = ARCHITECTURES[opts.arch as keyof typeof ARCHITECTURES];
    if (!archFn) throw new UsageError(`--arch takes ${Object.keys(ARCHITECTURES).join(", ")}, got '${opts.arch}'`);
    const { trainB, testB } = await taskBSplits(all, b, opts);
    const arch = (classes: string[], seed: number) =>
      archFn({ inputShape: [all.channels, all.height, all.width], classes: classes.length, seed, build: { metadata: { [METADATA_KEYS.classes]: JSON.stringify(classes) } } });
    const out = resolve(opts.out);
    const rows = await transferSweep({
      arch, taskA: { train: selectClasses(all, a, "task A") }, taskB: { train: trainB, test: testB }, layers: parseLayers(opts.layers), fineTune: !!opts.fineTune,
      epochs: opts.epochs, batchSize: opts.batch, lr: opts.lr, optimizer: OPTIMIZER_DEFAULTS.adam, preprocess: DEFAULT_PREPROCESS, seed: opts.seed,
      ...(opts.threads ? { threads: opts.threads } : {}), out: join(out, "runs"),
      onTraining: (label) => process.stderr.write(`featurelens: training ${label}\n`),
      onRow: (r) => process.stdout.write(`${r.variant.padEnd(5)} k=${r.k}  accuracy on B ${(100 * r.accuracy).toFixed(2)}%\n`),
    });
    writeFileAtomic(join(out, "transfer.json"), `${JSON.stringify(rows, null, 1)}\n`);
    writeFileAtomic(join(out, "transfer.md"), table(rows));
    await writeChart(join(out, "transfer"), transferSpec({ rows, title: `Transfer ${opts.source} → ${opts.target} (${opts.arch})` }));
    process.stdout.write(`\n${table(rows)}\nwrote transfer.json, transfer.md, transfer.png/.svg to ${out}\n`);
  });
}

async function taskBSplits(all: Dataset, b: number[], opts: TransferCliOptions): Promise<{ trainB: Dataset; testB: Dataset }> {
  const trainB = selectClasses(all, b, "task B");
  if (opts.testData) return { trainB, testB: selectClasses(await loadFromOptions({ ...opts, limit: undefined }, opts.testData), b, "task B test") };
  const spec = parseDataSpec(opts.data);
  if ((spec.kind === "sample" || spec.kind === "named") && spec.split === "train") {
    return { trainB, testB: selectClasses(await loadDataset({ ...spec, split: "test" }), b, "task B test") };
  }
  const { train, val } = trainValSplit(trainB, { fraction: 0.2, seed: opts.seed });
  return { trainB: train, testB: val };
}

function parseLayers(s: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(s.trim());
  const ks = range ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i) : s.split(",").map(Number);
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1)) throw new UsageError(`--layers takes k..n or a list of positive integers, got '${s}'`);
  return ks;
}

function table(rows: SweepRow[]): string {
  const ks = [...new Set(rows.filter((r) => r.k > 0).map((r) => r.k))];
  const variants = [...new Set(rows.filter((r) => r.k > 0).map((r) => r.variant))];
  const base = rows.find((r) => r.variant === "baseB");
  const cell = (v: string, k: number) => {
    const r = rows.find((x) => x.variant === v && x.k === k);
    return r ? `${(100 * r.accuracy).toFixed(2)}%` : "";
  };
  return [
    `baseB: ${base ? (100 * base.accuracy).toFixed(2) : "-"}%`,
    "",
    `| k | ${variants.join(" | ")} |`,
    `|---:|${variants.map(() => "---:").join("|")}|`,
    ...ks.map((k) => `| ${k} | ${variants.map((v) => cell(v, k)).join(" | ")} |`),
    "",
  ].join("\n");
}

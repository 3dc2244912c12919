import type { Command } from "commander";
import { ARCHITECTURES } from "../../engine/onnx/architectures.js";
import { transferSummaryTable } from "../../report/transferSummary.js";
import { UsageError } from "../../util/errors.js";
import { transferRun } from "../../workflows/transferRun.js";
import { addDataOptions, type DataCliOptions, loadOptionsOf } from "../data.js";
import { positiveInt, threadsOption } from "../options.js";

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
  seeds: number;
  targetLimit?: number;
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
    .option("--lr <x>", "Adam learning rate", positiveNumber("--lr"), 1e-3)
    .option("--test-data <spec>", "where task B is scored (default: the test split of --data, else 20% held out); baseA is scored on its task-A images")
    .option("--target-limit <n>", "train task B on n of its images (stratified by class, seeded): how transfer helps when B is small", positiveInt("--target-limit"))
    .option("--seeds <n>", "repeat the whole sweep with n seeds: mean ± sd per cell, error bars on the plot", positiveInt("--seeds"), 1)
    .option("--threads <n>", "CPU threads for onnxruntime", threadsOption)
    .requiredOption("--out <dir>", "a new workspace: transfer.json, transfer.md, transfer.png and every network trained, as runs in OUT/runs/")
    .addHelpText("after", "\nExamples:\n  featurelens transfer --data fashion-mnist:train --source 0-4 --target 5-9 --layers 1..7 --fine-tune --out transfer\n  featurelens transfer --data fashion-mnist:train --source 0-4 --target 5-9 --layers 1,3,5,7 --target-limit 1000 --seeds 3 --out transfer-1k");
  addDataOptions(cmd).action(async (opts: TransferCliOptions) => {
    const result = await transferRun({
      out: opts.out, data: opts.data, load: loadOptionsOf(opts), source: opts.source, target: opts.target, arch: opts.arch, layers: parseLayers(opts.layers),
      fineTune: !!opts.fineTune, epochs: opts.epochs, batchSize: opts.batch, lr: opts.lr, ...(opts.testData ? { testData: opts.testData } : {}),
      ...(opts.threads ? { threads: opts.threads } : {}), seed: opts.seed, seeds: opts.seeds, ...(opts.targetLimit ? { targetLimit: opts.targetLimit } : {}), argv: process.argv.slice(2),
      onTraining: (label) => process.stderr.write(`featurelens: training ${label}\n`),
      onRow: (r) => process.stdout.write(`${r.variant.padEnd(5)} k=${r.k}${opts.seeds > 1 ? ` seed ${r.seed}` : ""}  accuracy on B ${(100 * r.accuracy).toFixed(2)}%\n`),
      onBaseA: (r) => process.stdout.write(`baseA${opts.seeds > 1 ? ` seed ${r.seed}` : ""}  accuracy on A ${(100 * r.accuracy).toFixed(2)}%\n`),
      onNotice: (m) => process.stderr.write(`featurelens: ${m}\n`),
    });
    process.stdout.write(
      `\n${transferSummaryTable({ cells: result.cells, layers: result.layers })}\ntask B trained on ${result.targetImages.toLocaleString("en-US")} images\n` +
        `wrote transfer.json, transfer-summary.json, transfer.md, transfer.png/.svg and the runs (featurelens runs --workspace ${result.workspace}) to ${result.workspace}\n`,
    );
  });
}

function parseLayers(s: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(s.trim());
  const ks = range ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i) : s.split(",").map(Number);
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1)) throw new UsageError(`--layers takes k..n or a list of positive integers, got '${s}'`);
  return ks;
}

function positiveNumber(flag: string): (v: string) => number {
  return (v) => {
    const x = Number(v);
    if (!(Number.isFinite(x) && x > 0)) throw new UsageError(`${flag} takes a positive number, got '${v}'`);
    return x;
  };
}

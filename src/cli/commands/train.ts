import type { Command } from "commander";
import { ARCHITECTURES } from "../../engine/onnx/architectures.js";
import { TRAIN_DEFAULTS } from "../../nn/trainer.js";
import { formatAnalysis } from "../../report/runText.js";
import { UsageError } from "../../util/errors.js";
import { type OptimizerName, trainRun } from "../../workflows/trainRun.js";
import { addDataOptions, type DataCliOptions, loadOptionsOf } from "../data.js";
import { integer, positiveInt, threadsOption } from "../options.js";
import { createProgress, progressByLabel } from "../progress.js";
import { addWorkspaceOption } from "../workspace.js";

interface TrainCliOptions extends DataCliOptions {
  workspace?: string;
  arch: string;
  out: string;
  epochs: number;
  batch: number;
  lr?: number;
  optimizer: OptimizerName;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
  schedule: "constant" | "step" | "cosine";
  warmup: number;
  labelSmoothing: number;
  loss: "ce" | "bce";
  augment: string;
  val: number;
  valData?: string;
  freeze?: number;
  fineTune?: boolean;
  labelFixes?: string;
  patience?: number;
  threads?: number;
  resume?: boolean;
  analyze: boolean;
}

const number = (name: string, lo: number, hi: number) => (v: string) => {
  const x = Number(v);
  if (!(x >= lo && x <= hi)) throw new UsageError(`${name} must be a number in [${lo}, ${hi}], got '${v}'`);
  return x;
};

/** `featurelens train`: train a CNN here, from scratch or from another model's weights. */
export function registerTrain(program: Command): void {
  const cmd = program
    .command("train")
    .description("train a classifier (seed-cnn, small-resnet, mlp, or an ONNX model's weights) and write a run folder")
    .requiredOption("--arch <name|file.onnx>", `architecture (${Object.keys(ARCHITECTURES).join(", ")}) or a model to start from`)
    .requiredOption("--out <run>", "the run: an id in the workspace (runs/<id>) or a folder; holds model.onnx, history, checkpoint/ and the analysis")
    .option("--epochs <n>", "passes over the training set", positiveInt("--epochs"), TRAIN_DEFAULTS.epochs)
    .option("--batch <n>", "images per step", positiveInt("--batch"), TRAIN_DEFAULTS.batchSize)
    .option("--lr <x>", "learning rate (default 0.01 for sgd, 0.001 for adam/adamw)", number("--lr", 0, 10))
    .option("--optimizer <sgd|adam|adamw>", "optimizer", "adam")
    .option("--momentum <x>", "SGD momentum", number("--momentum", 0, 1))
    .option("--nesterov", "SGD with Nesterov momentum")
    .option("--weight-decay <x>", "L2 (sgd, adam) or decoupled (adamw) weight decay", number("--weight-decay", 0, 1))
    .option("--schedule <constant|step|cosine>", "learning-rate schedule", "constant")
    .option("--warmup <epochs>", "linear warm-up epochs", number("--warmup", 0, 1000), 0)
    .option("--label-smoothing <x>", "label smoothing ε", number("--label-smoothing", 0, 0.999), 0)
    .option("--loss <ce|bce>", "softmax cross-entropy, or binary cross-entropy on one sigmoid unit (two classes)", "ce")
    .option("--augment <list>", "none, or any of crop (4-px padding), flip", "none")
    .option("--val <fraction>", "share of the training set held out for validation (0 = none)", number("--val", 0, 0.9), 0.1)
    .option("--val-data <spec>", "a separate validation set instead of --val")
    .option("--freeze <k>", "with --arch FILE.onnx: keep the first k weighted layers fixed", integer("--freeze"))
    .option("--fine-tune", "with --freeze: train the transferred layers too")
    .option("--label-fixes <file.csv>", "relabel or drop images of the training data first (index,action,new_label, as featurelens label-issues explains)")
    .option("--patience <n>", "stop after n epochs without a lower validation loss", positiveInt("--patience"))
    .option("--threads <n>", "CPU threads for onnxruntime", threadsOption)
    .option("--resume", "continue the run folder's last checkpoint")
    .option("--no-analyze", "skip the analysis of the trained model (on the test split, or the validation split)")
    .addHelpText("after", "\nExamples:\n  featurelens train --data fashion-mnist:train --arch seed-cnn --epochs 3 --out runs/seed\n  featurelens train --data sample:train --arch runs/a/model.onnx --freeze 3 --out runs/a3b");
  addWorkspaceOption(cmd);
  addDataOptions(cmd).action(async (opts: TrainCliOptions) => {
    let bar = createProgress({ label: "epoch 1", unit: "steps" });
    const bars = progressByLabel();
    const result = await trainRun({
      ...(opts.workspace ? { workspace: opts.workspace } : {}), out: opts.out, data: opts.data, load: loadOptionsOf(opts), arch: opts.arch,
      epochs: opts.epochs, batchSize: opts.batch, ...(opts.lr !== undefined ? { lr: opts.lr } : {}), optimizer: opts.optimizer,
      ...(opts.momentum !== undefined ? { momentum: opts.momentum } : {}), nesterov: !!opts.nesterov, ...(opts.weightDecay !== undefined ? { weightDecay: opts.weightDecay } : {}),
      schedule: opts.schedule, warmupEpochs: opts.warmup, labelSmoothing: opts.labelSmoothing, loss: opts.loss, augment: parseAugment(opts.augment),
      valFraction: opts.val, ...(opts.valData ? { valData: opts.valData } : {}), ...(opts.freeze !== undefined ? { freeze: opts.freeze } : {}), fineTune: !!opts.fineTune,
      ...(opts.labelFixes !== undefined ? { labelFixes: opts.labelFixes } : {}),
      ...(opts.patience ? { patience: opts.patience } : {}), ...(opts.threads ? { threads: opts.threads } : {}), seed: opts.seed, resume: !!opts.resume, analyze: opts.analyze,
      argv: process.argv.slice(2),
      onStep: (p) => bar.update(p.step, p.steps),
      onEpoch: (r) => {
        bar.stop();
        bar = createProgress({ label: `epoch ${r.epoch + 1}`, unit: "steps" });
        const v = r.val_loss === null ? "" : `  val loss ${r.val_loss.toFixed(4)}  val acc ${(100 * r.val_accuracy!).toFixed(2)}%`;
        process.stdout.write(`epoch ${r.epoch}: loss ${r.train_loss.toFixed(4)}  acc ${(100 * r.train_accuracy).toFixed(2)}%${v}  (${r.seconds.toFixed(1)} s, ${Math.round(r.images_per_second)} img/s)\n`);
      },
      onStage: (s) => process.stderr.write(process.stderr.isTTY ? `featurelens: ${s}…\n` : ""),
      onProgress: bars.onProgress,
      onNotice: (m) => process.stderr.write(`featurelens: ${m}\n`),
    }).finally(() => {
      bar.stop();
      bars.stop();
    });
    const t = result.training;
    process.stdout.write(`${t.stoppedEarly ? "stopped early; " : ""}best epoch ${t.bestEpoch ?? "-"}; wrote model.onnx, history.json, history.png to ${result.run.dir}\n`);
    if (result.analysis) process.stdout.write(`\n${formatAnalysis(result.run, undefined, result.analysis.stages)}`);
  });
}




function parseAugment(s: string): { cropPadding: number; flip: boolean } {
  const parts = s.split(",").map((p) => p.trim()).filter((p) => p && p !== "none");
  const bad = parts.filter((p) => p !== "crop" && p !== "flip");
  if (bad.length) throw new UsageError(`--augment takes none, crop, flip (comma-separated), got '${s}'`);
  return { cropPadding: parts.includes("crop") ? 4 : 0, flip: parts.includes("flip") };
}

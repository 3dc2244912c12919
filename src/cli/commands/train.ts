import type { Command } from "commander";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Dataset } from "../../data/dataset.js";
import { trainValSplit } from "../../data/subset.js";
import { ARCHITECTURES } from "../../engine/onnx/architectures.js";
import { readModel } from "../../engine/onnx/io.js";
import type { ModelIR } from "../../engine/onnx/ir.js";
import { DEFAULT_PREPROCESS, METADATA_KEYS, recordedPreprocess } from "../../engine/onnx/modelInfo.js";
import { OPTIMIZER_DEFAULTS, type OptimizerSpec } from "../../nn/optimizers.js";
import { train, TRAIN_DEFAULTS } from "../../nn/trainer.js";
import { replaceHead, trainableAfterFreezing } from "../../nn/transfer.js";
import { historySpec } from "../../report/charts/history.js";
import { writeChart } from "../../report/vega.js";
import { writeFileAtomic } from "../../util/atomic.js";
import { UsageError } from "../../util/errors.js";
import { addDataOptions, type DataCliOptions, loadFromOptions } from "../data.js";
import { integer, positiveInt } from "../options.js";
import { createProgress } from "../progress.js";

interface TrainCliOptions extends DataCliOptions {
  arch: string;
  out: string;
  epochs: number;
  batch: number;
  lr?: number;
  optimizer: "sgd" | "adam" | "adamw";
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
  patience?: number;
  threads?: number;
  resume?: boolean;
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
    .requiredOption("--out <run>", "run folder: model.onnx, history.json, history.png, checkpoint/")
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
    .option("--patience <n>", "stop after n epochs without a lower validation loss", positiveInt("--patience"))
    .option("--threads <n>", "CPU threads for onnxruntime", positiveInt("--threads"))
    .option("--resume", "continue the run folder's last checkpoint")
    .addHelpText("after", "\nExamples:\n  featurelens train --data fashion-mnist:train --arch seed-cnn --epochs 3 --out runs/seed\n  featurelens train --data sample:train --arch runs/a/model.onnx --freeze 3 --out runs/a3b");
  addDataOptions(cmd).action(async (opts: TrainCliOptions) => {
    const out = resolve(opts.out);
    const all = await loadFromOptions(opts);
    const { train: trainSet, val } = await splitValidation(all, opts);
    const model = startingModel(opts, trainSet);
    const optimizer = optimizerFrom(opts);
    const trainable = opts.freeze !== undefined && !opts.fineTune ? trainableAfterFreezing(model, opts.freeze) : undefined;
    const preprocess = recordedPreprocess(model) ?? DEFAULT_PREPROCESS;
    const augment = parseAugment(opts.augment);
    let bar = createProgress({ label: "epoch 1", unit: "steps" });
    const result = await train({
      model, train: trainSet, ...(val ? { val } : {}), out, epochs: opts.epochs, batchSize: opts.batch, lr: opts.lr ?? (opts.optimizer === "sgd" ? 0.01 : 0.001),
      optimizer, schedule: opts.schedule, warmupEpochs: opts.warmup, labelSmoothing: opts.labelSmoothing, augment, seed: opts.seed, preprocess,
      ...(trainable ? { trainable } : {}), ...(opts.patience ? { patience: opts.patience } : {}), ...(opts.threads ? { threads: opts.threads } : {}), resume: !!opts.resume,
      onStep: (p) => bar.update(p.step, p.steps),
      onEpoch: (r) => {
        bar.stop();
        bar = createProgress({ label: `epoch ${r.epoch + 1}`, unit: "steps" });
        const v = r.val_loss === null ? "" : `  val loss ${r.val_loss.toFixed(4)}  val acc ${(100 * r.val_accuracy!).toFixed(2)}%`;
        process.stdout.write(`epoch ${r.epoch}: loss ${r.train_loss.toFixed(4)}  acc ${(100 * r.train_accuracy).toFixed(2)}%${v}  (${r.seconds.toFixed(1)} s, ${Math.round(r.images_per_second)} img/s)\n`);
      },
    }).finally(() => bar.stop());
    writeFileAtomic(join(out, "history.json"), `${JSON.stringify(result.history, null, 1)}\n`);
    await writeChart(join(out, "history.png"), historySpec({ history: result.history, title: `Training ${opts.arch} on ${all.name}` }));
    const runJson = { what: "train", created: new Date().toISOString(), data: opts.data, arch: opts.arch, classes: all.classes, config: { ...opts }, best_epoch: result.bestEpoch, stopped_early: result.stoppedEarly, metrics: result.history.at(-1) ?? null };
    writeFileAtomic(join(out, "run.json"), `${JSON.stringify(runJson, null, 1)}\n`);
    process.stdout.write(`${result.stoppedEarly ? "stopped early; " : ""}best epoch ${result.bestEpoch ?? "-"}; wrote ${join(out, "model.onnx")}, history.json, history.png\n`);
  });
}

async function splitValidation(all: Dataset, opts: TrainCliOptions): Promise<{ train: Dataset; val?: Dataset }> {
  if (opts.valData) return { train: all, val: await loadFromOptions({ ...opts, limit: undefined }, opts.valData) };
  if (opts.val > 0) return trainValSplit(all, { fraction: opts.val, seed: opts.seed });
  return { train: all };
}

function startingModel(opts: TrainCliOptions, ds: Dataset): ModelIR {
  if (opts.loss !== "ce" && opts.loss !== "bce") throw new UsageError(`--loss takes ce or bce, got '${opts.loss}'`);
  if (opts.loss === "bce" && ds.classes.length !== 2) {
    throw new UsageError(`--loss bce is for two classes, but the data has ${ds.classes.length}; pick two with --only a,b or use --loss ce`);
  }
  const head = opts.loss === "bce" ? "sigmoid" : "softmax";
  const meta = { [METADATA_KEYS.classes]: JSON.stringify(ds.classes), [METADATA_KEYS.preprocess]: JSON.stringify(DEFAULT_PREPROCESS) };
  const arch = ARCHITECTURES[opts.arch as keyof typeof ARCHITECTURES];
  if (arch) return arch({ inputShape: [ds.channels, ds.height, ds.width], classes: ds.classes.length, seed: opts.seed, ...(opts.loss === "bce" ? { head } : {}), build: { metadata: meta } });
  if (!existsSync(opts.arch)) throw new UsageError(`--arch '${opts.arch}' is neither an architecture (${Object.keys(ARCHITECTURES).join(", ")}) nor a file`);
  if (opts.freeze === undefined && opts.fineTune) throw new UsageError("--fine-tune goes with --freeze k");
  return replaceHead(readModel(opts.arch.endsWith(".onnx") ? opts.arch : join(opts.arch, "model.onnx")), ds.classes, opts.seed, head);
}

function optimizerFrom(opts: TrainCliOptions): OptimizerSpec {
  if (opts.optimizer === "sgd") {
    return { ...OPTIMIZER_DEFAULTS.sgd, momentum: opts.momentum ?? 0.9, nesterov: !!opts.nesterov, weightDecay: opts.weightDecay ?? 0 };
  }
  if (opts.optimizer !== "adam" && opts.optimizer !== "adamw") throw new UsageError(`--optimizer takes sgd, adam or adamw, got '${opts.optimizer}'`);
  return { ...OPTIMIZER_DEFAULTS[opts.optimizer], weightDecay: opts.weightDecay ?? OPTIMIZER_DEFAULTS[opts.optimizer].weightDecay };
}

function parseAugment(s: string): { cropPadding: number; flip: boolean } {
  const parts = s.split(",").map((p) => p.trim()).filter((p) => p && p !== "none");
  const bad = parts.filter((p) => p !== "crop" && p !== "flip");
  if (bad.length) throw new UsageError(`--augment takes none, crop, flip (comma-separated), got '${s}'`);
  return { cropPadding: parts.includes("crop") ? 4 : 0, flip: parts.includes("flip") };
}

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { EmbedMethod } from "../analysis/node/pipeline.js";
import type { Dataset } from "../data/dataset.js";
import { datasetHash } from "../data/hash.js";
import { loadDataset, type LoadOptions } from "../data/load.js";
import { parseDataSpec } from "../data/spec.js";
import { trainValSplit } from "../data/subset.js";
import { ARCHITECTURES } from "../engine/onnx/architectures.js";
import { readModel } from "../engine/onnx/io.js";
import type { ModelIR } from "../engine/onnx/ir.js";
import { DEFAULT_PREPROCESS, METADATA_KEYS, recordedPreprocess } from "../engine/onnx/modelInfo.js";
import type { AugmentOptions } from "../nn/augment.js";
import type { EpochRecord } from "../nn/checkpoint.js";
import { penultimateName } from "../nn/open.js";
import { OPTIMIZER_DEFAULTS, type OptimizerSpec } from "../nn/optimizers.js";
import { train, TRAIN_DEFAULTS, type TrainResult } from "../nn/trainer.js";
import { replaceHead, trainableAfterFreezing } from "../nn/transfer.js";
import { historySpec } from "../report/charts/history.js";
import { writeChart } from "../report/vega.js";
import { openRunForWrite, type Run } from "../store/run.js";
import { openWorkspace, runFolder } from "../store/workspace.js";
import { writeFileAtomic } from "../util/atomic.js";
import { UsageError } from "../util/errors.js";
import { analyze, type AnalyzeResult } from "./analyze.js";
import { openRunModel } from "./analyzeRun.js";
import { applyLabelFixesFile } from "./labelFixes.js";

/**
 * `featurelens train` as a run: the model trained into the run folder (model.onnx, history,
 * checkpoint), recorded in run.json, and then analyzed on the dataset's test split (named sets,
 * cifar:), else on the validation split — so a trained model is one step from its report.
 */

export type OptimizerName = "sgd" | "adam" | "adamw";

export interface TrainRunOptions {
  workspace?: string;
  out: string;
  data: string;
  load?: Omit<LoadOptions, "onProgress" | "onNotice">;
  /** An architecture name, or an .onnx file / run folder whose weights start the training. */
  arch: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer?: OptimizerName;
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
  schedule?: "constant" | "step" | "cosine";
  warmupEpochs?: number;
  labelSmoothing?: number;
  loss?: "ce" | "bce";
  augment?: AugmentOptions;
  /** Share held out for validation (0: none); ignored with `valData`. */
  valFraction?: number;
  valData?: string;
  freeze?: number;
  fineTune?: boolean;
  /** A label-fixes CSV (workflows/labelFixes.ts): relabel or drop these source indices of the training data first. */
  labelFixes?: string;
  patience?: number;
  threads?: number;
  seed?: number;
  resume?: boolean;
  /** Analyze the trained model at the end (default true). */
  analyze?: boolean;
  maps?: EmbedMethod[];
  argv?: string[];
  onStep?: (p: { epoch: number; step: number; steps: number; loss: number; accuracy: number }) => void;
  onEpoch?: (r: EpochRecord) => void;
  onStage?: (stage: string) => void;
  onProgress?: (label: string, done: number, total: number | undefined) => void;
  onNotice?: (message: string) => void;
}

export interface TrainRunResult {
  run: Run;
  training: TrainResult;
  analysis: AnalyzeResult | null;
  /** The data the analysis scored. */
  analyzed: string | null;
}

export async function trainRun(o: TrainRunOptions): Promise<TrainRunResult> {
  const ws = openWorkspace(o.workspace);
  const dir = runFolder(ws, o.out, "--out");
  const run = openRunForWrite(dir, { command: "train", argv: o.argv ?? [] });
  try {
    if (!run.created && !o.resume) {
      throw new UsageError(`${dir} already holds a run (made by featurelens ${run.record.made_by.command} on ${run.record.created.slice(0, 10)}); continue its training with --resume, or train into a new --out`);
    }
    const notices = { ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.onNotice ? { onNotice: o.onNotice } : {}) };
    const seed = o.seed ?? TRAIN_DEFAULTS.seed;
    const loaded = await loadDataset(o.data, { ...o.load, seed, ...notices });
    const fixes = o.labelFixes !== undefined ? applyLabelFixesFile(loaded, o.labelFixes) : null;
    const all = fixes ? fixes.dataset : loaded;
    const { train: trainSet, val } = await splitValidation(all, o, seed, notices);
    const model = startingModel(o, trainSet, seed);
    const config = { ...trainingConfig(o, all, seed), label_fixes: fixes?.record ?? null };
    if (o.resume && !run.created) checkResumable(run, config);
    run.record.classes = all.classes;
    run.record.config = { ...run.record.config, train: config };
    run.save();
    const optimizer = optimizerSpec(o.optimizer ?? "adam", o);
    const trainable = o.freeze !== undefined && !o.fineTune ? trainableAfterFreezing(model, o.freeze) : undefined;
    const preprocess = recordedPreprocess(model) ?? DEFAULT_PREPROCESS;
    const training = await train({
      model, train: trainSet, ...(val ? { val } : {}), out: dir, epochs: o.epochs ?? TRAIN_DEFAULTS.epochs, batchSize: o.batchSize ?? TRAIN_DEFAULTS.batchSize,
      lr: o.lr ?? (optimizer.kind === "sgd" ? 0.01 : 0.001), optimizer, schedule: o.schedule ?? "constant", warmupEpochs: o.warmupEpochs ?? 0,
      labelSmoothing: o.labelSmoothing ?? 0, ...(o.augment ? { augment: o.augment } : {}), seed, preprocess,
      ...(trainable ? { trainable } : {}), ...(o.patience ? { patience: o.patience } : {}), ...(o.threads ? { threads: o.threads } : {}), resume: !!o.resume,
      ...(o.onStep ? { onStep: o.onStep } : {}), ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}),
    });
    await recordTraining(run, o, training, all.name);
    const target = analysisTarget(o.data, val);
    if (o.analyze === false || !target) return { run, training, analysis: null, analyzed: null };
    const data = typeof target === "string" ? await loadDataset(target, { seed, ...(o.load?.only !== undefined ? { only: o.load.only } : {}), ...notices }) : target;
    const analysis = await analyze({
      run, opened: openRunModel(run),
      data: { dataset: data, spec: typeof target === "string" ? target : `${o.data} (validation split)`, seed, ...(typeof target === "string" ? {} : { split: "val" }), ...(o.load?.only !== undefined ? { only: o.load.only } : {}) },
      ...(o.maps ? { maps: o.maps } : {}), seed, ...(o.threads ? { threads: o.threads } : {}),
      ...(o.onStage ? { onStage: o.onStage } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    });
    return { run, training, analysis, analyzed: analysis.scope.data?.spec ?? null };
  } finally {
    run.release();
  }
}

/** Records what training wrote: the model (with its hash and architecture), history.json and history.png, the checkpoint. */
async function recordTraining(run: Run, o: TrainRunOptions, training: TrainResult, dataName: string): Promise<void> {
  writeFileAtomic(run.path("history.json"), `${JSON.stringify(training.history, null, 1)}\n`);
  await writeChart(run.path("history.png"), historySpec({ history: training.history, title: `Training ${o.arch} on ${dataName}` }));
  const arch = ARCHITECTURES[o.arch as keyof typeof ARCHITECTURES] ? o.arch : `from ${o.arch.split("/").filter(Boolean).pop()}`;
  await run.adoptModel(run.path("model.onnx"), { arch, penultimate: penultimateName(training.model) });
  run.recordArtifact(run.record, { file: "history.json", kind: "history", params: {} });
  run.recordArtifact(run.record, { file: "history.png", kind: "history", params: {} });
  if (existsSync(run.path("checkpoint"))) run.recordArtifact(run.record, { file: "checkpoint", kind: "checkpoint", params: {} });
  const last = training.history.at(-1);
  run.record.config = { ...run.record.config, best_epoch: training.bestEpoch, stopped_early: training.stoppedEarly };
  run.record.summary = { ...run.record.summary, epochs: training.history.length, val_accuracy: last?.val_accuracy ?? null, val_loss: last?.val_loss ?? null };
  run.record.status = "complete";
  run.save();
}

/** What the run's analysis scores: the test split of a named set, the sample or CIFAR; else the validation split. */
export function analysisTarget(spec: string, val: Dataset | undefined): string | Dataset | null {
  const test = testSplitOf(spec);
  return test ?? val ?? null;
}

/** The test split of the data a run was trained on: sample:train → sample:test, NAME[@DIR] → NAME:test[@DIR], cifar:DIR → cifar:DIR:test; else undefined. */
export function testSplitOf(spec: string | undefined): string | undefined {
  if (!spec) return undefined;
  const parsed = parseDataSpec(spec);
  if (parsed.kind === "sample") return "sample:test";
  if (parsed.kind === "named") return `${parsed.name}:test${parsed.dir ? `@${parsed.dir}` : ""}`;
  if (parsed.kind === "cifar") return `cifar:${parsed.path}:test`;
  return undefined;
}

async function splitValidation(all: Dataset, o: TrainRunOptions, seed: number, notices: Pick<LoadOptions, "onProgress" | "onNotice">): Promise<{ train: Dataset; val?: Dataset }> {
  if (o.valData) return { train: all, val: await loadDataset(o.valData, { ...o.load, limit: undefined, seed, ...notices } as LoadOptions) };
  const fraction = o.valFraction ?? 0.1;
  if (fraction > 0) return trainValSplit(all, { fraction, seed });
  return { train: all };
}

/** The network training starts from: a fresh architecture, or a model's weights with a head for these classes. */
export function startingModel(o: Pick<TrainRunOptions, "arch" | "loss" | "freeze" | "fineTune">, ds: Dataset, seed: number): ModelIR {
  const loss = o.loss ?? "ce";
  if (loss !== "ce" && loss !== "bce") throw new UsageError(`--loss takes ce or bce, got '${String(loss)}'`);
  if (loss === "bce" && ds.classes.length !== 2) {
    throw new UsageError(`--loss bce is for two classes, but the data has ${ds.classes.length}; pick two with --only a,b or use --loss ce`);
  }
  const head = loss === "bce" ? "sigmoid" : "softmax";
  const meta = { [METADATA_KEYS.classes]: JSON.stringify(ds.classes), [METADATA_KEYS.preprocess]: JSON.stringify(DEFAULT_PREPROCESS) };
  const arch = ARCHITECTURES[o.arch as keyof typeof ARCHITECTURES];
  if (arch) return arch({ inputShape: [ds.channels, ds.height, ds.width], classes: ds.classes.length, seed, ...(loss === "bce" ? { head } : {}), build: { metadata: meta } });
  if (!existsSync(o.arch)) throw new UsageError(`--arch '${o.arch}' is neither an architecture (${Object.keys(ARCHITECTURES).join(", ")}) nor a file`);
  if (o.freeze === undefined && o.fineTune) throw new UsageError("--fine-tune goes with --freeze k");
  return replaceHead(readModel(o.arch.endsWith(".onnx") ? o.arch : join(o.arch, "model.onnx")), ds.classes, seed, head);
}

/** The optimizer a name and the flags describe (torch.optim's defaults otherwise). */
export function optimizerSpec(name: OptimizerName, o: Pick<TrainRunOptions, "momentum" | "nesterov" | "weightDecay">): OptimizerSpec {
  if (name === "sgd") return { ...OPTIMIZER_DEFAULTS.sgd, momentum: o.momentum ?? 0.9, nesterov: !!o.nesterov, weightDecay: o.weightDecay ?? 0 };
  if (name !== "adam" && name !== "adamw") throw new UsageError(`--optimizer takes sgd, adam or adamw, got '${String(name)}'`);
  return { ...OPTIMIZER_DEFAULTS[name], weightDecay: o.weightDecay ?? OPTIMIZER_DEFAULTS[name].weightDecay };
}

/** The settings that make a training what it is: a resumed run must keep them. */
function trainingConfig(o: TrainRunOptions, all: Dataset, seed: number): Record<string, unknown> {
  return {
    data: o.data, data_hash: datasetHash(all), classes: all.classes, limit: o.load?.limit ?? null, only: o.load?.only ?? null, arch: o.arch, loss: o.loss ?? "ce",
    batch: o.batchSize ?? TRAIN_DEFAULTS.batchSize, optimizer: o.optimizer ?? "adam", lr: o.lr ?? null, momentum: o.momentum ?? null, nesterov: !!o.nesterov,
    weight_decay: o.weightDecay ?? null, schedule: o.schedule ?? "constant", warmup: o.warmupEpochs ?? 0, label_smoothing: o.labelSmoothing ?? 0,
    augment: o.augment ?? null, val: o.valData ?? o.valFraction ?? 0.1, freeze: o.freeze ?? null, fine_tune: !!o.fineTune, seed, epochs: o.epochs ?? TRAIN_DEFAULTS.epochs,
  };
}

/** Refuses to resume a run with other settings than it was started with, naming each difference. */
function checkResumable(run: Run, config: Record<string, unknown>): void {
  const before = run.record.config.train as Record<string, unknown> | undefined;
  if (!before) throw new UsageError(`${run.dir} holds a run made by featurelens ${run.record.made_by.command}, not a training to resume; train into a new --out`);
  const flag: Record<string, string> = { data: "--data", data_hash: "--data (its images)", classes: "the classes", limit: "--limit", only: "--only", arch: "--arch", loss: "--loss", batch: "--batch", optimizer: "--optimizer", lr: "--lr", momentum: "--momentum", nesterov: "--nesterov", weight_decay: "--weight-decay", schedule: "--schedule", warmup: "--warmup", label_smoothing: "--label-smoothing", augment: "--augment", val: "--val/--val-data", freeze: "--freeze", fine_tune: "--fine-tune", seed: "--seed", label_fixes: "--label-fixes (or its contents)" };
  const differ = Object.keys(flag).filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(config[k] ?? null));
  if (differ.length) {
    const show = (v: unknown) => (Array.isArray(v) && v.length > 4 ? `${v.length} classes` : typeof v === "string" && v.length > 20 ? `${v.slice(0, 12)}…` : JSON.stringify(v ?? null));
    throw new UsageError(`--resume: the run was started with other settings: ${differ.map((k) => `${flag[k]} ${show(before[k])} then, ${show(config[k])} now`).join("; ")}. Resume with the same settings (only --epochs may grow), or train into a new --out`);
  }
}

import type { Command } from "commander";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ModelIR } from "../engine/onnx/ir.js";
import { readModel } from "../engine/onnx/io.js";
import { DEFAULT_PREPROCESS, type Preprocess, recordedPreprocess } from "../engine/onnx/modelInfo.js";
import { INFER_DEFAULTS, type InferOptions, openModel, type OpenedModel } from "../nn/infer.js";
import { ModelError, UsageError } from "../util/errors.js";
import { positiveInt } from "./options.js";
import { createProgress } from "./progress.js";

/** Options every command that runs a model shares. */
export interface ModelCliOptions {
  model: string;
  threads?: number;
  batch: number;
  device: "cpu" | "cuda";
  scale?: number;
  mean?: number[];
  std?: number[];
}

const numberList = (name: string) => (v: string) => {
  const xs = v.split(",").map(Number);
  if (xs.some((x) => !Number.isFinite(x))) throw new UsageError(`${name} takes numbers separated by commas (one, or one per channel), got '${v}'`);
  return xs;
};

export function addModelOptions(cmd: Command): Command {
  return cmd
    .requiredOption("--model <file.onnx|run>", "an ONNX classifier, or a run folder holding model.onnx")
    .option("--batch <n>", "images per run of the model", positiveInt("--batch"), INFER_DEFAULTS.batchSize)
    .option("--threads <n>", "CPU threads for onnxruntime (default: all cores)", positiveInt("--threads"))
    .option("--device <cpu|cuda>", "execution provider", "cpu")
    .option("--scale <s>", "pixel scale before normalising (default 1/255, or the model's recorded one)", parseScale)
    .option("--mean <m[,m,m]>", "per-channel mean subtracted after scaling (default 0)", numberList("--mean"))
    .option("--std <s[,s,s]>", "per-channel std divided by after subtracting the mean (default 1)", numberList("--std"));
}

function parseScale(v: string): number {
  const m = /^1\/(\d+(?:\.\d+)?)$/.exec(v.trim());
  const x = m ? 1 / Number(m[1]) : Number(v);
  if (!Number.isFinite(x) || x <= 0) throw new UsageError(`--scale takes a positive number such as 0.00392 or 1/255, got '${v}'`);
  return x;
}

/** The path of the ONNX file for `--model`: the file itself, or model.onnx inside a run folder. */
export function modelPath(arg: string): string {
  if (existsSync(arg) && statSync(arg).isDirectory()) {
    const p = join(arg, "model.onnx");
    if (!existsSync(p)) throw new ModelError(`${arg}: a folder, but no model.onnx in it (a run folder from featurelens train has one)`);
    return p;
  }
  return arg;
}

/** Reads and opens the model named by the options, with the preprocessing they state. */
export function openFromOptions(opts: ModelCliOptions): OpenedModel & { path: string } {
  const path = modelPath(opts.model);
  const model: ModelIR = readModel(path);
  const base = recordedPreprocess(model) ?? DEFAULT_PREPROCESS;
  const pre: Preprocess = {
    scale: opts.scale ?? base.scale,
    mean: opts.mean ?? base.mean,
    std: opts.std ?? base.std,
  };
  if (opts.device !== "cpu" && opts.device !== "cuda") throw new UsageError(`--device takes cpu or cuda, got '${opts.device}'`);
  return { ...openModel(model, pre), path };
}

/** Inference options from the CLI options, with a progress bar labelled `label`. */
export function inferOptions(opts: ModelCliOptions, label: string): { options: InferOptions; done: () => void } {
  const bar = createProgress({ label, unit: "images" });
  const options: InferOptions = {
    batchSize: opts.batch,
    executionProvider: opts.device,
    onProgress: (d, t) => bar.update(d, t),
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
  };
  return { options, done: () => bar.stop() };
}

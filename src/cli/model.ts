import type { Command } from "commander";
import { INFER_DEFAULTS, type InferOptions, type OpenedModel } from "../nn/infer.js";
import { openModelFile, type PreprocessOverrides } from "../nn/open.js";
import { UsageError } from "../util/errors.js";
import { positiveInt, threadsOption } from "./options.js";
import { createProgress } from "./progress.js";

/** The preprocessing flags: how pixels are scaled and normalised before the model sees them. */
export interface PreprocessCliOptions {
  scale?: number;
  mean?: number[];
  std?: number[];
}

/** Options every command that runs a model shares. */
export interface ModelCliOptions extends PreprocessCliOptions {
  model: string;
  threads?: number;
  batch: number;
  device: "cpu" | "cuda";
}

const numberList = (name: string) => (v: string) => {
  const xs = v.split(",").map(Number);
  if (xs.some((x) => !Number.isFinite(x))) throw new UsageError(`${name} takes numbers separated by commas (one, or one per channel), got '${v}'`);
  return xs;
};

/** --scale, --mean, --std. */
export function addPreprocessOptions(cmd: Command): Command {
  return cmd
    .option("--scale <s>", "pixel scale before normalising (default 1/255, or the model's recorded one)", parseScale)
    .option("--mean <m[,m,m]>", "per-channel mean subtracted after scaling (default 0)", numberList("--mean"))
    .option("--std <s[,s,s]>", "per-channel std divided by after subtracting the mean (default 1)", numberList("--std"));
}

export function addModelOptions(cmd: Command): Command {
  cmd
    .requiredOption("--model <file.onnx|run>", "an ONNX classifier, or a run folder holding model.onnx")
    .option("--batch <n>", "images per run of the model", positiveInt("--batch"), INFER_DEFAULTS.batchSize)
    .option("--threads <n>", "CPU threads for onnxruntime (default: all cores)", threadsOption)
    .option("--device <cpu|cuda>", "execution provider", "cpu");
  return addPreprocessOptions(cmd);
}

function parseScale(v: string): number {
  const m = /^1\/(\d+(?:\.\d+)?)$/.exec(v.trim());
  const x = m ? 1 / Number(m[1]) : Number(v);
  if (!Number.isFinite(x) || x <= 0) throw new UsageError(`--scale takes a positive number such as 0.00392 or 1/255, got '${v}'`);
  return x;
}

/** The preprocessing the flags state (parts left out are the model's own). */
export function preprocessOf(opts: PreprocessCliOptions): PreprocessOverrides {
  return { ...(opts.scale !== undefined ? { scale: opts.scale } : {}), ...(opts.mean ? { mean: opts.mean } : {}), ...(opts.std ? { std: opts.std } : {}) };
}

/** Reads and opens the model named by the options, with the preprocessing they state. */
export function openFromOptions(opts: ModelCliOptions): OpenedModel & { path: string } {
  if (opts.device !== "cpu" && opts.device !== "cuda") throw new UsageError(`--device takes cpu or cuda, got '${opts.device}'`);
  return openModelFile(opts.model, preprocessOf(opts));
}

/** Inference options from the CLI options, with a progress bar labelled `label`. */
export function inferOptions(opts: Pick<ModelCliOptions, "batch" | "device" | "threads">, label: string): { options: InferOptions; done: () => void } {
  const bar = createProgress({ label, unit: "images" });
  const options: InferOptions = {
    batchSize: opts.batch,
    executionProvider: opts.device,
    onProgress: (d, t) => bar.update(d, t),
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
  };
  return { options, done: () => bar.stop() };
}

import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { readModel } from "../engine/onnx/io.js";
import type { ModelIR } from "../engine/onnx/ir.js";
import { findHead, listLayers } from "../engine/onnx/surgery.js";
import { DEFAULT_PREPROCESS, inputSpec, type Preprocess, recordedPreprocess } from "../engine/onnx/modelInfo.js";
import { ModelError, UsageError } from "../util/errors.js";
import { openModel, type OpenedModel } from "./infer.js";

/**
 * Opening the model a user names: an `.onnx` file, or a run folder holding model.onnx, with the
 * preprocessing it records unless the user states another.
 */

/** The path of the ONNX file for `--model`: the file itself, or model.onnx inside a run folder. */
export function modelPath(arg: string): string {
  if (arg.trim() === "") throw new UsageError("--model is empty; give an .onnx file or a run folder");
  if (existsSync(arg) && statSync(arg).isDirectory()) {
    const p = join(arg, "model.onnx");
    if (!existsSync(p)) throw new ModelError(`${arg}: a folder, but no model.onnx in it (a run folder from featurelens train or analyze has one)`);
    return p;
  }
  return arg;
}

/** Preprocessing stated by the user; each part left out keeps the model's recorded (or default) one. */
export type PreprocessOverrides = Partial<Preprocess>;

/**
 * The preprocessing to feed a model: the overrides over its recorded one. Checks what can be
 * checked: a positive finite scale, std without zeros, and one value or one per input channel.
 */
export function preprocessFor(recorded: Preprocess | undefined, overrides: PreprocessOverrides, channels: number): Preprocess {
  const base = recorded ?? DEFAULT_PREPROCESS;
  const pre: Preprocess = { scale: overrides.scale ?? base.scale, mean: overrides.mean ?? base.mean, std: overrides.std ?? base.std };
  if (!(Number.isFinite(pre.scale) && pre.scale > 0)) throw new UsageError(`--scale must be a positive number, got ${pre.scale}`);
  for (const [flag, values] of [["--mean", pre.mean], ["--std", pre.std]] as const) {
    if (values.length !== 1 && values.length !== channels) {
      throw new UsageError(`${flag} takes one value or one per channel; the model's input has ${channels} channel${channels === 1 ? "" : "s"}, got ${values.length} values (${values.join(",")})`);
    }
    if (values.some((v) => !Number.isFinite(v))) throw new UsageError(`${flag} takes finite numbers, got ${values.join(",")}`);
  }
  if (pre.std.some((s) => s === 0)) throw new UsageError(`--std must not be 0 (pixels are divided by it), got ${pre.std.join(",")}`);
  return pre;
}

/**
 * Reads and opens the model at `arg` (file or run folder) with its preprocessing.
 * @example openModelFile("runs/seed").head.penultimate // "/relu7/Relu"
 */
export function openModelFile(arg: string, overrides: PreprocessOverrides = {}): OpenedModel & { path: string } {
  const path = modelPath(arg);
  const model = readModel(path);
  const pre = preprocessFor(recordedPreprocess(model), overrides, inputSpec(model).channels);
  return { ...openModel(model, pre), path };
}

/** The penultimate layer's name as `featurelens layers` lists it (its value's name when no layer makes it), or null. */
export function penultimateName(model: ModelIR): string | null {
  const p = findHead(model).penultimate;
  if (!p) return null;
  return listLayers(model).find((l) => l.output === p)?.name ?? p;
}

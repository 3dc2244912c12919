import type { Dataset } from "../data/dataset.js";
import type { ModelIR } from "../engine/onnx/ir.js";
import type { Preprocess } from "../engine/onnx/modelInfo.js";
import { UsageError } from "../util/errors.js";
import type { OptimizerSpec } from "./optimizers.js";
import { evaluate, train, type TrainOptions, type TrainResult } from "./trainer.js";
import { firstLayerParams, trainableAfterFreezing, weightedLayers } from "./transfer.js";
import { join } from "node:path";

/**
 * The experiment of Yosinski et al. 2014 (§3): networks baseA and baseB trained on tasks A and B;
 * for each k, BnB / AnB copy the first k layers of baseB / baseA, freeze them and train the rest on
 * B from a fresh initialisation; BnB+ / AnB+ do the same but fine-tune the copied layers too.
 * Accuracy on B's test set tells how general (transferable) the first k layers' features are.
 */

export type Variant = "baseB" | "BnB" | "BnB+" | "AnB" | "AnB+";

export interface SweepRow {
  variant: Variant;
  k: number;
  accuracy: number;
  seconds: number;
}

export interface SweepOptions {
  /** Builds a fresh network for a task with the given class names. */
  arch: (classes: string[], seed: number) => ModelIR;
  taskA: { train: Dataset };
  taskB: { train: Dataset; test: Dataset };
  layers: readonly number[];
  fineTune: boolean;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerSpec;
  preprocess: Preprocess;
  seed: number;
  threads?: number;
  out: string;
  onRow?: (row: SweepRow) => void;
  onTraining?: (label: string) => void;
  /**
   * Trains one network of the sweep (default: {@link train} into `out/<label>`); a caller that
   * keeps each training as a run wraps it. `label` is {@link sweepLabel}'s.
   */
  trainOne?: (label: string, options: TrainOptions) => Promise<TrainResult>;
}

/** The name of one training of the sweep: "baseA", "baseB", "BnB-k3", "AnBplus-k5", … */
export function sweepLabel(variant: Variant | "baseA", k: number): string {
  return variant === "baseA" || variant === "baseB" ? variant : `${variant.replace("+", "plus")}-k${k}`;
}

export async function transferSweep(o: SweepOptions): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  const run = async (label: string, model: ModelIR, data: Dataset, trainable?: string[]) => {
    o.onTraining?.(label);
    const r = await (o.trainOne ?? ((_: string, t: TrainOptions) => train(t)))(label, {
      model, train: data, out: join(o.out, label), epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, optimizer: o.optimizer,
      preprocess: o.preprocess, seed: o.seed, ...(trainable ? { trainable } : {}), ...(o.threads ? { threads: o.threads } : {}),
    });
    return r.model;
  };
  const record = async (variant: Variant, k: number, model: ModelIR, t0: number) => {
    const { accuracy } = await evaluate(model, o.taskB.test, o.preprocess, o.threads);
    const row = { variant, k, accuracy, seconds: (performance.now() - t0) / 1000 };
    rows.push(row);
    o.onRow?.(row);
  };
  const classesB = o.taskB.train.classes;
  const freshB = o.arch(classesB, o.seed);
  checkLayers(o.layers, weightedLayers(freshB).length);
  let t0 = performance.now();
  const baseB = await run(sweepLabel("baseB", 0), freshB, o.taskB.train);
  await record("baseB", 0, baseB, t0);
  const baseA = await run(sweepLabel("baseA", 0), o.arch(o.taskA.train.classes, o.seed + 1), o.taskA.train);
  for (const k of o.layers) {
    for (const [source, name] of [[baseB, "B"], [baseA, "A"]] as const) {
      const variants: [Variant, boolean][] = [[`${name}nB` as Variant, false]];
      if (o.fineTune) variants.push([`${name}nB+` as Variant, true]);
      for (const [variant, fineTune] of variants) {
        t0 = performance.now();
        const start = transplant(source, o.arch(classesB, o.seed + 100 + k), k);
        const trainable = fineTune ? undefined : trainableAfterFreezing(start, k);
        const model = await run(sweepLabel(variant, k), start, o.taskB.train, trainable);
        await record(variant, k, model, t0);
      }
    }
  }
  return rows;
}

/** Every k of `--layers` must leave the classifier new: 1..count−1; checked before any training. */
function checkLayers(layers: readonly number[], count: number): void {
  const bad = layers.filter((k) => !(Number.isInteger(k) && k >= 1 && k < count));
  if (bad.length > 0) {
    throw new UsageError(`--layers ${bad.join(",")}: k must be in 1..${count - 1} for this network (it has ${count} layers with weights, and the last, the classifier, is never transferred)`);
  }
}

/** `fresh` with the first k weighted layers (and their BatchNorms) copied from `source`. */
export function transplant(source: ModelIR, fresh: ModelIR, k: number): ModelIR {
  const copied = new Set(firstLayerParams(source, k));
  // Running statistics of the copied BatchNorm layers travel with them.
  for (const n of source.graph.nodes) if (n.opType === "BatchNormalization" && copied.has(n.inputs[1])) n.inputs.slice(3, 5).forEach((s) => copied.add(s));
  const from = new Map(source.graph.initializers.map((t) => [t.name, t]));
  const initializers = fresh.graph.initializers.map((t) => (copied.has(t.name) && from.has(t.name) ? from.get(t.name)! : t));
  return { ...fresh, graph: { ...fresh.graph, initializers } };
}

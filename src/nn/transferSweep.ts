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

/** One trained network of the sweep and its accuracy on task B's test images. */
export interface SweepRow {
  variant: Variant;
  k: number;
  accuracy: number;
  seconds: number;
  /** Which repetition (0 .. seeds − 1) and the seed its fresh layers were drawn with. */
  repeat: number;
  seed: number;
}

/** baseA of one repetition: its accuracy on task A's test images (the reference of what A's features can do). */
export interface BaseARow {
  variant: "baseA";
  k: 0;
  accuracy: number;
  seconds: number;
  repeat: number;
  seed: number;
}

/** Mean and sample standard deviation of one cell (variant, k) over the repetitions. */
export interface SweepCell {
  variant: Variant | "baseA";
  k: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for one repetition. */
  sd: number;
  n: number;
  accuracies: number[];
}

export interface SweepOptions {
  /** Builds a fresh network for a task with the given class names. */
  arch: (classes: string[], seed: number) => ModelIR;
  /** Task A; with `test`, baseA is scored on it (the baseA row). */
  taskA: { train: Dataset; test?: Dataset };
  taskB: { train: Dataset; test: Dataset };
  layers: readonly number[];
  fineTune: boolean;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerSpec;
  preprocess: Preprocess;
  seed: number;
  /** Repetitions of the whole sweep with other seeds (default 1): mean ± sd per cell. */
  seeds?: number;
  threads?: number;
  out: string;
  onRow?: (row: SweepRow) => void;
  onBaseA?: (row: BaseARow) => void;
  onTraining?: (label: string) => void;
  /**
   * Trains one network of the sweep (default: {@link train} into `out/<label>`); a caller that
   * keeps each training as a run wraps it. `label` is {@link sweepLabel}'s.
   */
  trainOne?: (label: string, options: TrainOptions) => Promise<TrainResult>;
}

/** Seeds of repetition r are the base seed plus r·SEED_STEP (and the sweep's own offsets, +1 and +100 + k, below it). */
export const SEED_STEP = 1000;

/**
 * The name of one training of the sweep: "baseA", "baseB", "BnB-k3", "AnBplus-k5", …; repetitions
 * after the first get "-rep2", "-rep3" (so a sweep of one repetition keeps the names it always had).
 */
export function sweepLabel(variant: Variant | "baseA", k: number, repeat = 0): string {
  const base = variant === "baseA" || variant === "baseB" ? variant : `${variant.replace("+", "plus")}-k${k}`;
  return repeat > 0 ? `${base}-rep${repeat + 1}` : base;
}

/**
 * Runs the sweep `seeds` times (default once): every network of repetition r starts from seed
 * `seed + r·1000`. Returns the rows on task B in training order; baseA's rows (scored on task A's
 * test images when given) go to `onBaseA`.
 */
export async function transferSweep(o: SweepOptions): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  const classesB = o.taskB.train.classes;
  checkLayers(o.layers, weightedLayers(o.arch(classesB, o.seed)).length);
  const seeds = o.seeds ?? 1;
  if (!(Number.isInteger(seeds) && seeds >= 1)) throw new UsageError(`--seeds takes a positive whole number, got ${seeds}`);
  for (let repeat = 0; repeat < seeds; repeat++) {
    const seed = o.seed + repeat * SEED_STEP;
    const run = async (label: string, model: ModelIR, data: Dataset, trainable?: string[]) => {
      o.onTraining?.(label);
      const r = await (o.trainOne ?? ((_: string, t: TrainOptions) => train(t)))(label, {
        model, train: data, out: join(o.out, label), epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, optimizer: o.optimizer,
        preprocess: o.preprocess, seed, ...(trainable ? { trainable } : {}), ...(o.threads ? { threads: o.threads } : {}),
      });
      return r.model;
    };
    const record = async (variant: Variant, k: number, model: ModelIR, t0: number) => {
      const { accuracy } = await evaluate(model, o.taskB.test, o.preprocess, o.threads);
      const row: SweepRow = { variant, k, accuracy, seconds: (performance.now() - t0) / 1000, repeat, seed };
      rows.push(row);
      o.onRow?.(row);
    };
    let t0 = performance.now();
    const baseB = await run(sweepLabel("baseB", 0, repeat), o.arch(classesB, seed), o.taskB.train);
    await record("baseB", 0, baseB, t0);
    t0 = performance.now();
    const baseA = await run(sweepLabel("baseA", 0, repeat), o.arch(o.taskA.train.classes, seed + 1), o.taskA.train);
    if (o.taskA.test) {
      const { accuracy } = await evaluate(baseA, o.taskA.test, o.preprocess, o.threads);
      const row: BaseARow = { variant: "baseA", k: 0, accuracy, seconds: (performance.now() - t0) / 1000, repeat, seed };
      o.onBaseA?.(row);
    }
    for (const k of o.layers) {
      for (const [source, name] of [[baseB, "B"], [baseA, "A"]] as const) {
        const variants: [Variant, boolean][] = [[`${name}nB` as Variant, false]];
        if (o.fineTune) variants.push([`${name}nB+` as Variant, true]);
        for (const [variant, fineTune] of variants) {
          t0 = performance.now();
          const start = transplant(source, o.arch(classesB, seed + 100 + k), k);
          const trainable = fineTune ? undefined : trainableAfterFreezing(start, k);
          const model = await run(sweepLabel(variant, k, repeat), start, o.taskB.train, trainable);
          await record(variant, k, model, t0);
        }
      }
    }
  }
  return rows;
}

/**
 * Mean ± sample sd of each cell (variant, k) over the repetitions, baseA first when there is one,
 * then in the order the cells were first trained.
 * @example summarizeSweep([{ variant: "baseB", k: 0, accuracy: 0.9 }, { variant: "baseB", k: 0, accuracy: 0.8 }])[0]
 * // { variant: "baseB", k: 0, mean: 0.85, sd: 0.0707, n: 2, accuracies: [0.9, 0.8] }
 */
export function summarizeSweep(rows: readonly Pick<SweepRow | BaseARow, "variant" | "k" | "accuracy">[]): SweepCell[] {
  const cells = new Map<string, SweepCell>();
  const ordered = [...rows.filter((r) => r.variant === "baseA"), ...rows.filter((r) => r.variant !== "baseA")];
  for (const r of ordered) {
    const key = `${r.variant}@${r.k}`;
    const c = cells.get(key) ?? { variant: r.variant, k: r.k, mean: 0, sd: 0, n: 0, accuracies: [] };
    c.accuracies.push(r.accuracy);
    cells.set(key, c);
  }
  for (const c of cells.values()) {
    c.n = c.accuracies.length;
    c.mean = c.accuracies.reduce((s, v) => s + v, 0) / c.n;
    c.sd = c.n > 1 ? Math.sqrt(c.accuracies.reduce((s, v) => s + (v - c.mean) ** 2, 0) / (c.n - 1)) : 0;
  }
  return [...cells.values()];
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

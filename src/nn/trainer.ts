import { join } from "node:path";
import { type Dataset, sourceIndex, subset } from "../data/dataset.js";
import type { ModelIR } from "../engine/onnx/ir.js";
import { inputSpec, type Preprocess } from "../engine/onnx/modelInfo.js";
import { writeModel } from "../engine/onnx/io.js";
import { DataError, FeaturelensError } from "../util/errors.js";
import { shuffleInPlace } from "../util/rng.js";
import { augmentImages, AUGMENT_NONE, type AugmentOptions } from "./augment.js";
import { type CheckpointState, type EpochRecord, findCheckpoint, writeCheckpoint } from "./checkpoint.js";
import { openModel, predictProbabilities } from "./infer.js";
import { learningRate, type OptimizerSpec, type Schedule } from "./optimizers.js";
import { toInputTensor } from "./preprocess.js";
import { copyStates, draw, startStreams } from "./rngStreams.js";
import { targetsFor } from "./targets.js";
import { classifierUnits } from "./trainGraph.js";
import { TrainSession } from "./trainSession.js";

/** Options for {@link train}; defaults in {@link TRAIN_DEFAULTS}. */
export interface TrainOptions {
  /** The model to train (its initializers are the starting weights). */
  model: ModelIR;
  train: Dataset;
  /** Validation set, scored after every epoch (none: no early stopping, the last epoch is kept). */
  val?: Dataset;
  /** Run folder: model.onnx (best) and checkpoint/ (see checkpoint.ts). */
  out: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer: OptimizerSpec;
  /** Learning-rate schedule over the whole run; `warmupEpochs` of linear warm-up. */
  schedule?: "constant" | "step" | "cosine";
  warmupEpochs?: number;
  labelSmoothing?: number;
  augment?: AugmentOptions;
  /** Parameters to train (default: all); the others are frozen: no gradients are computed for them. */
  trainable?: readonly string[];
  /** Stop after this many epochs without a lower validation loss (Keras EarlyStopping). */
  patience?: number;
  /** Seed of the random streams: the epoch shuffles, the augmentations and the dropout masks (rngStreams.ts). */
  seed?: number;
  threads?: number;
  preprocess: Preprocess;
  /**
   * Continue from the run folder's newest complete checkpoint: its weights, optimizer state, step
   * count and random streams (so the result is what an uninterrupted run gives, bit for bit).
   * Without a checkpoint, training starts from `model`; with only incomplete ones, a DataError.
   */
  resume?: boolean;
  onStep?: (p: { epoch: number; step: number; steps: number; loss: number; accuracy: number }) => void;
  onEpoch?: (r: EpochRecord) => void;
  signal?: AbortSignal;
}

export const TRAIN_DEFAULTS = { epochs: 3, batchSize: 128, lr: 0.01, schedule: "constant", warmupEpochs: 0, labelSmoothing: 0, patience: Infinity, seed: 0 } as const;

export class TrainingStopped extends FeaturelensError {
  override name = "TrainingStopped";
}

export interface TrainResult {
  history: EpochRecord[];
  /** The model that run/model.onnx holds (best validation loss, or the last epoch without validation). */
  model: ModelIR;
  bestEpoch: number | null;
  stoppedEarly: boolean;
}

/**
 * Trains with minibatch SGD/Adam over seeded shuffles: validation every epoch, the best model kept
 * (lowest validation loss, as Keras' ModelCheckpoint), early stopping, a checkpoint after every
 * epoch that `resume` continues exactly, and a clear stop with the last good weights on a NaN loss.
 */
export async function train(o: TrainOptions): Promise<TrainResult> {
  const epochs = o.epochs ?? TRAIN_DEFAULTS.epochs;
  const batchSize = o.batchSize ?? TRAIN_DEFAULTS.batchSize;
  const baseLr = o.lr ?? TRAIN_DEFAULTS.lr;
  const seed = o.seed ?? TRAIN_DEFAULTS.seed;
  const patience = o.patience ?? TRAIN_DEFAULTS.patience;
  const spec = inputSpec(o.model);
  const stepsPerEpoch = Math.ceil(o.train.n / batchSize);
  const schedule = makeSchedule(o.schedule ?? TRAIN_DEFAULTS.schedule, epochs * stepsPerEpoch, (o.warmupEpochs ?? 0) * stepsPerEpoch);

  let start: CheckpointState = { epoch: 0, steps: 0, rng: startStreams(seed), history: [], bestValLoss: null, bestEpoch: null, epochsWithoutImprovement: 0 };
  let model = o.model;
  let restored: Map<string, Float32Array> | undefined;
  const c = o.resume ? findCheckpoint(o.out) : null;
  if (c) {
    model = c.model;
    restored = c.optimizerState;
    start = c.state;
  }
  checkLabels(o.train, "training", model, !!c);
  if (o.val) checkLabels(o.val, "validation", model, !!c);
  const streams = copyStates(start.rng);
  const ts = await TrainSession.create(model, { optimizer: o.optimizer, dropout: streams.dropout, ...(o.trainable ? { trainable: o.trainable } : {}), ...(o.threads ? { threads: o.threads } : {}) });
  if (restored) for (const [k, v] of restored) ts.values.set(k, v);
  ts.steps = start.steps;
  const history = start.history.slice();
  let best = { loss: start.bestValLoss, epoch: start.bestEpoch, stale: start.epochsWithoutImprovement };
  let bestModel: ModelIR = start.epoch > 0 ? model : o.model;
  let stoppedEarly = false;
  try {
    for (let epoch = start.epoch + 1; epoch <= epochs; epoch++) {
      if (o.signal?.aborted) break;
      const t0 = performance.now();
      const order = shuffleInPlace(Int32Array.from({ length: o.train.n }, (_, i) => i), draw(streams.shuffle));
      let lossSum = 0;
      let correct = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        const idx = order.subarray(s * batchSize, Math.min((s + 1) * batchSize, o.train.n));
        const b = subset(o.train, idx);
        augmentImages(b.images, b.n, b.height, b.width, b.channels, o.augment ?? AUGMENT_NONE, draw(streams.augment));
        const x = toInputTensor(b, 0, b.n, spec, o.preprocess);
        const lr = learningRate(baseLr, schedule, ts.steps);
        const r = await ts.step(x, targetsFor(b.labels, ts.graph.numClasses, o.labelSmoothing ?? 0), lr);
        if (!Number.isFinite(r.loss)) {
          throw new TrainingStopped(
            `the loss became ${r.loss} at epoch ${epoch}, step ${s + 1}: training stopped. ` +
              `${epoch > 1 ? `The last good weights (epoch ${epoch - 1}) are kept in ${o.out}` : "No epoch had finished, so nothing was saved"}; try a lower --lr`,
          );
        }
        lossSum += r.loss * b.n;
        correct += r.correct;
        o.onStep?.({ epoch, step: s + 1, steps: stepsPerEpoch, loss: r.loss, accuracy: r.correct / b.n });
      }
      const current = ts.exportModel();
      const val = o.val ? await evaluate(current, o.val, o.preprocess, o.threads) : null;
      const seconds = (performance.now() - t0) / 1000;
      const record: EpochRecord = {
        epoch,
        lr: learningRate(baseLr, schedule, ts.steps - 1),
        train_loss: lossSum / o.train.n,
        train_accuracy: correct / o.train.n,
        val_loss: val?.loss ?? null,
        val_accuracy: val?.accuracy ?? null,
        seconds,
        images_per_second: o.train.n / seconds,
      };
      history.push(record);
      if (!val || best.loss === null || val.loss < best.loss) {
        best = { loss: val?.loss ?? null, epoch, stale: 0 };
        bestModel = current;
        writeModel(join(o.out, "model.onnx"), current);
      } else {
        best.stale++;
      }
      const optimizerState = new Map([...ts.graph.state.map((s) => [s.input, ts.values.get(s.input)!] as const)]);
      const state = { epoch, steps: ts.steps, rng: copyStates(streams), history, bestValLoss: best.loss, bestEpoch: best.epoch, epochsWithoutImprovement: best.stale };
      writeCheckpoint(o.out, { model: current, optimizerState, state });
      o.onEpoch?.(record);
      if (best.stale >= patience) {
        stoppedEarly = true;
        break;
      }
    }
  } finally {
    await ts.release();
  }
  return { history, model: bestModel, bestEpoch: best.epoch, stoppedEarly };
}

/** How many bad labels a message lists by index. */
const SHOWN = 5;

/**
 * Every image of a set to train or validate on needs a label the model has an output for (a
 * one-unit sigmoid head: labels 0 and 1). Checked before any training; names the set, all that is
 * wrong with it at once, and the first images at fault by their index in the dataset as loaded
 * (the source's index for a part of it: --limit, --only, a validation split).
 */
function checkLabels(ds: Dataset, role: string, model: ModelIR, resumed: boolean): void {
  if (ds.n === 0) throw new DataError(`the ${role} set has no images; check --only, --limit and --val`, ds.name);
  const units = classifierUnits(model);
  const k = units === 1 ? 2 : units;
  const unlabelled: number[] = [];
  const outside: number[] = [];
  for (let i = 0; i < ds.n; i++) {
    const y = ds.labels[i];
    if (y === -1) unlabelled.push(i);
    else if (!(y >= 0 && y < k)) outside.push(i);
  }
  const problems: string[] = [];
  const list = (idx: number[], show: (i: number) => string) => `${idx.slice(0, SHOWN).map(show).join(", ")}${idx.length > SHOWN ? ", …" : ""}`;
  if (unlabelled.length > 0) {
    const where = list(unlabelled, (i) => String(sourceIndex(ds, i)));
    problems.push(`${unlabelled.length} of its ${ds.n} images ${unlabelled.length === 1 ? "has" : "have"} no label (index ${where}), and training needs every image labelled: give the labels file too (npy:IMAGES.npy,LABELS.npy)`);
  }
  if (outside.length > 0) {
    const where = list(outside, (i) => `label ${ds.labels[i]} at index ${sourceIndex(ds, i)}`);
    const tooHigh = outside.some((i) => ds.labels[i] >= k);
    const hint = !tooHigh ? "; -1 marks an image without a label and no other negative label is allowed: fix the labels"
      : resumed ? "; --resume continues the run's model, so give it the run's classes (--only)" : "; give it the model's classes (--only)";
    problems.push(`${outside.length} of its ${ds.n} labels ${outside.length === 1 ? "is" : "are"} not among the model's ${k} classes 0..${k - 1} (${where})${hint}`);
  }
  if (problems.length > 0) throw new DataError(`${role} set: ${problems.join("; ")}`, ds.name);
}

function makeSchedule(kind: "constant" | "step" | "cosine", totalSteps: number, warmupSteps: number): Schedule {
  if (kind === "cosine") return { kind, totalSteps, warmupSteps };
  if (kind === "step") return { kind, everySteps: Math.max(1, Math.floor(totalSteps / 3)), gamma: 0.1, warmupSteps };
  return { kind: "constant", warmupSteps };
}

/** Mean cross-entropy and accuracy of a model on a labelled set. */
export async function evaluate(model: ModelIR, ds: Dataset, preprocess: Preprocess, threads?: number): Promise<{ loss: number; accuracy: number }> {
  const p = await predictProbabilities(openModel(model, preprocess), ds, threads ? { threads } : {});
  const k = p.dims[1];
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < ds.n; i++) {
    const row = p.data.subarray(i * k, (i + 1) * k);
    const y = ds.labels[i];
    loss -= Math.log(Math.max(row[y], 1e-12));
    let best = 0;
    for (let j = 1; j < k; j++) if (row[j] > row[best]) best = j;
    if (best === y) correct++;
  }
  return { loss: loss / ds.n, accuracy: correct / ds.n };
}

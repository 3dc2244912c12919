import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { classCounts, type Dataset, subset } from "../data/dataset.js";
import type { ModelIR } from "../engine/onnx/ir.js";
import { resolveLayer } from "../engine/onnx/surgery.js";
import { UsageError } from "../util/errors.js";
import { createRng, shuffleInPlace } from "../util/rng.js";
import type { EpochRecord } from "./checkpoint.js";
import { collectValues, openModel, probabilitiesOf, scoreValue } from "./infer.js";
import { train, type TrainOptions } from "./trainer.js";

/**
 * Out-of-sample predictions by k-fold cross-validation: the images are split into stratified,
 * seeded folds; for each fold a fresh network is trained (`train`) on the other folds and predicts
 * the fold it never saw. The held-out probabilities (and any layer's values) are put back in the
 * dataset's order, so row i is image i — what confident learning needs (Northcutt et al. 2021, §4:
 * "out-of-sample predicted probabilities … via cross-validation").
 */

/** Options of {@link crossValidate}; defaults in {@link KFOLD_DEFAULTS}. */
export interface CrossValidateOptions {
  dataset: Dataset;
  folds?: number;
  /** Seeds the folds and each fold's training (fold f trains with seed + f). */
  seed?: number;
  /** A fresh, untrained network for fold f (0-based). */
  model: (fold: number) => ModelIR;
  /** How each fold trains (no validation set: the last epoch's weights predict). */
  train: Pick<TrainOptions, "epochs" | "batchSize" | "lr" | "optimizer" | "schedule" | "warmupEpochs" | "labelSmoothing" | "augment" | "threads" | "preprocess">;
  /** Layers whose values to keep for the held-out images, as `resolveLayer` names them ("penultimate"). */
  layers?: readonly string[];
  /** Called as each fold starts training and starts predicting. */
  onFold?: (p: { fold: number; folds: number; stage: "training" | "predicting"; train: number; heldOut: number }) => void;
  onStep?: (p: { fold: number; epoch: number; step: number; steps: number; loss: number }) => void;
  onEpoch?: (p: { fold: number; record: EpochRecord }) => void;
}

export const KFOLD_DEFAULTS = { folds: 5, seed: 0 } as const;

/** What {@link crossValidate} returns: every row predicted by the one network that did not train on it. */
export interface CrossValidated {
  folds: number;
  /** The fold of each image. */
  fold: Int32Array;
  /** Number of classes. */
  k: number;
  /** N×K held-out class probabilities, in the dataset's order. */
  probabilities: Float32Array;
  /** Each asked-for layer's N×D held-out values, in the dataset's order (rows of different folds come from different networks). */
  layers: Map<string, { d: number; data: Float32Array }>;
  /** Each fold's training history. */
  history: EpochRecord[][];
  seconds: number;
}

/**
 * The fold of each image: each class's images shuffled (seeded) and dealt in turn to the folds,
 * one class after another, so every fold holds each class's images to within one and the folds'
 * sizes differ by at most one (as scikit-learn's StratifiedKFold). A class with fewer images than
 * folds is refused, naming it; unlabelled images (−1) are dealt like a class of their own.
 * @example stratifiedFolds(Int32Array.of(0, 0, 1, 1, 0, 1), 2, { classes: ["a", "b"], seed: 0 }) // e.g. Int32Array [1, 0, 0, 1, 0, 1]
 */
export function stratifiedFolds(labels: Int32Array, folds: number, o: { classes: readonly string[]; seed?: number }): Int32Array {
  if (!Number.isInteger(folds) || folds < 2) throw new UsageError(`--folds must be an integer of at least 2, got ${folds}`);
  const k = o.classes.length;
  const counts = classCounts({ labels, classes: [...o.classes] });
  const short = [...counts].map((c, j) => [j, c] as const).filter(([, c]) => c > 0 && c < folds);
  if (short.length) {
    const list = short.map(([j, c]) => `'${o.classes[j]}' has ${c} image${c === 1 ? "" : "s"}`).join(", ");
    throw new UsageError(`--folds ${folds} is more than a class has images: ${list}; every fold needs an image of each class — use --folds ${Math.max(2, Math.min(...short.map(([, c]) => c)))} or fewer, or more data`);
  }
  const rng = createRng(o.seed ?? KFOLD_DEFAULTS.seed);
  const groups: number[][] = Array.from({ length: k + 1 }, () => []);
  for (let i = 0; i < labels.length; i++) groups[labels[i] >= 0 && labels[i] < k ? labels[i] : k].push(i);
  const fold = new Int32Array(labels.length);
  let next = 0;
  for (const g of groups) {
    for (const i of shuffleInPlace(Int32Array.from(g), rng)) fold[i] = next++ % folds;
  }
  return fold;
}

/**
 * Trains one fresh network per fold and predicts the held-out images; see the module comment.
 * Each fold trains in a temporary folder that is removed afterwards.
 */
export async function crossValidate(o: CrossValidateOptions): Promise<CrossValidated> {
  const t0 = performance.now();
  const folds = o.folds ?? KFOLD_DEFAULTS.folds;
  const seed = o.seed ?? KFOLD_DEFAULTS.seed;
  const ds = o.dataset;
  const fold = stratifiedFolds(ds.labels, folds, { classes: ds.classes, seed });
  const history: EpochRecord[][] = [];
  const layers = new Map<string, { d: number; data: Float32Array }>();
  let probabilities = new Float32Array(0);
  let k = 0;
  for (let f = 0; f < folds; f++) {
    const heldRows = Int32Array.from({ length: ds.n }, (_, i) => i).filter((i) => fold[i] === f);
    const trainRows = Int32Array.from({ length: ds.n }, (_, i) => i).filter((i) => fold[i] !== f);
    o.onFold?.({ fold: f, folds, stage: "training", train: trainRows.length, heldOut: heldRows.length });
    const dir = mkdtempSync(join(tmpdir(), "featurelens-fold-"));
    let trained: ModelIR;
    try {
      const { onStep, onEpoch } = o;
      const r = await train({
        ...o.train, model: o.model(f), train: subset(ds, trainRows), out: dir, seed: seed + f,
        ...(onStep ? { onStep: (p) => onStep({ fold: f, ...p }) } : {}),
        ...(onEpoch ? { onEpoch: (record) => onEpoch({ fold: f, record }) } : {}),
      });
      trained = r.model;
      history.push(r.history);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    o.onFold?.({ fold: f, folds, stage: "predicting", train: trainRows.length, heldOut: heldRows.length });
    const opened = openModel(trained, o.train.preprocess);
    const score = scoreValue(opened.head);
    const values = (o.layers ?? []).map((l) => [l, resolveLayer(trained, l).value] as const);
    const got = await collectValues(opened, subset(ds, heldRows), [...new Set([score, ...values.map(([, v]) => v)])], o.train.threads ? { threads: o.train.threads } : {});
    const scores = got.get(score)!;
    const width = scores.data.length / heldRows.length;
    const p = probabilitiesOf(opened.head, scores.data, width);
    if (f === 0) {
      k = p.length / heldRows.length;
      probabilities = new Float32Array(ds.n * k);
    }
    heldRows.forEach((row, r) => probabilities.set(p.subarray(r * k, (r + 1) * k), row * k));
    for (const [key, value] of values) {
      const v = got.get(value)!;
      const d = v.data.length / heldRows.length;
      if (!layers.has(key)) layers.set(key, { d, data: new Float32Array(ds.n * d) });
      const into = layers.get(key)!;
      heldRows.forEach((row, r) => into.data.set(v.data.subarray(r * d, (r + 1) * d), row * d));
    }
  }
  return { folds, fold, k, probabilities, layers, history, seconds: (performance.now() - t0) / 1000 };
}

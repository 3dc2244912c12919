import type { Dataset } from "../data/dataset.js";
import { DEFAULT_PREPROCESS, recordedPreprocess } from "../engine/onnx/modelInfo.js";
import type { EpochRecord } from "../nn/checkpoint.js";
import { crossValidate, KFOLD_DEFAULTS } from "../nn/kfold.js";
import { TRAIN_DEFAULTS } from "../nn/trainer.js";
import { optimizerSpec, startingModel } from "./trainRun.js";

/**
 * The out-of-sample scores `label-issues` works from when it is given data and an architecture:
 * k-fold cross-validated training of that architecture (nn/kfold.ts), Adam as `featurelens train`
 * uses it, each fold's network predicting the images it never saw, with their penultimate features.
 */

/** Options of {@link kfoldScores}; defaults in {@link KFOLD_SCORE_DEFAULTS}. */
export interface KFoldScoreOptions {
  /** An architecture name (seed-cnn, small-resnet, mlp) or a model whose weights every fold starts from (with a new head). */
  arch: string;
  folds?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  threads?: number;
  onFold?: (p: { fold: number; folds: number; stage: "training" | "predicting" }) => void;
  onStep?: (p: { fold: number; epoch: number; step: number; steps: number }) => void;
  onEpoch?: (p: { fold: number; record: EpochRecord }) => void;
}

export const KFOLD_SCORE_DEFAULTS = { folds: KFOLD_DEFAULTS.folds, epochs: TRAIN_DEFAULTS.epochs, batchSize: TRAIN_DEFAULTS.batchSize, lr: 1e-3, seed: 0 } as const;

/** Held-out probabilities and penultimate features of every image, and the fold that held it out. */
export interface KFoldScores {
  k: number;
  probabilities: Float32Array;
  features: { d: number; data: Float32Array };
  fold: Int32Array;
  folds: number;
  /** Accuracy of the held-out predictions against the given labels. */
  accuracy: number;
  history: EpochRecord[][];
  seconds: number;
}

/**
 * Cross-validates `arch` on `ds` (see the module comment).
 * @example await kfoldScores(await loadDataset("sample:train", { limit: 500 }), { arch: "mlp", folds: 2, epochs: 1 })
 * // { k: 10, probabilities: Float32Array(5000), features: { d: 64, … }, fold: Int32Array(500), accuracy: 0.6, … }
 */
export async function kfoldScores(ds: Dataset, o: KFoldScoreOptions): Promise<KFoldScores> {
  const seed = o.seed ?? KFOLD_SCORE_DEFAULTS.seed;
  const first = startingModel({ arch: o.arch }, ds, seed);
  const preprocess = recordedPreprocess(first) ?? DEFAULT_PREPROCESS;
  const { onFold, onStep, onEpoch } = o;
  const cv = await crossValidate({
    dataset: ds, folds: o.folds ?? KFOLD_SCORE_DEFAULTS.folds, seed,
    model: (f) => (f === 0 ? first : startingModel({ arch: o.arch }, ds, seed + f)),
    train: {
      epochs: o.epochs ?? KFOLD_SCORE_DEFAULTS.epochs, batchSize: o.batchSize ?? KFOLD_SCORE_DEFAULTS.batchSize, lr: o.lr ?? KFOLD_SCORE_DEFAULTS.lr,
      optimizer: optimizerSpec("adam", {}), preprocess, ...(o.threads ? { threads: o.threads } : {}),
    },
    layers: ["penultimate"],
    ...(onFold ? { onFold: (p: { fold: number; folds: number; stage: "training" | "predicting" }) => onFold({ fold: p.fold, folds: p.folds, stage: p.stage }) } : {}),
    ...(onStep ? { onStep } : {}),
    ...(onEpoch ? { onEpoch } : {}),
  });
  let right = 0;
  for (let i = 0; i < ds.n; i++) {
    const row = cv.probabilities.subarray(i * cv.k, (i + 1) * cv.k);
    let best = 0;
    for (let j = 1; j < cv.k; j++) if (row[j] > row[best]) best = j;
    if (best === ds.labels[i]) right++;
  }
  return {
    k: cv.k, probabilities: cv.probabilities, features: cv.layers.get("penultimate")!, fold: cv.fold, folds: cv.folds,
    accuracy: ds.n ? right / ds.n : 0, history: cv.history, seconds: cv.seconds,
  };
}

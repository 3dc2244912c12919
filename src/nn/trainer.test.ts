import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Dataset, subset } from "../data/dataset.js";
import { loadDataset } from "../data/load.js";
import { trainValSplit } from "../data/subset.js";
import { mlp, seedCnn, smallResnet } from "../engine/onnx/architectures.js";
import { findHead } from "../engine/onnx/surgery.js";
import { readModel } from "../engine/onnx/io.js";
import type { ModelIR } from "../engine/onnx/ir.js";
import { DEFAULT_PREPROCESS } from "../engine/onnx/modelInfo.js";
import { DataError, UsageError } from "../util/errors.js";
import { createRng } from "../util/rng.js";
import { augmentImages } from "./augment.js";
import { readCheckpoint } from "./checkpoint.js";
import { learningRate, OPTIMIZER_DEFAULTS } from "./optimizers.js";
import { binaryTargets, oneHotTargets } from "./targets.js";
import { evaluate, train, TrainingStopped } from "./trainer.js";
import { firstLayerParams, replaceHead, trainableAfterFreezing, weightedLayers } from "./transfer.js";
import { transferSweep } from "./transferSweep.js";

const tmp = () => mkdtempSync(join(tmpdir(), "train-"));

/** A set of 4×4 gray images with the given labels. */
const tiny = (name: string, classes: string[], labels: number[]): Dataset => ({
  name, classes, n: labels.length, height: 4, width: 4, channels: 1, images: new Uint8Array(16 * labels.length).fill(100), labels: Int32Array.from(labels),
});
const tinyTrain = (model: ReturnType<typeof mlp>, data: Dataset, val?: Dataset) =>
  train({ model, train: data, ...(val ? { val } : {}), out: tmp(), epochs: 1, batchSize: 4, optimizer: OPTIMIZER_DEFAULTS.adam, preprocess: DEFAULT_PREPROCESS, threads: 1 });

describe("train", () => {
  it("train(mlp, sample) learns: validation accuracy well above chance after 2 epochs, files written", async () => {
    const ds = await loadDataset("sample:train", { limit: 1500, seed: 1 });
    const { train: tr, val } = trainValSplit(ds, { fraction: 0.2, seed: 1 });
    const out = tmp();
    const model = mlp({ inputShape: [1, 28, 28], classes: 10, seed: 0 });
    const r = await train({ model, train: tr, val, out, epochs: 2, batchSize: 64, lr: 1e-3, optimizer: OPTIMIZER_DEFAULTS.adam, preprocess: DEFAULT_PREPROCESS, threads: 1 });
    expect(r.history).toHaveLength(2);
    expect(r.history[1].val_accuracy!).toBeGreaterThan(0.6);
    expect(r.history[1].train_loss).toBeLessThan(r.history[0].train_loss);
    expect(existsSync(join(out, "model.onnx"))).toBe(true);
    const again = await evaluate(readModel(join(out, "model.onnx")), val, DEFAULT_PREPROCESS);
    expect(again.accuracy).toBeCloseTo(r.history[r.bestEpoch! - 1].val_accuracy!, 6);
  });

  // Bit for bit: the weights, optimizer state and every random stream (shuffle, augmentation,
  // dropout masks) are in the checkpoint, and one thread makes onnxruntime's sums deterministic.
  for (const arch of ["seed-cnn", "mlp"] as const) {
    it(`train({resume}) for a 3rd epoch after 2 equals 3 uninterrupted epochs bit for bit (${arch}${arch === "seed-cnn" ? ", dropout 0.5, augmented" : ""})`, async () => {
      const ds = await loadDataset("sample:train", { limit: 300, seed: 2 });
      const model = arch === "mlp" ? mlp({ inputShape: [1, 28, 28], classes: 10, seed: 0 }) : seedCnn({ inputShape: [1, 28, 28], classes: 10, seed: 0 });
      const augment = arch === "seed-cnn" ? { augment: { cropPadding: 2, flip: true } } : {};
      const base = { model, train: ds, batchSize: 50, lr: 1e-3, optimizer: OPTIMIZER_DEFAULTS.adam, preprocess: DEFAULT_PREPROCESS, threads: 1, seed: 4, ...augment };
      const whole = await train({ ...base, out: tmp(), epochs: 3 });
      const out = tmp();
      await train({ ...base, out, epochs: 2 }); // "killed" after epoch 2
      const resumed = await train({ ...base, out, epochs: 3, resume: true });
      expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
      expect(resumed.history.map((h) => h.train_loss)).toEqual(whole.history.map((h) => h.train_loss));
      const weights = (m: ModelIR) => m.graph.initializers.map((t) => [t.name, Buffer.from(t.raw).toString("base64")]);
      expect(weights(resumed.model)).toEqual(weights(whole.model));
      expect(readCheckpoint(join(out, "checkpoint")).state.rng).toEqual({
        shuffle: { stream: "shuffle", seed: 4, counter: 3 }, augment: { stream: "augment", seed: 4, counter: 18 }, dropout: { stream: "dropout", seed: 4, counter: 18 },
      });
    });
  }

  it("train() with a NaN loss stops, says so and keeps the last good weights", async () => {
    const ds = await loadDataset("sample:train", { limit: 300, seed: 3 });
    const model = mlp({ inputShape: [1, 28, 28], classes: 10, seed: 0 });
    const sgd = { kind: "sgd", momentum: 0.9, nesterov: false, weightDecay: 0 } as const;
    const err = await train({ model, train: ds, out: tmp(), epochs: 3, batchSize: 100, lr: 1e9, optimizer: sgd, preprocess: DEFAULT_PREPROCESS, threads: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingStopped);
    expect((err as Error).message).toMatch(/the loss became (NaN|Infinity) at epoch \d, step \d+: training stopped.*lower --lr/);
  });
});

describe("train refuses data it cannot learn from", () => {
  it("train(…) on images without labels throws a DataError naming the set and what to give", async () => {
    const model = mlp({ inputShape: [1, 4, 4], classes: 2 });
    const err = await tinyTrain(model, tiny("images.npy", ["a", "b"], [0, 1, -1, -1])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe("images.npy: training set: 2 of its 4 images have no label (index 2, 3), and training needs every image labelled: give the labels file too (npy:IMAGES.npy,LABELS.npy)");
  });

  it("train(…) with validation labels beyond the model's classes throws a DataError naming the validation set and --only", async () => {
    const model = mlp({ inputShape: [1, 4, 4], classes: 2 });
    const err = await tinyTrain(model, tiny("a", ["x", "y"], [0, 1, 0, 1]), tiny("val", ["x", "y", "z", "w", "v"], [0, 4])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe("val: validation set: 1 of its 2 labels is not among the model's 2 classes 0..1 (label 4 at index 1); give it the model's classes (--only)");
  });

  it("train(…) names bad labels by their index in the dataset (the source's index for a part of it), not their place in a shuffled batch", async () => {
    const labels = Array.from({ length: 200 }, (_, i) => i % 2);
    labels[5] = -1;
    labels[150] = -3;
    labels[170] = 2;
    const ds = tiny("labels.npy", ["a", "b"], labels);
    const model = mlp({ inputShape: [1, 4, 4], classes: 2 });
    const whole = await tinyTrain(model, ds).catch((e: unknown) => e);
    expect(whole).toBeInstanceOf(DataError);
    expect((whole as Error).message).toBe(
      "labels.npy: training set: 1 of its 200 images has no label (index 5), and training needs every image labelled: give the labels file too (npy:IMAGES.npy,LABELS.npy); " +
        "2 of its 200 labels are not among the model's 2 classes 0..1 (label -3 at index 150, label 2 at index 170); give it the model's classes (--only)",
    );
    const part = await tinyTrain(model, subset(ds, [170, 3, 5, 4])).catch((e: unknown) => e);
    expect((part as Error).message).toMatch(/1 of its 4 images has no label \(index 5\).*\(label 2 at index 170\)/);
  });

  it("train(…) on an empty set throws a DataError naming --only, --limit and --val", async () => {
    const err = await tinyTrain(mlp({ inputShape: [1, 4, 4], classes: 2 }), tiny("none", ["a", "b"], [])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/^none: the training set has no images; check --only, --limit and --val$/);
  });

  it("transferSweep({layers: [1, 9]}) throws a UsageError naming --layers and the allowed k before any training", async () => {
    const arch = (classes: string[], seed: number) => mlp({ inputShape: [1, 4, 4], classes: classes.length, seed });
    const a = tiny("A", ["a", "b"], [0, 1]);
    const b = tiny("B", ["c", "d"], [0, 1]);
    const trainings: string[] = [];
    const err = await transferSweep({
      arch, taskA: { train: a }, taskB: { train: b, test: b }, layers: [1, 9], fineTune: false, epochs: 1, batchSize: 2, lr: 1e-3,
      optimizer: OPTIMIZER_DEFAULTS.adam, preprocess: DEFAULT_PREPROCESS, seed: 0, out: tmp(), onTraining: (label) => trainings.push(label),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^--layers 9: k must be in 1\.\.1 for this network \(it has 2 layers with weights/);
    expect(trainings).toEqual([]);
  });
});

describe("training pieces", () => {
  it("oneHotTargets(labels, k, ε) smooths as PyTorch: (1 − ε)·onehot + ε/K", () => {
    expect(Array.from(oneHotTargets([2, 0], 3, 0.3))).toEqual([0.1, 0.1, 0.8, 0.8, 0.1, 0.1].map((v) => Math.fround(v)));
    expect(() => oneHotTargets([3], 3)).toThrow(/label 3 at index 0 is outside 0\.\.2/);
  });

  it("binaryTargets(labels, ε) smooths as Keras: y·(1 − ε) + ε/2, and refuses labels other than 0/1", () => {
    expect(Array.from(binaryTargets([0, 1, 1], 0.2))).toEqual([0.1, 0.9, 0.9].map((v) => Math.fround(v)));
    expect(() => binaryTargets([0, 2])).toThrow(/label 2 at index 1 is not 0 or 1/);
  });

  it("learningRate(base, schedule, t) warms up linearly, then decays by step or cosine", () => {
    expect(learningRate(1, { kind: "constant", warmupSteps: 4 }, 0)).toBe(0.25);
    expect(learningRate(1, { kind: "constant", warmupSteps: 4 }, 10)).toBe(1);
    expect(learningRate(1, { kind: "step", everySteps: 10, gamma: 0.1 }, 25)).toBeCloseTo(0.01, 12);
    expect(learningRate(1, { kind: "cosine", totalSteps: 100 }, 0)).toBe(1);
    expect(learningRate(1, { kind: "cosine", totalSteps: 100 }, 50)).toBeCloseTo(0.5, 12);
    expect(learningRate(1, { kind: "cosine", totalSteps: 100 }, 100)).toBeCloseTo(0, 12);
  });

  it("augmentImages(…) flips and shifts with zero fill, seeded", () => {
    const img = Uint8Array.from([1, 2, 3, 4]); // 2×2 gray
    augmentImages(img, 1, 2, 2, 1, { cropPadding: 0, flip: true }, { next: () => 0.1, int: () => 0 });
    expect(Array.from(img)).toEqual([2, 1, 4, 3]);
    const a = Uint8Array.from({ length: 64 }, (_, i) => i);
    const b = a.slice();
    augmentImages(a, 1, 8, 8, 1, { cropPadding: 2, flip: true }, createRng(5));
    augmentImages(b, 1, 8, 8, 1, { cropPadding: 2, flip: true }, createRng(5));
    expect(a).toEqual(b);
  });

  it("firstLayerParams(model, k) names the first k weighted layers' parameters; the head stays trainable", () => {
    const m = seedCnn({ inputShape: [1, 28, 28], classes: 10 });
    expect(weightedLayers(m).map((n) => n.name)).toEqual(["/conv1/Conv", "/conv2/Conv", "/conv3/Conv", "/conv4/Conv", "/conv5/Conv", "/conv6/Conv", "/fc1/Gemm", "/fc2/Gemm"]);
    expect(firstLayerParams(m, 2)).toEqual(["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias"]);
    expect(trainableAfterFreezing(m, 7)).toEqual(["fc2.weight", "fc2.bias"]);
    expect(() => firstLayerParams(m, 8)).toThrow(/--freeze 8: the model has 8 layers with weights.*use 0\.\.7/);
  });

  it("trainableAfterFreezing(mlp, 3) throws a UsageError naming --freeze and the k allowed; a k that is not an integer is a caller's RangeError", () => {
    const m = mlp({ inputShape: [1, 28, 28], classes: 10 });
    const f = () => trainableAfterFreezing(m, 3);
    expect(f).toThrow(UsageError);
    expect(f).toThrow("--freeze 3: the model has 2 layers with weights and the last (the classifier) is always trained; use 0..1");
    expect(() => trainableAfterFreezing(m, -1)).toThrow(UsageError);
    expect(() => trainableAfterFreezing(m, 0.5)).toThrow(RangeError);
  });

  it("replaceHead(model, classes) gives the classifier K new outputs and keeps the rest", () => {
    const m = seedCnn({ inputShape: [1, 28, 28], classes: 10 });
    const r = replaceHead(m, ["a", "b", "c", "d", "e"], 1);
    const w = r.graph.initializers.find((t) => t.name === "fc2.weight")!;
    expect(w.dims).toEqual([5, 64]);
    expect(r.graph.initializers.find((t) => t.name === "fc2.bias")!.dims).toEqual([5]);
    expect(r.graph.initializers.find((t) => t.name === "conv1.weight")).toBe(m.graph.initializers.find((t) => t.name === "conv1.weight"));
  });

  it("replaceHead(…, \"sigmoid\") makes two classes one sigmoid unit, and a sigmoid head given more classes becomes a softmax", () => {
    const m = seedCnn({ inputShape: [1, 28, 28], classes: 10 });
    const binary = replaceHead(m, ["no", "yes"], 1, "sigmoid");
    expect(binary.graph.initializers.find((t) => t.name === "fc2.weight")!.dims).toEqual([1, 64]);
    expect(findHead(binary).activation).toBe("sigmoid");
    expect(findHead(replaceHead(binary, ["a", "b"])).activation).toBe("sigmoid");
    const back = replaceHead(binary, ["a", "b", "c"]);
    expect(findHead(back).activation).toBe("softmax");
    expect(back.graph.initializers.find((t) => t.name === "fc2.weight")!.dims).toEqual([3, 64]);
    expect(() => replaceHead(m, ["a", "b", "c"], 0, "sigmoid")).toThrow(/a sigmoid head is for two classes, got 3/);
    const logits = replaceHead(smallResnet({ inputShape: [1, 28, 28], classes: 10, widths: [4], blocksPerStage: 1 }), ["a", "b"], 0, "sigmoid");
    expect(findHead(logits).activation).toBe("sigmoid");
  });
});

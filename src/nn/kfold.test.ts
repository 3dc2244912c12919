import { describe, expect, it } from "vitest";
import { loadDataset } from "../data/load.js";
import { mlp } from "../engine/onnx/architectures.js";
import { DEFAULT_PREPROCESS } from "../engine/onnx/modelInfo.js";
import { UsageError } from "../util/errors.js";
import { crossValidate, stratifiedFolds } from "./kfold.js";
import { OPTIMIZER_DEFAULTS } from "./optimizers.js";

describe("stratifiedFolds", () => {
  it("stratifiedFolds(labels, folds, …) deals each class evenly over the folds, the same for the same seed", () => {
    const labels = Int32Array.from({ length: 103 }, (_, i) => (i * 7) % 4);
    const fold = stratifiedFolds(labels, 5, { classes: ["a", "b", "c", "d"], seed: 3 });
    const size = new Int32Array(5);
    for (const f of fold) size[f]++;
    expect(Math.max(...size) - Math.min(...size)).toBeLessThanOrEqual(1);
    for (let c = 0; c < 4; c++) {
      const per = new Int32Array(5);
      labels.forEach((y, i) => y === c && per[fold[i]]++);
      expect(Math.max(...per) - Math.min(...per), `class ${c}`).toBeLessThanOrEqual(1);
    }
    expect([...stratifiedFolds(labels, 5, { classes: ["a", "b", "c", "d"], seed: 3 })]).toEqual([...fold]);
    expect([...stratifiedFolds(labels, 5, { classes: ["a", "b", "c", "d"], seed: 4 })]).not.toEqual([...fold]);
  });

  it("stratifiedFolds(…) refuses more folds than a class has images, naming the class and its count", () => {
    const labels = Int32Array.of(0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2);
    expect(() => stratifiedFolds(labels, 5, { classes: ["Shirt", "Sandal", "Bag"] })).toThrow(UsageError);
    expect(() => stratifiedFolds(labels, 5, { classes: ["Shirt", "Sandal", "Bag"] })).toThrow(/--folds 5 is more than a class has images: 'Sandal' has 3 images; .*use --folds 3 or fewer/);
    expect(() => stratifiedFolds(labels, 1, { classes: ["Shirt", "Sandal", "Bag"] })).toThrow(/--folds must be an integer of at least 2, got 1/);
  });
});

describe("crossValidate", () => {
  it("crossValidate(sample:train --limit 500, 2 folds, 1 epoch, mlp) predicts every image once, by the network of the other fold", async () => {
    const ds = await loadDataset("sample:train", { limit: 500, seed: 0 });
    const seen: { fold: number; stage: string; train: number; heldOut: number }[] = [];
    const models: number[] = [];
    const run = () =>
      crossValidate({
        dataset: ds, folds: 2, seed: 1,
        model: (f) => {
          models.push(f);
          return mlp({ inputShape: [1, 28, 28], classes: 10, seed: 10 + f });
        },
        train: { epochs: 1, batchSize: 64, lr: 1e-3, optimizer: OPTIMIZER_DEFAULTS.adam, preprocess: DEFAULT_PREPROCESS, threads: 1 },
        layers: ["penultimate"],
        onFold: (p) => seen.push(p),
      });
    const r = await run();
    expect(models).toEqual([0, 1]);
    expect(seen.filter((s) => s.stage === "training").map((s) => [s.train, s.heldOut])).toEqual([[250, 250], [250, 250]]);
    expect(r.k).toBe(10);
    expect(r.probabilities.length).toBe(500 * 10);
    expect([...r.fold].filter((f) => f === 0).length).toBe(250);
    for (let i = 0; i < 500; i++) {
      const row = r.probabilities.subarray(i * 10, (i + 1) * 10);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    const f = r.layers.get("penultimate")!;
    expect(f.data.length).toBe(500 * f.d);
    for (let i = 0; i < 500; i++) expect(f.data.subarray(i * f.d, (i + 1) * f.d).some((x) => x !== 0), `row ${i}`).toBe(true);
    // Held out, yet well above chance (10%): each network learned from the other half.
    let right = 0;
    for (let i = 0; i < 500; i++) {
      const row = r.probabilities.subarray(i * 10, (i + 1) * 10);
      if (row.indexOf(Math.max(...row)) === ds.labels[i]) right++;
    }
    expect(right / 500).toBeGreaterThan(0.3);
    expect(r.history).toHaveLength(2);
    // The same seed gives the same predictions (one thread: onnxruntime's sums are deterministic).
    expect([...(await run()).probabilities.subarray(0, 50)]).toEqual([...r.probabilities.subarray(0, 50)]);
  });
});

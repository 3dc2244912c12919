import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Dataset } from "../data/dataset.js";
import { readNpy } from "../data/npy.js";
import { readModel } from "../engine/onnx/io.js";
import { inputSpec } from "../engine/onnx/modelInfo.js";
import { OPTIMIZER_DEFAULTS, type OptimizerSpec } from "./optimizers.js";
import { toInputTensor } from "./preprocess.js";
import { binaryTargets, oneHotTargets } from "./targets.js";
import { TrainSession, type TrainSessionOptions } from "./trainSession.js";

const FIX = join(import.meta.dirname, "fixtures");
const MODELS: Record<string, string> = {
  "seed-cnn": join(import.meta.dirname, "..", "engine", "fixtures", "seed-cnn", "model.onnx"),
  "small-resnet": join(FIX, "small-resnet.onnx"),
  "mlp-binary": join(FIX, "mlp-binary.onnx"),
};

interface Config {
  opt: "sgd" | "adam" | "adamw";
  lr: number;
  momentum?: number;
  nesterov?: boolean;
  wd: number;
  smoothing: number;
  loss: "ce" | "bce";
  losses: number[];
}

function spec(c: Config): OptimizerSpec {
  if (c.opt === "sgd") return { kind: "sgd", momentum: c.momentum!, nesterov: c.nesterov!, weightDecay: c.wd };
  return { ...OPTIMIZER_DEFAULTS[c.opt], weightDecay: c.wd };
}

function batch(): Dataset {
  const x = readNpy(join(FIX, "train", "batch.npy"));
  const y = readNpy(join(FIX, "train", "labels.npy")).data as BigInt64Array;
  const n = x.shape[0];
  return { name: "batch", classes: Array.from({ length: 10 }, (_, i) => String(i)), n, height: 28, width: 28, channels: 1, images: x.data as Uint8Array, labels: Int32Array.from(y, Number) };
}

describe("TrainSession parity with PyTorch (fixtures from scripts/make-train-fixtures.py)", () => {
  const runs = readdirSync(join(FIX, "train")).filter((d) => existsSync(join(FIX, "train", d, "losses.json")));
  it("the fixtures cover both models and every optimizer, and binary cross-entropy", () => expect(runs.length).toBe(10));
  for (const run of runs) {
    const model = Object.keys(MODELS).find((m) => run.startsWith(m))!;
    it(`TrainSession.step() × 2 on ${run} matches PyTorch's losses and updated weights within 1e-4`, async () => {
      const dir = join(FIX, "train", run);
      const c = JSON.parse(readFileSync(join(dir, "losses.json"), "utf8")) as Config;
      const m = readModel(MODELS[model]);
      const ts = await TrainSession.create(m, { optimizer: spec(c), threads: 1 });
      const ds = batch();
      const x = toInputTensor(ds, 0, ds.n, inputSpec(m), { scale: 1 / 255, mean: [0], std: [1] });
      // The binary model's label is "class ≥ 5".
      const targets = c.loss === "bce" ? binaryTargets(ds.labels.map((y) => Number(y >= 5)), c.smoothing) : oneHotTargets(ds.labels, 10, c.smoothing);
      for (let s = 0; s < 2; s++) {
        const { loss } = await ts.step(x, targets, c.lr);
        expect(Math.abs(loss - c.losses[s]) / c.losses[s], `loss at step ${s}`).toBeLessThan(1e-4);
      }
      let checked = 0;
      for (const f of readdirSync(dir).filter((f) => f.endsWith(".npy"))) {
        const name = f.slice(0, -4);
        const want = readNpy(join(dir, f)).data as Float32Array;
        const got = ts.values.get(name);
        expect(got, name).toBeDefined();
        let scale = 0;
        let worst = 0;
        for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got![i] - want[i]));
        expect(worst / Math.max(scale, 1e-6), name).toBeLessThan(1e-4);
        checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(4);
      await ts.release();
    });
  }
});

describe("TrainSession's faster step against the step it replaces (issue 15)", () => {
  // Before: one Adam update a parameter.
  const before: TrainSessionOptions["graph"] = { flatOptimizer: false };
  for (const [model, opt] of [["seed-cnn", "adam"], ["small-resnet", "adamw"], ["seed-cnn", "sgd"]] as const) {
    it(`TrainSession.step() × 2 on ${model} with ${opt}: losses and every value within 1e-5 of the earlier graph's`, async () => {
      const m = readModel(MODELS[model]);
      const ds = batch();
      const x = toInputTensor(ds, 0, ds.n, inputSpec(m), { scale: 1 / 255, mean: [0], std: [1] });
      const targets = oneHotTargets(ds.labels, 10);
      const optimizer = opt === "sgd" ? OPTIMIZER_DEFAULTS.sgd : OPTIMIZER_DEFAULTS[opt];
      const [now, then] = await Promise.all([TrainSession.create(m, { optimizer, threads: 1 }), TrainSession.create(m, { optimizer, threads: 1, graph: before })]);
      expect(now.graph.flat).toBeDefined();
      for (let s = 0; s < 2; s++) {
        const [a, b] = [await now.step(x, targets, 1e-2), await then.step(x, targets, 1e-2)];
        expect(Math.abs(a.loss - b.loss), `loss at step ${s}`).toBeLessThan(1e-5);
      }
      expect([...now.values.keys()].sort()).toEqual([...then.values.keys()].sort());
      for (const [name, want] of then.values) {
        const got = now.values.get(name)!;
        expect(got.length, name).toBe(want.length);
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
        expect(worst, name).toBeLessThan(1e-5);
      }
      await Promise.all([now.release(), then.release()]);
    });
  }
});

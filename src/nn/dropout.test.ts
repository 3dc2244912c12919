import { describe, expect, it } from "vitest";
import { seedCnn } from "../engine/onnx/architectures.js";
import { GraphBuilder } from "../engine/onnx/builder.js";
import type { ModelIR } from "../engine/onnx/ir.js";
import { createRng } from "../util/rng.js";
import { drawMasks } from "./dropout.js";
import { draw } from "./rngStreams.js";
import { oneHotTargets } from "./targets.js";
import { buildTrainGraph } from "./trainGraph.js";
import { defaultTrainable, TrainSession } from "./trainSession.js";

const SGD = { kind: "sgd", momentum: 0, nesterov: false, weightDecay: 0 } as const;

/** 16 inputs → fc1 (8) → ReLU → dropout → fc2 (3) → softmax. */
function droppedMlp(rate: number): ModelIR {
  const b = new GraphBuilder({ seed: 3 });
  let x = b.flatten(b.input("input", ["N", 1, 4, 4]), { name: "flatten" });
  x = b.dropout(b.relu(b.dense(x, { name: "fc1", units: 8 }), { name: "relu1" }), { name: "dropout", rate });
  b.output(b.softmax(b.dense(x, { name: "fc2", units: 3 }), { name: "softmax" }), "output");
  return b.build();
}

const floats = (m: ModelIR, name: string) => {
  const t = m.graph.initializers.find((i) => i.name === name)!;
  return { dims: t.dims, data: new Float32Array(t.raw.buffer.slice(t.raw.byteOffset, t.raw.byteOffset + t.raw.byteLength)) };
};

describe("dropout in the training graph", () => {
  it("drawMasks(masks, n, rng) keeps a unit with probability 1 − ratio, scaled by 1/(1 − ratio), and draws the same masks from the same seed", () => {
    const mask = { input: "m", ratio: 0.3, shape: ["N", 1000], batch: "N" };
    const a = drawMasks([mask], 10, createRng(1)).m;
    expect(a.dims).toEqual([10, 1000]);
    const keep = Math.fround(1 / 0.7);
    expect(a.data.every((v) => v === 0 || v === keep)).toBe(true);
    const kept = a.data.filter((v) => v !== 0).length / a.data.length;
    expect(Math.abs(kept - 0.7)).toBeLessThan(0.02);
    expect(drawMasks([mask], 10, createRng(1)).m.data).toEqual(a.data);
    expect(drawMasks([mask], 10, createRng(2)).m.data).not.toEqual(a.data);
  });

  it("buildTrainGraph(seedCnn) replaces its Dropout by a Mul with a mask input [N, 64]; the inference model keeps its Dropout", () => {
    const model = seedCnn({ inputShape: [1, 28, 28], classes: 10 });
    const g = buildTrainGraph(model, { trainable: defaultTrainable(model), optimizer: SGD });
    expect(g.masks).toEqual([{ input: "train/dropout_mask/dropout/Dropout", ratio: 0.5, shape: ["N", 64], batch: "N" }]);
    expect(g.model.graph.nodes.filter((n) => n.opType === "Dropout")).toEqual([]);
    expect(g.model.graph.nodes.find((n) => n.name === "/dropout/Dropout")).toMatchObject({ opType: "Mul", inputs: ["/relu7/Relu_output_0", g.masks[0].input] });
    expect(g.model.graph.inputs.map((i) => i.name)).toContain(g.masks[0].input);
    expect(model.graph.nodes.filter((n) => n.opType === "Dropout").map((n) => n.name)).toEqual(["/dropout/Dropout"]);
  });

  it("buildTrainGraph(…) makes a Dropout of ratio 0 the identity, with no mask", () => {
    const model = droppedMlp(0);
    const g = buildTrainGraph(model, { trainable: defaultTrainable(model), optimizer: SGD });
    expect(g.masks).toEqual([]);
    expect(g.model.graph.nodes.find((n) => n.name === "/dropout/Dropout")!.opType).toBe("Identity");
  });

  it("TrainSession.step() applies one mask forward and backward: the loss is the masked network's, and a dropped unit's weights do not move", async () => {
    const model = droppedMlp(0.5);
    const ts = await TrainSession.create(model, { optimizer: SGD, seed: 11, threads: 1 });
    const mask = drawMasks(ts.graph.masks, 1, draw({ ...ts.dropout }))[ts.graph.masks[0].input].data; // what the step will draw
    const x = Float32Array.from({ length: 16 }, (_, i) => ((i * 7) % 5) / 5 - 0.3);
    const [w1, b1, w2, b2] = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"].map((n) => floats(model, n));
    expect(w1.dims).toEqual([8, 16]); // Gemm with transB = 1, as PyTorch's Linear
    // The masked network by hand, label 2.
    const h = Array.from({ length: 8 }, (_, j) => Math.max(0, b1.data[j] + x.reduce((s, v, i) => s + v * w1.data[j * 16 + i], 0)) * mask[j]);
    const z = Array.from({ length: 3 }, (_, k) => b2.data[k] + h.reduce((s, v, j) => s + v * w2.data[k * 8 + j], 0));
    const lse = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
    const { loss } = await ts.step({ dtype: "float32", dims: [1, 1, 4, 4], data: x }, oneHotTargets([2], 3), 0.5);
    expect(loss).toBeCloseTo(lse - z[2], 5);
    const dropped = Array.from(mask.keys()).filter((j) => mask[j] === 0);
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.length).toBeLessThan(8);
    const [nw1, nw2] = [ts.values.get("fc1.weight")!, ts.values.get("fc2.weight")!];
    for (const j of dropped) {
      expect(nw1.subarray(j * 16, (j + 1) * 16)).toEqual(w1.data.subarray(j * 16, (j + 1) * 16));
      expect([0, 1, 2].map((k) => nw2[k * 8 + j])).toEqual([0, 1, 2].map((k) => w2.data[k * 8 + j]));
    }
    const moved = Array.from(mask.keys()).filter((j) => mask[j] !== 0 && h[j] > 0);
    expect(moved.length).toBeGreaterThan(0);
    for (const j of moved) expect([0, 1, 2].map((k) => nw2[k * 8 + j])).not.toEqual([0, 1, 2].map((k) => w2.data[k * 8 + j]));
    expect(ts.dropout.counter).toBe(1);
    await ts.release();
  });
});

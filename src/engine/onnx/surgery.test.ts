import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Session } from "../runtime/session.js";
import { readModel } from "./io.js";
import { inferShapes } from "./shapeInference.js";
import { findHead, listLayers, resolveLayer, withOutputs } from "./surgery.js";
import { inputSpec } from "./modelInfo.js";

const FIX = join(import.meta.dirname, "..", "fixtures");
const load = (name: string) => readModel(join(FIX, name, "model.onnx"));

describe("listLayers", () => {
  it("listLayers(model) names PyTorch's layers with their output shapes", () => {
    const layers = listLayers(load("seed-cnn"));
    expect(layers.map((l) => l.name)).toEqual([
      "/conv1/Conv", "/relu1/Relu", "/conv2/Conv", "/relu2/Relu", "/pool1/MaxPool", "/conv3/Conv", "/relu3/Relu", "/conv4/Conv", "/relu4/Relu",
      "/pool2/MaxPool", "/conv5/Conv", "/relu5/Relu", "/conv6/Conv", "/relu6/Relu", "/flatten/Flatten", "/fc1/Gemm", "/relu7/Relu", "/fc2/Gemm",
      "/softmax/Softmax",
    ]);
    const byName = new Map(layers.map((l) => [l.name, l]));
    expect(byName.get("/conv1/Conv")).toMatchObject({ kind: "conv", shape: ["N", 16, 28, 28], params: 16 * 9 + 16 });
    expect(byName.get("/pool2/MaxPool")?.shape).toEqual(["N", 16, 7, 7]);
    expect(byName.get("/flatten/Flatten")?.shape).toEqual(["N", 784]);
    expect(byName.get("/fc2/Gemm")).toMatchObject({ kind: "dense", shape: ["N", 10], params: 650 });
  });

  it("inferShapes(model) agrees with onnxruntime on every value of both fixtures", async () => {
    for (const name of ["seed-cnn", "mini-resnet18"]) {
      const model = load(name);
      const shapes = inferShapes(model, { batch: 2 });
      const values = model.graph.nodes.flatMap((n) => n.outputs);
      const s = await Session.create(withOutputs(model, values, shapes));
      const out = await s.run({ input: { dtype: "float32", dims: [2, 1, 28, 28], data: new Float32Array(2 * 784) } }, values);
      for (const v of values) expect(shapes.get(v)?.shape, `${name} ${v}`).toEqual(out[v].dims);
      await s.release();
    }
  });
});

describe("findHead", () => {
  it("findHead(model) finds the logits under a Softmax and the penultimate input of the last Gemm", () => {
    expect(findHead(load("seed-cnn"))).toMatchObject({ output: "output", logits: "/fc2/Gemm_output_0", activation: "softmax", penultimate: "/relu7/Relu_output_0" });
    expect(findHead(load("mini-resnet18"))).toMatchObject({ output: "output", logits: "output", activation: "none", penultimate: "/Flatten_output_0" });
  });

  it("inputSpec(model) reads NCHW, one channel, 28×28, symbolic batch", () => {
    expect(inputSpec(load("mini-resnet18"))).toEqual({ name: "input", layout: "NCHW", channels: 1, height: 28, width: 28, batch: "N" });
  });
});

describe("resolveLayer", () => {
  it("resolveLayer(model, spec) takes penultimate, logits, layer names, value names and indices", () => {
    const m = load("seed-cnn");
    expect(resolveLayer(m, "penultimate").value).toBe("/relu7/Relu_output_0");
    expect(resolveLayer(m, "logits").value).toBe("/fc2/Gemm_output_0");
    expect(resolveLayer(m, "/pool1/MaxPool").value).toBe("/pool1/MaxPool_output_0");
    expect(resolveLayer(m, "/pool1/MaxPool_output_0").value).toBe("/pool1/MaxPool_output_0");
    expect(resolveLayer(m, "0").value).toBe("/conv1/Conv_output_0");
  });

  it("resolveLayer(model, spec) lists the nearest names for an unknown layer", () => {
    expect(() => resolveLayer(load("seed-cnn"), "/pool3/MaxPool")).toThrow(/no layer named '\/pool3\/MaxPool'; nearest: \/pool1\/MaxPool, \/pool2\/MaxPool/);
  });
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../util/errors.js";
import { createRng } from "../../util/rng.js";
import { mlp, seedCnn, smallResnet } from "./architectures.js";
import { GraphBuilder } from "./builder.js";
import { inferShapes } from "./shapeInference.js";
import { decodeModel, encodeModel } from "./codec.js";
import { DataType, type ModelIR, type TensorIR } from "./ir.js";

const FIX = join(import.meta.dirname, "..", "fixtures");

/** Runs a model on `n` seeded random inputs, every value_info entry also made an output. */
async function run(model: ModelIR, n: number, seed = 1): Promise<Record<string, ort.Tensor>> {
  const m = structuredClone(model);
  m.graph.outputs.push(...m.graph.valueInfo);
  const inputs: Record<string, ort.Tensor> = {};
  const rng = createRng(seed);
  for (const i of m.graph.inputs) {
    const dims = (i.type as { shape: (number | string)[] }).shape.map((d) => (typeof d === "number" ? d : n));
    const data = Float32Array.from({ length: dims.reduce((a, d) => a * d, 1) }, () => rng.next() * 2 - 1);
    inputs[i.name] = new ort.Tensor("float32", data, dims);
  }
  const session = await ort.InferenceSession.create(encodeModel(m));
  try {
    return await session.run(inputs);
  } finally {
    await session.release();
  }
}

/** Each tracked shape (value_info, "N" → n) against the shape ORT computed. */
function expectTrackedShapes(model: ModelIR, out: Record<string, ort.Tensor>, n: number): void {
  const values = [...model.graph.valueInfo, ...model.graph.outputs];
  expect(values.length).toBeGreaterThan(2);
  for (const v of values) {
    const tracked = (v.type as { shape: (number | string)[] }).shape.map((d) => (d === "N" ? n : d));
    expect([v.name, [...out[v.name].dims]]).toEqual([v.name, tracked]);
  }
}

function floats(t: TensorIR): Float32Array {
  const v = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
  return Float32Array.from({ length: t.raw.byteLength / 4 }, (_, i) => v.getFloat32(4 * i, true));
}

const init = (m: ModelIR, name: string) => floats(m.graph.initializers.find((t) => t.name === name)!);

function stats(x: Float32Array): { mean: number; std: number; min: number; max: number } {
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (const v of x) {
    s += v;
    s2 += v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = s / x.length;
  return { mean, std: Math.sqrt(s2 / x.length - mean * mean), min, max };
}

function expectProbabilities(y: ort.Tensor, n: number, k: number): void {
  expect([...y.dims]).toEqual([n, k]);
  const p = y.data as Float32Array;
  expect(p.every(Number.isFinite)).toBe(true);
  for (let i = 0; i < n; i++) expect(p.subarray(i * k, (i + 1) * k).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
}

describe("architectures", () => {
  it("seedCnn({inputShape, classes, seed}) runs in ONNX Runtime: [3, K] probabilities, tracked shapes as ORT's", async () => {
    const model = seedCnn({ inputShape: [1, 28, 28], classes: 10, seed: 1, build: { valueInfo: true } });
    const out = await run(model, 3);
    expectProbabilities(out.output, 3, 10);
    expectTrackedShapes(model, out, 3);
    expect([...out["/pool2/MaxPool_output_0"].dims]).toEqual([3, 16, 7, 7]);
  });

  it("seedCnn(…) names nodes, values and initializers as torch.onnx.export named the SeedCNN fixture", () => {
    const torch = decodeModel(readFileSync(join(FIX, "seed-cnn", "model.onnx")));
    const ours = seedCnn({ inputShape: [1, 28, 28], classes: 10 });
    const layers = (m: ModelIR) => m.graph.nodes.filter((n) => n.opType !== "Dropout").map((n) => [n.name, n.opType, n.outputs[0]]);
    expect(layers(ours)).toEqual(layers(torch));
    const params = (m: ModelIR) => m.graph.initializers.filter((t) => !t.name.startsWith("/")).map((t) => [t.name, t.dims]);
    expect(params(ours)).toEqual(params(torch));
    expect(ours.graph.inputs).toEqual(torch.graph.inputs);
    expect(ours.graph.outputs).toEqual(torch.graph.outputs);
    expect([ours.irVersion, ours.opsetImports]).toEqual([7, [{ domain: "", version: 13 }]]);
  });

  it("smallResnet({inputShape, classes, seed}) gives [3, K] finite logits, tracked shapes as ORT's", async () => {
    const model = smallResnet({ inputShape: [3, 32, 32], classes: 5, seed: 2, build: { valueInfo: true } });
    const out = await run(model, 3);
    expect([...out.output.dims]).toEqual([3, 5]);
    expect((out.output.data as Float32Array).every(Number.isFinite)).toBe(true);
    expectTrackedShapes(model, out, 3);
    expect([...out["/layer3/layer3.1/relu_1/Relu_output_0"].dims]).toEqual([3, 64, 8, 8]);
  });

  it("smallResnet(…) names its layers as torchvision's ResNet exports them, and ends in logits", () => {
    const m = smallResnet({ inputShape: [1, 28, 28], classes: 10, widths: [8, 16], blocksPerStage: 1 });
    const names = m.graph.nodes.map((n) => n.name);
    expect(names.slice(0, 3)).toEqual(["/conv1/Conv", "/bn1/BatchNormalization", "/relu/Relu"]);
    expect(names).toContain("/layer1/layer1.0/Add");
    expect(names).toContain("/layer1/layer1.0/relu_1/Relu");
    expect(names).toContain("/layer2/layer2.0/downsample/downsample.0/Conv");
    expect(names).toContain("/layer2/layer2.0/downsample/downsample.1/BatchNormalization");
    expect(names.slice(-3)).toEqual(["/avgpool/GlobalAveragePool", "/Flatten", "/fc/Gemm"]);
    expect(m.graph.nodes.at(-1)!.outputs).toEqual(["output"]);
    expect(m.graph.initializers.map((t) => t.name)).toContain("layer2.0.downsample.1.running_var");
  });

  it("mlp({inputShape, classes, hidden, seed}) gives [3, K] probabilities", async () => {
    const model = mlp({ inputShape: [3, 8, 8], classes: 4, hidden: [32, 16], seed: 3, build: { valueInfo: true } });
    const out = await run(model, 3);
    expectProbabilities(out.output, 3, 4);
    expectTrackedShapes(model, out, 3);
    expect(model.graph.nodes.map((n) => n.name)).toEqual(
      ["/flatten/Flatten", "/fc1/Gemm", "/relu1/Relu", "/fc2/Gemm", "/relu2/Relu", "/fc3/Gemm", "/softmax/Softmax"]);
  });

  it("seedCnn(…) and smallResnet(…) report every bad option together, as a RangeError when a caller passed one", () => {
    const mixed = () => seedCnn({ inputShape: [1, 28] as unknown as [number, number, number], classes: 1 });
    expect(mixed).toThrow(RangeError);
    expect(mixed).toThrow(/^seedCnn: inputShape must be \[channels, height, width\].*; classes: 1 — the data has one class/);
    expect(() => smallResnet({ inputShape: [1, 28, 28], classes: 3, widths: [], blocksPerStage: 0 }))
      .toThrow(/smallResnet: widths must .*; blocksPerStage must be a positive integer, got 0/);
    expect(() => mlp({ inputShape: [1, 28, 28], classes: 3, head: "sigmoid" })).toThrow(/a sigmoid head is for two classes .*got 3 classes/);
  });

  it("seedCnn({classes: 1}) throws a UsageError naming --only: one class comes from the user's data", () => {
    const f = () => seedCnn({ inputShape: [1, 28, 28], classes: 1 });
    expect(f).toThrow(UsageError);
    expect(f).toThrow(/^seedCnn: classes: 1 — the data has one class, and a classifier needs at least 2; keep two or more with --only/);
  });

  it("mlp({classes: 0}) throws a UsageError saying the data has no classes", () => {
    const f = () => mlp({ inputShape: [1, 28, 28], classes: 0 });
    expect(f).toThrow(UsageError);
    expect(f).toThrow(/^mlp: classes: 0 — the data has no classes.*labelled data/);
  });

  it("seedCnn({inputShape: [1, 3, 3]}) throws a UsageError naming --size: its two max-pools need 4×4 images", () => {
    const f = () => seedCnn({ inputShape: [1, 3, 3], classes: 10 });
    expect(f).toThrow(UsageError);
    expect(f).toThrow(/^seedCnn: images of 3×3 px are too small .* at least 4×4; resize them \(--size for folder sets\)/);
    expect(seedCnn({ inputShape: [1, 4, 4], classes: 10 }).graph.outputs[0].type).toMatchObject({ shape: ["N", 10] });
  });

  it("head: \"sigmoid\" gives two classes one dense unit and a Sigmoid output (the binary case)", () => {
    const m = seedCnn({ inputShape: [1, 28, 28], classes: 2, head: "sigmoid" });
    expect(m.graph.nodes.at(-1)!.opType).toBe("Sigmoid");
    expect(m.graph.initializers.find((t) => t.name === "fc2.weight")!.dims).toEqual([1, 64]);
    expect(inferShapes(m).get("output")?.shape).toEqual(["N", 1]);
  });
});

describe("GraphBuilder", () => {
  it("GraphBuilder({seed}) initialises reproducibly: the same seed gives the same bytes, another seed others", () => {
    const a = encodeModel(seedCnn({ inputShape: [1, 28, 28], classes: 10, seed: 7 }));
    const b = encodeModel(seedCnn({ inputShape: [1, 28, 28], classes: 10, seed: 7 }));
    const c = encodeModel(seedCnn({ inputShape: [1, 28, 28], classes: 10, seed: 8 }));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it("GraphBuilder.conv2d(x, …) and .dense(x, …) draw PyTorch's default U(−1/√fan_in, 1/√fan_in), std bound/√3", () => {
    const b = new GraphBuilder({ seed: 11 });
    let x = b.conv2d(b.input("input", ["N", 64, 8, 8]), { name: "conv", outChannels: 64, kernel: 3 });
    x = b.dense(b.flatten(x, { name: "flatten" }), { name: "fc", units: 200 });
    b.output(x);
    const m = b.build();
    for (const [name, fanIn] of [["conv.weight", 64 * 9], ["conv.bias", 64 * 9], ["fc.weight", 64 * 36], ["fc.bias", 64 * 36]] as const) {
      const bound = 1 / Math.sqrt(fanIn);
      const s = stats(init(m, name));
      expect(s.min).toBeGreaterThanOrEqual(-bound * (1 + 1e-6));
      expect(s.max).toBeLessThanOrEqual(bound * (1 + 1e-6));
      if (name.endsWith("weight")) {
        expect(Math.abs(s.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.05);
        expect(Math.abs(s.mean)).toBeLessThan(0.05 * bound);
      }
    }
    expect(m.graph.initializers.find((t) => t.name === "fc.weight")!.dims).toEqual([200, 64 * 36]); // [out, in] like nn.Linear
  });

  it("GraphBuilder.conv2d(x, {init: \"he-normal-fan-out\"}) draws N(0, 2/fan_out) as torchvision's ResNet", () => {
    const b = new GraphBuilder({ seed: 12 });
    b.output(b.conv2d(b.input("input", ["N", 32, 8, 8]), { name: "c", outChannels: 64, kernel: 3, bias: false, init: "he-normal-fan-out" }));
    const m = b.build();
    const s = stats(init(m, "c.weight"));
    expect(Math.abs(s.std / Math.sqrt(2 / (64 * 9)) - 1)).toBeLessThan(0.05);
    expect(m.graph.initializers.map((t) => t.name)).toEqual(["c.weight"]);
  });

  it("GraphBuilder.batchNorm(x, …) starts at weight 1, bias 0, mean 0, var 1; trainable() lists weights and biases only", () => {
    const b = new GraphBuilder();
    let x = b.batchNorm(b.input("input", ["N", 4, 2, 2]), { name: "bn", momentum: 0.8 });
    x = b.dropout(b.relu6(x, { name: "act" }), { name: "drop", rate: 0.25 });
    b.output(x, "output");
    const m = b.build();
    expect(Array.from(init(m, "bn.weight"))).toEqual([1, 1, 1, 1]);
    expect(Array.from(init(m, "bn.bias"))).toEqual([0, 0, 0, 0]);
    expect(Array.from(init(m, "bn.running_mean"))).toEqual([0, 0, 0, 0]);
    expect(Array.from(init(m, "bn.running_var"))).toEqual([1, 1, 1, 1]);
    expect(b.trainable()).toEqual(["bn.weight", "bn.bias"]);
    const bn = m.graph.nodes[0];
    expect(bn.attributes.map((a) => [a.name, a.value.type])).toEqual([["epsilon", "float"], ["momentum", "float"]]);
    expect(m.graph.nodes.map((n) => [n.opType, n.inputs.slice(1)])).toEqual([
      ["BatchNormalization", ["bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"]],
      ["Clip", ["/act/Clip_min", "/act/Clip_max"]],
      ["Dropout", ["/drop/Dropout_ratio"]],
    ]);
    expect([...init(m, "/drop/Dropout_ratio")]).toEqual([0.25]);
    expect(m.graph.initializers.find((t) => t.name === "/drop/Dropout_ratio")!.dims).toEqual([]);
  });

  it("GraphBuilder.build() writes float32 little-endian raw initializers and typed inputs/outputs with dim_param N", () => {
    const b = new GraphBuilder({ seed: 3 });
    b.output(b.dense(b.input("x", ["N", 3]), { name: "fc", units: 2 }), "y");
    const m = decodeModel(encodeModel(b.build({ metadata: { classes: "a,b" }, docString: "tiny" })));
    const w = m.graph.initializers[0];
    expect([w.name, w.dataType, w.dims, w.raw.length]).toEqual(["fc.weight", DataType.FLOAT, [2, 3], 24]);
    expect(m.graph.inputs[0].type).toEqual({ kind: "tensor", elemType: DataType.FLOAT, shape: ["N", 3] });
    expect(m.graph.outputs[0]).toEqual({ name: "y", type: { kind: "tensor", elemType: DataType.FLOAT, shape: ["N", 2] } });
    expect(m.metadata).toEqual([{ key: "classes", value: "a,b" }]);
    expect([m.producerName, m.docString, m.irVersion]).toEqual(["featurelens", "tiny", 7]);
  });

  it("GraphBuilder activations, softmax and logSoftmax compute their formulas in ORT", async () => {
    const b = new GraphBuilder();
    const x = b.input("input", ["N", 6]);
    const outs = {
      relu: b.relu(x, { name: "a" }), leaky: b.leakyRelu(x, { name: "b", alpha: 0.2 }), relu6: b.relu6(x, { name: "c" }),
      sigmoid: b.sigmoid(x, { name: "d" }), tanh: b.tanh(x, { name: "e" }), hardSwish: b.hardSwish(x, { name: "f" }),
      identity: b.identity(x, { name: "g" }), softmax: b.softmax(x, { name: "h" }), logSoftmax: b.logSoftmax(x, { name: "i" }),
    };
    Object.values(outs).forEach((v) => b.output(v));
    const session = await ort.InferenceSession.create(encodeModel(b.build()));
    const input = Float32Array.of(-8, -2, -0.5, 0.5, 3, 7);
    const got = await session.run({ input: new ort.Tensor("float32", input, [1, 6]) });
    const z = input.reduce((a, v) => a + Math.exp(v), 0);
    const f: Record<keyof typeof outs, (v: number) => number> = {
      relu: (v) => Math.max(v, 0), leaky: (v) => (v < 0 ? 0.2 * v : v), relu6: (v) => Math.min(Math.max(v, 0), 6),
      sigmoid: (v) => 1 / (1 + Math.exp(-v)), tanh: Math.tanh, hardSwish: (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6,
      identity: (v) => v, softmax: (v) => Math.exp(v) / z, logSoftmax: (v) => v - Math.log(z),
    };
    for (const [k, name] of Object.entries(outs)) {
      const y = got[name].data as Float32Array;
      input.forEach((v, i) => expect(y[i], `${k}(${v})`).toBeCloseTo(f[k as keyof typeof outs](v), 5));
    }
    await session.release();
    const b14 = new GraphBuilder({ opset: 14 });
    b14.output(b14.hardSwish(b14.input("input", ["N", 2]), { name: "hs" }));
    expect(b14.build().graph.nodes.map((n) => n.opType)).toEqual(["HardSwish"]);
  });

  it("GraphBuilder pools, grouped/dilated conv, concat, add, reshape: tracked shapes equal ORT's", async () => {
    const b = new GraphBuilder({ seed: 4 });
    let x = b.input("input", ["N", 3, 17, 15]);
    x = b.conv2d(x, { name: "c1", outChannels: 8, kernel: [3, 5], stride: [2, 1], padding: [1, 2] });
    x = b.conv2d(x, { name: "c2", outChannels: 8, kernel: 3, dilation: 2, padding: 1, groups: 4 });
    x = b.concat([x, b.maxPool(x, { name: "mp", kernel: 3, stride: 1, padding: 1 })], { name: "cat" });
    x = b.avgPool(x, { name: "ap", kernel: 2, ceilMode: true });
    x = b.maxPool(x, { name: "mp2", kernel: [2, 3], stride: 2, ceilMode: true });
    x = b.add(x, b.globalAvgPool(x, { name: "gap" }), { name: "" });
    x = b.reshape(x, { name: "r", shape: [0, 4, -1] });
    x = b.flatten(x, { name: "f", axis: -2 });
    b.output(b.softmax(x, { name: "sm", axis: -1 }), "output");
    const model = b.build({ valueInfo: true });
    const out = await run(model, 2);
    expectTrackedShapes(model, out, 2);
    expect(b.shape("output")).toEqual(["N", 96]);
  });

  it("GraphBuilder.relu(x, {name}) called twice scopes the second call relu_1; ops in a block are numbered Add_1", () => {
    const b = new GraphBuilder();
    let x = b.input("input", ["N", 2, 4, 4]);
    x = b.relu(x, { name: "block.relu" });
    x = b.relu(b.add(x, x, { name: "block" }), { name: "block.relu" });
    x = b.add(x, x, { name: "block" });
    b.output(x, "output");
    expect(b.build().graph.nodes.map((n) => n.name)).toEqual(["/block/relu/Relu", "/block/Add", "/block/relu_1/Relu", "/block/Add_1"]);
  });

  it("GraphBuilder.output(x, name) renames the computing node's output, or adds an Identity for a graph input", () => {
    const b = new GraphBuilder();
    const x = b.input("input", ["N", 3]);
    const h = b.relu(x, { name: "r" });
    expect(b.output(h, "features")).toBe("features");
    expect(b.output(b.tanh(h, { name: "t" }), "output")).toBe("output");
    expect(b.output(x, "echo")).toBe("echo");
    const m = b.build();
    expect(m.graph.nodes.map((n) => [n.name, n.inputs, n.outputs])).toEqual([
      ["/r/Relu", ["input"], ["features"]], ["/t/Tanh", ["features"], ["output"]], ["/Identity", ["input"], ["echo"]],
    ]);
    expect(m.graph.outputs.map((o) => o.name)).toEqual(["features", "output", "echo"]);
  });
});

describe("GraphBuilder errors", () => {
  const start = () => {
    const b = new GraphBuilder();
    return { b, x: b.input("input", ["N", 3, 8, 8]) };
  };

  it("GraphBuilder.dense(x, …) on a 4-D input says to flatten first, naming the layer", () => {
    const { b, x } = start();
    expect(() => b.dense(x, { name: "fc1", units: 4 }))
      .toThrow(new RangeError("dense 'fc1': expects a 2-D input [batch, features], got 'input' of shape [N, 3, 8, 8]; flatten it first (b.flatten)"));
  });

  it("GraphBuilder.conv2d(x, …) with input channels not divisible by groups names the layer and the counts", () => {
    const { b, x } = start();
    expect(() => b.conv2d(x, { name: "conv2", outChannels: 4, kernel: 3, groups: 2 }))
      .toThrow(/^conv2d 'conv2': input 'input' has 3 channels \(shape \[N, 3, 8, 8\]\), not divisible by groups=2$/);
  });

  it("GraphBuilder.relu(x, …) on an unknown value names the layer and the value", () => {
    const { b } = start();
    expect(() => b.relu("/conv9/Conv_output_0", { name: "relu3" }))
      .toThrow(/^relu 'relu3': no value named '\/conv9\/Conv_output_0' in this graph; .*last one is 'input'/);
  });

  it("GraphBuilder.conv2d(x, …) reports every bad option at once, as a TypeError when a kind is wrong", () => {
    const { b, x } = start();
    expect(() => b.conv2d(x, { name: "c", outChannels: 0, kernel: 9, stride: [1, 0] }))
      .toThrow(/^conv2d 'c': outChannels must be an integer in \[1, .*\], got 0; stride\[1\] must be .* got 0; .*kernel 9×9 .* does not fit the 8×8 input/);
    expect(() => b.conv2d(x, { name: "c", outChannels: 2, kernel: "3" as unknown as number })).toThrow(TypeError);
    expect(() => b.relu(x, {} as unknown as { name: string })).toThrow(/^relu: options.name must be a module path/);
  });

  it("GraphBuilder layers reject reused parameter names, bad reshapes, non-broadcastable adds and symbolic flattening", () => {
    const { b, x } = start();
    const y = b.conv2d(x, { name: "conv1", outChannels: 3, kernel: 1 });
    expect(() => b.conv2d(y, { name: "conv1", outChannels: 3, kernel: 1 })).toThrow(/conv2d 'conv1': parameters named 'conv1\.\*' already exist/);
    expect(() => b.reshape(x, { name: "r", shape: [-1, 10] })).toThrow(/^reshape 'r': cannot reshape \[N, 3, 8, 8\] to \[-1, 10\]/);
    expect(() => b.add(x, b.flatten(x, { name: "f" }), { name: "" })).toThrow(/^add '': cannot broadcast 'input' of shape \[N, 3, 8, 8\] with '\/f\/Flatten_output_0'/);
    expect(() => b.flatten(x, { name: "f0", axis: 0 })).toThrow(/flatten 'f0': cannot track the flattened shape/);
    expect(() => b.maxPool(x, { name: "p", kernel: 2, padding: 2 })).toThrow(/maxPool 'p': padding 2,2 must be at most half the kernel 2×2/);
    expect(() => b.dropout(x, { name: "d", rate: 1 })).toThrow(/dropout 'd': rate must be a finite number in \[0, 1\), got 1/);
    expect(() => b.build()).toThrow(/no output; mark one with b.output/);
    expect(() => new GraphBuilder({ opset: 12 })).toThrow(/^GraphBuilder: opset must be an integer in \[13, 21\], got 12$/);
  });
});

/**
 * Writes models made by GraphBuilder, with inputs and ONNX Runtime's outputs for them, for
 * scripts/check-builder.py to compare with PyTorch (run it through that script):
 *
 *   node --import tsx scripts/write-builder-models.ts OUT_DIR
 *
 * OUT_DIR/<name>/model.onnx, input.npy (float32, 3 images) and output.npy (ORT's output), for
 * seed-cnn, small-resnet (BatchNorm statistics and affine terms randomised, so they matter), mlp and
 * layers (one graph with every other layer kind).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { writeNpy } from "../src/data/npy.js";
import { mlp, seedCnn, smallResnet } from "../src/engine/onnx/architectures.js";
import { GraphBuilder } from "../src/engine/onnx/builder.js";
import { encodeModel } from "../src/engine/onnx/codec.js";
import type { ModelIR } from "../src/engine/onnx/ir.js";
import { createRng } from "../src/util/rng.js";

/** Every layer kind the architectures do not use, with non-default options. */
function layerZoo(seed: number): ModelIR {
  const b = new GraphBuilder({ seed });
  let x = b.input("input", ["N", 3, 16, 16]);
  x = b.conv2d(x, { name: "conv_a", outChannels: 8, kernel: 3, stride: 2, padding: 1 });
  x = b.leakyRelu(b.batchNorm(x, { name: "bn" }), { name: "act1", alpha: 0.1 });
  x = b.conv2d(x, { name: "conv_g", outChannels: 8, kernel: [3, 3], padding: 2, dilation: 2, groups: 4 });
  x = b.relu6(x, { name: "act2" });
  x = b.concat([b.sigmoid(x, { name: "sig" }), b.tanh(x, { name: "tanh" })], { name: "cat" });
  x = b.hardSwish(x, { name: "hs" });
  x = b.avgPool(x, { name: "avgpool", kernel: 3, stride: 2, padding: 1 });
  x = b.maxPool(x, { name: "maxpool", kernel: 3, stride: 2, ceilMode: true });
  x = b.add(x, b.identity(x, { name: "id" }), { name: "" });
  x = b.reshape(x, { name: "reshape", shape: [0, -1] });
  x = b.dense(x, { name: "fc", units: 5 });
  b.output(b.logSoftmax(x, { name: "logsoftmax" }), "output");
  return b.build();
}

/** Non-trivial BatchNorm parameters, so that a parity check exercises them. */
function randomizeBatchNorm(model: ModelIR, seed: number): void {
  const rng = createRng(seed);
  for (const t of model.graph.initializers) {
    const m = /\.(weight|bias|running_mean|running_var)$/.exec(t.name);
    const isBn = model.graph.nodes.some((n) => n.opType === "BatchNormalization" && n.inputs.slice(1).includes(t.name));
    if (!m || !isBn) continue;
    const v = new Float32Array(t.raw.buffer.slice(t.raw.byteOffset, t.raw.byteOffset + t.raw.byteLength));
    const kind = m[1];
    for (let i = 0; i < v.length; i++) {
      const u = rng.next();
      v[i] = kind === "weight" ? 0.5 + u : kind === "running_var" ? 0.5 + u : (u - 0.5) * 0.4;
    }
    t.raw = new Uint8Array(v.buffer);
  }
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error("usage: node --import tsx scripts/write-builder-models.ts OUT_DIR");
  const resnet = smallResnet({ inputShape: [1, 28, 28], classes: 10, seed: 2 });
  randomizeBatchNorm(resnet, 3);
  const zoo = layerZoo(4);
  randomizeBatchNorm(zoo, 5);
  const models: [string, ModelIR, number[]][] = [
    ["seed-cnn", seedCnn({ inputShape: [1, 28, 28], classes: 10, seed: 1 }), [1, 28, 28]],
    ["small-resnet", resnet, [1, 28, 28]],
    ["mlp", mlp({ inputShape: [3, 32, 32], classes: 7, hidden: [128, 32], seed: 6 }), [3, 32, 32]],
    ["layers", zoo, [3, 16, 16]],
  ];
  const rng = createRng(7);
  for (const [name, model, shape] of models) {
    const dir = join(out, name);
    mkdirSync(dir, { recursive: true });
    const bytes = encodeModel(model);
    writeFileSync(join(dir, "model.onnx"), bytes);
    const dims = [3, ...shape];
    const data = Float32Array.from({ length: dims.reduce((a, d) => a * d, 1) }, () => rng.next());
    const session = await ort.InferenceSession.create(bytes);
    const result = await session.run({ input: new ort.Tensor("float32", data, dims) });
    const y = result.output;
    writeNpy(join(dir, "input.npy"), { dtype: "float32", shape: dims, data });
    writeNpy(join(dir, "output.npy"), { dtype: "float32", shape: [...y.dims], data: y.data as Float32Array });
    await session.release();
    console.log(`${name}: ${model.graph.nodes.length} nodes, output [${y.dims.join(", ")}] -> ${dir}`);
  }
}

await main();

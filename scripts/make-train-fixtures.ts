/**
 * First half of the training-parity fixtures: writes the BatchNorm network (smallResnet, widths
 * [4, 8, 16], one block per stage) and a binary MLP (one sigmoid unit, for binary cross-entropy)
 * that scripts/make-train-fixtures.py then trains one step at a time in PyTorch from the same weights.
 *
 *   node --import tsx scripts/make-train-fixtures.ts && /usr/bin/python3 scripts/make-train-fixtures.py
 */
import { join } from "node:path";
import { mlp, smallResnet } from "../src/engine/onnx/architectures.js";
import { writeModel } from "../src/engine/onnx/io.js";

const OUT = join(import.meta.dirname, "..", "src", "nn", "fixtures");
writeModel(join(OUT, "small-resnet.onnx"), smallResnet({ inputShape: [1, 28, 28], classes: 10, seed: 3, widths: [4, 8, 16], blocksPerStage: 1 }));
writeModel(join(OUT, "mlp-binary.onnx"), mlp({ inputShape: [1, 28, 28], classes: 2, head: "sigmoid", hidden: [32], seed: 5 }));
console.log(`wrote ${join(OUT, "small-resnet.onnx")}, ${join(OUT, "mlp-binary.onnx")}`);

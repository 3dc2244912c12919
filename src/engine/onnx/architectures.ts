/**
 * Ready-made classifier graphs, built with {@link GraphBuilder} and named like the PyTorch modules
 * they mirror, so a model trained here and the same network exported from PyTorch list the same
 * layers. Every graph has one input "input" [N, C, H, W] (float32) and one output "output" [N, K].
 */
import { UsageError } from "../../util/errors.js";
import { type BuildOptions, GraphBuilder } from "./builder.js";
import type { ModelIR } from "./ir.js";

export interface ArchitectureOptions {
  /** One image: [channels, height, width]. */
  inputShape: readonly [number, number, number];
  /** Number of classes K. */
  classes: number;
  /** Seed of the parameter initialisation. */
  seed?: number;
  /**
   * The output layer: "softmax" (K units, the default) or "sigmoid" — the binary case, K = 2 classes
   * from one unit whose sigmoid is the probability of class 1 (Keras' Dense(1, "sigmoid")), trained
   * with binary cross-entropy.
   */
  head?: "softmax" | "sigmoid";
  /** Passed to {@link GraphBuilder.build} (metadata, value_info for intermediates …). */
  build?: BuildOptions;
}

export interface SmallResnetOptions extends ArchitectureOptions {
  /** Channels of each stage; every stage after the first halves the resolution. */
  widths?: readonly number[];
  blocksPerStage?: number;
}

export interface MlpOptions extends ArchitectureOptions {
  /** Units of each hidden layer. */
  hidden?: readonly number[];
}

export const ARCHITECTURE_DEFAULTS = {
  seed: 0,
  smallResnet: { widths: [16, 32, 64], blocksPerStage: 2 },
  mlp: { hidden: [128] },
} as const;

/**
 * The network of the feature-extraction article, as SeedCNN in scripts/make-torch-fixtures.py:
 * conv3×3(16)+ReLU twice, maxpool 2, the same again, two more conv3×3(16)+ReLU, flatten, dense 64 +
 * ReLU, dropout 0.5, dense K, softmax. The output is probabilities.
 * @example seedCnn({ inputShape: [1, 28, 28], classes: 10 }).graph.nodes.map((n) => n.name).slice(0, 3)
 * // ["/conv1/Conv", "/relu1/Relu", "/conv2/Conv"]
 */
export function seedCnn(options: ArchitectureOptions): ModelIR {
  const { b, input, classes } = start("seedCnn", options, [], 4); // two 2×2 max-pools
  let x = input;
  const convRelu = (i: number) => {
    x = b.conv2d(x, { name: `conv${i}`, outChannels: 16, kernel: 3, padding: 1 });
    x = b.relu(x, { name: `relu${i}` });
  };
  convRelu(1);
  convRelu(2);
  x = b.maxPool(x, { name: "pool1", kernel: 2 });
  convRelu(3);
  convRelu(4);
  x = b.maxPool(x, { name: "pool2", kernel: 2 });
  convRelu(5);
  convRelu(6);
  x = b.flatten(x, { name: "flatten" });
  x = b.relu(b.dense(x, { name: "fc1", units: 64 }), { name: "relu7" });
  x = b.dropout(x, { name: "dropout", rate: 0.5 });
  classifier(b, x, "fc2", classes, options.head ?? "softmax");
  return b.build(options.build);
}

/**
 * A small ResNet (He et al. 2016, "Deep Residual Learning", §3–4) for 28–64 px images, named as
 * torchvision's ResNet: a 3×3 stride-1 stem (conv1, bn1, relu) without maxpool, stages layer1… of
 * BasicBlocks (two 3×3 convs with BatchNorm; a 1×1 conv + BatchNorm "downsample" shortcut where the
 * shape changes), global average pooling, and dense K ("fc"). Convs start as torchvision's do,
 * N(0, 2/fan_out); BatchNorm at weight 1, bias 0.
 * NOTE: the output is logits (no softmax), like torchvision's ResNet; apply softmax for probabilities.
 */
export function smallResnet(options: SmallResnetOptions): ModelIR {
  const D = ARCHITECTURE_DEFAULTS.smallResnet;
  const widths = options.widths ?? D.widths;
  const blocks = options.blocksPerStage ?? D.blocksPerStage;
  const problems: string[] = [];
  if (!Array.isArray(widths) || widths.length === 0 || !widths.every((w) => Number.isInteger(w) && w > 0)) {
    problems.push(`widths must be a non-empty array of positive integers, got ${JSON.stringify(widths)}`);
  }
  if (!Number.isInteger(blocks) || blocks < 1) problems.push(`blocksPerStage must be a positive integer, got ${JSON.stringify(blocks)}`);
  const { b, input, classes } = start("smallResnet", options, problems);
  let x = b.conv2d(input, { name: "conv1", outChannels: widths[0], kernel: 3, padding: 1, bias: false, init: "he-normal-fan-out" });
  x = b.relu(b.batchNorm(x, { name: "bn1" }), { name: "relu" });
  widths.forEach((planes, stage) => {
    for (let i = 0; i < blocks; i++) x = basicBlock(b, x, `layer${stage + 1}.${i}`, planes, stage > 0 && i === 0 ? 2 : 1);
  });
  x = b.globalAvgPool(x, { name: "avgpool" });
  x = b.flatten(x, { name: "" }); // torch.flatten(x, 1) in ResNet.forward: the root-scope node "/Flatten"
  classifier(b, x, "fc", classes, options.head ?? "logits");
  return b.build(options.build);
}

/** torchvision's BasicBlock: conv-bn-relu-conv-bn, plus the (downsampled) input, then relu. */
function basicBlock(b: GraphBuilder, x: string, path: string, planes: number, stride: number): string {
  const conv = (name: string, v: string, kernel: number, s: number) =>
    b.conv2d(v, { name: `${path}.${name}`, outChannels: planes, kernel, stride: s, padding: kernel === 3 ? 1 : 0, bias: false, init: "he-normal-fan-out" });
  let y = b.batchNorm(conv("conv1", x, 3, stride), { name: `${path}.bn1` });
  y = b.relu(y, { name: `${path}.relu` });
  y = b.batchNorm(conv("conv2", y, 3, 1), { name: `${path}.bn2` });
  let shortcut = x;
  if (stride !== 1 || b.shape(x)[1] !== planes) {
    shortcut = b.batchNorm(conv("downsample.0", x, 1, stride), { name: `${path}.downsample.1` });
  }
  // The block's relu is called twice, so PyTorch scopes the second call "relu_1"; the builder does too.
  return b.relu(b.add(y, shortcut, { name: path }), { name: `${path}.relu` });
}

/**
 * A multilayer perceptron: flatten, then dense + ReLU for each hidden size (fc1/relu1, fc2/relu2 …),
 * dense K and softmax. The output is probabilities.
 */
export function mlp(options: MlpOptions): ModelIR {
  const hidden = options.hidden ?? ARCHITECTURE_DEFAULTS.mlp.hidden;
  const problems: string[] = [];
  if (!Array.isArray(hidden) || !hidden.every((h) => Number.isInteger(h) && h > 0)) {
    problems.push(`hidden must be an array of positive integers, got ${JSON.stringify(hidden)}`);
  }
  const { b, input, classes } = start("mlp", options, problems);
  let x = b.flatten(input, { name: "flatten" });
  hidden.forEach((units, i) => {
    x = b.relu(b.dense(x, { name: `fc${i + 1}`, units }), { name: `relu${i + 1}` });
  });
  classifier(b, x, `fc${hidden.length + 1}`, classes, options.head ?? "softmax");
  return b.build(options.build);
}

/** The architectures by the name `featurelens train --arch NAME` takes. */
export const ARCHITECTURES = {
  "seed-cnn": seedCnn,
  "small-resnet": smallResnet,
  mlp,
} as const satisfies Record<string, (options: ArchitectureOptions) => ModelIR>;

/** The last dense layer and the graph output: softmax probabilities, logits, or one sigmoid unit for two classes. */
function classifier(b: GraphBuilder, x: string, name: string, classes: number, head: "softmax" | "sigmoid" | "logits"): void {
  if (head === "sigmoid") {
    b.output(b.sigmoid(b.dense(x, { name, units: 1 }), { name: "sigmoid" }), "output");
    return;
  }
  const logits = b.dense(x, { name, units: classes });
  b.output(head === "softmax" ? b.softmax(logits, { name: "softmax" }) : logits, "output");
}

/**
 * Checks the common options (reporting all problems together) and declares the input. A class
 * count below 2 or images smaller than `minSide` come from the user's data (`--only`, `--size`):
 * a UsageError; anything else is a caller's mistake: a RangeError naming every problem.
 */
function start(kind: string, o: ArchitectureOptions, problems: string[] = [], minSide = 1): { b: GraphBuilder; input: string; classes: number } {
  const usage: string[] = [];
  const shape = o?.inputShape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    problems.push(`inputShape must be [channels, height, width] of positive integers, got ${JSON.stringify(shape)}`);
  } else if (shape[1] < minSide || shape[2] < minSide) {
    usage.push(`images of ${shape[1]}×${shape[2]} px are too small for its pooling, which needs at least ${minSide}×${minSide}; resize them (--size for folder sets) or use --arch small-resnet or mlp`);
  }
  const c = o?.classes;
  if (!Number.isInteger(c) || c < 0) problems.push(`classes must be an integer ≥ 2, got ${JSON.stringify(c)}`);
  else if (c < 2) usage.push(`classes: ${c} — the data has ${c === 0 ? "no classes" : "one class"}, and a classifier needs at least 2; keep two or more with --only, or use labelled data with more classes`);
  if (o?.head !== undefined && o.head !== "softmax" && o.head !== "sigmoid") problems.push(`head must be "softmax" or "sigmoid", got ${JSON.stringify(o.head)}`);
  if (o?.head === "sigmoid" && c !== 2) problems.push(`a sigmoid head is for two classes (binary cross-entropy), got ${c} classes; use the softmax head`);
  if (problems.length) throw new RangeError(`${kind}: ${[...problems, ...usage].join("; ")}`);
  if (usage.length) throw new UsageError(`${kind}: ${usage.join("; ")}`);
  const b = new GraphBuilder({ seed: o.seed ?? ARCHITECTURE_DEFAULTS.seed });
  return { b, input: b.input("input", ["N", ...shape]), classes: o.classes };
}

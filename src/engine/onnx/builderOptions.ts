/**
 * The options of {@link GraphBuilder} and of each of its layers, with every default in one place.
 */
import type { Pair } from "./builderShapes.js";
import type { WeightInit } from "./paramInit.js";

export interface GraphBuilderOptions {
  /** Seed of the parameter initialisation. */
  seed?: number;
  /** Default-domain opset, 13 (PyTorch 1.13's export) to 21; from 14 `hardSwish` is one HardSwish node. */
  opset?: number;
  graphName?: string;
}

export const GRAPH_BUILDER_DEFAULTS = { seed: 0, opset: 13, graphName: "featurelens" } as const;

/** Every layer's options name it: a module path ("conv1", "layer1.0.conv1"); "" is the root scope (`/Flatten`). */
export interface LayerOptions { name: string }
export interface Conv2dOptions extends LayerOptions {
  outChannels: number; kernel: Pair; stride?: Pair; padding?: Pair; dilation?: Pair; groups?: number; bias?: boolean; init?: WeightInit;
}
/** A fully connected layer: Gemm with transB=1, weight [units, features] like `torch.nn.Linear`. */
export interface DenseOptions extends LayerOptions { units: number; bias?: boolean; init?: WeightInit }
export interface LeakyReluOptions extends LayerOptions { alpha?: number }
/** `stride` defaults to `kernel`, as in `torch.nn.MaxPool2d`. */
export interface PoolOptions extends LayerOptions { kernel: Pair; stride?: Pair; padding?: Pair; ceilMode?: boolean }
export interface AvgPoolOptions extends PoolOptions { countIncludePad?: boolean }
/** `momentum` in ONNX's sense: running = running·momentum + batch·(1 − momentum); PyTorch's 0.1 is ONNX's 0.9. */
export interface BatchNormOptions extends LayerOptions { epsilon?: number; momentum?: number }
export interface DropoutOptions extends LayerOptions { rate: number }
export interface AxisOptions extends LayerOptions { axis?: number }
/** ONNX Reshape semantics: 0 copies the input's size at that position, −1 is inferred. */
export interface ReshapeOptions extends LayerOptions { shape: number[] }

/** The defaults of every layer option, in one place. */
export const LAYER_DEFAULTS = {
  conv2d: { stride: 1, padding: 0, dilation: 1, groups: 1, bias: true, init: "torch" },
  dense: { bias: true, init: "torch" },
  leakyRelu: { alpha: 0.01 },
  pool: { padding: 0, ceilMode: false, countIncludePad: true },
  batchNorm: { epsilon: 1e-5, momentum: 0.9 },
  flatten: { axis: 1 },
  softmax: { axis: 1 },
  concat: { axis: 1 },
} as const;

export interface BuildOptions {
  metadata?: Record<string, string>;
  docString?: string;
  producerVersion?: string;
  /** Also write value_info with the tracked shape of every intermediate value (PyTorch writes none). */
  valueInfo?: boolean;
}

import { type GradCase, uniform } from "./gradCheck.testutil.js";
import { batchStatisticsNormRule } from "./norm.js";

/**
 * Gradient-check cases for layer ops. Conv, ConvTranspose and AveragePool have no float64 kernel in
 * ORT, so they run in float32; they are linear in each input, so a large step (0.5) keeps the
 * float32 rounding of the loss small next to the difference it measures.
 */
const linear32 = { dtype: "float32", eps: 0.5, tol: 1e-5 } as const;

export const LAYER_CASES: GradCase[] = [
  {
    name: "Gemm(transA, transB, alpha 0.7, beta 1.3, C broadcast [4])", op: "Gemm", dtype: "float64",
    build: (c) => c.op("Gemm", [c.input("A", [3, 2]), c.input("B", [4, 3]), c.input("C", [4])], { transA: 1, transB: 1, alpha: { float: 0.7 }, beta: { float: 1.3 } }),
  },
  {
    name: "Gemm(plain, C [2, 4])", op: "Gemm", dtype: "float64",
    build: (c) => c.op("Gemm", [c.input("A", [2, 3]), c.input("B", [3, 4]), c.input("C", [2, 4])]),
  },
  {
    name: "MatMul(batched [2, 3, 4] · [4, 5])", op: "MatMul", dtype: "float64",
    build: (c) => c.op("MatMul", [c.input("A", [2, 3, 4]), c.input("B", [4, 5])]),
  },
  {
    name: "Conv(group 1, stride 2, pads 1, dilation 2)", op: "Conv", ...linear32,
    build: (c) => c.op("Conv", [c.input("X", [2, 3, 7, 7]), c.input("W", [4, 3, 3, 3]), c.input("B", [4])], { strides: [2, 2], pads: [1, 1, 1, 1], dilations: [2, 2] }),
  },
  {
    name: "Conv(group 1, stride 2, pads 1, odd size: the phase-split weight gradient)", op: "Conv", ...linear32,
    build: (c) => c.op("Conv", [c.input("X", [2, 3, 7, 7]), c.input("W", [4, 3, 3, 3]), c.input("B", [4])], { strides: [2, 2], pads: [1, 1, 1, 1] }),
  },
  {
    name: "Conv(1×1, stride 2)", op: "Conv", ...linear32,
    build: (c) => c.op("Conv", [c.input("X", [2, 3, 6, 6]), c.input("W", [4, 3, 1, 1])], { strides: [2, 2] }),
  },
  {
    name: "Conv(2×4 kernel, strides [3, 2], asymmetric pads)", op: "Conv", ...linear32,
    build: (c) => c.op("Conv", [c.input("X", [2, 2, 8, 9]), c.input("W", [3, 2, 2, 4])], { strides: [3, 2], pads: [0, 1, 2, 0] }),
  },
  {
    name: "Conv(stride 1, pads larger than the kernel)", op: "Conv", ...linear32,
    build: (c) => c.op("Conv", [c.input("X", [1, 2, 5, 5]), c.input("W", [3, 2, 3, 3])], { pads: [2, 2, 2, 2] }),
  },
  {
    name: "Conv(group 2, stride 2, asymmetric pads)", op: "Conv", ...linear32,
    build: (c) => c.op("Conv", [c.input("X", [2, 4, 6, 6]), c.input("W", [6, 2, 3, 3]), c.input("B", [6])], { group: 2, strides: [2, 2], pads: [1, 0, 0, 1] }),
  },
  {
    name: "Conv(group 4)", op: "Conv", ...linear32,
    build: (c) => c.op("Conv", [c.input("X", [2, 8, 5, 5]), c.input("W", [4, 2, 3, 3])], { group: 4, pads: [1, 1, 1, 1] }),
  },
  {
    name: "Conv(depthwise, group 3)", op: "Conv", ...linear32,
    build: (c) => c.op("Conv", [c.input("X", [2, 3, 5, 5]), c.input("W", [3, 1, 3, 3]), c.input("B", [3])], { group: 3, pads: [1, 1, 1, 1] }),
  },
  {
    name: "Conv(depthwise multiplier 2, stride 2, dilation 2)", op: "Conv", ...linear32,
    build: (c) => c.op("Conv", [c.input("X", [2, 3, 6, 6]), c.input("W", [6, 1, 3, 3])], { group: 3, strides: [2, 2], pads: [2, 2, 2, 2], dilations: [2, 2] }),
  },
  {
    name: "ConvTranspose(stride 2, pads 1, output_padding 1)", op: "ConvTranspose", ...linear32,
    build: (c) => c.op("ConvTranspose", [c.input("X", [2, 3, 3, 3]), c.input("W", [3, 2, 3, 3]), c.input("B", [2])], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }),
  },
  {
    name: "ConvTranspose(group 2)", op: "ConvTranspose", ...linear32,
    build: (c) => c.op("ConvTranspose", [c.input("X", [1, 4, 3, 3]), c.input("W", [4, 1, 2, 2])], { group: 2, strides: [2, 2] }),
  },
  {
    // random values: no ties, and the step (1e-6) is far below the gaps between window values
    name: "MaxPool(3×3, stride 2, pads 1, overlapping windows)", op: "MaxPool", dtype: "float64",
    build: (c) => c.op("MaxPool", [c.input("X", [2, 2, 5, 5])], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
  },
  {
    // windows that tile the input, as the seed CNN's pools
    name: "MaxPool(2×2, stride 2, tiling windows)", op: "MaxPool", dtype: "float64",
    build: (c) => c.op("MaxPool", [c.input("X", [2, 3, 4, 6])], { kernel_shape: [2, 2], strides: [2, 2] }),
  },
  {
    name: "GlobalAveragePool", op: "GlobalAveragePool", ...linear32,
    build: (c) => c.op("GlobalAveragePool", [c.input("X", [2, 3, 4, 4])]),
  },
  {
    name: "AveragePool(3×3, stride 2, pads 1, count_include_pad 0)", op: "AveragePool", ...linear32,
    build: (c) => c.op("AveragePool", [c.input("X", [2, 2, 6, 6])], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
  },
  {
    name: "AveragePool(3×3, stride 2, pads 1, count_include_pad 1)", op: "AveragePool", ...linear32,
    build: (c) => c.op("AveragePool", [c.input("X", [2, 2, 6, 6])], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }),
  },
  {
    name: "AveragePool(2×2, stride 2, odd size)", op: "AveragePool", ...linear32,
    build: (c) => c.op("AveragePool", [c.input("X", [1, 2, 5, 5])], { kernel_shape: [2, 2], strides: [2, 2] }),
  },
  {
    name: "Softmax(axis 1 of [2, 4, 3])", op: "Softmax", dtype: "float64",
    build: (c) => c.op("Softmax", [c.input("X", [2, 4, 3], uniform(-2, 2))], { axis: 1 }),
  },
  {
    name: "Softmax(default axis)", op: "Softmax", dtype: "float64",
    build: (c) => c.op("Softmax", [c.input("X", [2, 5], uniform(-2, 2))]),
  },
  {
    name: "LogSoftmax(axis 1 of [2, 4, 3])", op: "LogSoftmax", dtype: "float64",
    build: (c) => c.op("LogSoftmax", [c.input("X", [2, 4, 3], uniform(-2, 2))], { axis: 1 }),
  },
  {
    name: "ReduceMean(axes [2, 3] attribute, keepdims 0)", op: "ReduceMean", dtype: "float64",
    build: (c) => c.op("ReduceMean", [c.input("X", [2, 3, 4, 2])], { axes: [2, 3], keepdims: 0 }),
  },
  {
    name: "ReduceMean(axes [-3] attribute, keepdims 1)", op: "ReduceMean", dtype: "float64",
    build: (c) => c.op("ReduceMean", [c.input("X", [2, 3, 4, 2])], { axes: [-3] }),
  },
  {
    name: "ReduceMean(all axes, keepdims 0)", op: "ReduceMean", dtype: "float64",
    build: (c) => c.op("ReduceMean", [c.input("X", [2, 3, 4])], { keepdims: 0 }),
  },
  {
    name: "ReduceSum(axes input [-1], keepdims 0)", op: "ReduceSum", dtype: "float64",
    build: (c) => c.op("ReduceSum", [c.input("X", [2, 3, 4]), c.ints("axes", [-1])], { keepdims: 0 }),
  },
  {
    name: "ReduceSum(axes input [0, 2], keepdims 1)", op: "ReduceSum", dtype: "float64",
    build: (c) => c.op("ReduceSum", [c.input("X", [2, 3, 4]), c.ints("axes", [0, 2])]),
  },
  {
    name: "ReduceSum(no axes, noop_with_empty_axes 1)", op: "ReduceSum", dtype: "float64",
    build: (c) => c.op("ReduceSum", [c.input("X", [2, 3, 4])], { noop_with_empty_axes: 1 }),
  },
  {
    name: "ReduceSum(no axes, keepdims 0)", op: "ReduceSum", dtype: "float64",
    build: (c) => c.op("ReduceSum", [c.input("X", [2, 3, 4])], { keepdims: 0 }),
  },
  {
    name: "BatchNormalization(inference, every input differentiated)", op: "BatchNormalization", dtype: "float64",
    build: (c) => {
      const ins = [c.input("X", [2, 3, 4, 4]), c.input("scale", [3]), c.input("B", [3]), c.input("mean", [3]), c.input("var", [3], uniform(0.5, 2))];
      return c.op("BatchNormalization", ins, { epsilon: { float: 1e-3 } });
    },
  },
  {
    // The trainer's form of training-mode BatchNormalization: the batch's statistics computed in
    // the graph and fed in; batchStatisticsNormRule differentiates through them in closed form.
    name: "BatchNormalization(batch statistics: batchStatisticsNormRule)", op: "BatchNormalization", dtype: "float64",
    build: (c) => {
      const x = c.input("X", [3, 2, 3, 2], uniform(-2, 3));
      const axes = { axes: [0, 2, 3], keepdims: 1 };
      const mu = c.op("ReduceMean", [x], axes);
      const xc = c.op("Sub", [x, mu]);
      const flat = c.ints("flat", [-1]);
      const variance = c.op("Reshape", [c.op("ReduceMean", [c.op("Mul", [xc, xc])], axes), flat]);
      return c.op("BatchNormalization", [x, c.input("scale", [2]), c.input("B", [2]), c.op("Reshape", [mu, flat]), variance], { epsilon: { float: 1e-3 } });
    },
    overrides: (graph) => new Map(graph.nodes.filter((n) => n.opType === "BatchNormalization").map((n) => [n.name, batchStatisticsNormRule])),
  },
  {
    name: "BatchNormalization(inference, [N, C], frozen statistics)", op: "BatchNormalization", dtype: "float64",
    build: (c) => {
      const ins = [c.input("X", [4, 3]), c.input("scale", [3]), c.input("B", [3]), c.floats("mean", [3], [0.1, -0.2, 0.3]), c.floats("var", [3], [0.5, 1, 2])];
      return c.op("BatchNormalization", ins);
    },
  },
  {
    // a fresh session per run draws the same mask from the seed
    name: "Dropout(training, ratio 0.3)", op: "Dropout", dtype: "float64", freshSession: true,
    build: (c) => c.op("Dropout", [c.input("X", [2, 3, 4]), c.floats("ratio", [], [0.3]), c.bool("training", true)], { seed: 7 }),
  },
  {
    name: "Dropout(training_mode computed in the graph)", op: "Dropout", dtype: "float64", freshSession: true,
    build: (c) => {
      const training = c.op("Greater", [c.floats("one", [], [1]), c.floats("zero", [], [0])]);
      return c.op("Dropout", [c.input("X", [2, 3, 4]), c.floats("ratio", [], [0.5]), training], { seed: 3 });
    },
  },
  {
    name: "Dropout(inference: no training_mode)", op: "Dropout", dtype: "float64",
    build: (c) => c.op("Dropout", [c.input("X", [2, 3, 4]), c.floats("ratio", [], [0.3])]),
  },
];

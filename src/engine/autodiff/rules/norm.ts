import { DataType, intAttr } from "../../onnx/ir.js";
import type { GradRule } from "../types.js";
import { channelCount, constantNumbers, numberAttr } from "./constants.js";

export const NORM_RULES: Record<string, GradRule> = {
  /**
   * BatchNormalization in inference mode, y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + ε) and μ, σ² the
   * stored statistics (Ioffe & Szegedy 2015, Alg. 2, frozen for fine-tuning): dx = dy·γ/√(σ² + ε),
   * dγ = Σ dy·x̂, dβ = Σ dy, dμ = −Σ dy·γ/√(σ² + ε), dσ² = −½·γ/(σ² + ε)·Σ dy·x̂ (sums over all axes but C).
   * NOTE: in training mode the statistics depend on x: the trainer feeds the batch's statistics
   * in and differentiates the node with {@link batchStatisticsNormRule} instead.
   */
  BatchNormalization: (g) => {
    const outputs = g.node.outputs.filter((o) => o).length;
    if (intAttr(g.node, "training_mode", 0) === 1 || outputs > 1) {
      throw new RangeError(
        `BatchNormalization node '${g.node.name}' is in training mode; the trainer rewrites such nodes to normalise by the batch's statistics and differentiates them with batchStatisticsNormRule, not this rule`,
      );
    }
    const [x, scale, mean, variance] = [g.I(0), g.I(1), g.I(3), g.I(4)];
    const dy = g.GO(0)!;
    const rank = g.shape(x).length;
    const axes = g.ints([0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)]);
    const perChannel = (v: string) => g.op("Reshape", [v, g.ints([-1, ...Array<number>(rank - 2).fill(1)])]);
    const sum = (v: string) => g.op("ReduceSum", [v, axes], { keepdims: 0 });
    const inv = g.op("Reciprocal", [g.op("Sqrt", [g.op("Add", [variance, g.scalar(numberAttr(g.node, "epsilon", 1e-5))])])]);
    const gain = g.op("Mul", [scale, inv]); // γ/√(σ² + ε)
    const needXhat = g.needs(1) || g.needs(4);
    const dyXhat = needXhat ? sum(g.op("Mul", [dy, g.op("Mul", [g.op("Sub", [x, perChannel(mean)]), perChannel(inv)])])) : "";
    const dyTotal = g.needs(2) || g.needs(3) ? sum(dy) : "";
    return [
      g.needs(0) ? g.op("Mul", [dy, perChannel(gain)]) : null,
      g.needs(1) ? dyXhat : null,
      g.needs(2) ? dyTotal : null,
      g.needs(3) ? g.op("Neg", [g.op("Mul", [dyTotal, gain])]) : null,
      g.needs(4) ? g.op("Mul", [dyXhat, g.op("Mul", [gain, g.op("Mul", [inv, g.scalar(-0.5)])])]) : null,
    ];
  },
  /**
   * Dropout (Srivastava et al. 2014, inverted scaling as ONNX specifies): in training mode
   * y = x·mask/(1 − ratio), so dx = dy/(1 − ratio) where the mask (output 1, added to the node if
   * absent) kept x, else 0. Without training_mode, or with it constant false, Dropout is the identity.
   * A training_mode computed at run time selects between the two with a ratio of 0.
   */
  Dropout: (g) => {
    const rest = g.node.inputs.slice(1).map(() => null); // ratio and training_mode are not differentiable here
    const training = g.I(2);
    const flag = training ? constantNumbers(g, training) : [0];
    const dy = g.GO(0)!;
    if (flag && flag[0] === 0) return [dy, ...rest];
    let ratio = g.I(1) || g.scalar(0.5);
    if (!flag) ratio = g.op("Where", [training, ratio, g.scalar(0)]);
    const scaled = g.op("Div", [dy, g.op("Sub", [g.scalar(1), ratio])]);
    return [g.op("Where", [g.O(1), scaled, g.scalar(0)]), ...rest];
  },
};

/**
 * The gradient of BatchNormalization in training mode (Ioffe & Szegedy 2015, §3), for a node in
 * inference form whose mean and variance inputs are the batch's own statistics of x (biased
 * variance), as the trainer emits it: with x̂ = (x − μ)/√(σ² + ε) and M values per channel,
 *   dx = γ/√(σ² + ε) · (dy − Σdy/M − x̂ · Σ(dy·x̂)/M),  dγ = Σ dy·x̂,  dβ = Σ dy,
 * which already accounts for μ and σ² depending on x, so the statistics get no gradient.
 * Each full-size step is itself a BatchNormalization (a per-channel affine map, one fast pass in
 * onnxruntime): x̂, γ/√(σ² + ε)·dy − γ/√(σ² + ε)·Σdy/M, and −γ/√(σ² + ε)·Σ(dy·x̂)/M · x̂.
 */
export const batchStatisticsNormRule: GradRule = (g) => {
  const [x, scale, , mean, variance] = [g.I(0), g.I(1), g.I(2), g.I(3), g.I(4)];
  const dy = g.GO(0)!;
  const rank = g.shape(x).length;
  const axes = g.ints([0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2)]);
  const eps = numberAttr(g.node, "epsilon", 1e-5);
  const zeros = g.op("Mul", [scale, g.scalar(0)]);
  const ones = g.op("Add", [zeros, g.scalar(1)]);
  const affine = (v: string, a: string, b: string, mu: string, vr: string, epsilon: number) =>
    g.op("BatchNormalization", [v, a, b, mu, vr], { epsilon: { float: epsilon } });
  const xhat = affine(x, ones, zeros, mean, variance, eps);
  const sumDy = g.op("ReduceSum", [dy, axes], { keepdims: 0 });
  const sumDyXhat = g.op("ReduceSum", [g.op("Mul", [dy, xhat]), axes], { keepdims: 0 });
  const channels = channelCount(g, x);
  const perChannel = g.op("Div", [g.op("Cast", [g.op("Size", [dy])], { to: DataType.FLOAT }), g.scalar(channels)]); // M
  const gain = g.op("Div", [scale, g.op("Sqrt", [g.op("Add", [variance, g.scalar(eps)])])]); // γ/√(σ² + ε)
  const negGainOverM = g.op("Neg", [g.op("Div", [gain, perChannel])]);
  const centred = affine(dy, gain, g.op("Mul", [negGainOverM, sumDy]), zeros, ones, 0); // γ/√(σ²+ε)·(dy − Σdy/M)
  const dx = g.needs(0) ? g.op("Add", [centred, affine(x, g.op("Mul", [negGainOverM, sumDyXhat]), zeros, mean, variance, eps)]) : null;
  return [dx, g.needs(1) ? sumDyXhat : null, g.needs(2) ? sumDy : null, null, null];
};

/**
 * Seeded parameter initialisation, as PyTorch does it, for the layers {@link GraphBuilder} makes
 * (and for re-initialising a head before transfer learning).
 */
import type { Rng } from "../../util/rng.js";

/**
 * How a conv or dense weight starts:
 * - `"torch"`: PyTorch's default for `nn.Conv2d` and `nn.Linear`, U(−1/√fan_in, 1/√fan_in);
 * - `"he-normal-fan-out"`: N(0, 2/fan_out), what torchvision's ResNet uses for its convs
 *   (`kaiming_normal_(mode="fan_out", nonlinearity="relu")`).
 */
export type WeightInit = "torch" | "he-normal-fan-out";

export const WEIGHT_INITS: readonly WeightInit[] = ["torch", "he-normal-fan-out"];

/** fan_in and fan_out of a weight shaped [out, in, ...kernel] (torch.nn.init._calculate_fan_in_and_fan_out). */
export function fans(dims: readonly number[]): { fanIn: number; fanOut: number } {
  const receptive = dims.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: dims[1] * receptive, fanOut: dims[0] * receptive };
}

/**
 * The bound b of PyTorch's default weight init U(−b, b): `kaiming_uniform_(w, a=√5)` draws from
 * U(−gain·√(3/fan_in), +…) with gain = √(2/(1+a²)) = √(1/3), so b = 1/√fan_in
 * (torch/nn/modules/conv.py `_ConvNd.reset_parameters`, torch/nn/init.py `kaiming_uniform_`;
 * He et al. 2015, "Delving Deep into Rectifiers", §2.2). The default bias bound is the same.
 * @example torchDefaultBound(16 * 3 * 3) // 0.08333333333333333
 */
export function torchDefaultBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}

/** n draws from U(−bound, bound). */
export function uniform(n: number, bound: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * rng.next() - 1) * bound;
  return out;
}

/** n draws from N(0, std²) by the Box–Muller transform (Box & Muller 1958). */
export function normal(n: number, std: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rng.next(); // (0, 1]: log(u) is finite
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    const t = 2 * Math.PI * rng.next();
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/** A weight shaped `dims` ([out, in, ...kernel]), drawn as `init` says. */
export function initWeight(dims: readonly number[], init: WeightInit, rng: Rng): Float32Array {
  const n = dims.reduce((a, b) => a * b, 1);
  const { fanIn, fanOut } = fans(dims);
  // He et al. 2015, eq. 14 (backward-pass form): std = √(2/fan_out).
  if (init === "he-normal-fan-out") return normal(n, Math.sqrt(2 / fanOut), rng);
  return uniform(n, torchDefaultBound(fanIn), rng);
}

/** A bias of `n` values for a weight with this fan_in: U(−1/√fan_in, 1/√fan_in), as PyTorch does. */
export function initBias(n: number, fanIn: number, rng: Rng): Float32Array {
  return uniform(n, torchDefaultBound(fanIn), rng);
}

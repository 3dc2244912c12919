import { intAttr } from "../../onnx/ir.js";
import type { GradContext, GradRule } from "../types.js";
import { untrainable } from "./untrainable.js";

/** A Gemm (2-D) with the given transposes and alpha. */
function gemm(g: GradContext, a: string, b: string, transA: number, transB: number, alpha: number): string {
  const attrs: Record<string, number | { float: number }> = { transA, transB };
  if (alpha !== 1) attrs.alpha = { float: alpha };
  return g.op("Gemm", [a, b], attrs);
}

/** Swaps the last two axes of a value of the given rank. */
function swapLast(g: GradContext, x: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return g.op("Transpose", [x], { perm });
}

export const MATMUL_RULES: Record<string, GradRule> = {
  // Y = α·op(A)·op(B) + β·C (Gemm spec); each case below is dY pushed through the transposes.
  Gemm: (g) => {
    const ta = intAttr(g.node, "transA", 0);
    const tb = intAttr(g.node, "transB", 0);
    const alpha = (g.node.attributes.find((a) => a.name === "alpha")?.value as { value: number } | undefined)?.value ?? 1;
    const beta = (g.node.attributes.find((a) => a.name === "beta")?.value as { value: number } | undefined)?.value ?? 1;
    const dy = g.GO(0)!;
    const [A, B] = [g.I(0), g.I(1)];
    let dA: string | null = null;
    let dB: string | null = null;
    if (g.needs(0)) dA = ta ? gemm(g, B, dy, tb, 1, alpha) : gemm(g, dy, B, 0, tb ? 0 : 1, alpha);
    if (g.needs(1)) dB = tb ? gemm(g, dy, A, 1, ta, alpha) : gemm(g, A, dy, ta ? 0 : 1, 0, alpha);
    let dC: string | null = null;
    if (g.I(2) && g.needs(2)) dC = g.sumToShape(beta === 1 ? dy : g.op("Mul", [dy, g.scalar(beta)]), g.I(2));
    return [dA, dB, dC];
  },
  // Y = A·B (numpy matmul, rank ≥ 2): dA = dY·Bᵀ, dB = Aᵀ·dY, summed over broadcast batch axes.
  MatMul: (g) => {
    const ra = g.shape(g.I(0)).length;
    const rb = g.shape(g.I(1)).length;
    if (ra < 2 || rb < 2) throw untrainable(g.node, `its gradient needs inputs of rank ≥ 2, got ranks ${ra} and ${rb}`, "export it with 2-D operands (unsqueeze a vector first)");
    const dy = g.GO(0)!;
    return [
      g.needs(0) ? g.sumToShape(g.op("MatMul", [dy, swapLast(g, g.I(1), rb)]), g.I(0)) : null,
      g.needs(1) ? g.sumToShape(g.op("MatMul", [swapLast(g, g.I(0), ra), dy]), g.I(1)) : null,
    ];
  },
};

import type { Emitter } from "../engine/autodiff/emit.js";

/**
 * Optimizer steps emitted as ONNX ops, one update per parameter, matching torch.optim's formulas
 * (SGD with momentum/Nesterov, Adam — Kingma & Ba 2015, Alg. 1 — and AdamW — Loshchilov & Hutter
 * 2019, Alg. 2). The learning rate and Adam's bias corrections are graph inputs set each step.
 */
export type OptimizerSpec =
  | { kind: "sgd"; momentum: number; nesterov: boolean; weightDecay: number }
  | { kind: "adam" | "adamw"; beta1: number; beta2: number; eps: number; weightDecay: number };

export const OPTIMIZER_DEFAULTS = {
  sgd: { kind: "sgd", momentum: 0.9, nesterov: false, weightDecay: 0 },
  adam: { kind: "adam", beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 },
  adamw: { kind: "adamw", beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 },
} as const satisfies Record<string, OptimizerSpec>;

/** Per-parameter optimizer state slots, by optimizer. */
export function stateSlots(spec: OptimizerSpec): string[] {
  if (spec.kind === "sgd") return spec.momentum > 0 ? ["momentum"] : [];
  return ["m", "v"];
}

/** Names of the scalar inputs the step needs each iteration. */
export const STEP_INPUTS = { lr: "train/lr", biasCorrection1: "train/bias_correction1", biasCorrection2: "train/bias_correction2" } as const;

/**
 * Emits the update of one parameter (or of all, concatenated into one flat buffer); returns the
 * new parameter and new state values, in `stateSlots` order.
 */
export function emitUpdate(em: Emitter, spec: OptimizerSpec, param: string, grad: string, state: string[], scope = `/optim/${param}`): { param: string; state: string[] } {
  const op = (type: string, inputs: string[]) => em.op(scope, type, inputs);
  const k = (v: number) => em.scalar(scope, v);
  const lr = STEP_INPUTS.lr;
  if (spec.kind === "sgd") {
    const g = spec.weightDecay > 0 ? op("Add", [grad, op("Mul", [param, k(spec.weightDecay)])]) : grad;
    if (spec.momentum === 0) return { param: op("Sub", [param, op("Mul", [g, lr])]), state: [] };
    const buf = op("Add", [op("Mul", [state[0], k(spec.momentum)]), g]);
    const step = spec.nesterov ? op("Add", [g, op("Mul", [buf, k(spec.momentum)])]) : buf;
    return { param: op("Sub", [param, op("Mul", [step, lr])]), state: [buf] };
  }
  const decoupled = spec.kind === "adamw";
  const g = !decoupled && spec.weightDecay > 0 ? op("Add", [grad, op("Mul", [param, k(spec.weightDecay)])]) : grad;
  const m = op("Add", [op("Mul", [state[0], k(spec.beta1)]), op("Mul", [g, k(1 - spec.beta1)])]);
  const v = op("Add", [op("Mul", [state[1], k(spec.beta2)]), op("Mul", [op("Mul", [g, g]), k(1 - spec.beta2)])]);
  const mHat = op("Mul", [m, STEP_INPUTS.biasCorrection1]);
  const denom = op("Add", [op("Sqrt", [op("Mul", [v, STEP_INPUTS.biasCorrection2])]), k(spec.eps)]);
  const base = decoupled && spec.weightDecay > 0 ? op("Mul", [param, op("Sub", [k(1), op("Mul", [lr, k(spec.weightDecay)])])]) : param;
  return { param: op("Sub", [base, op("Mul", [op("Div", [mHat, denom]), lr])]), state: [m, v] };
}

/** Adam's bias corrections 1/(1−β₁ᵗ) and 1/(1−β₂ᵗ) for step t (1-based). */
export function biasCorrections(spec: OptimizerSpec, t: number): [number, number] {
  if (spec.kind === "sgd") return [1, 1];
  return [1 / (1 - spec.beta1 ** t), 1 / (1 - spec.beta2 ** t)];
}

/** Learning-rate schedules (per step): constant, step decay, cosine (Loshchilov & Hutter 2017), each with linear warm-up. */
export type Schedule =
  | { kind: "constant"; warmupSteps?: number }
  | { kind: "step"; everySteps: number; gamma: number; warmupSteps?: number }
  | { kind: "cosine"; totalSteps: number; minFactor?: number; warmupSteps?: number };

/** The learning rate at step t (0-based). */
export function learningRate(base: number, s: Schedule, t: number): number {
  const warm = s.warmupSteps ?? 0;
  if (t < warm) return (base * (t + 1)) / warm;
  if (s.kind === "constant") return base;
  if (s.kind === "step") return base * s.gamma ** Math.floor(t / s.everySteps);
  const min = s.minFactor ?? 0;
  const p = Math.min(1, (t - warm) / Math.max(1, s.totalSteps - warm));
  return base * (min + (1 - min) * 0.5 * (1 + Math.cos(Math.PI * p)));
}

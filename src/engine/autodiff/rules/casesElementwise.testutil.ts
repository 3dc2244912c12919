import type { AttrInput } from "../emit.js";
import { awayFrom, type Draw, type GradCase, uniform } from "./gradCheck.testutil.js";

/**
 * Gradient-check cases for elementwise ops (see gradCheck.testutil.ts). Inputs avoid each op's
 * kinks by more than the finite-difference step.
 */

/** Y = op(X) for X [2, 3, 4] drawn from `draw`. */
export const unary = (name: string, op: string, draw: Draw, attrs: Record<string, AttrInput> = {}, more: Partial<GradCase> = {}): GradCase => ({
  name, op, dtype: "float64", build: (c) => c.op(op, [c.input("X", [2, 3, 4], draw)], attrs), ...more,
});

/** Y = op(A, B) with A [2, 3, 4] and B of shape `bDims` (broadcast). */
const binary = (name: string, op: string, bDims: number[], bDraw: Draw = uniform(-1, 1)): GradCase => ({
  name, op, dtype: "float64", build: (c) => c.op(op, [c.input("A", [2, 3, 4]), c.input("B", bDims, bDraw)]),
});

const notZero = awayFrom(-2, 2, [0], 0.1);

export const ELEMENTWISE_CASES: GradCase[] = [
  unary("Relu", "Relu", notZero),
  unary("Identity", "Identity", uniform(-1, 1)),
  unary("Neg", "Neg", uniform(-1, 1)),
  binary("Add(broadcast [3, 1])", "Add", [3, 1]),
  binary("Sub(broadcast [4])", "Sub", [4]),
  binary("Mul(broadcast [2, 1, 4])", "Mul", [2, 1, 4]),
  binary("Div(broadcast [3, 1])", "Div", [3, 1], awayFrom(-2, 2, [0], 0.5)),
  unary("Sqrt", "Sqrt", uniform(0.5, 2)),
  {
    name: "Sum(3 inputs, broadcast)", op: "Sum", dtype: "float64",
    build: (c) => c.op("Sum", [c.input("A", [2, 3]), c.input("B", [3]), c.input("C", [2, 1])]),
  },
  unary("LeakyRelu(alpha 0.1)", "LeakyRelu", notZero, { alpha: { float: 0.1 } }),
  {
    name: "Clip(min/max as differentiated inputs)", op: "Clip", dtype: "float64",
    build: (c) => c.op("Clip", [c.input("X", [2, 3, 4], awayFrom(-1, 7, [0, 6], 0.15)), c.input("min", [], uniform(-0.05, 0.05)), c.input("max", [], uniform(5.95, 6.05))]),
  },
  {
    name: "Clip(ReLU6, bounds in Constant nodes)", op: "Clip", dtype: "float64",
    build: (c) => {
      const bound = (v: number) => c.op("Constant", [], { value: { tensor: { name: "", dataType: 1, dims: [], raw: new Uint8Array(Float32Array.of(v).buffer) } } });
      return c.op("Clip", [c.input("X", [2, 3, 4], awayFrom(-1, 7, [0, 6])), bound(0), bound(6)]);
    },
  },
  unary("Clip(min/max attributes, opset 10)", "Clip", awayFrom(-1, 7, [0, 6]), { min: { float: 0 }, max: { float: 6 } }, { dtype: "float32", opset: 10, eps: 0.05 }),
  {
    name: "Clip(min only)", op: "Clip", dtype: "float64",
    build: (c) => c.op("Clip", [c.input("X", [2, 3, 4], awayFrom(-2, 2, [0.5])), c.floats("min", [], [0.5])]),
  },
  unary("Sigmoid", "Sigmoid", uniform(-2, 2)),
  unary("Tanh", "Tanh", uniform(-2, 2)),
  // No float64 kernels for these four in ORT. HardSigmoid (kinks where 0.25x + 0.4 is 0 or 1) and
  // HardSwish are piecewise linear or quadratic, where central differences are exact: a step of 0.05.
  unary("HardSigmoid(alpha 0.25, beta 0.4)", "HardSigmoid", awayFrom(-3, 3.5, [-1.6, 2.4]), { alpha: { float: 0.25 }, beta: { float: 0.4 } }, { dtype: "float32", eps: 0.05 }),
  unary("HardSwish", "HardSwish", awayFrom(-5, 5, [-3, 3]), {}, { dtype: "float32", eps: 0.05 }),
  unary("Elu(alpha 1.5)", "Elu", notZero, { alpha: { float: 1.5 } }, { dtype: "float32" }),
  unary("Exp", "Exp", uniform(-1, 1)),
  unary("Log", "Log", uniform(0.5, 2)),
  unary("Reciprocal", "Reciprocal", awayFrom(-2, 2, [0], 0.5)),
  unary("Abs", "Abs", notZero),
  unary("Erf", "Erf", uniform(-1.5, 1.5), {}, { dtype: "float32" }),
  {
    name: "Pow(constant exponent 2.5)", op: "Pow", dtype: "float64",
    build: (c) => c.op("Pow", [c.input("A", [2, 3, 4], uniform(0.5, 2)), c.floats("B", [], [2.5])]),
  },
  {
    name: "Pow(int64 constant exponent 3)", op: "Pow", dtype: "float64",
    build: (c) => c.op("Pow", [c.input("A", [2, 3, 4], uniform(-2, 2)), c.ints("B", [3], [])]),
  },
  {
    name: "Pow(differentiated exponent, broadcast)", op: "Pow", dtype: "float64",
    build: (c) => c.op("Pow", [c.input("A", [2, 3], uniform(0.5, 2)), c.input("B", [3], uniform(-1, 2))]),
  },
  unary("Cast(float to float)", "Cast", uniform(-1, 1), { to: 1 }),
];

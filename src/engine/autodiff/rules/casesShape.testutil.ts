import type { GradCase } from "./gradCheck.testutil.js";

/** Gradient-check cases for ops that move, cut, join or pick elements. */
export const SHAPE_CASES: GradCase[] = [
  {
    name: "Flatten(axis 2)", op: "Flatten", dtype: "float64",
    build: (c) => c.op("Flatten", [c.input("X", [2, 3, 2, 2])], { axis: 2 }),
  },
  {
    name: "Reshape([4, -1])", op: "Reshape", dtype: "float64",
    build: (c) => c.op("Reshape", [c.input("X", [2, 3, 4]), c.ints("shape", [4, -1])]),
  },
  {
    name: "Squeeze(axes input [1])", op: "Squeeze", dtype: "float64",
    build: (c) => c.op("Squeeze", [c.input("X", [2, 1, 3]), c.ints("axes", [1])]),
  },
  {
    name: "Unsqueeze(axes input [0, 3])", op: "Unsqueeze", dtype: "float64",
    build: (c) => c.op("Unsqueeze", [c.input("X", [2, 3]), c.ints("axes", [0, 3])]),
  },
  {
    name: "Transpose(perm [2, 0, 1])", op: "Transpose", dtype: "float64",
    build: (c) => c.op("Transpose", [c.input("X", [2, 3, 4])], { perm: [2, 0, 1] }),
  },
  {
    name: "Transpose(default perm)", op: "Transpose", dtype: "float64",
    build: (c) => c.op("Transpose", [c.input("X", [2, 3, 4])]),
  },
  {
    name: "Concat(axis 1, three parts, one not differentiated)", op: "Concat", dtype: "float64",
    build: (c) => c.op("Concat", [c.input("A", [2, 1, 3]), c.input("B", [2, 2, 3], undefined, false), c.input("C", [2, 3, 3])], { axis: 1 }),
  },
  {
    name: "Concat(axis -1)", op: "Concat", dtype: "float64",
    build: (c) => c.op("Concat", [c.input("A", [2, 2]), c.input("B", [2, 3])], { axis: -1 }),
  },
  {
    name: "Slice(axes [0, 2], negative end)", op: "Slice", dtype: "float64",
    build: (c) => c.op("Slice", [c.input("X", [3, 5, 4]), c.ints("starts", [1, 0]), c.ints("ends", [-1, 3]), c.ints("axes", [0, 2])]),
  },
  {
    name: "Slice(default axes, end past the size, steps 1)", op: "Slice", dtype: "float64",
    build: (c) => c.op("Slice", [c.input("X", [3, 5]), c.ints("starts", [0, 1]), c.ints("ends", [2, 100]), c.ints("axes", [0, 1]), c.ints("steps", [1, 1])]),
  },
  {
    name: "Pad(constant, differentiated padding value)", op: "Pad", dtype: "float64",
    build: (c) => c.op("Pad", [c.input("X", [2, 3, 3]), c.ints("pads", [0, 1, 2, 0, 0, 1]), c.input("value", [])]),
  },
  {
    name: "Pad(negative pads crop)", op: "Pad", dtype: "float64",
    build: (c) => c.op("Pad", [c.input("X", [2, 3, 4]), c.ints("pads", [0, -1, 1, 0, 2, -1])]),
  },
  {
    name: "Gather(axis 1, repeated and negative indices [2, 2])", op: "Gather", dtype: "float64",
    build: (c) => c.op("Gather", [c.input("X", [2, 4, 3]), c.ints("idx", [3, 1, 3, -4], [2, 2])], { axis: 1 }),
  },
  {
    name: "Gather(scalar index)", op: "Gather", dtype: "float64",
    build: (c) => c.op("Gather", [c.input("X", [3, 4]), c.ints("idx", [1], [])]),
  },
];

import { describe, expect, it } from "vitest";
import { createRng } from "../../../util/rng.js";
import { ModelError } from "../../../util/errors.js";
import { DataType, type ModelIR } from "../../onnx/ir.js";
import { readModel } from "../../onnx/io.js";
import { Session } from "../../runtime/session.js";
import type { Tensor } from "../../tensor.js";
import type { AttrInput } from "../emit.js";
import { backward } from "../gradients.js";
import { analytic, type CaseGraph, feedOf, forward, prepare, uniform } from "./gradCheck.testutil.js";

/** Gradients of Σ Y·R for a one-off graph, with the given input values (float32). */
async function gradsOf(build: (c: CaseGraph) => string, values: Record<string, number[]>, r?: number[]): Promise<Map<string, Tensor>> {
  const p = prepare({ name: "hand", op: "", dtype: "float32", build });
  for (const [k, data] of Object.entries(values)) p.values.set(k, { dims: p.values.get(k)!.dims, data });
  const y = await forward(p);
  return analytic(p, feedOf("float32", y.dims, r ?? Array<number>(y.data.length).fill(1)));
}

const near = (got: Tensor, want: number[], tol = 1e-6) => want.forEach((w, i) => expect(got.data[i] as number).toBeCloseTo(w, -Math.log10(tol)));

/** Builds a one-node graph and runs `backward` on it (no ORT), for the errors rules raise. */
function backwardOf(op: string, dims: number[], attrs: Record<string, AttrInput>, more: (c: CaseGraph) => string[] = () => []): void {
  const p = prepare({ name: "error", op, dtype: "float32", build: (c) => c.op(op, [c.input("X", dims), ...more(c)], attrs) });
  backward(p.model, { wrt: ["X"], loss: p.y });
}

describe("GRAD_RULES checked by hand", () => {
  it("GRAD_RULES.Softmax of equal logits [0, 0] with dy [1, 0] gives [1/4, −1/4]", async () => {
    const g = await gradsOf((c) => c.op("Softmax", [c.input("X", [1, 2])], { axis: 1 }), { X: [0, 0] }, [1, 0]);
    near(g.get("X")!, [0.25, -0.25]);
  });

  it("GRAD_RULES.AveragePool(3×3, pads 1) on a 2×2 image: every window holds all 4 pixels, so dx = 4·(1/4) without padding counted, 4·(1/9) with", async () => {
    for (const [countPad, want] of [[0, 1], [1, 4 / 9]]) {
      const pool = (c: CaseGraph) => c.op("AveragePool", [c.input("X", [1, 1, 2, 2])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: countPad });
      near((await gradsOf(pool, { X: [1, 2, 3, 4] })).get("X")!, [want, want, want, want]);
    }
  });

  it("GRAD_RULES.BatchNormalization(inference) with var 3, epsilon 1, scale 5: dx = 5/√4, dscale = Σ x̂, dB = Σ 1", async () => {
    const bn = (c: CaseGraph) =>
      c.op("BatchNormalization", [c.input("X", [1, 1, 1, 2]), c.input("scale", [1]), c.input("B", [1]), c.floats("mean", [1], [1]), c.floats("var", [1], [3])], { epsilon: { float: 1 } });
    const g = await gradsOf(bn, { X: [3, 5], scale: [5], B: [0] });
    near(g.get("X")!, [2.5, 2.5]);
    near(g.get("scale")!, [(2 + 4) / 2]);
    near(g.get("B")!, [2]);
  });

  it("GRAD_RULES.Dropout(training) passes dy/(1 − ratio) where its mask kept x, 0 elsewhere, and adds the mask output to the node", async () => {
    const p = prepare({
      name: "dropout", op: "Dropout", dtype: "float32",
      build: (c) => c.op("Dropout", [c.input("X", [4, 50], () => 1), c.floats("ratio", [], [0.25]), c.bool("training", true)], { seed: 5 }),
    });
    p.model.graph.inputs.push({ name: "R", type: { kind: "tensor", elemType: DataType.FLOAT } });
    const { model, gradients } = backward(p.model, { wrt: ["X"], seeds: new Map([[p.y, "R"]]) });
    const mask = model.graph.nodes.find((n) => n.opType === "Dropout")!.outputs[1];
    model.graph.outputs = [p.y, mask, gradients.get("X")!].map((name) => ({ name, type: { kind: "tensor", elemType: name === mask ? DataType.BOOL : DataType.FLOAT } }));
    const s = await Session.create(model, { threads: 1 });
    const out = await s.run({ X: feedOf("float32", [4, 50], Array<number>(200).fill(1)), R: feedOf("float32", [4, 50], Array<number>(200).fill(1)) });
    await s.release();
    const [y, kept, dx] = [out[p.y].data as Float32Array, out[mask].data as Uint8Array, out[gradients.get("X")!].data as Float32Array];
    const dropped = Array.from(kept).filter((k) => !k).length;
    expect(dropped).toBeGreaterThan(20);
    expect(dropped).toBeLessThan(80);
    for (let i = 0; i < 200; i++) {
      expect(dx[i]).toBeCloseTo(kept[i] ? 1 / 0.75 : 0, 6);
      expect(y[i]).toBeCloseTo(dx[i], 6); // x = 1 and dy = 1
    }
  });

  it("GRAD_RULES.Conv(depthwise multiplier 2, stride 2, pads 1) gives dW equal to the direct sum Σ_n,p,q dY[n,o,p,q]·X[n,o/2,2p+i−1,2q+j−1]", async () => {
    const rng = createRng(11);
    const x = Array.from({ length: 2 * 2 * 5 * 5 }, () => rng.next() * 2 - 1);
    const r = Array.from({ length: 2 * 4 * 3 * 3 }, () => rng.next() * 2 - 1);
    const conv = (c: CaseGraph) => c.op("Conv", [c.input("X", [2, 2, 5, 5]), c.input("W", [4, 1, 3, 3], uniform(-1, 1))], { group: 2, strides: [2, 2], pads: [1, 1, 1, 1] });
    const dW = (await gradsOf(conv, { X: x }, r)).get("W")!;
    const at = (n: number, ch: number, h: number, w: number) => (h < 0 || h >= 5 || w < 0 || w >= 5 ? 0 : x[((n * 2 + ch) * 5 + h) * 5 + w]);
    const want: number[] = [];
    for (let o = 0; o < 4; o++) {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          let sum = 0;
          for (let n = 0; n < 2; n++) for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) sum += r[((n * 4 + o) * 3 + p) * 3 + q] * at(n, Math.floor(o / 2), 2 * p + i - 1, 2 * q + j - 1);
          want.push(sum);
        }
      }
    }
    expect(dW.dims).toEqual([4, 1, 3, 3]);
    near(dW, want, 1e-5);
  });

  it("GRAD_RULES.Cast to an integer type has no gradient: backward says the input does not affect the loss", () => {
    const p = prepare({ name: "cast", op: "Cast", dtype: "float32", build: (c) => c.op("Cast", [c.op("Cast", [c.input("X", [2])], { to: DataType.INT64 })], { to: DataType.FLOAT }) });
    expect(() => backward(p.model, { wrt: ["X"], seeds: new Map([[p.y, "R"]]) })).toThrow(/'X' does not affect the loss/);
  });
});

describe("backward with ops or settings that have no rule", () => {
  it("backward(model) names the op and the node that have no gradient rule", () => {
    const p = prepare({ name: "einsum", op: "Einsum", dtype: "float32", build: (c) => c.input("X", [2, 2]) });
    p.model.graph.nodes.push({ name: "/layer3/Einsum_1", opType: "Einsum", domain: "", inputs: ["X"], outputs: ["Y"], attributes: [{ name: "equation", value: { type: "string", value: "ii->i" } }] });
    const err = (() => {
      try {
        backward(p.model, { wrt: ["X"], seeds: new Map([["Y", "R"]]) });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toContain("no gradient rule for op 'Einsum' (node '/layer3/Einsum_1')");
  });

  it("GRAD_RULES refuses settings of a model they do not implement with a ModelError naming the node, the setting and what to export", () => {
    const refusals: [() => void, RegExp][] = [
      [() => backwardOf("Slice", [4], {}, (c) => [c.ints("s", [0]), c.ints("e", [4]), c.ints("a", [0]), c.ints("st", [2])]), /^Slice node '\/case\/Slice': its gradient supports steps of 1 only, got \[2\], so this model cannot be trained here .*; export it without strided slices/],
      [() => backwardOf("Pad", [1, 4], { mode: "reflect" }, (c) => [c.ints("p", [0, 1, 0, 1])]), /^Pad node '\/case\/Pad': its gradient supports mode 'constant' only, got 'reflect'.*padding_mode='zeros'/],
      [() => backwardOf("AveragePool", [1, 1, 5, 5], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }), /^AveragePool node '\/case\/AveragePool': its gradient with ceil_mode 1 is not implemented, so this model cannot be trained here \(inference still works\); export it with ceil_mode=False$/],
      [() => backwardOf("AveragePool", [1, 1, 5, 5], {}), /^AveragePool node '\/case\/AveragePool': it has no 'kernel_shape', which the ONNX spec requires; re-export the model$/],
      [() => backwardOf("Conv", [1, 1, 5, 5], { auto_pad: "SAME_UPPER" }, (c) => [c.floats("W", [1, 1, 3, 3], Array<number>(9).fill(1))]), /^Conv node '\/case\/Conv': its gradient with auto_pad SAME_UPPER is not implemented.*explicit pads$/],
      [() => backwardOf("MatMul", [3], {}, (c) => [c.floats("W", [3, 2], Array<number>(6).fill(1))]), /^MatMul node '\/case\/MatMul': its gradient needs inputs of rank ≥ 2, got ranks 1 and 2/],
      [() => backwardOf("LeakyRelu", [2], { alpha: "x" }), /^LeakyRelu node '\/case\/LeakyRelu': attribute 'alpha' is string, but the ONNX spec makes it float; re-export the model$/],
    ];
    for (const [f, message] of refusals) {
      expect(f).toThrow(ModelError);
      expect(f).toThrow(message);
    }
  });

  it("GRAD_RULES.AveragePool on a model exported with a dynamic height throws a ModelError asking for fixed sizes", () => {
    const p = prepare({ name: "dynamic", op: "AveragePool", dtype: "float32", build: (c) => c.op("AveragePool", [c.input("X", [1, 1, 4, 4])], { kernel_shape: [2, 2], strides: [2, 2] }) });
    p.model.graph.inputs[0].type = { kind: "tensor", elemType: DataType.FLOAT, shape: ["N", 1, "H", 4] };
    const f = () => backward(p.model, { wrt: ["X"], loss: p.y });
    expect(f).toThrow(ModelError);
    expect(f).toThrow(/^AveragePool node '\/case\/AveragePool': its gradient needs static spatial sizes, but 'X' has shape \[N, 1, H, 4\].*fixed sizes/);
  });

  it("GRAD_RULES.BatchNormalization in training mode stays a RangeError: the trainer rewrites such nodes, so only a caller of backward() meets it", () => {
    const bn = (c: CaseGraph) => ["scale", "B", "mean", "var"].map((n) => c.floats(n, [1], [1]));
    expect(() => backwardOf("BatchNormalization", [2, 1, 2], { training_mode: 1 }, bn)).toThrow(RangeError);
    expect(() => backwardOf("BatchNormalization", [2, 1, 2], { training_mode: 1 }, bn)).toThrow(/node '\/case\/BatchNormalization' is in training mode/);
  });
});

describe("backward on exported networks", () => {
  it("backward(mini ResNet-18 exported by torch.onnx) differentiates every op and gives a finite, non-zero gradient for every parameter", async () => {
    const model: ModelIR = readModel(new URL("../../fixtures/mini-resnet18/model.onnx", import.meta.url).pathname);
    model.opsetImports = [{ domain: "", version: 17 }];
    const [input, output] = [model.graph.inputs[0], model.graph.outputs[0].name];
    model.graph.inputs.push({ name: "dy", type: { kind: "tensor", elemType: DataType.FLOAT } });
    const params = model.graph.initializers.filter((t) => t.dataType === DataType.FLOAT);
    const { model: withGrads, gradients } = backward(model, { wrt: params.map((t) => t.name), seeds: new Map([[output, "dy"]]) });
    withGrads.graph.outputs = [...gradients.values()].map((name) => ({ name, type: { kind: "tensor", elemType: DataType.FLOAT } }));
    const rng = createRng(5);
    const dims = input.type?.kind === "tensor" ? input.type.shape!.map((d) => (typeof d === "number" ? d : 2)) : [];
    const s = await Session.create(withGrads, { threads: 1 });
    const out = await s.run({
      [input.name]: feedOf("float32", dims, Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.next())),
      dy: feedOf("float32", [2, 10], Array.from({ length: 20 }, () => rng.next() - 0.5)),
    });
    await s.release();
    for (const t of params) {
      const g = out[gradients.get(t.name)!];
      expect(g.dims, t.name).toEqual(t.dims);
      expect(Array.from(g.data as Float32Array).every(Number.isFinite), t.name).toBe(true);
      expect(Array.from(g.data as Float32Array).some((v) => v !== 0), t.name).toBe(true);
    }
  });
});

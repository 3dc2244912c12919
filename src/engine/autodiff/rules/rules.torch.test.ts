import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DataType } from "../../onnx/ir.js";
import { readModel } from "../../onnx/io.js";
import { Session } from "../../runtime/session.js";
import type { Tensor } from "../../tensor.js";
import { backward } from "../gradients.js";
import { ALL_CASES } from "./cases.testutil.js";
import { analytic, feedOf, prepare } from "./gradCheck.testutil.js";
import { GRAD_RULES } from "./index.js";

/** PyTorch oracles made by scripts/make-grad-fixtures.py (float64 autograd of sum(Y · R)). */
interface Stored { dims: number[]; data: number[] }
interface TorchCase { inputs: Record<string, Stored>; R: Stored; grads: Record<string, Stored> }

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
const OPS = fixture("torch-grads.json") as { torch: string; cases: Record<string, TorchCase> };
const MOBILENET = fixture("mini-mobilenetv2.json") as { input: Stored; R: Stored; grads: Record<string, Stored> };

/** max |got − want| / max |want|. */
function relErr(got: Tensor, want: Stored): number {
  let err = 0;
  let scale = 0;
  want.data.forEach((w, i) => {
    err = Math.max(err, Math.abs((got.data[i] as number) - w));
    scale = Math.max(scale, Math.abs(w));
  });
  return err / scale;
}

describe("GRAD_RULES against PyTorch", () => {
  it("GRAD_RULES: the PyTorch fixture has a case of every op but Identity, Cast and Dropout (checked by hand), each named as a case", () => {
    const names = Object.keys(OPS.cases);
    expect(names.filter((n) => !ALL_CASES.some((c) => c.name === n))).toEqual([]);
    const covered = new Set(names.map((n) => ALL_CASES.find((c) => c.name === n)!.op));
    expect(Object.keys(GRAD_RULES).filter((op) => !covered.has(op)).sort()).toEqual(["Cast", "Dropout", "Identity"]);
  });

  for (const [name, t] of Object.entries(OPS.cases)) {
    const c = ALL_CASES.find((k) => k.name === name);
    // ONNX float attributes (alpha, epsilon) are float32, which bounds the float64 agreement
    const tol = c?.dtype === "float64" ? 1e-7 : 1e-5;
    it(`GRAD_RULES.${name} matches PyTorch ${OPS.torch} autograd (${c?.dtype}, relative ${tol})`, async () => {
      const p = prepare(c!);
      for (const [input, v] of Object.entries(t.inputs)) {
        expect(p.values.get(input)?.dims, input).toEqual(v.dims);
        p.values.set(input, v);
      }
      const grads = await analytic(p, feedOf(c!.dtype, t.R.dims, t.R.data));
      expect([...grads.keys()].sort()).toEqual(Object.keys(t.grads).sort());
      for (const [input, want] of Object.entries(t.grads)) {
        expect(grads.get(input)!.dims, input).toEqual(want.dims);
        expect(relErr(grads.get(input)!, want), input).toBeLessThan(tol);
      }
    });
  }

  it("backward(mini MobileNetV2 exported by torch.onnx) matches PyTorch autograd for the input and every parameter (float32, relative 1e-5)", async () => {
    const model = readModel(new URL("./fixtures/mini-mobilenetv2.onnx", import.meta.url).pathname);
    model.opsetImports = [{ domain: "", version: 17 }];
    model.graph.inputs.push({ name: "dlogits", type: { kind: "tensor", elemType: DataType.FLOAT, shape: ["N", 10] } });
    const wrt = ["input", ...model.graph.initializers.map((t) => t.name)];
    expect(wrt.slice().sort()).toEqual(Object.keys(MOBILENET.grads).sort());
    const { model: withGrads, gradients } = backward(model, { wrt, seeds: new Map([["logits", "dlogits"]]) });
    withGrads.graph.outputs = [...gradients.values()].map((name) => ({ name, type: { kind: "tensor", elemType: DataType.FLOAT } }));
    const s = await Session.create(withGrads, { threads: 1 });
    const out = await s.run({ input: feedOf("float32", MOBILENET.input.dims, MOBILENET.input.data), dlogits: feedOf("float32", MOBILENET.R.dims, MOBILENET.R.data) });
    await s.release();
    for (const w of wrt) {
      expect(out[gradients.get(w)!].dims, w).toEqual(MOBILENET.grads[w].dims);
      expect(relErr(out[gradients.get(w)!], MOBILENET.grads[w]), w).toBeLessThan(1e-5);
    }
  });
});

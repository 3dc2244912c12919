import { describe, expect, it } from "vitest";
import { ModelError } from "../../util/errors.js";
import { GraphBuilder } from "../onnx/builder.js";
import type { ModelIR } from "../onnx/ir.js";
import { Session } from "./session.js";

function tinyModel(): ModelIR {
  const b = new GraphBuilder({ seed: 1 });
  const x = b.input("input", ["N", 1, 4, 4]);
  b.output(b.relu(b.conv2d(x, { name: "conv1", outChannels: 2, kernel: 3, padding: 1 }), { name: "relu1" }), "output");
  return b.build();
}

describe("Session", () => {
  it("Session.run(feeds) runs a model from IR and returns our tensor type", async () => {
    const s = await Session.create(tinyModel(), { threads: 1 });
    const out = await s.run({ input: { dtype: "float32", dims: [3, 1, 4, 4], data: new Float32Array(48).fill(1) } });
    expect(out.output.dims).toEqual([3, 2, 4, 4]);
    expect(out.output.dtype).toBe("float32");
    expect(Array.from(out.output.data as Float32Array).every((v) => v >= 0)).toBe(true);
    await s.release();
  });

  it("Session.run(feeds) names a missing input, a wrong shape and a wrong dtype, with what the model takes", async () => {
    const s = await Session.create(tinyModel(), { source: "tiny.onnx" });
    await expect(s.run({})).rejects.toThrow(/tiny\.onnx: missing input 'input' \(the model takes: input \[N, 1, 4, 4\]\)/);
    await expect(s.run({ input: { dtype: "float32", dims: [1, 1, 5, 5], data: new Float32Array(25) } })).rejects.toThrow(
      /input 'input' has shape \[1, 1, 5, 5\], the model expects \[N, 1, 4, 4\]/,
    );
    await expect(s.run({ input: { dtype: "float64", dims: [1, 1, 4, 4], data: new Float64Array(16) } })).rejects.toThrow(
      /input 'input' is float64, the model expects float32/,
    );
    await s.release();
  });

  it("Session.create(model) names an op onnxruntime does not know, and its node", async () => {
    const m = tinyModel();
    m.graph.nodes[1] = { ...m.graph.nodes[1], opType: "Frobnicate", name: "/weird/Frobnicate" };
    const err = await Session.create(m, { source: "odd.onnx" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toMatch(/odd\.onnx: op 'Frobnicate'.*(not an op onnxruntime knows|not supported)/);
  });
});

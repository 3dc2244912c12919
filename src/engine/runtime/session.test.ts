import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
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

  it("Session.create(model with opset 99) throws one line naming the opset onnxruntime supports up to, without its C++ signature", async () => {
    const err = await Session.create({ ...tinyModel(), opsetImports: [{ domain: "", version: 99 }] }, { source: "model.onnx" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    const m = /^model\.onnx uses ONNX opset 99; onnxruntime [\d.]+ here supports up to (\d+); export with opset_version ≤ (\d+)$/.exec((err as Error).message);
    expect(m, (err as Error).message).not.toBeNull();
    expect(m![1]).toBe(m![2]);
    expect(Number(m![1])).toBeGreaterThanOrEqual(17);
  });

  it("Session.create(model of IR version 99) throws one line naming the IR version onnxruntime reads", async () => {
    const err = await Session.create({ ...tinyModel(), irVersion: 99 }, { source: "model.onnx" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toMatch(/^model\.onnx is ONNX IR version 99; onnxruntime [\d.]+ here reads up to \d+; export it with an older exporter or opset$/);
  });

  it("Session.create(…, {executionProvider: 'cuda'}) without a GPU throws our ModelError and onnxruntime logs nothing to stderr", () => {
    // onnxruntime writes its log from C++ straight to file descriptor 2, so this runs in a child process.
    const root = join(import.meta.dirname, "..", "..", "..");
    const script = join(mkdtempSync(join(tmpdir(), "cuda-")), "cuda.mts");
    writeFileSync(
      script,
      `import { Session } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, "session.ts")).href)};
import { GraphBuilder } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, "..", "onnx", "builder.ts")).href)};
const b = new GraphBuilder({ seed: 1 });
b.output(b.relu(b.input("input", ["N", 4]), { name: "relu" }), "output");
try {
  const s = await Session.create(b.build(), { executionProvider: "cuda", source: "m.onnx" });
  await s.release();
  console.log("created");
} catch (err) {
  console.log(err.name + ": " + err.message);
}
`,
    );
    const r = spawnSync(process.execPath, ["--import", "tsx", script], { cwd: root, encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    if (r.stdout.trim() !== "created") {
      expect(r.stdout.trim()).toMatch(/^ModelError: m\.onnx: the CUDA execution provider is not available \(.*\); install with ONNXRUNTIME_NODE_INSTALL=cuda12 on a machine with a GPU, or use --device cpu$/);
    }
  });
});

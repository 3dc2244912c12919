import { readModel } from "./src/engine/onnx/io.js";
import { backward } from "./src/engine/autodiff/gradients.js";
import { findHead, withOutputs } from "./src/engine/onnx/surgery.js";
import { Session } from "./src/engine/runtime/session.js";
import { createRng } from "./src/util/rng.js";
const m = readModel("src/engine/fixtures/seed-cnn/model.onnx");
m.opsetImports = [{ domain: "", version: 17 }];
const head = findHead(m);
m.graph.inputs.push({ name: "dlogits", type: { kind: "tensor", elemType: 1, shape: ["N", 10] } });
const wrt = m.graph.initializers.map((t) => t.name);
const { model, gradients } = backward(m, { wrt: [...wrt, "input"], seeds: new Map([[head.logits, "dlogits"]]) });
model.graph.outputs = [{ name: head.logits, type: { kind: "tensor", elemType: 1 } }, ...[...gradients.values()].map((g) => ({ name: g, type: { kind: "tensor" as const, elemType: 1 } }))];
const s = await Session.create(model, { threads: 2 });
const rng = createRng(3);
const x = Float32Array.from({ length: 2 * 784 }, () => rng.next());
const d = Float32Array.from({ length: 20 }, () => rng.next() - 0.5);
const out = await s.run({ input: { dtype: "float32", dims: [2, 1, 28, 28], data: x }, dlogits: { dtype: "float32", dims: [2, 10], data: d } });
const f = (logits: Float32Array) => logits.reduce((a, v, i) => a + v * d[i], 0);
// finite differences on a few params
const base = m.graph.initializers;
const fwd = await Session.create(m, { threads: 2 });
async function lossWith(name: string, idx: number, delta: number) {
  const t = base.find((b) => b.name === name)!;
  const arr = new Float32Array(t.raw.buffer.slice(t.raw.byteOffset, t.raw.byteOffset + t.raw.byteLength));
  const saved = t.raw; arr[idx] += delta; t.raw = new Uint8Array(arr.buffer);
  const s2 = await Session.create(withOutputs(m, [head.logits]), { threads: 1 });
  const r = await s2.run({ input: { dtype: "float32", dims: [2, 1, 28, 28], data: x }, dlogits: { dtype: "float32", dims: [2, 10], data: d } }, [head.logits]);
  t.raw = saved; await s2.release();
  return f(r[head.logits].data as Float32Array);
}
for (const name of wrt.slice(0, 12)) {
  const gname = gradients.get(name)!;
  const g = out[gname].data as Float32Array;
  const idx = 3 % g.length;
  const eps = 1e-2;
  const fd = ((await lossWith(name, idx, eps)) - (await lossWith(name, idx, -eps))) / (2 * eps);
  console.log(name, out[gname].dims.join("x"), "ad", g[idx].toExponential(4), "fd", fd.toExponential(4));
}
console.log("dinput", out[gradients.get("input")!].dims);
import { writeNpy } from "./src/data/npy.js";
writeNpy("/tmp/gx.npy", { dtype: "float32", shape: [2, 1, 28, 28], data: x });
writeNpy("/tmp/gd.npy", { dtype: "float32", shape: [2, 10], data: d });
for (const name of wrt) { const t = out[gradients.get(name)!]; writeNpy(`/tmp/g_${name}.npy`, { dtype: "float32", shape: t.dims, data: t.data as Float32Array }); }

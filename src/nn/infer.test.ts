import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Dataset } from "../data/dataset.js";
import { readNpy } from "../data/npy.js";
import { readModel } from "../engine/onnx/io.js";
import { type Head, resolveLayer } from "../engine/onnx/surgery.js";
import { METADATA_KEYS } from "../engine/onnx/modelInfo.js";
import { collectValues, openModel, predictProbabilities, probabilitiesOf } from "./infer.js";

const FIX = join(import.meta.dirname, "..", "engine", "fixtures");
const FULL_RESNET = join(import.meta.dirname, "..", "..", "bench", ".cache", "resnet18", "model.onnx");

/** The fixture's input images (float [0,1] of uint8 pixels) as a dataset. */
function fixtureDataset(name: string): Dataset {
  const x = readNpy(join(FIX, name, "input.npy"));
  const [n, c, h, w] = x.shape;
  const images = new Uint8Array(n * h * w * c);
  const src = x.data as Float32Array;
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) for (let p = 0; p < h * w; p++) images[(i * h * w + p) * c + k] = Math.round(src[(i * c + k) * h * w + p] * 255);
  return { name, classes: [], n, height: h, width: w, channels: c, images, labels: new Int32Array(n).fill(-1) };
}

function expectClose(got: Float32Array, want: Float32Array, tol: number, what: string): void {
  expect(got.length, what).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  expect(worst, what).toBeLessThan(tol);
}

describe("parity with PyTorch (fixtures from scripts/make-torch-fixtures.py)", () => {
  for (const name of ["seed-cnn", "mini-resnet18"]) {
    it(`collectValues(${name}) matches PyTorch's outputs, penultimate features and intermediate maps within 1e-4`, async () => {
      const model = readModel(join(FIX, name, "model.onnx"));
      const opened = openModel(model);
      const files = JSON.parse(readFileSync(join(FIX, name, "outputs.json"), "utf8")) as Record<string, string>;
      const values = Object.keys(files).map((k) => resolveLayer(model, k).value);
      const got = await collectValues(opened, fixtureDataset(name), values, { batchSize: 3 });
      Object.keys(files).forEach((k, i) => {
        const want = readNpy(join(FIX, name, files[k]));
        const g = got.get(values[i])!;
        expect(g.dims, k).toEqual(want.shape);
        expectClose(g.data, want.data as Float32Array, 1e-4, `${name} ${k}`);
      });
    });
  }

  it.runIf(existsSync(FULL_RESNET))("collectValues(torchvision ResNet-18, 1-channel stem) matches PyTorch within 1e-4 (run scripts/make-torch-fixtures.py --full first)", async () => {
    const dir = join(FULL_RESNET, "..");
    const model = readModel(FULL_RESNET);
    const files = JSON.parse(readFileSync(join(dir, "outputs.json"), "utf8")) as Record<string, string>;
    const values = Object.keys(files).map((k) => resolveLayer(model, k).value);
    const x = readNpy(join(dir, "input.npy"));
    const [n, c, h, w] = x.shape;
    const images = Uint8Array.from(x.data as Float32Array, (v) => Math.round(v * 255));
    const ds: Dataset = { name: "resnet18", classes: [], n, height: h, width: w, channels: c, images, labels: new Int32Array(n).fill(-1) };
    const got = await collectValues(openModel(model), ds, values);
    Object.keys(files).forEach((k, i) => expectClose(got.get(values[i])!.data, readNpy(join(dir, files[k])).data as Float32Array, 1e-4, `resnet18 ${k}`));
  });

  it("collectValues(model) applies the preprocessing recorded in the model's metadata", async () => {
    const model = readModel(join(FIX, "seed-cnn", "model.onnx"));
    const ds = fixtureDataset("seed-cnn");
    const plain = openModel(model);
    const value = resolveLayer(model, "/conv1/Conv").value;
    const recorded = { ...model, metadata: [...model.metadata, { key: METADATA_KEYS.preprocess, value: JSON.stringify({ scale: 1 / 255, mean: [0.5], std: [0.25] }) }] };
    const opened = openModel(recorded);
    expect(opened.preprocess).toEqual({ scale: 1 / 255, mean: [0.5], std: [0.25] });
    const a = (await collectValues(opened, ds, [value])).get(value)!.data;
    const b = (await collectValues(plain, ds, [value], { preprocess: { scale: 1 / 255, mean: [0.5], std: [0.25] } })).get(value)!.data;
    const c = (await collectValues(plain, ds, [value])).get(value)!.data;
    expectClose(a, b, 1e-6, "recorded = explicit");
    expect(Math.abs(a[0] - c[0])).toBeGreaterThan(1e-3);
  });

  it("collectValues(model) on images the model cannot take says so and suggests --size", async () => {
    const model = readModel(join(FIX, "seed-cnn", "model.onnx"));
    model.graph.inputs[0].type = { kind: "tensor", elemType: 1, shape: ["N", 1, "H", "W"] };
    const small: Dataset = { name: "small", classes: [], n: 2, height: 8, width: 8, channels: 1, images: new Uint8Array(128), labels: new Int32Array(2).fill(-1) };
    const head = resolveLayer(model, "logits").value;
    await expect(collectValues(openModel(model), small, [head])).rejects.toThrow(/failed to run the model on input \[2, 1, 8, 8\].*resize them \(--size\)/);
  });

  it("predictProbabilities(model) does not apply softmax twice when the graph ends in Softmax, and applies it to bare logits", async () => {
    const seed = openModel(readModel(join(FIX, "seed-cnn", "model.onnx")));
    expect(seed.head.activation).toBe("softmax");
    const p = await predictProbabilities(seed, fixtureDataset("seed-cnn"));
    expectClose(p.data, readNpy(join(FIX, "seed-cnn", "output.npy")).data as Float32Array, 1e-5, "seed probs");

    const res = openModel(readModel(join(FIX, "mini-resnet18", "model.onnx")));
    expect(res.head.activation).toBe("none");
    const q = await predictProbabilities(res, fixtureDataset("mini-resnet18"));
    const logits = readNpy(join(FIX, "mini-resnet18", "output.npy")).data as Float32Array;
    for (let i = 0; i < q.dims[0]; i++) {
      const row = Array.from(logits.subarray(i * 10, i * 10 + 10));
      const m = Math.max(...row);
      const z = row.reduce((s, v) => s + Math.exp(v - m), 0);
      for (let j = 0; j < 10; j++) expect(q.data[i * 10 + j]).toBeCloseTo(Math.exp(row[j] - m) / z, 5);
    }
  });

  it("probabilitiesOf(head, scores, 1) reads one unit as the binary case: [1 − p, p], from a sigmoid or a logit", () => {
    expect(Array.from(probabilitiesOf({ activation: "sigmoid" } as Head, Float32Array.of(0.75, 0.1), 1))).toEqual([0.25, 0.75, 0.9, 0.1].map(Math.fround));
    const fromLogit = probabilitiesOf({ activation: "none" } as Head, Float32Array.of(0), 1);
    expect(Array.from(fromLogit)).toEqual([0.5, 0.5]);
  });
});

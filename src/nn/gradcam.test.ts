import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Dataset } from "../data/dataset.js";
import { readNpy } from "../data/npy.js";
import { readModel } from "../engine/onnx/io.js";
import { camOf, defaultGradCamLayer, gradCam, normalize, saliencyOf, upsampleBilinear } from "./gradcam.js";
import { openModel } from "./infer.js";

const ROOT = join(import.meta.dirname, "..", "..");
const FIX = join(import.meta.dirname, "fixtures", "gradcam");

/** A fixture's input images (float [0,1] of uint8 pixels, N×C×H×W) as a dataset. */
function fixtureDataset(file: string): Dataset {
  const x = readNpy(join(ROOT, file));
  const [n, c, h, w] = x.shape;
  const images = new Uint8Array(n * h * w * c);
  const src = x.data as Float32Array;
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) for (let p = 0; p < h * w; p++) images[(i * h * w + p) * c + k] = Math.round(src[(i * c + k) * h * w + p] * 255);
  return { name: file, classes: [], n, height: h, width: w, channels: c, images, labels: new Int32Array(n).fill(-1) };
}

function worstError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  return worst;
}

const concat = (parts: Float32Array[]) => {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

describe("gradCam against PyTorch (fixtures from scripts/make-gradcam-fixtures.py)", () => {
  const cases = JSON.parse(readFileSync(join(FIX, "cases.json"), "utf8")) as Record<string, { model: string; input: string; layer: string }>;
  for (const [name, c] of Object.entries(cases)) {
    it(`gradCam(${name}) gives PyTorch's α_k, Grad-CAM, upsampled heatmap and saliency within 1e-4`, async () => {
      const opened = openModel(readModel(join(ROOT, c.model)));
      const ds = fixtureDataset(c.input);
      const classes = readNpy(join(FIX, name, "classes.npy")).data as Int32Array;
      const r = await gradCam(opened, ds, { layer: c.layer, classIndex: classes, batchSize: 3 });
      expect(r.layer.name).toBe(c.layer);
      expect(r.maps.map((m) => m.classIndex)).toEqual(Array.from(classes));
      for (const key of ["weights", "cam", "heatmap", "saliency"] as const) {
        const want = readNpy(join(FIX, name, `${key}.npy`)).data as Float32Array;
        const got = concat(r.maps.map((m) => m[key]));
        // errors relative to the quantity's largest magnitude (gradients of untrained models are small)
        let scale = 0;
        for (const v of want) scale = Math.max(scale, Math.abs(v));
        expect(scale, `${name} ${key} is not all zero`).toBeGreaterThan(0);
        expect(worstError(got, want) / scale, `${name} ${key}`).toBeLessThan(1e-4);
      }
    });
  }

  it("gradCam(seed-cnn) without a class explains the predicted class of each image, at the default layer /relu6/Relu", async () => {
    const opened = openModel(readModel(join(ROOT, "src/engine/fixtures/seed-cnn/model.onnx")));
    const ds = fixtureDataset("src/engine/fixtures/seed-cnn/input.npy");
    const r = await gradCam(opened, ds);
    expect(r.layer.name).toBe("/relu6/Relu");
    expect(r.layer.why).toMatch(/last convolution, \/conv6\/Conv, through \/relu6\/Relu/);
    for (const m of r.maps) {
      expect(m.predicted).toBe(m.classIndex);
      expect(Math.max(...m.heatmap)).toBeLessThanOrEqual(1);
      expect(Math.min(...m.heatmap)).toBeGreaterThanOrEqual(0);
    }
  });

  it("gradCam refuses a dense layer and a class the model does not have, naming the flag", async () => {
    const opened = openModel(readModel(join(ROOT, "src/engine/fixtures/seed-cnn/model.onnx")));
    const ds = fixtureDataset("src/engine/fixtures/seed-cnn/input.npy");
    await expect(gradCam(opened, ds, { layer: "/fc1/Gemm" })).rejects.toThrow(/--gradcam \/fc1\/Gemm: .*\[N, 64\].*2-D maps/);
    await expect(gradCam(opened, ds, { classIndex: 10 })).rejects.toThrow(/--class 10: the model has 10 classes, 0..9/);
  });

  it("defaultGradCamLayer(mini-resnet18) follows the last convolution through the residual Add to the block's ReLU", () => {
    const d = defaultGradCamLayer(readModel(join(ROOT, "src/engine/fixtures/mini-resnet18/model.onnx")));
    expect(d.layer.name).toBe("/layer4/layer4.1/relu_1/Relu");
  });
});

describe("Grad-CAM arithmetic", () => {
  it("camOf(A, dA) weights each channel by its mean gradient and keeps the positive part", () => {
    // two channels of 1×2: α = (1, −1) → cam = ReLU(A0 − A1)
    const r = camOf(Float32Array.of(3, 1, 1, 2), Float32Array.of(1, 1, -1, -1), 2, 1, 2);
    expect(Array.from(r.weights)).toEqual([1, -1]);
    expect(Array.from(r.cam)).toEqual([2, 0]);
  });

  it("upsampleBilinear(x) keeps a constant map constant and puts half-pixel centres as PyTorch does", () => {
    expect(Array.from(upsampleBilinear(Float32Array.of(0, 1), 1, 2, 1, 4))).toEqual([0, 0.25, 0.75, 1]);
    expect(Array.from(upsampleBilinear(new Float32Array(4).fill(2), 2, 2, 5, 5)).every((v) => v === 2)).toBe(true);
  });

  it("normalize(x) maps to [0, 1] and a flat map to zeros; saliencyOf takes the largest |gradient| over channels", () => {
    expect(Array.from(normalize(Float32Array.of(2, 4, 3)))).toEqual([0, 1, 0.5]);
    expect(Array.from(normalize(Float32Array.of(5, 5)))).toEqual([0, 0]);
    expect(Array.from(saliencyOf(Float32Array.of(1, -3, -2, 1), 2, 1, 2))).toEqual([2, 3]);
  });
});

import { describe, expect, it } from "vitest";
import type { Dataset } from "../data/dataset.js";
import type { InputSpec } from "../engine/onnx/modelInfo.js";
import { toInputTensor } from "./preprocess.js";

const ds = (h: number, w: number, c: number, pixels: number[]): Dataset => ({
  name: "t", classes: ["a"], n: pixels.length / (h * w * c), height: h, width: w, channels: c, images: Uint8Array.from(pixels), labels: new Int32Array(pixels.length / (h * w * c)),
});
const spec = (over: Partial<InputSpec>): InputSpec => ({ name: "x", layout: "NCHW", channels: 1, height: null, width: null, batch: "N", ...over });

describe("toInputTensor", () => {
  it("toInputTensor(ds, …) scales, subtracts the mean and divides by the std per channel", () => {
    const t = toInputTensor(ds(1, 2, 3, [0, 128, 255, 255, 0, 51]), 0, 1, spec({ channels: 3 }), { scale: 1 / 255, mean: [0.5, 0, 0.2], std: [0.5, 1, 0.2] });
    expect(t.dims).toEqual([1, 3, 1, 2]);
    // NCHW: channel 0 = pixels 0 and 255, channel 1 = 128 and 0, channel 2 = 255 and 51
    const want = [(0 - 0.5) / 0.5, (1 - 0.5) / 0.5, 128 / 255, 0, (1 - 0.2) / 0.2, (0.2 - 0.2) / 0.2];
    Array.from(t.data).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });

  it("toInputTensor(ds, …) lays out NHWC when the model asks for it", () => {
    const t = toInputTensor(ds(1, 2, 3, [1, 2, 3, 4, 5, 6]), 0, 1, spec({ channels: 3, layout: "NHWC" }), { scale: 1, mean: [0], std: [1] });
    expect(t.dims).toEqual([1, 1, 2, 3]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("toInputTensor(ds, …) turns RGB into gray with BT.601 weights and gray into RGB by copying", () => {
    const gray = toInputTensor(ds(1, 1, 3, [255, 0, 0]), 0, 1, spec({ channels: 1 }), { scale: 1, mean: [0], std: [1] });
    expect(gray.data[0]).toBeCloseTo(0.299 * 255, 4);
    const rgb = toInputTensor(ds(1, 1, 1, [77]), 0, 1, spec({ channels: 3 }), { scale: 1, mean: [0], std: [1] });
    expect(Array.from(rgb.data)).toEqual([77, 77, 77]);
  });

  it("toInputTensor(ds, …) resizes bilinearly with half-pixel centres to the model's size", () => {
    // 1×2 image [0, 100] to 1×4: source x = (o + 0.5)/2 - 0.5 → -0.25, 0.25, 0.75, 1.25 → clamp → 0, 25, 75, 100
    const t = toInputTensor(ds(1, 2, 1, [0, 100]), 0, 1, spec({ height: 1, width: 4 }), { scale: 1, mean: [0], std: [1] });
    expect(t.dims).toEqual([1, 1, 1, 4]);
    expect(Array.from(t.data)).toEqual([0, 25, 75, 100]);
  });
});

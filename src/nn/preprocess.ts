import type { Dataset } from "../data/dataset.js";
import type { InputSpec, Preprocess } from "../engine/onnx/modelInfo.js";
import { tensor, type Tensor } from "../engine/tensor.js";
import { DataError } from "../util/errors.js";

/**
 * Dataset images (uint8, H×W×C) → the float32 batch a model takes: resized (bilinear) when the
 * model wants another size, gray↔RGB converted, scaled and normalised, laid out NCHW or NHWC.
 */

/** Checks that the images can be fed to the model; says what to change if not. */
export function checkCompatible(ds: Pick<Dataset, "name" | "channels" | "height" | "width">, spec: InputSpec): void {
  if (ds.channels !== 1 && ds.channels !== 3 && ds.channels !== 4) {
    throw new DataError(`images have ${ds.channels} channels; featurelens feeds 1 (gray) or 3 (RGB)`, ds.name);
  }
  if ((spec.height === null) !== (spec.width === null)) throw new DataError(`the model's input size is only half known`, ds.name);
}

/** Converts images [start, start+count) to a model input tensor. */
export function toInputTensor(ds: Dataset, start: number, count: number, spec: InputSpec, pre: Preprocess): Tensor<"float32"> {
  const outH = spec.height ?? ds.height;
  const outW = spec.width ?? ds.width;
  const c = spec.channels;
  const out = new Float32Array(count * c * outH * outW);
  const inSize = ds.height * ds.width * ds.channels;
  const mean = Array.from({ length: c }, (_, k) => pre.mean[pre.mean.length === 1 ? 0 : k] ?? 0);
  const std = Array.from({ length: c }, (_, k) => pre.std[pre.std.length === 1 ? 0 : k] ?? 1);
  const sample = ds.height === outH && ds.width === outW ? undefined : bilinearTable(ds.height, ds.width, outH, outW);
  const fast = !sample && ds.channels === c;
  const px = new Float32Array(outH * outW * c); // one image, HWC, in pixel units
  const plane = outH * outW;
  for (let i = 0; i < count; i++) {
    const img = ds.images.subarray((start + i) * inSize, (start + i + 1) * inSize);
    const src: ArrayLike<number> = fast ? img : (fillPixels(px, img, ds, outH, outW, c, sample), px);
    const base = i * c * plane;
    if (c === 1) {
      const a = pre.scale / std[0];
      const b = -mean[0] / std[0];
      for (let p = 0; p < plane; p++) out[base + p] = src[p] * a + b;
    } else {
      for (let k = 0; k < c; k++) {
        const a = pre.scale / std[k];
        const b = -mean[k] / std[k];
        if (spec.layout === "NCHW") for (let p = 0; p < plane; p++) out[base + k * plane + p] = src[p * c + k] * a + b;
        else for (let p = 0; p < plane; p++) out[base + p * c + k] = src[p * c + k] * a + b;
      }
    }
  }
  const dims = spec.layout === "NCHW" ? [count, c, outH, outW] : [count, outH, outW, c];
  return tensor("float32", dims, out);
}

/** Gray from RGB with ITU-R BT.601 weights, as PIL's convert("L") does. */
const LUMA = [0.299, 0.587, 0.114];

function fillPixels(
  px: Float32Array,
  img: Uint8Array,
  ds: Pick<Dataset, "height" | "width" | "channels">,
  outH: number,
  outW: number,
  c: number,
  sample: BilinearTable | undefined,
): void {
  const inC = ds.channels;
  const read = (y: number, x: number, k: number): number => {
    const p = (y * ds.width + x) * inC;
    if (c === 1 && inC >= 3) return LUMA[0] * img[p] + LUMA[1] * img[p + 1] + LUMA[2] * img[p + 2];
    return img[p + (inC === 1 ? 0 : k)];
  };
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const s = sample?.at(y, x);
      for (let k = 0; k < c; k++) {
        const v = !s
          ? read(y, x, k)
          : (1 - s.wy) * ((1 - s.wx) * read(s.y0, s.x0, k) + s.wx * read(s.y0, s.x1, k)) +
            s.wy * ((1 - s.wx) * read(s.y1, s.x0, k) + s.wx * read(s.y1, s.x1, k));
        px[(y * outW + x) * c + k] = v;
      }
    }
  }
}

interface BilinearTable {
  at(y: number, x: number): { y0: number; y1: number; wy: number; x0: number; x1: number; wx: number };
}

/** Source coordinates for bilinear resizing with half-pixel centres (align_corners=False, as torch and PIL). */
function bilinearTable(inH: number, inW: number, outH: number, outW: number): BilinearTable {
  const axis = (inN: number, outN: number) =>
    Array.from({ length: outN }, (_, o) => {
      const s = Math.min(Math.max((o + 0.5) * (inN / outN) - 0.5, 0), inN - 1);
      const i0 = Math.floor(s);
      return { i0, i1: Math.min(i0 + 1, inN - 1), w: s - i0 };
    });
  const ys = axis(inH, outH);
  const xs = axis(inW, outW);
  return { at: (y, x) => ({ y0: ys[y].i0, y1: ys[y].i1, wy: ys[y].w, x0: xs[x].i0, x1: xs[x].i1, wx: xs[x].w }) };
}

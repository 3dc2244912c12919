import { DataError } from "../util/errors.js";
import { readNpy, toInt32Labels } from "./npy.js";
import { checkDataset, type Dataset } from "./dataset.js";
import { classNamesFor } from "./labels.js";
import { printable } from "./printable.js";

/** Options for {@link loadNpyDataset}. */
export interface NpyDatasetOptions {
  name?: string;
  /** Class names; every label must index one. */
  classes?: string[];
  /** Where `classes` came from, named in a message about a label past them (e.g. "--classes"). */
  classesFrom?: string;
}

/**
 * An image set from numpy arrays written by `np.save`: images uint8 (0–255) or float32/float64 in
 * [0, 1], shaped N×H×W, N×H×W×C, or channels-first N×C×H×W (C = 1 or 3, as PyTorch keeps them),
 * which is transposed to channels-last; labels int32/int64/uint8 of length N, or none. Without
 * class names the classes are "0".."K−1" for K = the largest label + 1, at most `MAX_CLASSES`.
 * @example loadNpyDataset("x.npy", "y.npy").n // 1000 for x of shape (1000, 28, 28)
 */
export function loadNpyDataset(imagesPath: string, labelsPath?: string, options: NpyDatasetOptions = {}): Dataset {
  const arr = readNpy(imagesPath);
  const imagesName = printable(imagesPath);
  const shape = arr.shape;
  if (shape.length !== 3 && shape.length !== 4) {
    throw new DataError(`images must be 3-D (N×H×W) or 4-D (N×H×W×C), got shape (${shape.join(", ")})`, imagesName);
  }
  const n = shape[0];
  const channelsFirst = shape.length === 4 && (shape[1] === 1 || shape[1] === 3) && !(shape[3] === 1 || shape[3] === 3);
  const [height, width, channels] =
    shape.length === 3 ? [shape[1], shape[2], 1] : channelsFirst ? [shape[2], shape[3], shape[1]] : [shape[1], shape[2], shape[3]];
  if (![1, 3, 4].includes(channels)) {
    throw new DataError(`images must have 1, 3 or 4 channels in the last axis, got shape (${shape.join(", ")})`, imagesName);
  }
  let images = toBytes(arr.data, arr.dtype, imagesName);
  if (channelsFirst) images = chwToHwc(images, n, channels, height, width);
  const labels = labelsPath === undefined ? new Int32Array(n).fill(-1) : readLabels(labelsPath, n, imagesName);
  const labelsName = printable(labelsPath ?? imagesPath);
  const ds: Dataset = {
    name: options.name ?? imagesName,
    classes: classNamesFor(labels, labelsName, options),
    n,
    height,
    width,
    channels,
    images,
    labels,
  };
  return checkDataset(ds, labelsName);
}

/** One label per image: {@link toInt32Labels} checks the shape, the type and the values. */
function readLabels(path: string, n: number, imagesName: string): Int32Array {
  const name = printable(path);
  const labels = toInt32Labels(readNpy(path), name);
  if (labels.length !== n) throw new DataError(`${labels.length} labels for ${n} images in ${imagesName}`, name);
  return labels;
}

function toBytes(data: ArrayLike<number> | BigInt64Array, dtype: string, file: string): Uint8Array {
  if (dtype === "uint8") return data as Uint8Array;
  if (dtype !== "float32" && dtype !== "float64") {
    throw new DataError(`images must be uint8 (0–255) or float in [0, 1], got ${dtype}`, file);
  }
  const src = data as Float32Array | Float64Array;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (!(v >= 0 && v <= 1)) {
      throw new DataError(
        `float images must lie in [0, 1]; element ${i} is ${v} — scale them (x / 255) or save uint8`,
        file,
      );
    }
    out[i] = Math.round(v * 255);
  }
  return out;
}

function chwToHwc(src: Uint8Array, n: number, c: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(src.length);
  const plane = h * w;
  for (let i = 0; i < n; i++) {
    const base = i * c * plane;
    for (let p = 0; p < plane; p++) for (let k = 0; k < c; k++) out[base + p * c + k] = src[base + k * plane + p];
  }
  return out;
}

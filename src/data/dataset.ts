import { DataError } from "../util/errors.js";
import { describeOutside, labelsOutside } from "./labels.js";

/**
 * A labelled image set held in memory, as in DESIGN.md: `images` is N·H·W·C bytes, row-major,
 * channels last; `labels[i]` is an index into `classes`, or -1 for an image with no label.
 */
export interface Dataset {
  name: string;
  classes: string[];
  n: number;
  height: number;
  width: number;
  channels: number;
  images: Uint8Array;
  labels: Int32Array;
  /**
   * Where each image sits in the dataset as loaded from its source, when this is a part of it
   * (`--limit`, `--only`, a validation split): image i is image `indices[i]` of the source.
   * Absent: image i is image i. Kept through every subset, so results name the source's images.
   */
  indices?: Int32Array;
}

/** Bytes of one image. */
export function imageSize(ds: Pick<Dataset, "height" | "width" | "channels">): number {
  return ds.height * ds.width * ds.channels;
}

/** The bytes of image `i`, as a view (no copy). */
export function imageAt(ds: Dataset, i: number): Uint8Array {
  const size = imageSize(ds);
  return ds.images.subarray(i * size, (i + 1) * size);
}

/**
 * Checks that a dataset's parts agree: image bytes against N·H·W·C, label count against N, every
 * label in 0..K-1 (or -1 for "no label"). All problems are reported together in one error; a bad
 * label is named by its index in the source ({@link Dataset.indices}). A dataset with no images,
 * or with one class, passes: whether that will do is for the caller that needs classes to say.
 */
export function checkDataset(ds: Dataset, source: string = ds.name): Dataset {
  const problems: string[] = [];
  if (!Number.isInteger(ds.n) || ds.n < 0) problems.push(`n must be a non-negative integer, got ${ds.n}`);
  for (const [key, v] of [["height", ds.height], ["width", ds.width], ["channels", ds.channels]] as const) {
    if (!Number.isInteger(v) || v <= 0) problems.push(`${key} must be a positive integer, got ${v}`);
  }
  if (ds.images.length !== ds.n * imageSize(ds)) {
    problems.push(`${ds.images.length} image bytes do not make ${ds.n} images of ${ds.height}×${ds.width}×${ds.channels}`);
  }
  if (ds.labels.length !== ds.n) problems.push(`${ds.n} images but ${ds.labels.length} labels`);
  const k = ds.classes.length;
  const bad = labelsOutside(ds.labels, k);
  if (bad !== undefined) {
    // Named by the image's index in the source, so that the message points into the file.
    const first = { ...bad, index: ds.indices?.[bad.index] ?? bad.index };
    problems.push(`${describeOutside(first, k)}; there are ${k} class names — pass the class names, or fix the labels (-1 marks an image with no label)`);
  }
  if (problems.length > 0) throw new DataError(problems.join("; "), source);
  return ds;
}

/** Number of images per class, length K (unlabelled images are not counted). */
export function classCounts(ds: Pick<Dataset, "labels" | "classes">): Int32Array {
  const counts = new Int32Array(ds.classes.length);
  for (let i = 0; i < ds.labels.length; i++) if (ds.labels[i] >= 0) counts[ds.labels[i]]++;
  return counts;
}

/** The index in the source dataset of image `i` (see {@link Dataset.indices}). */
export function sourceIndex(ds: Pick<Dataset, "indices">, i: number): number {
  return ds.indices ? ds.indices[i] : i;
}

/** The source index of every image: `indices`, or 0..n−1 when the dataset is the whole source. */
export function sourceIndices(ds: Pick<Dataset, "indices" | "n">): Int32Array {
  return ds.indices ?? Int32Array.from({ length: ds.n }, (_, i) => i);
}

/** The images at `indices`, in that order, copied into a new dataset that remembers their source indices. */
export function subset(ds: Dataset, indices: ArrayLike<number>, name = ds.name): Dataset {
  const size = imageSize(ds);
  const images = new Uint8Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  const source = new Int32Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    if (!(i >= 0 && i < ds.n)) throw new RangeError(`subset index ${i} is outside 0..${ds.n - 1}`);
    images.set(ds.images.subarray(i * size, (i + 1) * size), j * size);
    labels[j] = ds.labels[i];
    source[j] = ds.indices ? ds.indices[i] : i;
  }
  return { ...ds, name, n: indices.length, images, labels, indices: source };
}

/** Joins datasets of the same image shape and classes (e.g. the five CIFAR-10 training batches). */
export function concatDatasets(parts: Dataset[], name: string): Dataset {
  if (parts.length === 0) throw new RangeError("concatDatasets needs at least one dataset");
  const first = parts[0];
  for (const p of parts) {
    if (p.height !== first.height || p.width !== first.width || p.channels !== first.channels) {
      throw new DataError(
        `image shape ${p.height}×${p.width}×${p.channels} differs from ${first.height}×${first.width}×${first.channels} of ${first.name}`,
        p.name,
      );
    }
  }
  const n = parts.reduce((s, p) => s + p.n, 0);
  const images = new Uint8Array(n * imageSize(first));
  const labels = new Int32Array(n);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * imageSize(first));
    labels.set(p.labels, at);
    at += p.n;
  }
  // The joined set is a new source: image i is image i (the parts' own indices would repeat).
  const { indices: _parts, ...rest } = first;
  return { ...rest, name, n, images, labels };
}

/** A contiguous run of images and their labels, as views into the dataset. */
export interface Batch {
  start: number;
  n: number;
  images: Uint8Array;
  labels: Int32Array;
}

/** Streams the dataset in batches of `batchSize` (the last may be smaller), without copying. */
export function* batches(ds: Dataset, batchSize: number): Generator<Batch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const size = imageSize(ds);
  for (let start = 0; start < ds.n; start += batchSize) {
    const n = Math.min(batchSize, ds.n - start);
    yield {
      start,
      n,
      images: ds.images.subarray(start * size, (start + n) * size),
      labels: ds.labels.subarray(start, start + n),
    };
  }
}

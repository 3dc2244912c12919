import type { Dataset } from "../data/dataset.js";
import { encodeNpy } from "../data/npy.js";
import { describeTransform, type ImageTransform, transformDataset } from "../data/transform.js";
import { writeFilesAtomic } from "../util/atomic.js";
import { UsageError } from "../util/errors.js";

/**
 * `featurelens dataset --out X.npy [--transform T]`: a dataset written as numpy arrays — the
 * images as uint8 X.npy (N×H×W, or N×H×W×C for colour) and the labels beside them as int32
 * X.labels.npy — optionally transformed (data/transform.ts), so that a domain-shift experiment can
 * be made again: `--data npy:X.npy,X.labels.npy` reads the copy back.
 */

export interface DatasetCopy {
  images: string;
  labels: string;
  /** The spec that reads the copy back. */
  spec: string;
  n: number;
  shape: number[];
  transform: string | null;
  /** The images as written. */
  dataset: Dataset;
}

/** X.labels.npy beside X.npy; refuses an --out that is not a .npy file. */
export function copyPaths(out: string): { images: string; labels: string } {
  if (!/\.npy$/i.test(out)) throw new UsageError(`--out '${out}': the images are written as .npy (the labels beside them as .labels.npy); give a file name ending in .npy`);
  return { images: out, labels: out.replace(/\.npy$/i, ".labels.npy") };
}

/**
 * Writes the (transformed) dataset; images and labels are written as one unit.
 * @example writeDatasetCopy(ds, { out: "inverted.npy", transform: { kind: "invert" }, seed: 0 }).spec // "npy:inverted.npy,inverted.labels.npy"
 */
export function writeDatasetCopy(ds: Dataset, o: { out: string; transform?: ImageTransform; seed: number }): DatasetCopy {
  const { images, labels } = copyPaths(o.out);
  const copy = o.transform ? transformDataset(ds, o.transform, o.seed) : ds;
  const shape = copy.channels === 1 ? [copy.n, copy.height, copy.width] : [copy.n, copy.height, copy.width, copy.channels];
  writeFilesAtomic([
    [images, encodeNpy({ dtype: "uint8", shape, data: copy.images })],
    [labels, encodeNpy({ dtype: "int32", shape: [copy.n], data: copy.labels })],
  ]);
  return { images, labels, spec: `npy:${images},${labels}`, n: copy.n, shape, transform: o.transform ? describeTransform(o.transform) : null, dataset: copy };
}

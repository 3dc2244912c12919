import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { DataError } from "../util/errors.js";
import { describeFsError } from "../util/files.js";
import { notRegularReason, readRegularFile } from "./regularFile.js";
import { checkDataset, type Dataset } from "./dataset.js";

/**
 * The CIFAR-10 binary version (Krizhevsky 2009, "Learning Multiple Layers of Features from Tiny
 * Images"; format as described on https://www.cs.toronto.edu/~kriz/cifar.html): each record is one
 * label byte and 3072 pixel bytes, the 1024 red values of a 32×32 image in row-major order, then
 * the 1024 green, then the 1024 blue.
 */

export const CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = 3 * PLANE;
const RECORD = 1 + PIXELS;
const TRAIN_FILES = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];
const TEST_FILES = ["test_batch.bin"];
const FOLDER = "cifar-10-batches-bin";

/**
 * Parses one batch file's bytes into N×32×32×3 images (channels last) and labels.
 * @example
 * parseCifarBatch(new Uint8Array(3073), "one.bin") // { n: 1, images: Uint8Array(3072), labels: Int32Array [0] }
 */
export function parseCifarBatch(bytes: Uint8Array, file: string): { n: number; images: Uint8Array; labels: Int32Array } {
  checkBatchSize(bytes.length, file);
  const n = bytes.length / RECORD;
  const images = new Uint8Array(n * PIXELS);
  const labels = new Int32Array(n);
  decodeRecords(bytes, file, images, labels);
  return { n, images, labels };
}

function checkBatchSize(length: number, file: string): void {
  if (length === 0) throw new DataError("empty file; not a CIFAR-10 binary batch", file);
  if (length % RECORD !== 0) {
    throw new DataError(`truncated or not a CIFAR-10 binary batch: ${length} bytes is not a multiple of ${RECORD}`, file);
  }
}

/** Decodes whole records into `images` (HWC) and `labels`, which have room for exactly those records. */
function decodeRecords(bytes: Uint8Array, file: string, images: Uint8Array, labels: Int32Array): void {
  const n = bytes.length / RECORD;
  const k = CIFAR10_CLASSES.length;
  let bad = 0;
  let firstBad = -1;
  for (let i = 0; i < n; i++) {
    const rec = i * RECORD;
    const label = bytes[rec];
    if (label >= k) {
      if (bad === 0) firstBad = i;
      bad++;
    }
    labels[i] = label;
    const out = i * PIXELS;
    for (let p = 0; p < PLANE; p++) {
      const o = out + 3 * p;
      images[o] = bytes[rec + 1 + p];
      images[o + 1] = bytes[rec + 1 + PLANE + p];
      images[o + 2] = bytes[rec + 1 + 2 * PLANE + p];
    }
  }
  if (bad > 0) {
    throw new DataError(
      `${bad} record(s) with a label byte outside 0..${k - 1} (first: record ${firstBad} at byte ${firstBad * RECORD}, ` +
        `label ${bytes[firstBad * RECORD]}); the file is damaged or not a CIFAR-10 batch (CIFAR-100 has 2 label bytes)`,
      file,
    );
  }
}

/** Class names from `batches.meta.txt`: one per non-empty line. */
export function readCifarClassNames(metaPath: string): string[] {
  const names = new TextDecoder("utf-8")
    .decode(readRegularFile(metaPath))
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (names.length === 0) throw new DataError("no class names (expected one name per line)", metaPath);
  return names;
}

/** Options for {@link loadCifar10}. */
export interface Cifar10Options {
  /** Dataset name; default "cifar10-train" or "cifar10-test". */
  name?: string;
}

/**
 * Loads the training set (data_batch_1..5.bin, 50 000 images) or the test set (test_batch.bin,
 * 10 000 images) from the `cifar-10-batches-bin` folder or the folder holding it.
 * @example
 * loadCifar10("data", "test") // { name: "cifar10-test", n: 10000, height: 32, width: 32, channels: 3, classes: ["airplane", …], … }
 */
export function loadCifar10(dir: string, split: "train" | "test", options: Cifar10Options = {}): Dataset {
  if (split !== "train" && split !== "test") throw new RangeError(`split must be "train" or "test", got "${String(split)}"`);
  const nested = join(dir, FOLDER);
  const folder = isFolder(nested) ? nested : dir;
  const files = split === "train" ? TRAIN_FILES : TEST_FILES;
  const missing = files.filter((f) => !existsSync(join(folder, f)));
  if (missing.length > 0) {
    const looked = folder === dir ? `${dir} (and found no ${FOLDER} folder in it)` : folder;
    throw new DataError(
      `missing CIFAR-10 ${split} batch file(s) ${missing.join(", ")} in ${looked}; ` +
        `download cifar-10-binary.tar.gz and extract it there`,
      folder,
    );
  }
  const paths = files.map((f) => join(folder, f));
  // Sizes first, so that the images of all batches go straight into one array.
  const sizes = paths.map((p) => {
    const size = fileSize(p);
    checkBatchSize(size, p);
    return size;
  });
  const n = sizes.reduce((a, b) => a + b, 0) / RECORD;
  const images = new Uint8Array(n * PIXELS);
  const labels = new Int32Array(n);
  let at = 0;
  paths.forEach((p, j) => {
    const bytes = readRegularFile(p);
    if (bytes.length !== sizes[j]) throw new DataError(`changed while being read (${sizes[j]} bytes, then ${bytes.length})`, p);
    const m = bytes.length / RECORD;
    decodeRecords(bytes, p, images.subarray(at * PIXELS, (at + m) * PIXELS), labels.subarray(at, at + m));
    at += m;
  });
  const metaPath = join(folder, "batches.meta.txt");
  const classes = existsSync(metaPath) ? readCifarClassNames(metaPath) : [...CIFAR10_CLASSES];
  if (classes.length !== CIFAR10_CLASSES.length) {
    throw new DataError(`${classes.length} class names, but CIFAR-10 has ${CIFAR10_CLASSES.length}`, metaPath);
  }
  const ds: Dataset = { name: options.name ?? `cifar10-${split}`, classes, n, height: SIDE, width: SIDE, channels: 3, images, labels };
  return checkDataset(ds, folder);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The size of a regular file; anything else (a FIFO, a device, a folder) is a DataError naming it. */
function fileSize(path: string): number {
  let info;
  try {
    info = statSync(path);
  } catch (err) {
    throw new DataError(describeFsError(err), path);
  }
  const kind = notRegularReason(info);
  if (kind !== undefined) throw new DataError(`${kind}; a CIFAR-10 batch is a file of 30,730,000 bytes`, path);
  return info.size;
}

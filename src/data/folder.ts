import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import sharp from "sharp";
import { DataError } from "../util/errors.js";
import { checkDataset, type Dataset } from "./dataset.js";
import { listFolder, type PassedOver } from "./folderList.js";
import { printable } from "./printable.js";

export { compareCodePoints } from "./folderList.js";

/**
 * A dataset from a folder with one sub-folder of images per class, as torchvision's `ImageFolder`
 * reads it (torchvision `datasets/folder.py`, `find_classes` and `make_dataset`).
 */

/** Options for {@link loadFolderDataset}; defaults are in {@link FOLDER_DEFAULTS}. */
export interface FolderOptions {
  /** Output size; default: the size of the first image found (sorted order). */
  size?: { height: number; width: number };
  /** 1 = grayscale, 3 = RGB; default: 1 if the first image is grayscale (1 or 2 channels), else 3. */
  channels?: 1 | 3;
  /** How to fit images of another aspect ratio: "cover" (resize then centre-crop, like torchvision Resize+CenterCrop; default), "fill" (stretch), "contain" (letterbox on black). */
  fit?: "cover" | "fill" | "contain";
  /** Dataset name; default: `root` as given. */
  name?: string;
  /** Images decoded at once (default: 2 × os.availableParallelism(), at least 4). */
  concurrency?: number;
  /** Called with (0, total) before decoding and after each image, decoded or skipped. */
  onProgress?: (done: number, total: number) => void;
}

export interface FolderResult {
  /** The images that decoded, in sorted order, and their labels. */
  dataset: Dataset;
  /** Files with an image extension that could not be decoded, in sorted order. */
  skipped: { file: string; reason: string }[];
  /** Files that are not images: anything directly in `root`, and files with other extensions. */
  ignored: string[];
  /**
   * What was not read, with the reason: symbolic links leading out of `root` (or, for a folder,
   * out of its class folder), folders already read (link loops), unreadable folders, FIFOs,
   * sockets and devices.
   */
  passedOver: PassedOver[];
}

/** Defaults of {@link FolderOptions}; `size` and `channels` default to those of the first image. */
export const FOLDER_DEFAULTS = Object.freeze({
  fit: "cover" as const,
  concurrency: Math.max(4, 2 * availableParallelism()),
  /** Extensions read as images, compared case-insensitively. */
  extensions: Object.freeze([".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".avif"]),
});

const FITS = ["cover", "fill", "contain"];
const BLACK = { r: 0, g: 0, b: 0, alpha: 1 };

/** What every image is decoded to. */
interface Target {
  height: number;
  width: number;
  channels: 1 | 3;
  fit: "cover" | "fill" | "contain";
}

/**
 * Loads every image under `root/<class>/…` into one dataset of the same size and channel count.
 * Classes are the sub-folders of `root` in code-point order (Python's `sorted`); images are found
 * recursively in each, in torchvision's order (folders by path, then files by name within a
 * folder). Files with an image extension that do not decode are skipped and listed, not fatal.
 * Symbolic links are followed only inside `root` (a folder link only inside its class folder),
 * no folder is read twice, and special files are never opened (see `listFolder`); what is passed
 * over is listed. Names holding control characters (a newline) are shown escaped, JSON-style.
 * NOTE: EXIF orientation is not applied, as PIL (and so torchvision) does not apply it either;
 * transparent pixels are flattened on black; pixels are resampled by sharp's default (Lanczos 3).
 * Decoding runs on libuv's threadpool (UV_THREADPOOL_SIZE, 4 by default), which caps how many
 * images decode at once whatever `concurrency` says.
 * @example
 * // The Fashion-MNIST test set as JPEGs, built by bench/folder-decode.ts:
 * const { dataset, skipped } = await loadFolderDataset("bench/.cache/fmnist-jpeg-10k", { channels: 3 });
 * // dataset.classes → ["Ankle boot", "Bag", "Coat", "Dress", "Pullover", "Sandal", "Shirt", "Sneaker", "T-shirt_top", "Trouser"]
 * // [dataset.n, dataset.height, dataset.width, dataset.channels] → [10000, 28, 28, 3]; skipped → []
 */
export async function loadFolderDataset(root: string, options: FolderOptions = {}): Promise<FolderResult> {
  checkOptions(options);
  const { classes, files, labels, ignored, passedOver } = await listFolder(root, FOLDER_DEFAULTS.extensions);
  const name = printable(root);
  const target = await chooseTarget(files, options);
  const size = target.height * target.width * target.channels;
  const images = allocate(files.length, size, target, name);
  const failures = new Array<string | undefined>(files.length);
  const total = files.length;
  let done = 0;
  options.onProgress?.(0, total);
  await runPool(total, options.concurrency ?? FOLDER_DEFAULTS.concurrency, async (i) => {
    let decoded;
    try {
      decoded = await decode(files[i], target);
    } catch (err) {
      failures[i] = await failureReason(err, files[i]);
    }
    if (decoded !== undefined) writeChannels(decoded.data, decoded.channels, images, i * size, target.channels);
    options.onProgress?.(++done, total);
  });
  const { kept, skipped } = dropFailed(files, failures, images, labels, size);
  if (kept === 0) {
    throw new DataError(`none of its ${total} image(s) could be decoded (first: ${printable(skipped[0].file)}: ${skipped[0].reason})`, name);
  }
  const { height, width, channels } = target;
  const dataset: Dataset = {
    name: options.name ?? name,
    classes,
    n: kept,
    height,
    width,
    channels,
    images: images.subarray(0, kept * size),
    labels: Int32Array.from(labels.slice(0, kept)),
  };
  return { dataset: checkDataset(dataset, name), skipped, ignored, passedOver };
}

/**
 * Moves the images that decoded (and their labels) to the front, in order, and lists the others.
 * Returns how many were kept.
 */
function dropFailed(
  files: string[],
  failures: (string | undefined)[],
  images: Uint8Array,
  labels: number[],
  size: number,
): { kept: number; skipped: FolderResult["skipped"] } {
  const skipped: FolderResult["skipped"] = [];
  let kept = 0;
  for (let i = 0; i < files.length; i++) {
    const reason = failures[i];
    if (reason !== undefined) {
      skipped.push({ file: files[i], reason });
      continue;
    }
    if (kept !== i) images.copyWithin(kept * size, i * size, (i + 1) * size);
    labels[kept++] = labels[i];
  }
  return { kept, skipped };
}

/** Throws one RangeError listing every bad option value. */
function checkOptions(options: FolderOptions): void {
  const problems: string[] = [];
  const isPositiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
  if (options.size !== undefined) {
    const { height, width } = options.size;
    if (!isPositiveInt(height) || !isPositiveInt(width)) {
      problems.push(`size must be {height, width} with positive integers, got ${JSON.stringify(options.size)}`);
    }
  }
  if (options.channels !== undefined && options.channels !== 1 && options.channels !== 3) {
    problems.push(`channels must be 1 or 3, got ${String(options.channels)}`);
  }
  if (options.fit !== undefined && !FITS.includes(options.fit)) {
    problems.push(`fit must be one of ${FITS.map((f) => `"${f}"`).join(", ")}, got ${JSON.stringify(options.fit)}`);
  }
  if (options.concurrency !== undefined && !isPositiveInt(options.concurrency)) {
    problems.push(`concurrency must be a positive integer, got ${String(options.concurrency)}`);
  }
  if (problems.length > 0) throw new RangeError(`loadFolderDataset: ${problems.join("; ")}`);
}

/** The output shape: from the options, else from the first image whose header reads. */
async function chooseTarget(files: string[], options: FolderOptions): Promise<Target> {
  let first: sharp.Metadata | undefined;
  if (options.size === undefined || options.channels === undefined) {
    for (const file of files) {
      // A file whose header does not read fails again when decoded, and is reported then.
      first = await sharp(file).metadata().catch(() => undefined);
      if (first !== undefined) break;
    }
  }
  // With no header readable, any shape will do: every image is then skipped and reported.
  return {
    height: options.size?.height ?? first?.height ?? 1,
    width: options.size?.width ?? first?.width ?? 1,
    channels: options.channels ?? ((first?.channels ?? 3) <= 2 ? 1 : 3),
    fit: options.fit ?? FOLDER_DEFAULTS.fit,
  };
}

/** The one buffer for all images, with an error a user can act on when it is too large. */
function allocate(n: number, size: number, target: Target, root: string): Uint8Array {
  try {
    return new Uint8Array(n * size);
  } catch {
    const gb = ((n * size) / 2 ** 30).toFixed(1);
    throw new DataError(
      `${n} images of ${target.height}×${target.width}×${target.channels} need ${gb} GiB, more than can be allocated; ` +
        `pass a smaller size, or use fewer images`,
      root,
    );
  }
}

/**
 * Decodes one file to raw uint8 HWC sRGB bytes at the target size, as PIL's `convert("RGB")` does
 * (gray repeated into R, G, B; 16-bit scaled to 8; CMYK converted). sharp reports the channel
 * count it produced, which {@link writeChannels} turns into the one asked for.
 */
async function decode(file: string, target: Target): Promise<{ data: Buffer; channels: number }> {
  // failOn "error" stops on truncated or corrupt data but not on libjpeg's harmless warnings
  // (e.g. "extraneous bytes before marker"), which PIL also reads.
  const { data, info } = await sharp(file, { failOn: "error" })
    .resize({ width: target.width, height: target.height, fit: target.fit, position: "centre", background: BLACK })
    .flatten({ background: BLACK })
    .toColourspace("srgb")
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  if (info.width !== target.width || info.height !== target.height || data.length !== info.width * info.height * info.channels) {
    throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, not ${target.width}×${target.height}`);
  }
  return { data, channels: info.channels };
}

/**
 * Copies HWC pixels with `from` channels into `out` at `offset` with `to` channels: gray is
 * repeated into RGB, alpha is dropped, and RGB becomes luma as PIL's `convert("L")` computes it
 * (ITU-R BT.601 weights on the gamma-encoded values, in Pillow's fixed point: `Convert.c`, `L24`).
 * NOTE: not sharp's `grayscale()`, whose luminance is taken in linear light and makes pure red
 * 127 where PIL, and so a model trained with torchvision, sees 76.
 */
export function writeChannels(src: Uint8Array, from: number, out: Uint8Array, offset: number, to: 1 | 3): void {
  if (from === to) {
    out.set(src, offset);
    return;
  }
  const pixels = src.length / from;
  for (let p = 0, s = 0, o = offset; p < pixels; p++, s += from, o += to) {
    if (to === 1) {
      out[o] = from < 3 ? src[s] : (src[s] * 19595 + src[s + 1] * 38470 + src[s + 2] * 7471 + 0x8000) >>> 16;
    } else if (from < 3) {
      out[o] = out[o + 1] = out[o + 2] = src[s];
    } else {
      out[o] = src[s];
      out[o + 1] = src[s + 1];
      out[o + 2] = src[s + 2];
    }
  }
}

/** A short reason why a file did not decode. */
async function failureReason(err: unknown, file: string): Promise<string> {
  const size = await stat(file).then((s) => s.size, () => undefined);
  if (size === 0) return "empty file (0 bytes)";
  const message = (err instanceof Error ? err.message : String(err)).split("\n")[0].trim();
  if (message.startsWith("Input file contains unsupported image format")) return "not an image sharp can read (unknown format or corrupt data)";
  if (message.startsWith("Input file is missing")) return "no such file (removed while loading?)";
  return message;
}

/**
 * Runs `task(0)`…`task(count - 1)` with at most `concurrency` running at once, starting them in
 * index order. sharp decodes on libuv's threadpool, so this is what keeps several cores busy.
 * The first task that throws stops new tasks from starting and rejects the whole run.
 */
async function runPool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < count) {
      const i = next++;
      try {
        await task(i);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

import { join } from "node:path";
import type { Dataset } from "./dataset.js";
import { loadCifar10 } from "./cifar.js";
import { loadFolderDataset, type FolderOptions } from "./folder.js";
import { loadIdxDataset } from "./idx.js";
import { loadNamedDataset, type NamedOptions } from "./named.js";
import { FASHION_MNIST_CLASSES, FASHION_MNIST_FILES, SAMPLE_DIR } from "./sample.js";
import { loadNpyDataset } from "./npyDataset.js";
import { printable } from "./printable.js";
import { parseDataSpec, type DataSpec } from "./spec.js";
import { limitDataset, parseClassList, selectClasses } from "./subset.js";

/** Options for {@link loadDataset}. */
export interface LoadOptions extends Pick<NamedOptions, "env" | "download" | "onNotice"> {
  /** Keep at most this many images, stratified by class and seeded (`--limit`). */
  limit?: number;
  seed?: number;
  /** Class names for sets that do not carry them (npy, idx). */
  classes?: string[];
  /** Keep only these classes — indices, ranges or names: "0,6", "5-9", "Sneaker,Sandal" — relabelled 0..m−1 in that order (`--only`); before `limit`. */
  only?: string;
  /** Folder sets: output size and channels, see {@link FolderOptions}. */
  size?: FolderOptions["size"];
  channels?: FolderOptions["channels"];
  onProgress?: (label: string, done: number, total: number | undefined) => void;
}

/**
 * Loads any dataset featurelens reads, from a spec string (see `SPEC_FORMS`) or a parsed spec.
 * @example (await loadDataset("sample:test")).n // 1000
 */
export async function loadDataset(spec: string | DataSpec, options: LoadOptions = {}): Promise<Dataset> {
  const parsed = typeof spec === "string" ? parseDataSpec(spec) : spec;
  const loaded = await loadParsed(parsed, options);
  const ds = options.only !== undefined ? selectClasses(loaded, parseClassList(options.only, loaded.classes)) : loaded;
  return options.limit !== undefined ? limitDataset(ds, { limit: options.limit, seed: options.seed }) : ds;
}

async function loadParsed(spec: DataSpec, options: LoadOptions): Promise<Dataset> {
  const classes = options.classes;
  switch (spec.kind) {
    case "sample": {
      const [images, labels] = FASHION_MNIST_FILES[spec.split].map((f) => join(SAMPLE_DIR, f));
      return loadIdxDataset(images, labels, { name: `sample:${spec.split}`, classes: FASHION_MNIST_CLASSES });
    }
    case "named":
      return loadNamedDataset(spec.name, spec.split, { ...options, ...(spec.dir ? { dir: spec.dir } : {}) });
    case "folder": {
      const result = await loadFolderDataset(spec.path, {
        ...(options.size ? { size: options.size } : {}),
        ...(options.channels ? { channels: options.channels } : {}),
        onProgress: (done, total) => options.onProgress?.("decoding", done, total),
      });
      if (result.skipped.length > 0) {
        options.onNotice?.(`skipped ${result.skipped.length} image(s) that could not be decoded: ${firstFew(result.skipped.map((s) => ({ path: s.file, reason: s.reason })))}`);
      }
      if (result.ignored.length > 0) options.onNotice?.(`ignored ${result.ignored.length} file(s) that are not images`);
      if (result.passedOver.length > 0) {
        options.onNotice?.(`passed over ${result.passedOver.length} link(s), folder(s) or special file(s) under ${printable(spec.path)}: ${firstFew(result.passedOver)}`);
      }
      return result.dataset;
    }
    case "npy":
      return loadNpyDataset(spec.images, spec.labels, classes ? { classes, classesFrom: "--classes" } : {});
    case "idx":
      return loadIdxDataset(spec.images, spec.labels, classes ? { classes, classesFrom: "--classes" } : {});
    case "cifar":
      return loadCifar10(spec.path, spec.split);
  }
}

/** The first three paths with their reasons, on one line: "a.jpg (empty file), b.png (…), …". */
function firstFew(items: { path: string; reason: string }[]): string {
  const first = items.slice(0, 3).map((s) => `${printable(s.path)} (${s.reason})`).join(", ");
  return `${first}${items.length > 3 ? ", …" : ""}`;
}

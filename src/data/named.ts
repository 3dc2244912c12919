import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { DataError } from "../util/errors.js";
import type { Dataset } from "./dataset.js";
import { download } from "./download.js";
import { extractTarGz } from "./tar.js";
import { loadCifar10 } from "./cifar.js";
import { loadIdxDataset } from "./idx.js";
import { FASHION_MNIST_CLASSES } from "./sample.js";

/**
 * Named datasets, found in this order (DESIGN.md): an explicit folder, `$FEATURELENS_DATA/<name>`,
 * the user cache (`$XDG_CACHE_HOME/featurelens/<name>`, else `~/.cache/featurelens/<name>`),
 * known system locations (Debian's `dataset-fashion-mnist`), else downloaded from the official
 * source into the user cache with a SHA-256 check.
 */

export type Split = "train" | "test";

export interface RemoteFile {
  /** Name of the file as stored (and as found in a folder). */
  file: string;
  sha256: string;
  size: number;
}

export interface NamedDataset {
  name: string;
  classes: string[];
  /** Folders that a system package installs the files to. */
  systemDirs: string[];
  /** Base URLs of the official source and its mirrors, tried in order. */
  mirrors: string[];
  /** How to get the command that installs the set without a download, if there is one. */
  installHint?: string;
  format: "idx" | "cifar10";
  /** IDX: [images, labels] per split. CIFAR-10: one archive for both splits. */
  files: { train: RemoteFile[]; test: RemoteFile[] };
}


const CIFAR_ARCHIVE: RemoteFile = {
  file: "cifar-10-binary.tar.gz",
  sha256: "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
  size: 170052171,
};

/** The sets featurelens knows by name. Checksums are those of the official files. */
export const NAMED_DATASETS: Record<string, NamedDataset> = {
  mnist: {
    name: "mnist",
    classes: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    systemDirs: ["/usr/share/datasets/mnist"],
    mirrors: ["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"],
    format: "idx",
    files: {
      train: [
        { file: "train-images-idx3-ubyte.gz", sha256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", size: 9912422 },
        { file: "train-labels-idx1-ubyte.gz", sha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", size: 28881 },
      ],
      test: [
        { file: "t10k-images-idx3-ubyte.gz", sha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", size: 1648877 },
        { file: "t10k-labels-idx1-ubyte.gz", sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", size: 4542 },
      ],
    },
  },
  "fashion-mnist": {
    name: "fashion-mnist",
    classes: FASHION_MNIST_CLASSES,
    systemDirs: ["/usr/share/datasets/fashion-mnist"],
    mirrors: ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
    installHint: "apt-get install dataset-fashion-mnist",
    format: "idx",
    files: {
      train: [
        { file: "train-images-idx3-ubyte.gz", sha256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84", size: 26421880 },
        { file: "train-labels-idx1-ubyte.gz", sha256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845", size: 29515 },
      ],
      test: [
        { file: "t10k-images-idx3-ubyte.gz", sha256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073", size: 4422102 },
        { file: "t10k-labels-idx1-ubyte.gz", sha256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5", size: 5148 },
      ],
    },
  },
  cifar10: {
    name: "cifar10",
    classes: ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
    systemDirs: [],
    mirrors: ["https://www.cs.toronto.edu/~kriz/"],
    format: "cifar10",
    files: { train: [CIFAR_ARCHIVE], test: [CIFAR_ARCHIVE] },
  },
};

/** Options for {@link loadNamedDataset}. */
export interface NamedOptions {
  /** An explicit folder to read from; nothing else is searched. */
  dir?: string;
  /** Environment to read FEATURELENS_DATA / XDG_CACHE_HOME / FEATURELENS_OFFLINE from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Allow a download when nothing is found (default true unless FEATURELENS_OFFLINE=1). */
  download?: boolean;
  onProgress?: (label: string, done: number, total: number | undefined) => void;
  /** Told where the set was found or that a download starts. */
  onNotice?: (message: string) => void;
}

/** The user cache folder of featurelens. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.length > 0 ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(base, "featurelens");
}

/** The folders searched for a named set, in order, each with where it came from. */
export function searchPath(set: NamedDataset, options: NamedOptions = {}): { dir: string; from: string }[] {
  const env = options.env ?? process.env;
  if (options.dir !== undefined) return [{ dir: resolve(options.dir), from: "the folder given" }];
  const out: { dir: string; from: string }[] = [];
  if (env.FEATURELENS_DATA) out.push({ dir: join(env.FEATURELENS_DATA, set.name), from: "$FEATURELENS_DATA" });
  out.push({ dir: join(cacheDir(env), set.name), from: "the user cache" });
  for (const d of set.systemDirs) out.push({ dir: d, from: "the system" });
  return out;
}

/** Whether `dir` holds what `split` needs. */
function hasSplit(set: NamedDataset, dir: string, split: Split): boolean {
  if (set.format === "cifar10") {
    const need = split === "train" ? "data_batch_1.bin" : "test_batch.bin";
    return existsSync(join(dir, "cifar-10-batches-bin", need)) || existsSync(join(dir, need));
  }
  return set.files[split].every((f) => findIdxFile(dir, f.file) !== undefined);
}

/** `name.gz` or its un-gzipped twin (`name` without `.gz`, or with `-` for `.`, as some mirrors store it). */
function findIdxFile(dir: string, file: string): string | undefined {
  const bare = file.replace(/\.gz$/, "");
  for (const candidate of [file, bare, bare.replace(/-idx(\d)-ubyte$/, ".idx$1-ubyte")]) {
    const p = join(dir, candidate);
    if (existsSync(p)) return p;
  }
  return undefined;
}

function readSplit(set: NamedDataset, dir: string, split: Split): Dataset {
  const name = `${set.name}:${split}`;
  if (set.format === "cifar10") return { ...loadCifar10(dir, split, { name }), classes: set.classes };
  const [imgs, labels] = set.files[split].map((f) => findIdxFile(dir, f.file)!);
  return loadIdxDataset(imgs, labels, { name, classes: set.classes });
}

/** Loads a named set's split, searching and downloading as described above. */
export async function loadNamedDataset(name: string, split: Split, options: NamedOptions = {}): Promise<Dataset> {
  const set = NAMED_DATASETS[name];
  if (!set) throw new DataError(`unknown dataset '${name}'; known: ${Object.keys(NAMED_DATASETS).join(", ")}`);
  return loadFromSet(set, split, options);
}

/** {@link loadNamedDataset} for a set described in full (a mirror of one of ours, or a test's). */
export async function loadFromSet(set: NamedDataset, split: Split, options: NamedOptions = {}): Promise<Dataset> {
  const looked = searchPath(set, options);
  for (const { dir } of looked) {
    if (hasSplit(set, dir, split)) return readSplit(set, dir, split);
  }
  if (options.dir !== undefined) {
    throw new DataError(`${set.name} ${split} files not found there (looked for ${neededFiles(set, split)})`, resolve(options.dir));
  }
  const env = options.env ?? process.env;
  const allowDownload = options.download ?? env.FEATURELENS_OFFLINE !== "1";
  const target = join(cacheDir(env), set.name);
  const where = looked.map((l) => `${l.dir} (${l.from})`).join(", ");
  if (!allowDownload) throw notFound(set, split, where, target, "downloads are off (FEATURELENS_OFFLINE=1)");
  try {
    await fetchInto(set, split, target, options);
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    throw notFound(set, split, where, target, err.message);
  }
  return readSplit(set, target, split);
}

function neededFiles(set: NamedDataset, split: Split): string {
  if (set.format === "cifar10") return `cifar-10-batches-bin/${split === "train" ? "data_batch_1..5.bin" : "test_batch.bin"}`;
  return set.files[split].map((f) => f.file).join(", ");
}

function notFound(set: NamedDataset, split: Split, where: string, target: string, why: string): DataError {
  const fixes = [
    set.installHint,
    `put ${neededFiles(set, split)} into ${target}`,
    `or point to a folder with ${set.name}:${split}@DIR or FEATURELENS_DATA=DIR (holding ${set.name}/)`,
  ].filter(Boolean);
  return new DataError(`${set.name} ${split} set not found. Looked in ${where}. Download failed: ${why}. To fix: ${fixes.join("; ")}`);
}

async function fetchInto(set: NamedDataset, split: Split, target: string, options: NamedOptions): Promise<void> {
  mkdirSync(target, { recursive: true });
  for (const f of set.files[split]) {
    const dest = join(target, f.file);
    if (existsSync(dest)) continue;
    options.onNotice?.(`downloading ${f.file} (${(f.size / 1e6).toFixed(1)} MB) into ${target}`);
    await download({
      urls: set.mirrors.map((m) => m + f.file),
      dest,
      sha256: f.sha256,
      size: f.size,
      onProgress: (done, total) => options.onProgress?.(f.file, done, total),
    });
  }
  if (set.format === "cifar10") {
    options.onNotice?.(`unpacking ${CIFAR_ARCHIVE.file}`);
    await extractTarGz(join(target, CIFAR_ARCHIVE.file), target, { filter: (n) => n.startsWith("cifar-10-batches-bin/") });
  }
}

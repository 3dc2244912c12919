import { mkdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { DataError } from "../util/errors.js";
import { describeFsError } from "../util/files.js";
import type { Dataset } from "./dataset.js";
import { download, sha256File } from "./download.js";
import { extractTarGz } from "./tar.js";
import { loadCifar10 } from "./cifar.js";
import { loadIdxDataset } from "./idx.js";
import { notRegularReason } from "./regularFile.js";
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

/** Whether `path` exists: true, false, or why that cannot be told ("permission denied", …). */
function probe(path: string): boolean | string {
  try {
    statSync(path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? false : describeFsError(err);
  }
}

/** What looking into one folder found: the split, or not, with the reason when it could not look. */
interface Look {
  found: boolean;
  problem?: string;
}

/** Whether `dir` holds what `split` needs; a folder that cannot be read says why. */
function lookIn(set: NamedDataset, dir: string, split: Split): Look {
  const here = probe(dir);
  if (here !== true) return here === false ? { found: false } : { found: false, problem: here };
  let problem: string | undefined;
  for (const candidates of neededCandidates(set, dir, split)) {
    let found = false;
    for (const p of candidates) {
      const r = probe(p);
      if (r === true) {
        found = true;
        break;
      }
      if (r !== false) problem ??= r;
    }
    if (!found) return problem === undefined ? { found: false } : { found: false, problem };
  }
  return { found: true };
}

/** For each file `split` needs, the paths it may have in `dir`, in order of preference. */
function neededCandidates(set: NamedDataset, dir: string, split: Split): string[][] {
  if (set.format === "cifar10") {
    const need = split === "train" ? "data_batch_1.bin" : "test_batch.bin";
    return [[join(dir, "cifar-10-batches-bin", need), join(dir, need)]];
  }
  return set.files[split].map((f) => idxCandidates(dir, f.file));
}

/** `name.gz` or its un-gzipped twin (`name` without `.gz`, or with `-` for `.`, as some mirrors store it). */
function idxCandidates(dir: string, file: string): string[] {
  const bare = file.replace(/\.gz$/, "");
  return [file, bare, bare.replace(/-idx(\d)-ubyte$/, ".idx$1-ubyte")].map((c) => join(dir, c));
}

function findIdxFile(dir: string, file: string): string | undefined {
  return idxCandidates(dir, file).find((p) => probe(p) === true);
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

/**
 * {@link loadNamedDataset} for a set described in full (a mirror of one of ours, or a test's).
 * A folder searched that cannot be read (permission denied) is named: in a notice when the set is
 * found elsewhere, in the error when it is not found at all. Files already in the user cache are
 * checked against their official SHA-256 before they are used to complete the set.
 */
export async function loadFromSet(set: NamedDataset, split: Split, options: NamedOptions = {}): Promise<Dataset> {
  const looked = searchPath(set, options).map((l) => ({ ...l, ...lookIn(set, l.dir, split) }));
  const found = looked.find((l) => l.found);
  const unreadable = looked.filter((l) => l.problem !== undefined && (found === undefined || looked.indexOf(l) < looked.indexOf(found)));
  if (found !== undefined) {
    for (const l of unreadable) options.onNotice?.(`cannot read ${l.dir} (${l.from}): ${l.problem}; reading ${set.name} from ${found.dir} (${found.from}) instead`);
    return readSplit(set, found.dir, split);
  }
  if (options.dir !== undefined) {
    const why = looked[0].problem !== undefined ? `cannot be looked for there: ${looked[0].problem}` : "not found there";
    throw new DataError(`${set.name} ${split} files ${why} (looked for ${neededFiles(set, split)})`, resolve(options.dir));
  }
  const env = options.env ?? process.env;
  const allowDownload = options.download ?? env.FEATURELENS_OFFLINE !== "1";
  const target = join(cacheDir(env), set.name);
  const where = looked.map((l) => `${l.dir} (${l.from}${l.problem !== undefined ? `: ${l.problem}` : ""})`).join(", ");
  const files = set.files[split];
  const missing = files.filter((f) => probe(join(target, f.file)) !== true);
  for (const f of files) if (!missing.includes(f)) await checkFound(f, join(target, f.file));
  if (missing.length > 0) {
    if (!allowDownload) throw notFound(set, split, where, target, "downloads are off (FEATURELENS_OFFLINE=1)");
    try {
      await fetchInto(set, missing, target, options);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      throw notFound(set, split, where, target, err.message);
    }
  }
  if (set.format === "cifar10") {
    options.onNotice?.(`unpacking ${CIFAR_ARCHIVE.file}`);
    await extractTarGz(join(target, CIFAR_ARCHIVE.file), target, { filter: (n) => n.startsWith("cifar-10-batches-bin/") });
  }
  return readSplit(set, target, split);
}

/**
 * Checks a file found in the cache (put there by hand, or left by an older version) against its
 * official SHA-256 before it is used; a mismatch names the file and says to delete it.
 */
async function checkFound(f: RemoteFile, path: string): Promise<void> {
  let size: number;
  let got: string;
  try {
    const info = statSync(path);
    const kind = notRegularReason(info);
    if (kind !== undefined) throw new DataError(`${kind}; delete it and run again to download ${f.file} afresh`, path);
    size = info.size;
    got = await sha256File(path);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`cannot read it to check its SHA-256: ${describeFsError(err)}`, path);
  }
  if (got !== f.sha256) {
    const sizes = size !== f.size ? `, and it has ${size} bytes, not ${f.size}` : "";
    throw new DataError(`is not the official ${f.file}: its SHA-256 is ${got}, not ${f.sha256}${sizes}; delete it and run again to download it afresh`, path);
  }
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

/** Downloads `files` into `target`; each is checked against its SHA-256 by {@link download}. */
async function fetchInto(set: NamedDataset, files: RemoteFile[], target: string, options: NamedOptions): Promise<void> {
  try {
    mkdirSync(target, { recursive: true });
  } catch (err) {
    throw new DataError(`cannot make the folder to download into: ${describeFsError(err)}`, target);
  }
  for (const f of files) {
    const dest = join(target, f.file);
    options.onNotice?.(`downloading ${f.file} (${(f.size / 1e6).toFixed(1)} MB) into ${target}`);
    await download({
      urls: set.mirrors.map((m) => m + f.file),
      dest,
      sha256: f.sha256,
      size: f.size,
      onProgress: (done, total) => options.onProgress?.(f.file, done, total),
    });
  }
}

import { existsSync, statSync } from "node:fs";
import { UsageError } from "../util/errors.js";
import { NAMED_DATASETS, type Split } from "./named.js";

/** Where a dataset comes from, as parsed from a `--data SPEC` string. */
export type DataSpec =
  | { kind: "sample"; split: Split }
  | { kind: "named"; name: string; split: Split; dir?: string }
  | { kind: "folder"; path: string }
  | { kind: "npy"; images: string; labels?: string }
  | { kind: "idx"; images: string; labels?: string }
  | { kind: "cifar"; path: string; split: Split };

export const SPEC_FORMS = [
  "sample[:train|:test]            the Fashion-MNIST sample that ships with featurelens",
  "NAME[:train|:test][@DIR]         mnist, fashion-mnist, cifar10 (found or downloaded)",
  "folder:PATH                      class sub-folders of .jpg/.png/.webp images",
  "npy:IMAGES.npy[,LABELS.npy]      arrays saved by np.save",
  "idx:IMAGES[,LABELS]              IDX files, gzipped or not",
  "cifar:DIR[:train|:test]          CIFAR-10 binary batches",
];

/**
 * Parses a dataset spec. A bare path is read by what it is: a `.npy` file, an IDX file, a folder.
 * @example parseDataSpec("fashion-mnist:test") // { kind: "named", name: "fashion-mnist", split: "test" }
 */
export function parseDataSpec(spec: string): DataSpec {
  const s = spec.trim();
  const colon = s.indexOf(":");
  const head = colon < 0 ? s : s.slice(0, colon);
  const rest = colon < 0 ? "" : s.slice(colon + 1);
  const bad = (why: string): never => {
    throw new UsageError(`--data '${spec}': ${why}. Accepted forms:\n  ${SPEC_FORMS.join("\n  ")}`);
  };
  if (s.length === 0) bad("empty");
  switch (head) {
    case "sample":
      return { kind: "sample", split: parseSplit(rest || "train", bad) };
    case "folder":
      if (!rest) bad("folder: needs a path");
      return { kind: "folder", path: rest };
    case "npy":
    case "idx": {
      const [images, labels, extra] = rest.split(",");
      if (!images || extra !== undefined) bad(`${head}: takes IMAGES or IMAGES,LABELS`);
      return { kind: head, images, ...(labels ? { labels } : {}) };
    }
    case "cifar": {
      const m = /^(.*?)(?::(train|test))?$/.exec(rest)!;
      if (!m[1]) bad("cifar: needs the folder of the .bin batches");
      return { kind: "cifar", path: m[1], split: (m[2] as Split | undefined) ?? "train" };
    }
  }
  const named = /^([a-z0-9-]+)(?::([a-z]+))?(?:@(.+))?$/.exec(s);
  if (named && NAMED_DATASETS[named[1]]) {
    return { kind: "named", name: named[1], split: parseSplit(named[2] ?? "train", bad), ...(named[3] ? { dir: named[3] } : {}) };
  }
  return fromPath(s, bad);
}

function parseSplit(s: string, bad: (why: string) => never): Split {
  if (s !== "train" && s !== "test") bad(`split must be 'train' or 'test', got '${s}'`);
  return s as Split;
}

function fromPath(path: string, bad: (why: string) => never): DataSpec {
  if (!existsSync(path)) {
    bad(`not a known dataset name (${Object.keys(NAMED_DATASETS).join(", ")}, sample) nor an existing path`);
  }
  if (statSync(path).isDirectory()) return { kind: "folder", path };
  if (path.endsWith(".npy")) return { kind: "npy", images: path };
  if (/idx\d-ubyte(\.gz)?$/.test(path)) return { kind: "idx", images: path };
  return bad("cannot tell the format of this file; prefix it with npy:, idx: or folder:");
}

/**
 * The files and folders a dataset spec reads (none for the sample and named sets found elsewhere):
 * what a command must never write over.
 * @example specPaths("npy:x.npy,y.npy") // ["x.npy", "y.npy"]
 */
export function specPaths(spec: string): string[] {
  let p: DataSpec;
  try {
    p = parseDataSpec(spec);
  } catch {
    return [];
  }
  switch (p.kind) {
    case "npy":
    case "idx":
      return [p.images, ...(p.labels ? [p.labels] : [])];
    case "folder":
    case "cifar":
      return [p.path];
    case "named":
      return p.dir ? [p.dir] : [];
    default:
      return [];
  }
}

import type { Dirent, Stats } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { extname, join, sep } from "node:path";
import { DataError } from "../util/errors.js";
import { describeFsError } from "../util/files.js";
import { MAX_FOLDER_ENTRIES } from "./limits.js";
import { printable } from "./printable.js";
import { notRegularReason } from "./regularFile.js";

/**
 * Lists a folder dataset: the class sub-folders of a root and the files under each, in
 * torchvision's order (`datasets/folder.py`, `find_classes` and `make_dataset`), but without
 * ever leaving the root. A symbolic link is followed only when it stays inside the root (a link
 * to a folder, inside its own class folder: `cat/x -> ../dog` would file dogs as cats); no real
 * folder is read twice (link loops); FIFOs, sockets and devices are never opened. What is not
 * followed is listed in `passedOver` with the reason.
 */

/** A path that was not read, and why. */
export interface PassedOver {
  path: string;
  reason: string;
}

/** The files found under a root: image paths in load order with their class index, and the rest. */
export interface Listing {
  /** Class names: the sub-folder names, shown escaped when they hold control characters (see {@link printable}). */
  classes: string[];
  files: string[];
  labels: number[];
  /** Regular files that are not images: anything directly in the root, and files with other extensions. */
  ignored: string[];
  /** Links that lead elsewhere, folders already read or unreadable, special files. */
  passedOver: PassedOver[];
}

/** Kernel file systems: their files are not images, and walking them never ends well. */
const VIRTUAL_ROOTS = ["/proc", "/sys"];

const USAGE = "expected one sub-folder of images per class, e.g. cat/1.jpg, dog/2.jpg";

/** State shared by the walk of one root. */
interface Walk {
  root: string;
  realRoot: string;
  /** Real paths of the folders read so far. */
  seen: Set<string>;
  passedOver: PassedOver[];
  entries: number;
}

/**
 * Finds the classes of `root`, the image files (by `extensions`, lower case) in load order, and
 * what was ignored or passed over. Throws a DataError naming the root when it is not a readable
 * folder, is a kernel file system, has no class sub-folders, or holds no images.
 */
export async function listFolder(root: string, extensions: readonly string[]): Promise<Listing> {
  const name = printable(root);
  const realRoot = await checkRoot(root, name);
  const walk: Walk = { root: name, realRoot, seen: new Set([realRoot]), passedOver: [], entries: 0 };
  const ignored: string[] = [];
  const found: { name: string; path: string; real: string }[] = [];
  for (const entry of (await readFolder(root, name, walk)).sort(realFirst)) {
    const path = join(root, entry.name);
    const kind = await entryKind(entry, path, realRoot, join(realRoot, entry.name), walk);
    if (kind.type === "folder") found.push({ name: entry.name, path, real: kind.real });
    else if (kind.type === "file") ignored.push(path);
  }
  // A second name for a folder already a class (a link `cats -> cat`) is not a class of its own;
  // entries come real folders first, so the folder keeps its own name.
  const classDirs: typeof found = [];
  for (const c of found) {
    if (walk.seen.has(c.real)) walk.passedOver.push({ path: c.path, reason: `the same folder as another class (${printable(c.real)})` });
    else {
      walk.seen.add(c.real);
      classDirs.push(c);
    }
  }
  classDirs.sort((a, b) => compareCodePoints(a.name, b.name));
  if (classDirs.length === 0) {
    const what = ignored.length === 0 && walk.passedOver.length === 0 ? "is empty" : `has no class sub-folders, only ${describeOthers(ignored.length, walk.passedOver.length)}`;
    throw new DataError(`${what} (${USAGE})`, name);
  }
  ignored.sort(compareCodePoints);
  const files: string[] = [];
  const labels: number[] = [];
  for (let c = 0; c < classDirs.length; c++) {
    for (const file of await walkClass(classDirs[c].path, classDirs[c].real, walk)) {
      if (extensions.includes(extname(file).toLowerCase())) {
        files.push(file);
        labels.push(c);
      } else {
        ignored.push(file);
      }
    }
  }
  if (files.length === 0) throw noImages(name, classDirs.length, ignored.length, walk.passedOver, extensions);
  return { classes: classDirs.map((c) => printable(c.name)), files, labels, ignored, passedOver: walk.passedOver };
}

/** The root's real path, once it is known to be a folder that is not a kernel file system. */
async function checkRoot(root: string, name: string): Promise<string> {
  let info: Stats;
  let real: string;
  try {
    info = await stat(root);
    real = await realpath(root);
  } catch (err) {
    throw new DataError(`${describeFsError(err)} (${USAGE})`, name);
  }
  if (!info.isDirectory()) throw new DataError(`${notRegularReason(info) ?? "is a file, not a folder"} (${USAGE})`, name);
  const virtual = VIRTUAL_ROOTS.find((v) => within(real, v));
  if (virtual !== undefined) {
    throw new DataError(`is inside ${virtual}, a view the kernel makes of the running system, not a folder of images (${USAGE})`, name);
  }
  return real;
}

/** "3 file(s)", "2 link(s) or special file(s) passed over", or both. */
function describeOthers(files: number, passed: number): string {
  const parts = [files > 0 ? `${files} file(s)` : "", passed > 0 ? `${passed} link(s), unreadable folder(s) or special file(s) passed over` : ""];
  return parts.filter(Boolean).join(" and ");
}

function noImages(name: string, classes: number, files: number, passedOver: PassedOver[], extensions: readonly string[]): DataError {
  const what =
    files === 0
      ? classes === 1 ? "its one class sub-folder holds no files" : `its ${classes} class sub-folders hold no files`
      : `${files} file${files === 1 ? "" : "s"}, none ${extensions.join("/")}`;
  const passed = passedOver.length === 0 ? "" : `; ${passedOver.length} passed over, first ${printable(passedOver[0].path)}: ${passedOver[0].reason}`;
  return new DataError(`holds no images (${what}${passed}); put the images in its class sub-folders, e.g. cat/1.jpg, dog/2.jpg`, name);
}

/**
 * Every file under class folder `dir` (whose real path is `real`), in the order of torchvision's
 * `make_dataset`: `for root, _, fnames in sorted(os.walk(dir, followlinks=True)): for fname in sorted(fnames)`,
 * except that links leading out of the class folder (folders) or the root (files) are passed over.
 */
async function walkClass(dir: string, real: string, walk: Walk): Promise<string[]> {
  const folders: { dir: string; names: string[] }[] = [];
  const visit = async (d: string, dReal: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      walk.passedOver.push({ path: d, reason: `cannot list the folder: ${describeFsError(err)}` });
      return;
    }
    countEntries(walk, entries.length);
    const names: string[] = [];
    folders.push({ dir: d, names });
    for (const entry of entries.sort(realFirst)) {
      const path = join(d, entry.name);
      const kind = await entryKind(entry, path, real, join(dReal, entry.name), walk);
      if (kind.type === "file") names.push(entry.name);
      else if (kind.type === "folder") {
        if (walk.seen.has(kind.real)) walk.passedOver.push({ path, reason: "a folder already read (a link loop, or a second link to it)" });
        else {
          walk.seen.add(kind.real);
          await visit(path, kind.real);
        }
      }
    }
  };
  await visit(dir, real);
  folders.sort((a, b) => compareCodePoints(a.dir, b.dir));
  return folders.flatMap(({ dir: d, names }) => names.sort(compareCodePoints).map((name) => join(d, name)));
}

/** Real entries before symbolic links, then by name: of a folder and a link to it, the folder is read. */
function realFirst(a: Dirent, b: Dirent): number {
  return Number(a.isSymbolicLink()) - Number(b.isSymbolicLink()) || compareCodePoints(a.name, b.name);
}

type Kind = { type: "file" } | { type: "folder"; real: string } | { type: "other" };

/**
 * What an entry is, following a symbolic link only inside the root (and, for a folder, inside
 * `folderBound`, the class folder it sits in). `real` is the entry's real path when it is not a
 * link. Anything not read is recorded in `walk.passedOver`.
 */
async function entryKind(entry: Dirent, path: string, folderBound: string, real: string, walk: Walk): Promise<Kind> {
  const pass = (reason: string): Kind => {
    walk.passedOver.push({ path, reason });
    return { type: "other" };
  };
  if (!entry.isSymbolicLink()) {
    if (entry.isDirectory()) return within(real, "/proc") || within(real, "/sys") ? pass("a kernel file system") : { type: "folder", real };
    if (entry.isFile()) return { type: "file" };
    return pass(describeSpecial(entry));
  }
  let target: string;
  let info: Stats;
  try {
    target = await realpath(path);
    info = await stat(target);
  } catch (err) {
    return pass(`a symbolic link that leads nowhere (${describeFsError(err)})`);
  }
  if (!within(target, walk.realRoot)) return pass(`a symbolic link that leads out of ${walk.root}`);
  if (info.isDirectory()) {
    if (!within(target, folderBound) || target === walk.realRoot) return pass(`a symbolic link to a folder outside its class folder (${printable(target)})`);
    return { type: "folder", real: target };
  }
  const special = notRegularReason(info);
  return special === undefined ? { type: "file" } : pass(`a symbolic link to a file that ${special}`);
}

function describeSpecial(entry: Dirent): string {
  if (entry.isFIFO()) return "a FIFO (named pipe), not a regular file";
  if (entry.isSocket()) return "a socket, not a regular file";
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return "a device, not a regular file";
  return "not a regular file";
}

async function readFolder(dir: string, name: string, walk: Walk): Promise<Dirent[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new DataError(`cannot list the folder: ${describeFsError(err)}`, name);
  }
  countEntries(walk, entries.length);
  return entries;
}

function countEntries(walk: Walk, n: number): void {
  walk.entries += n;
  if (walk.entries > MAX_FOLDER_ENTRIES) {
    throw new DataError(`holds more than ${MAX_FOLDER_ENTRIES.toLocaleString("en-US")} files and folders; is it the right folder? (${USAGE})`, walk.root);
  }
}

/** Whether `path` is `base` or inside it (both real, absolute paths). */
function within(path: string, base: string): boolean {
  return path === base || path.startsWith(base.endsWith(sep) ? base : base + sep);
}

/**
 * Orders strings by Unicode code point, as Python's `sorted` does; JavaScript's default sort
 * compares UTF-16 code units, which differs only between astral and U+E000–U+FFFF characters.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return a.codePointAt(i)! - b.codePointAt(i)!;
  }
  return a.length - b.length;
}

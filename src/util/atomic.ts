import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { FeaturelensError } from "./errors.js";
import { describeFsError } from "./files.js";

/**
 * Writes a file so that a reader sees either the old content or the whole new content, never a
 * torn one: write beside it under a temporary name, then rename over it. Temporary files that a
 * killed write of the same file left behind (their process has ended) are removed first. A path
 * that cannot be written is a FeaturelensError naming it and why.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw new FeaturelensError(`cannot write ${path}: its folder cannot be made (${describeFsError(err)})`);
  }
  removeStaleTemporaries(path);
  const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new FeaturelensError(`cannot write ${path} (${describeFsError(err)})`);
  }
}

/** The temporary files of writes to `path` (`path.tmp-PID…`) whose process has ended: removed. */
export function removeStaleTemporaries(path: string): number {
  const prefix = `${basename(path)}.tmp-`;
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)/.exec(name.slice(prefix.length))?.[1]);
    if (!Number.isInteger(pid) || processAlive(pid)) continue;
    rmSync(join(dirname(path), name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** Whether a process with this id runs on this machine. */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Writes several files as one unit: each to a temporary name, then all renamed into place; a file
 * given as null is removed (a sidecar the new map does not have). A failure before the renames
 * leaves every old file as it was.
 */
export function writeFilesAtomic(files: [string, Uint8Array | string | null][]): void {
  const tag = `.tmp-${process.pid}-${Date.now().toString(36)}`;
  for (const [path] of files) {
    mkdirSync(dirname(path), { recursive: true });
    removeStaleTemporaries(path);
  }
  const written: [string, string][] = [];
  try {
    for (const [path, data] of files) {
      if (data === null) continue;
      writeFileSync(path + tag, data);
      written.push([path + tag, path]);
    }
  } catch (err) {
    for (const [tmp] of written) rmSync(tmp, { force: true });
    throw new FeaturelensError(`cannot write ${files.find(([f, d]) => d !== null && !written.some(([, w]) => w === f))?.[0] ?? "the files"} (${describeFsError(err)})`);
  }
  try {
    for (const [tmp, path] of written) renameSync(tmp, path);
  } catch (err) {
    for (const [tmp] of written) rmSync(tmp, { force: true });
    throw new FeaturelensError(`cannot write ${written[0]?.[1] ?? "the files"} (${describeFsError(err)})`);
  }
  for (const [path, data] of files) if (data === null) rmSync(path, { force: true });
}


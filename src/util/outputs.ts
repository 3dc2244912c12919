import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "./atomic.js";
import { UsageError } from "./errors.js";

/**
 * Where a command writes, checked before it does any work: never over one of its own inputs
 * (compared by real path, through links), never over a file featurelens did not write unless
 * `--force`, never into a folder of someone else's files. featurelens remembers what it wrote in
 * a small ledger beside the files (`.featurelens-outputs.json`: name, command, size, time), so a
 * command may write again over its own earlier output — and over nothing else.
 */

export const LEDGER = ".featurelens-outputs.json";

interface LedgerEntry {
  command: string;
  size: number;
  mtimeMs: number;
}

/** One place a command will write. */
export interface PlannedOutput {
  path: string;
  /** The flag that named it, for messages ("--out"). */
  flag: string;
  /** A file (default) or a folder of files. */
  kind?: "file" | "folder";
}

/** What a command reads: it must not write over any of these. */
export interface CommandInput {
  path: string;
  flag: string;
}

/**
 * Refuses, with one line naming the flag, an output that is empty, is one of the inputs, is the
 * wrong kind (a folder where a file goes, or the reverse), or would replace a file featurelens did
 * not write (unless `force`).
 * @example checkOutputs([{ path: "p.npy", flag: "--out" }], [{ path: "images.npy", flag: "--data" }], { command: "predict" })
 */
export function checkOutputs(outputs: PlannedOutput[], inputs: CommandInput[], o: { command: string; force?: boolean }): void {
  const seen = new Map<string, string>();
  for (const out of outputs) {
    if (out.path.trim() === "") throw new UsageError(`${out.flag} is empty; give a ${out.kind === "folder" ? "folder" : "file"} to write`);
    const real = realPath(out.path);
    const twice = seen.get(real);
    if (twice) throw new UsageError(`${out.flag} and ${twice} name the same file ${out.path}; give each its own`);
    seen.set(real, out.flag);
    for (const input of inputs) {
      if (real === realPath(input.path)) {
        throw new UsageError(`${out.flag} ${out.path} would write over ${input.flag} ${input.path}, which this command reads; write somewhere else`);
      }
    }
    if (!existsSync(out.path)) {
      checkParent(out);
      continue;
    }
    const isDir = statSync(out.path).isDirectory();
    if (out.kind === "folder") {
      if (!isDir) throw new UsageError(`${out.flag} ${out.path} is a file; give a folder (new, or one featurelens wrote)`);
      const foreign = foreignFiles(out.path);
      if (foreign.length && !o.force) {
        throw new UsageError(`${out.flag} ${out.path} holds ${foreign.length} file(s) featurelens did not write (${foreign.slice(0, 3).join(", ")}${foreign.length > 3 ? ", …" : ""}); give a new folder, or pass --force to write into it anyway`);
      }
    } else {
      if (isDir) throw new UsageError(`${out.flag} ${out.path} is a folder; give a file name`);
      if (!o.force && !madeByFeaturelens(out.path)) {
        throw new UsageError(`${out.flag} ${out.path} exists and featurelens did not write it; choose another name, or pass --force to replace it`);
      }
    }
  }
}

/** Notes in the ledger of each file's folder that `command` wrote these files (call after writing them). */
export function recordOutputs(paths: string[], command: string): void {
  const byFolder = new Map<string, string[]>();
  for (const p of paths) {
    const dir = dirname(resolve(p));
    byFolder.set(dir, [...(byFolder.get(dir) ?? []), basename(p)]);
  }
  for (const [dir, names] of byFolder) {
    const ledger = readLedger(dir);
    for (const name of names) {
      try {
        const st = statSync(join(dir, name));
        if (st.isFile()) ledger[name] = { command, size: st.size, mtimeMs: st.mtimeMs };
      } catch {
        delete ledger[name];
      }
    }
    try {
      writeFileAtomic(join(dir, LEDGER), `${JSON.stringify(ledger, null, 1)}\n`);
    } catch {
      // a folder we could write the files into but not the ledger: the files stand; they only lose the right to be replaced without --force
    }
  }
}

/** Whether featurelens wrote this file as it now is (the ledger's size and time match). */
export function madeByFeaturelens(path: string): boolean {
  const e = readLedger(dirname(resolve(path)))[basename(path)];
  if (!e) return false;
  const st = statSync(path);
  return st.size === e.size && Math.abs(st.mtimeMs - e.mtimeMs) < 1;
}

/** Files of a folder that featurelens did not write (hidden files and the ledger aside; sub-folders by their files). */
function foreignFiles(dir: string, depth = 2): string[] {
  const ledger = readLedger(dir);
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === LEDGER) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (depth > 0) out.push(...foreignFiles(p, depth - 1).map((f) => `${e.name}/${f}`));
      else out.push(`${e.name}/`);
    } else if (!ledger[e.name] || !madeByFeaturelens(p)) {
      out.push(e.name);
    }
  }
  return out;
}

function readLedger(dir: string): Record<string, LedgerEntry> {
  try {
    const j = JSON.parse(readFileSync(join(dir, LEDGER), "utf8")) as unknown;
    return j && typeof j === "object" && !Array.isArray(j) ? (j as Record<string, LedgerEntry>) : {};
  } catch {
    return {};
  }
}

function checkParent(out: PlannedOutput): void {
  let dir = dirname(resolve(out.path));
  while (!existsSync(dir)) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (!statSync(dir).isDirectory()) throw new UsageError(`${out.flag} ${out.path}: ${dir} is a file, not a folder`);
}

/** The real path of a file or of where it would be (its existing folder's real path plus the rest). */
function realPath(p: string): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(realPath(parent), basename(abs));
  }
}

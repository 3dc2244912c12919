import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve, sep } from "node:path";
import { DataError, UsageError } from "../util/errors.js";
import { describeFsError } from "../util/files.js";
import { acquireLock, LOCK_FILE } from "./lock.js";
import { parseRunRecord, type RunRecord } from "./runRecord.js";

/**
 * A workspace is a folder of runs, `runs/<id>/`, each with its run.json. Commands take
 * `--workspace DIR` (default: the current folder) and name a run by its folder path or, inside
 * the workspace, by its id.
 */

export interface Workspace {
  /** Absolute path of the workspace folder. */
  root: string;
  /** Absolute path of its runs/ folder. */
  runs: string;
}

export const RUN_FILE = "run.json";
export const RUNS_FOLDER = "runs";

/** The workspace at `dir` (default: the current folder). It need not exist yet: commands that write create it. */
export function openWorkspace(dir: string = process.cwd()): Workspace {
  if (dir.trim() === "") throw new UsageError("--workspace is empty; give a folder, or leave it out for the current one");
  const root = resolve(dir);
  if (existsSync(root) && !statSync(root).isDirectory()) throw new UsageError(`--workspace ${dir}: a file, not a folder`);
  return { root, runs: join(root, RUNS_FOLDER) };
}

/** Run ids are folder names: letters, digits, '.', '_', '-', up to 100 characters, not starting with '.'. */
const RUN_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

/** Whether `ref` reads as a path (has a separator or starts with '.' or '~') rather than an id. */
function isPathLike(ref: string): boolean {
  return ref.includes("/") || ref.includes(sep) || ref.startsWith(".") || ref.startsWith("~") || isAbsolute(ref);
}

/**
 * The folder a run named `ref` lives (or will live) in: `ref` itself when it reads as a path
 * ("runs/seed", "./seed", "/abs/run"), else `<workspace>/runs/<ref>`.
 * @example runFolder(openWorkspace("/w"), "seed") // "/w/runs/seed"
 */
export function runFolder(ws: Workspace, ref: string, flag = "--out"): string {
  if (ref.trim() === "") throw new UsageError(`${flag} is empty; give a run id (e.g. ${flag} seed) or a folder`);
  if (isPathLike(ref)) return resolve(ref);
  if (!RUN_ID.test(ref)) throw new UsageError(`${flag} '${ref}': a run id is letters, digits, '.', '_' and '-' (up to 100), or give a folder path`);
  return join(ws.runs, ref);
}

/** Whether a folder holds a run (its run.json). */
export function isRunFolder(dir: string): boolean {
  return existsSync(join(dir, RUN_FILE));
}

/**
 * The folder of an existing run named by `ref` (a path, or an id in the workspace); an error
 * listing the workspace's runs when there is none.
 */
export function findRun(ws: Workspace, ref: string, flag = "--run"): string {
  const dir = runFolder(ws, ref, flag);
  if (isRunFolder(dir)) return dir;
  const ids = listRunIds(ws);
  const known = ids.length ? `runs in ${ws.root}: ${ids.slice(0, 12).join(", ")}${ids.length > 12 ? ", …" : ""}` : `there are no runs in ${ws.root} (make one with featurelens analyze or train, or pass --workspace)`;
  if (existsSync(dir)) throw new UsageError(`${flag} ${ref}: ${dir} is not a run (no ${RUN_FILE}); ${known}`);
  throw new UsageError(`${flag} ${ref}: no such run; ${known}`);
}

/** Reads a run's record (see runRecord.ts for what is refused). */
export function readRunRecord(dir: string): RunRecord {
  const file = join(dir, RUN_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new DataError(describeFsError(err), file);
  }
  return parseRunRecord(text, file);
}

/** Ids of the runs in the workspace, sorted. */
export function listRunIds(ws: Workspace): string[] {
  if (!existsSync(ws.runs)) return [];
  try {
    return readdirSync(ws.runs, { withFileTypes: true })
      .filter((e) => e.isDirectory() && isRunFolder(join(ws.runs, e.name)))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    throw new DataError(describeFsError(err), ws.runs);
  }
}

/** One run as `featurelens runs` lists it: its record, or what is wrong with it. */
export type RunListing = { id: string; dir: string; record: RunRecord; problems: string[] } | { id: string; dir: string; record: null; problems: string[] };

/**
 * Every run of the workspace, oldest first; a run whose run.json cannot be read, or whose recorded
 * artifacts are missing, is listed with its problems rather than stopping the listing.
 */
export function listRuns(ws: Workspace): RunListing[] {
  const out: RunListing[] = [];
  for (const id of listRunIds(ws)) {
    const dir = join(ws.runs, id);
    try {
      const record = readRunRecord(dir);
      out.push({ id, dir, record, problems: missingArtifacts(dir, record) });
    } catch (err) {
      out.push({ id, dir, record: null, problems: [(err as Error).message] });
    }
  }
  return out.sort((a, b) => (a.record?.created ?? "").localeCompare(b.record?.created ?? "") || a.id.localeCompare(b.id));
}

/** "missing predictions.parquet", … for each recorded artifact whose file is gone. */
export function missingArtifacts(dir: string, record: RunRecord): string[] {
  const scopes = [record, ...Object.values(record.domains ?? {})];
  const files = scopes.flatMap((s) => Object.keys(s.artifacts ?? {}));
  return files.filter((f) => !existsSync(join(dir, f))).map((f) => `missing ${f}`);
}

/**
 * Removes a run of the workspace (by id or path), after taking its lock so that a command writing
 * it is not pulled out from under. Refuses a folder that is not a run.
 */
export function removeRun(ws: Workspace, ref: string): string {
  const dir = findRun(ws, ref, "runs rm");
  const lock = acquireLock(join(dir, LOCK_FILE), "runs rm");
  try {
    rmSync(dir, { recursive: true, force: true });
  } finally {
    lock.release();
  }
  return dir;
}

/** A run id made from parts ("seed-cnn", "fashion-mnist-test"), unique in the workspace. */
export function newRunId(ws: Workspace, ...parts: string[]): string {
  const base = slug(parts.filter(Boolean).join("-")) || "run";
  let id = base;
  for (let i = 2; existsSync(join(ws.runs, id)); i++) id = `${base}-${i}`;
  return id;
}

/**
 * A folder- and URL-safe name: lower case, runs of other characters as one '-', at most 60 characters.
 * @example slug("/layer1/layer1.0/relu/Relu") // "layer1-layer1.0-relu-relu"
 */
export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9._]+/g, "-").replace(/^[-.]+|-+$/g, "").slice(0, 60).replace(/-+$/, "");
}

/** The workspace a run folder belongs to: the folder above `runs/`, else the run's parent. */
export function workspaceOf(runDir: string): Workspace {
  const parent = dirname(runDir);
  return openWorkspace(basename(parent) === RUNS_FOLDER ? dirname(parent) : parent);
}

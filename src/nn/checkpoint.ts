import { createHash } from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { encodeNpy, parseNpy } from "../data/npy.js";
import { parseModel, serializeModel } from "../engine/onnx/io.js";
import type { ModelIR } from "../engine/onnx/ir.js";
import { DataError, FeaturelensError } from "../util/errors.js";
import { describeFsError } from "../util/files.js";
import { checkStates, type RngStates } from "./rngStreams.js";

/**
 * A run folder's resumable state, saved as one unit: the folder `checkpoint/` holds last.onnx
 * (parameters and running statistics), optimizer.npy (all optimizer state in one float32 vector,
 * its parts named in state.json), state.json (history, best epoch) and manifest.json (epoch, steps, the random streams, and every
 * other file with its size and SHA-256). A save writes a new folder `checkpoint.tmp-<pid>/`,
 * manifest last, then swaps it in by renames (old one aside, new one in, old one removed), so a
 * run killed at any moment leaves the old or the new checkpoint complete; {@link findCheckpoint}
 * takes the newest whose files all match their manifest.
 */

export interface EpochRecord {
  epoch: number;
  lr: number;
  train_loss: number;
  train_accuracy: number;
  val_loss: number | null;
  val_accuracy: number | null;
  seconds: number;
  images_per_second: number;
}

export interface CheckpointState {
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps taken. */
  steps: number;
  /** The random streams, where the next epoch continues them. */
  rng: RngStates;
  history: EpochRecord[];
  bestValLoss: number | null;
  bestEpoch: number | null;
  epochsWithoutImprovement: number;
}

export interface Checkpoint {
  model: ModelIR;
  /** Optimizer state by training-graph input name. */
  optimizerState: Map<string, Float32Array>;
  state: CheckpointState;
}

/** How far a save has got: the new folder is complete, the old one moved aside, the new one renamed in. */
export type SaveStage = "written" | "old-aside" | "new-in";

export interface WriteCheckpointOptions {
  /** Called after each stage of the save (tests throw here to play a crash at that point). */
  afterStage?: (stage: SaveStage) => void;
}

export const CHECKPOINT_DIR = "checkpoint";
const FORMAT = "featurelens-checkpoint/1";
const MANIFEST = "manifest.json";
const LEFTOVER = /^checkpoint\.(tmp|old)-\d+(-\d+)?$/;

interface FileEntry {
  path: string;
  bytes: number;
  sha256: string;
}

interface Manifest {
  format: string;
  epoch: number;
  steps: number;
  rng: RngStates;
  files: FileEntry[];
}

/** state.json: the bookkeeping, and where each optimizer tensor sits in optimizer.npy. */
type StateFile = Omit<CheckpointState, "epoch" | "steps" | "rng"> & { optimizer: { name: string; offset: number; length: number }[] };

/** Saves a checkpoint into `run`/checkpoint as one unit (see the module comment). */
export function writeCheckpoint(run: string, c: Checkpoint, options: WriteCheckpointOptions = {}): void {
  const final = join(run, CHECKPOINT_DIR);
  // New names, never a leftover's: a leftover may be the newest complete checkpoint until this one is.
  const tmp = freshName(run, "tmp");
  const old = freshName(run, "old");
  try {
    mkdirSync(tmp, { recursive: true });
    const files: FileEntry[] = [];
    const put = (path: string, bytes: Uint8Array) => {
      writeDurably(join(tmp, path), bytes);
      files.push({ path, bytes: bytes.length, sha256: sha256(bytes) });
    };
    put("last.onnx", serializeModel(c.model));
    // One file, not one per tensor: every file costs an fsync.
    const tensors = [...c.optimizerState];
    const optimizer: StateFile["optimizer"] = [];
    let length = 0;
    for (const [name, data] of tensors) {
      optimizer.push({ name, offset: length, length: data.length });
      length += data.length;
    }
    const all = new Float32Array(length);
    tensors.forEach(([, data], i) => all.set(data, optimizer[i].offset));
    put("optimizer.npy", encodeNpy({ dtype: "float32", shape: [length], data: all }));
    const { epoch, steps, rng, ...rest } = c.state;
    put("state.json", json({ ...rest, optimizer } satisfies StateFile));
    // The manifest goes last: a folder with a manifest whose files all match is a complete checkpoint.
    writeDurably(join(tmp, MANIFEST), json({ format: FORMAT, epoch, steps, rng, files } satisfies Manifest));
    syncFolder(tmp);
  } catch (err) {
    try {
      rmSync(tmp, { recursive: true, force: true });
    } catch {
      // Nothing of it to remove, or the error below says why not.
    }
    if (!(err as NodeJS.ErrnoException).code) throw err;
    throw new DataError(`cannot save the checkpoint (${describeFsError(err)}); the previous one, if any, is kept`, run);
  }
  options.afterStage?.("written");
  // The new checkpoint is complete: every other one is older.
  for (const name of readdirSync(run)) if (LEFTOVER.test(name) && join(run, name) !== tmp) rmSync(join(run, name), { recursive: true, force: true });
  if (existsSync(final)) renameSync(final, old);
  syncFolder(run);
  options.afterStage?.("old-aside");
  renameSync(tmp, final);
  syncFolder(run);
  options.afterStage?.("new-in");
  rmSync(old, { recursive: true, force: true });
}

/** `run`/checkpoint.tmp-<pid> (or .old-), with -2, -3 … if that exists. */
function freshName(run: string, kind: "tmp" | "old"): string {
  const base = join(run, `${CHECKPOINT_DIR}.${kind}-${process.pid}`);
  let name = base;
  for (let i = 2; existsSync(name); i++) name = `${base}-${i}`;
  return name;
}

/**
 * The newest complete checkpoint in a run folder (checkpoint/, or one a killed save left as
 * checkpoint.tmp-*, checkpoint.old-*); null when there is none at all. When there are some but none
 * is complete, a DataError says what each one lacks and what to do.
 */
export function findCheckpoint(run: string): (Checkpoint & { dir: string }) | null {
  const names = existsSync(run) ? readdirSync(run).filter((n) => n === CHECKPOINT_DIR || LEFTOVER.test(n)) : [];
  if (names.length === 0) return null;
  const problems: string[] = [];
  const candidates: { name: string; epoch: number }[] = [];
  for (const name of names) {
    try {
      candidates.push({ name, epoch: readManifest(join(run, name)).epoch });
    } catch (err) {
      if (!(err instanceof CheckpointProblem)) throw err;
      problems.push(`${name}/${err.message}`);
    }
  }
  // Newest first; of equal epochs, checkpoint/ itself.
  candidates.sort((a, b) => b.epoch - a.epoch || Number(b.name === CHECKPOINT_DIR) - Number(a.name === CHECKPOINT_DIR));
  for (const { name } of candidates) {
    try {
      return { dir: join(run, name), ...loadCheckpoint(join(run, name)) };
    } catch (err) {
      if (!(err instanceof CheckpointProblem)) throw err;
      problems.push(`${name}/${err.message}`);
    }
  }
  const remedy = `delete ${names.length === 1 ? "that folder" : "those folders"} to train from the start, or train into a new --out`;
  throw new DataError(`no complete checkpoint to resume from: ${problems.join("; ")}; ${remedy}`, run);
}

/** Reads one checkpoint folder, checking every file against its manifest; a DataError names the file at fault. */
export function readCheckpoint(dir: string): Checkpoint {
  try {
    return loadCheckpoint(dir);
  } catch (err) {
    if (!(err instanceof CheckpointProblem)) throw err;
    throw new DataError(`${err.problem}; delete the checkpoint folder to train from the start, or train into a new --out`, join(dir, err.file));
  }
}

/** A file of a checkpoint folder that is missing, torn or not what its manifest says. */
class CheckpointProblem extends FeaturelensError {
  override name = "CheckpointProblem";
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

function loadCheckpoint(dir: string): Checkpoint {
  const manifest = readManifest(dir);
  const bytes = new Map<string, Buffer>();
  for (const f of manifest.files) {
    const b = readFile(dir, f.path);
    if (b.length !== f.bytes) throw new CheckpointProblem(f.path, `${b.length} bytes, the manifest says ${f.bytes} (a torn write)`);
    if (sha256(b) !== f.sha256) throw new CheckpointProblem(f.path, "its SHA-256 differs from the manifest's (the file changed after the save)");
    bytes.set(f.path, b);
  }
  const need = (path: string): Buffer => {
    const b = bytes.get(path);
    if (!b) throw new CheckpointProblem(MANIFEST, `it does not list ${path}`);
    return b;
  };
  const state = parseJson(need("state.json"), "state.json") as Partial<StateFile>;
  if (!Array.isArray(state.history) || !Array.isArray(state.optimizer) || typeof state.epochsWithoutImprovement !== "number") {
    throw new CheckpointProblem("state.json", "not a checkpoint state (history, optimizer, epochsWithoutImprovement)");
  }
  let all: Float32Array;
  try {
    const npy = parseNpy(need("optimizer.npy"), "optimizer.npy");
    if (npy.dtype !== "float32") throw new CheckpointProblem("optimizer.npy", `${npy.dtype}, not float32`);
    all = npy.data as Float32Array;
  } catch (err) {
    if (err instanceof CheckpointProblem || !(err instanceof FeaturelensError)) throw err;
    throw new CheckpointProblem("optimizer.npy", err.message);
  }
  const optimizerState = new Map<string, Float32Array>();
  for (const o of state.optimizer) {
    if (!(Number.isSafeInteger(o.offset) && Number.isSafeInteger(o.length) && o.offset >= 0 && o.length >= 0 && o.offset + o.length <= all.length)) {
      throw new CheckpointProblem("state.json", `optimizer entry '${String(o.name)}' lies outside optimizer.npy's ${all.length} values`);
    }
    optimizerState.set(o.name, all.slice(o.offset, o.offset + o.length));
  }
  let model: ModelIR;
  try {
    model = parseModel(need("last.onnx"), "last.onnx");
  } catch (err) {
    if (err instanceof CheckpointProblem || !(err instanceof FeaturelensError)) throw err;
    throw new CheckpointProblem("last.onnx", err.message);
  }
  const { optimizer: _files, ...rest } = state as StateFile;
  return { model, optimizerState, state: { ...rest, epoch: manifest.epoch, steps: manifest.steps, rng: manifest.rng } };
}

function readManifest(dir: string): Manifest {
  const m = parseJson(readFile(dir, MANIFEST, "(a save that did not finish, or one by an older featurelens)"), MANIFEST) as Partial<Manifest>;
  const problems: string[] = [];
  if (m.format !== FORMAT) problems.push(`format is ${JSON.stringify(m.format)}, not "${FORMAT}"`);
  for (const key of ["epoch", "steps"] as const) if (!(Number.isSafeInteger(m[key]) && m[key]! >= 0)) problems.push(`${key} is not a count`);
  problems.push(...checkStates(m.rng));
  const files = Array.isArray(m.files) ? m.files : [];
  if (files.length === 0) problems.push("it lists no files");
  for (const f of files) {
    const ok = typeof f?.path === "string" && /^[\w-]+(\/[\w-]+)*\.\w+$/.test(f.path) && Number.isSafeInteger(f.bytes) && /^[0-9a-f]{64}$/.test(f.sha256);
    if (!ok) problems.push(`bad file entry ${JSON.stringify(f).slice(0, 80)}`);
  }
  if (problems.length > 0) throw new CheckpointProblem(MANIFEST, problems.join(", "));
  return m as Manifest;
}

function readFile(dir: string, path: string, missing = ""): Buffer {
  try {
    return readFileSync(join(dir, path));
  } catch (err) {
    throw new CheckpointProblem(path, `${describeFsError(err)}${missing && (err as NodeJS.ErrnoException).code === "ENOENT" ? ` ${missing}` : ""}`);
  }
}

function parseJson(bytes: Buffer, file: string): unknown {
  try {
    const v = JSON.parse(bytes.toString("utf8")) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new SyntaxError("not a JSON object");
    return v;
  } catch (err) {
    throw new CheckpointProblem(file, `not valid JSON (${(err as Error).message})`);
  }
}

const json = (v: unknown): Uint8Array => Buffer.from(`${JSON.stringify(v, null, 1)}\n`, "utf8");

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Writes a file and flushes it to the disk, so a rename that follows cannot land before the bytes. */
function writeDurably(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, "w");
  try {
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a folder's entries (new names, renames) to the disk, where the file system allows it. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some file systems cannot fsync a folder; the renames still happen in order.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

import { createHash } from "node:crypto";
import { copyFileSync, createReadStream, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { writeFileAtomic } from "../util/atomic.js";
import { DataError, FeaturelensError, UsageError } from "../util/errors.js";
import { describeFsError } from "../util/files.js";
import { acquireLock, type Lock, LOCK_FILE } from "./lock.js";
import { type ArtifactRecord, emptyScope, formatRunRecord, newRunRecord, type RunRecord, type Scope } from "./runRecord.js";
import { isRunFolder, readRunRecord, RUN_FILE, slug } from "./workspace.js";

/**
 * A run opened by one command: its folder, its record, and — when the command writes — the run's
 * lock, so two commands never interleave their writes. Every change to run.json goes through
 * here and is saved atomically; an artifact exists for readers once it is recorded.
 */

/** Options for {@link openRunForWrite}. */
export interface OpenForWrite {
  /** The command that writes ("analyze", "train", …), recorded in the lock and the record. */
  command: string;
  argv?: string[];
  /** Class names of a new run. */
  classes?: string[];
  /**
   * What to do with a folder that exists but holds no run.json: refuse (default), or take it
   * (`--force`) — its files are left as they are.
   */
  force?: boolean;
}

export class Run {
  readonly dir: string;
  record: RunRecord;
  /** True when this command made the run (its folder held no run.json). */
  readonly created: boolean;
  private lock: Lock | null;

  private constructor(dir: string, record: RunRecord, lock: Lock | null, created: boolean) {
    this.dir = dir;
    this.record = record;
    this.lock = lock;
    this.created = created;
  }

  /** Whether `dir` holds a run. */
  static exists(dir: string): boolean {
    return isRunFolder(dir);
  }

  /** Opens an existing run to read (no lock). */
  static read(dir: string): Run {
    return new Run(dir, readRunRecord(dir), null, false);
  }

  /** The run's id (its folder's name). */
  get id(): string {
    return this.record.id;
  }

  get writable(): boolean {
    return this.lock !== null;
  }

  /**
   * The absolute path of `rel` inside the run; refuses a path that leads out of the run folder.
   * @example run.path("features/penultimate.npy")
   */
  path(rel: string): string {
    const abs = resolve(this.dir, rel);
    const inside = relative(this.dir, abs);
    if (inside.startsWith("..") || inside.startsWith(sep) || resolve(inside) === inside) {
      throw new UsageError(`'${rel}' leads out of the run folder ${this.dir}`);
    }
    return abs;
  }

  /** The scope of the run's own dataset, or of the domain `slug`. */
  scope(domain?: string): Scope {
    if (domain === undefined) return this.record;
    const s = this.record.domains[domain];
    if (!s) {
      const known = Object.keys(this.record.domains);
      throw new UsageError(`run ${this.id} has no domain '${domain}'${known.length ? `; its domains: ${known.join(", ")}` : "; add one with featurelens analyze --run RUN --data SPEC"}`);
    }
    return s;
  }

  /** The folder (relative to the run) where a scope's files go: "" for the run's own, "domains/<slug>/" for a domain. */
  scopePrefix(domain?: string): string {
    return domain === undefined ? "" : `domains/${domain}/`;
  }

  /** Adds the domain `name` (made into a slug) if it is new; returns its slug. */
  ensureDomain(name: string): string {
    this.assertWritable();
    const s = slug(name);
    if (!s) throw new UsageError(`cannot make a domain name from '${name}'`);
    if (!this.record.domains[s]) this.record.domains[s] = { ...emptyScope(), slug: s, created: new Date().toISOString() };
    return s;
  }

  /**
   * Records an artifact (whose file is already written) in a scope and saves run.json. The size
   * is read from the file.
   */
  recordArtifact(scope: Scope, a: Omit<ArtifactRecord, "created" | "bytes" | "made_by"> & { made_by?: string }): ArtifactRecord {
    this.assertWritable();
    const abs = this.path(a.file);
    let bytes: number;
    try {
      bytes = statSync(abs).isDirectory() ? folderBytes(abs) : statSync(abs).size;
    } catch (err) {
      throw new DataError(`cannot record an artifact that is not there (${describeFsError(err)})`, abs);
    }
    const rec: ArtifactRecord = { ...a, made_by: a.made_by ?? this.record.made_by.command, created: new Date().toISOString(), bytes };
    scope.artifacts[a.file] = rec;
    this.save();
    return rec;
  }

  /** Forgets an artifact (and deletes its file): it is being made again. */
  dropArtifact(scope: Scope, file: string): void {
    this.assertWritable();
    delete scope.artifacts[file];
    this.save();
    rmSync(this.path(file), { recursive: true, force: true });
  }

  /** Whether `scope` records `file` made with exactly `params`, and the file is still there. */
  hasArtifact(scope: Scope, file: string, params?: Record<string, unknown>): boolean {
    const a = scope.artifacts[file];
    if (!a) return false;
    try {
      statSync(this.path(file));
    } catch {
      return false;
    }
    return params === undefined || sameParams(a.params, params);
  }

  /** Writes run.json (atomically), stamping `updated`. */
  save(): void {
    this.assertWritable();
    this.record.updated = new Date().toISOString();
    writeFileAtomic(join(this.dir, RUN_FILE), formatRunRecord(this.record));
  }

  /** Copies a model file into the run as model.onnx and records it with its SHA-256. */
  async adoptModel(source: string, info: { arch?: string | null; penultimate?: string | null } = {}): Promise<void> {
    this.assertWritable();
    const target = this.path("model.onnx");
    if (resolve(source) !== target) {
      const tmp = `${target}.tmp-${process.pid}`;
      copyFileSync(source, tmp);
      renameSync(tmp, target);
    }
    this.record.model = { file: "model.onnx", sha256: await sha256File(target), source: resolve(source) === target ? null : resolve(source), arch: info.arch ?? null, penultimate: info.penultimate ?? null };
    this.recordArtifact(this.record, { file: "model.onnx", kind: "model", params: {} });
  }

  /** Releases the lock (the run stays as it is). Safe to call twice. */
  release(): void {
    this.lock?.release();
    this.lock = null;
  }

  private assertWritable(): void {
    if (!this.lock) throw new Error(`run ${this.dir} was opened to read; open it with openRunForWrite to change it`);
  }

  /** @internal */
  static fromParts(dir: string, record: RunRecord, lock: Lock, created: boolean): Run {
    return new Run(dir, record, lock, created);
  }
}

/**
 * Opens the run folder `dir` to write: takes its lock (a second command refuses, naming the
 * first), removes temporary files that a killed command left, and reads its record — or starts a
 * new one when the folder is new or empty. A folder holding files but no run.json is refused
 * unless `force`: featurelens does not write into what it did not make.
 */
export function openRunForWrite(dir: string, o: OpenForWrite): Run {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new FeaturelensError(`cannot make the run folder ${dir} (${describeFsError(err)}); choose another place with --out or --workspace`);
  }
  if (!statSync(dir).isDirectory()) throw new UsageError(`${dir} is a file, not a run folder`);
  let lock: Lock;
  try {
    lock = acquireLock(join(dir, LOCK_FILE), o.command);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") throw new FeaturelensError(`cannot write in ${dir} (${describeFsError(err)}); choose another place with --out or --workspace`);
    throw err;
  }
  try {
    removeTemporaries(dir);
    if (isRunFolder(dir)) return Run.fromParts(dir, readRunRecord(dir), lock, false);
    const others = readdirSync(dir).filter((f) => f !== LOCK_FILE);
    if (others.length && !o.force) {
      throw new UsageError(`${dir} is not a featurelens run but holds ${others.length} file(s) (${others.slice(0, 3).join(", ")}${others.length > 3 ? ", …" : ""}); featurelens does not write into it. Choose a new folder, or pass --force to use it anyway`);
    }
    const record = newRunRecord(dir.split(sep).pop() ?? "run", o.command, o.argv ?? [], o.classes ?? []);
    const run = Run.fromParts(dir, record, lock, true);
    run.save();
    return run;
  } catch (err) {
    lock.release();
    throw err;
  }
}

/** Deletes `*.tmp-*` files (left by a write that was killed) inside a locked folder, a few levels deep. */
export function removeTemporaries(dir: string, depth = 3): number {
  let removed = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (/\.tmp-\d+/.test(e.name)) {
      rmSync(p, { recursive: true, force: true });
      removed++;
    } else if (e.isDirectory() && depth > 0) {
      removed += removeTemporaries(p, depth - 1);
    }
  }
  return removed;
}

/** SHA-256 of a file, as hex, streamed. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

function folderBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? folderBytes(p) : statSync(p).size;
  }
  return n;
}

/** Whether two parameter records are equal as JSON (key order ignored). */
export function sameParams(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v as object)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

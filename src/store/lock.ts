import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { processAlive } from "../util/atomic.js";
import { FeaturelensError } from "../util/errors.js";

/**
 * A lock on a folder that one command writes (a run): the file `.lock` made with O_EXCL, holding
 * who took it. A second command that finds it refuses with the holder's name and process id; a
 * lock left by a process that has died (on this machine) is taken over, so kill -9 never leaves a
 * run locked for good.
 */

/** Who holds a lock. */
export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

/** A folder is being written by another command. */
export class LockedError extends FeaturelensError {
  override name = "LockedError";
}

export const LOCK_FILE = ".lock";

/** A held lock; `release()` is safe to call twice. */
export interface Lock {
  readonly file: string;
  release(): void;
}

/**
 * Takes the lock file `file` for `command`, or throws a LockedError naming who holds it.
 * @example const lock = acquireLock("runs/a/.lock", "analyze"); try { … } finally { lock.release(); }
 */
export function acquireLock(file: string, command: string): Lock {
  const me: LockHolder = { pid: process.pid, host: hostname(), command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      try {
        writeSync(fd, `${JSON.stringify(me)}\n`);
      } finally {
        closeSync(fd);
      }
      let released = false;
      return {
        file,
        release() {
          if (released) return;
          released = true;
          if (readHolder(file)?.pid === me.pid) rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = readHolder(file);
      if (holder && isAlive(holder)) {
        throw new LockedError(
          `${file.replace(/\/?\.lock$/, "")} is being written by \`featurelens ${holder.command}\` (process ${holder.pid} on ${holder.host}, since ${holder.since}); wait for it to finish, or stop it first`,
        );
      }
      rmSync(file, { force: true }); // left by a process that has died: take it over
    }
  }
  throw new LockedError(`${file}: could not take the lock; another command keeps taking it`);
}

function readHolder(file: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(file, "utf8")) as LockHolder;
    return typeof h.pid === "number" ? h : null;
  } catch {
    return null; // half-written or unreadable: treated as stale
  }
}

/** Whether the holder still runs: on another host we cannot tell, so it counts as alive. */
function isAlive(h: LockHolder): boolean {
  return h.host !== hostname() || processAlive(h.pid);
}

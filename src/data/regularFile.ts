import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from "node:fs";
import { DataError } from "../util/errors.js";
import { describeFsError } from "../util/files.js";
import { printable } from "./printable.js";

/**
 * Data files are read only when they are regular files, and only as many bytes as their header
 * promises: a character device such as /dev/zero never ends, a FIFO blocks until someone writes
 * to it, and a folder has no bytes to read.
 */

/** Why `stats` is not a regular file, in words ("is a FIFO (named pipe), not a regular file"), or undefined when it is one. */
export function notRegularReason(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return "is a folder, not a file";
  if (stats.isFIFO()) return "is a FIFO (named pipe), not a regular file";
  if (stats.isCharacterDevice()) return "is a character device, not a regular file";
  if (stats.isBlockDevice()) return "is a block device, not a regular file";
  if (stats.isSocket()) return "is a socket, not a regular file";
  return "is not a regular file";
}

/** An open regular file of known size, read at explicit positions. */
export class RegularFile {
  constructor(
    readonly path: string,
    readonly fd: number,
    readonly size: number,
  ) {}

  /** `length` bytes from `position`, into a fresh buffer (see {@link allocateBytes}). */
  read(position: number, length: number): Uint8Array {
    const out = allocateBytes(length, this.path);
    this.readInto(out, position);
    return out;
  }

  /** Fills `out` with the bytes from `position`; a file that ends sooner was changed while read. */
  readInto(out: Uint8Array, position: number): void {
    let done = 0;
    while (done < out.length) {
      let got: number;
      try {
        got = readSync(this.fd, out, done, Math.min(out.length - done, 1 << 30), position + done);
      } catch (err) {
        throw new DataError(`cannot read: ${describeFsError(err)}`, printable(this.path));
      }
      if (got === 0) {
        throw new DataError(`ended after ${position + done} bytes while being read (it was ${this.size}); was it changed meanwhile?`, printable(this.path));
      }
      done += got;
    }
  }
}

/**
 * Opens `path` for reading if it is a regular file (symbolic links followed) and runs `use` on it,
 * closing it after. Anything else (missing, a folder, a device, a FIFO, a socket) is a DataError
 * naming the file. The file is opened non-blocking, so a FIFO put in its place cannot hang.
 */
export function withRegularFile<T>(path: string, use: (file: RegularFile) => T): T {
  const name = printable(path);
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (err) {
    throw new DataError(describeFsError(err), name);
  }
  const kind = notRegularReason(stats);
  if (kind !== undefined) throw new DataError(`${kind}; give the path of a data file`, name);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new DataError(describeFsError(err), name);
  }
  try {
    const opened = fstatSync(fd);
    const changed = notRegularReason(opened);
    if (changed !== undefined) throw new DataError(`${changed}; give the path of a data file`, name);
    return use(new RegularFile(path, fd, opened.size));
  } finally {
    closeSync(fd);
  }
}

/** The whole of a regular file (see {@link withRegularFile}). */
export function readRegularFile(path: string): Uint8Array {
  return withRegularFile(path, (f) => f.read(0, f.size));
}

/**
 * A zeroed byte buffer of `length`, or a DataError naming `file` when the platform cannot make
 * one that large; the caller has already checked that the file holds those bytes.
 */
export function allocateBytes(length: number, file: string): Uint8Array {
  try {
    return new Uint8Array(length);
  } catch {
    throw new DataError(`needs ${(length / 2 ** 30).toFixed(1)} GiB in one piece, more than can be allocated here`, printable(file));
  }
}

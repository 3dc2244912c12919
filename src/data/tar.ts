import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { DataError } from "../util/errors.js";
import { describeFsError } from "../util/files.js";

/**
 * A minimal streaming reader for `.tar.gz` archives: POSIX ustar headers (IEEE Std 1003.1-2017,
 * pax "ustar Interchange Format"), GNU tar's 'L' long names, and the `path` of pax extended
 * headers. Regular files are extracted; links, folders and devices are skipped.
 */

export interface ExtractOptions {
  /** Which members to extract, by their name in the archive ("cifar-10-batches-bin/test_batch.bin"). */
  filter?: (name: string) => boolean;
}

const BLOCK = 512;
/** Type flags of regular files: '0', NUL (pre-POSIX tar) and '7' (contiguous file). */
const REGULAR = new Set(["0", "\0", "7"]);
/** Hard link, symbolic link, character and block device, FIFO. */
const NO_DATA = new Set(["1", "2", "3", "4", "6"]);

/** An archive that cannot be read: corrupt, cut short, or with a member we refuse to write. */
class ArchiveProblem extends Error {}

/**
 * Extracts the regular files of a gzipped tar archive into `destDir`, streaming (one block in
 * memory at a time) and writing each file atomically. Returns the paths written, in archive order.
 * @example
 * await extractTarGz("cifar-10-binary.tar.gz", "data", { filter: (n) => n.endsWith(".bin") });
 * // ["data/cifar-10-batches-bin/data_batch_1.bin", …, "data/cifar-10-batches-bin/test_batch.bin"]
 */
export async function extractTarGz(archive: string, destDir: string, options: ExtractOptions = {}): Promise<string[]> {
  const written: string[] = [];
  let reading: Promise<void> = Promise.resolve();
  const consume = async (source: AsyncIterable<Buffer>): Promise<void> => {
    const reader = new BlockReader(source[Symbol.asyncIterator]());
    await readMembers(reader, resolve(destDir), options.filter, written);
    await reader.drain(); // lets gunzip check its CRC and length trailer
  };
  try {
    await pipeline(createReadStream(archive), createGunzip({ chunkSize: 1 << 16 }), (source: AsyncIterable<Buffer>) => {
      reading = consume(source);
      return reading;
    });
  } catch (err) {
    // A gzip error ends the pipeline at once; wait until a half-written member has removed its temp file.
    await reading.catch(() => undefined);
    throw archiveError(err, archive);
  }
  return written;
}

function archiveError(err: unknown, archive: string): Error {
  if (err instanceof ArchiveProblem) return new DataError(err.message, archive);
  if (err instanceof DataError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e.code === "Z_BUF_ERROR" || /unexpected end of file/i.test(e.message ?? "")) {
    return new DataError("truncated gzip data (the archive is cut short); download it again", archive);
  }
  if (typeof e.code === "string" && e.code.startsWith("Z_")) {
    return new DataError(`corrupt gzip data (${e.message}); not a .tar.gz file, or a damaged one — download it again`, archive);
  }
  if (e.syscall !== undefined) return new DataError(describeFsError(e), e.path ?? archive);
  return err as Error;
}

/** Reads headers and members until the end-of-archive block. */
async function readMembers(reader: BlockReader, root: string, filter: ExtractOptions["filter"], written: string[]): Promise<void> {
  let longName: string | undefined; // from a GNU 'L' or pax 'x' entry, for the next header
  while (true) {
    const at = reader.offset;
    const header = await reader.read(BLOCK);
    if (header.length === 0) throw new ArchiveProblem(`truncated tar data: it ends at byte ${at} without the end-of-archive blocks`);
    if (header.length < BLOCK) throw new ArchiveProblem(`truncated tar data: a header at byte ${at} has only ${header.length} of 512 bytes`);
    if (header.every((b) => b === 0)) return;
    const h = parseHeader(header, at);
    const type = h.type;
    if (type === "L" || type === "x") {
      const body = await reader.readExact(h.size, at);
      await reader.skip(padding(h.size), at);
      longName = type === "L" ? cString(body, 0, body.length) : (paxPath(body) ?? longName);
      continue;
    }
    const name = longName ?? h.name;
    longName = undefined;
    if (!REGULAR.has(type) || name.endsWith("/")) {
      // Links, devices and FIFOs have no data blocks whatever their size field says (POSIX ustar).
      const dataSize = NO_DATA.has(type) ? 0 : h.size;
      await reader.skip(dataSize + padding(dataSize), at);
      continue;
    }
    const target = safeTarget(root, name, at);
    if (filter && !filter(name)) {
      await reader.skip(h.size + padding(h.size), at);
      continue;
    }
    await writeMember(reader, target, h.size, at);
    await reader.skip(padding(h.size), at);
    if (!written.includes(target)) written.push(target);
  }
}

interface Header {
  name: string;
  size: number;
  type: string;
}

/** Checks a header block's checksum and reads its name (with the ustar prefix), size and type. */
function parseHeader(block: Buffer, at: number): Header {
  const stored = parseNumber(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]; // the checksum field counts as spaces
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (stored === undefined || (stored !== unsigned && stored !== signed)) {
    const got = stored === undefined ? `an unreadable checksum field "${cString(block, 148, 156)}"` : `checksum ${stored}`;
    throw new ArchiveProblem(`corrupt tar header at byte ${at}: ${got}, but its bytes sum to ${unsigned}; the archive is damaged or not a tar file`);
  }
  const size = parseNumber(block, 124, 12);
  if (size === undefined) throw new ArchiveProblem(`corrupt tar header at byte ${at}: unreadable size field "${cString(block, 124, 136)}"`);
  const name = cString(block, 0, 100);
  // POSIX ustar ("ustar\0" "00") keeps the leading part of long names in `prefix`; GNU's "ustar  "
  // uses those bytes for other fields.
  const posix = block.toString("latin1", 257, 265) === "ustar\x0000";
  const prefix = posix ? cString(block, 345, 500) : "";
  return { name: prefix ? `${prefix}/${name}` : name, size, type: String.fromCharCode(block[156]) };
}

/** An octal number (NUL- or space-terminated, maybe space-padded), or GNU's base-256 for large sizes. */
function parseNumber(block: Buffer, start: number, length: number): number | undefined {
  if (block[start] & 0x80) {
    let v = block[start] & 0x7f;
    for (let i = start + 1; i < start + length; i++) v = v * 256 + block[i];
    return Number.isSafeInteger(v) ? v : undefined;
  }
  const text = block.toString("latin1", start, start + length).replace(/[\0 ]+$/, "").trim();
  if (!/^[0-7]+$/.test(text)) return text === "" ? 0 : undefined;
  return parseInt(text, 8);
}

/** The `path` record of a pax extended header ("LEN path=VALUE\n" records), if any. */
function paxPath(body: Buffer): string | undefined {
  let path: string | undefined;
  let i = 0;
  while (i < body.length) {
    const space = body.indexOf(0x20, i);
    const len = space < 0 ? NaN : Number(body.toString("latin1", i, space));
    if (!(len > 0) || i + len > body.length) break;
    const record = body.toString("utf8", space + 1, i + len - 1);
    if (record.startsWith("path=")) path = record.slice(5);
    i += len;
  }
  return path;
}

/** Bytes up to the first NUL in `start..end`. */
function cString(block: Buffer, start: number, end: number): string {
  const nul = block.indexOf(0, start);
  return block.toString("utf8", start, nul >= start && nul < end ? nul : end);
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** Where a member goes under `root`; absolute names and `..` segments are refused. */
function safeTarget(root: string, name: string, at: number): string {
  const parts = name.split(/[/\\]+/);
  const absolute = name.startsWith("/") || name.startsWith("\\") || /^[A-Za-z]:[/\\]/.test(name);
  if (name === "" || absolute || parts.includes("..")) {
    const why = name === "" ? "an empty name" : absolute ? "an absolute path" : "a '..' segment that would escape the folder";
    throw new ArchiveProblem(`refusing the member "${name}" (header at byte ${at}): it has ${why}`);
  }
  const target = join(root, ...parts.filter((p) => p !== "" && p !== "."));
  if (!target.startsWith(root + sep)) throw new ArchiveProblem(`refusing the member "${name}" (header at byte ${at}): it names no file`);
  return target;
}

/** Streams `size` bytes into `target` through a temporary file renamed over it at the end. */
async function writeMember(reader: BlockReader, target: string, size: number, at: number): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}-${Date.now().toString(36)}`;
  const file = await open(tmp, "w");
  try {
    try {
      for await (const piece of reader.take(size, at)) await file.write(piece);
    } finally {
      await file.close();
    }
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Hands out exact byte counts from a stream of chunks. `offset` counts the bytes consumed. */
class BlockReader {
  offset = 0;
  private chunk: Buffer = Buffer.alloc(0);
  private pos = 0;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Up to `n` bytes as views of the chunks; fewer only at the end of the stream. */
  async *pieces(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.pos >= this.chunk.length) {
        const next = await this.source.next();
        if (next.done) return;
        this.chunk = next.value;
        this.pos = 0;
        continue;
      }
      const piece = this.chunk.subarray(this.pos, this.pos + Math.min(left, this.chunk.length - this.pos));
      this.pos += piece.length;
      this.offset += piece.length;
      left -= piece.length;
      yield piece;
    }
  }

  /** Exactly `n` bytes, or throws that the data ends inside the member whose header is at `at`. */
  async *take(n: number, at: number): AsyncGenerator<Buffer> {
    let got = 0;
    for await (const piece of this.pieces(n)) {
      got += piece.length;
      yield piece;
    }
    if (got < n) throw new ArchiveProblem(`truncated tar data: the member whose header is at byte ${at} ends after ${got} of ${n} bytes`);
  }

  /** Up to `n` bytes copied into one buffer (for headers). */
  async read(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const piece of this.pieces(n)) parts.push(piece);
    return Buffer.concat(parts);
  }

  /** Exactly `n` bytes in one buffer (for small metadata members). */
  async readExact(n: number, at: number): Promise<Buffer> {
    if (n > 1 << 20) throw new ArchiveProblem(`corrupt tar header at byte ${at}: a ${n}-byte long-name entry`);
    const parts: Buffer[] = [];
    for await (const piece of this.take(n, at)) parts.push(piece);
    return Buffer.concat(parts);
  }

  async skip(n: number, at: number): Promise<void> {
    for await (const _ of this.take(n, at));
  }

  /** Reads to the end of the stream. */
  async drain(): Promise<void> {
    for await (const _ of this.pieces(Infinity));
  }
}

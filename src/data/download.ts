import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import { DataError } from "../util/errors.js";
import { describeFsError } from "../util/files.js";

/**
 * Resumable, verified downloads from a list of mirrors: the bytes go to `dest + ".part"`, a later
 * call continues it with an HTTP Range request (RFC 9110 §14.2), and `dest` appears, by an atomic
 * rename, only once the whole file matches its SHA-256.
 */

export interface DownloadOptions {
  /** Mirrors, tried in order. */
  urls: string[];
  /** Final path; the file appears there only once complete and verified. */
  dest: string;
  /** Expected SHA-256 (hex) of the whole file. */
  sha256: string;
  /** Expected size in bytes, when known (for the progress total before headers arrive). */
  size?: number;
  /**
   * Called after every chunk with the bytes on disk so far. `done` only grows, except that it falls
   * back to 0 when a server ignores the Range request and the download starts over.
   */
  onProgress?: (done: number, total: number | undefined) => void;
  /** For tests; default globalThis.fetch. */
  fetchImpl?: typeof fetch;
  /** Per-request inactivity timeout in ms: the longest wait for headers or for the next chunk. */
  timeoutMs?: number;
}

export const DOWNLOAD_DEFAULTS = { timeoutMs: 30_000 } as const;

/** A mirror that did not deliver (network, HTTP status, timeout); the next mirror is tried. */
class MirrorError extends Error {}

/** The SHA-256 (lower-case hex) of a file, read as a stream. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await hashFileInto(hash, path);
  return hash.digest("hex");
}

/** Feeds the file's first `length` bytes (all of it when omitted) into `hash`. */
async function hashFileInto(hash: Hash, path: string, length?: number): Promise<void> {
  if (length === 0) return;
  const input = createReadStream(path, length === undefined ? {} : { end: length - 1 });
  await pipeline(input, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) hash.update(chunk);
  });
}

/**
 * Downloads `urls` (the first mirror that delivers) to `dest`, resuming a `.part` left by an
 * earlier call, and verifies the SHA-256 before the file appears. A `dest` that already holds the
 * right bytes is kept without any request.
 * @example
 * await download({ urls: ["https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"],
 *   dest: "data/cifar-10-binary.tar.gz", sha256: "c4a38c50…", size: 170052171 });
 * // data/cifar-10-binary.tar.gz now exists and has that SHA-256
 */
export async function download(options: DownloadOptions): Promise<void> {
  const { urls, dest, sha256, size, onProgress } = options;
  const fetchImpl = options.fetchImpl ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? DOWNLOAD_DEFAULTS.timeoutMs;
  checkOptions(urls, sha256, size, timeoutMs);
  const ctx: Attempt = { dest, part: `${dest}.part`, expected: sha256.toLowerCase(), size, onProgress, fetchImpl, timeoutMs };
  try {
    const failures = await tryMirrors(ctx, urls);
    if (failures.length === 0) return;
    await failWithReasons(ctx, urls, failures);
  } catch (err) {
    // Local file-system trouble (permissions, a full disk, a folder in the way) names the path.
    const { syscall, path } = err as NodeJS.ErrnoException;
    if (err instanceof Error && syscall !== undefined && path !== undefined) throw new DataError(describeFsError(err), path);
    throw err;
  }
}

/** Tries each mirror in turn; returns one reason per failed mirror, or [] once `dest` is in place. */
async function tryMirrors(ctx: Attempt, urls: string[]): Promise<string[]> {
  const existing = await fileSize(ctx.dest);
  if (existing !== undefined && (await sha256File(ctx.dest)) === ctx.expected) {
    if (ctx.onProgress) ctx.onProgress(existing, existing);
    return [];
  }
  await mkdir(dirname(ctx.dest), { recursive: true });
  const failures: string[] = [];
  for (const url of urls) {
    try {
      await fetchToPart(ctx, url);
      await rename(ctx.part, ctx.dest);
      return [];
    } catch (err) {
      if (!(err instanceof MirrorError)) throw err;
      failures.push(`${url}: ${err.message}`);
    }
  }
  return failures;
}

async function failWithReasons(ctx: Attempt, urls: string[], failures: string[]): Promise<never> {
  const kept = await fileSize(ctx.part);
  const hint = kept ? `; the ${kept} bytes received are kept in ${ctx.part} and the next run resumes them` : "";
  const which = urls.length === 1 ? "the only mirror" : `any of ${urls.length} mirrors`;
  throw new DataError(`could not download from ${which} — ${failures.join("; ")}${hint}`, ctx.dest);
}

function checkOptions(urls: string[], sha256: string, size: number | undefined, timeoutMs: number): void {
  const problems: string[] = [];
  if (!Array.isArray(urls) || urls.length === 0) problems.push("urls must list at least one mirror");
  if (!/^[0-9a-f]{64}$/i.test(sha256)) problems.push(`sha256 must be 64 hex digits, got "${sha256}"`);
  if (size !== undefined && !(Number.isInteger(size) && size >= 0)) problems.push(`size must be a non-negative integer, got ${size}`);
  if (!(timeoutMs > 0)) problems.push(`timeoutMs must be a positive number, got ${timeoutMs}`);
  if (problems.length > 0) throw new RangeError(`download: ${problems.join("; ")}`);
}

interface Attempt {
  dest: string;
  part: string;
  expected: string;
  size: number | undefined;
  onProgress: DownloadOptions["onProgress"];
  fetchImpl: typeof fetch;
  timeoutMs: number;
}

/**
 * Brings `ctx.part` to the complete, verified file from one mirror. Network and HTTP failures are
 * MirrorErrors and keep the part; a checksum mismatch removes it and is a DataError.
 */
async function fetchToPart(ctx: Attempt, url: string): Promise<void> {
  const offset = (await fileSize(ctx.part)) ?? 0;
  const timer = new InactivityTimer(ctx.timeoutMs);
  try {
    const res = await timer.guard(() =>
      ctx.fetchImpl(url, {
        // identity: a compressed transfer would make byte offsets and the hash meaningless
        headers: { "accept-encoding": "identity", ...(offset > 0 ? { range: `bytes=${offset}-` } : {}) },
        signal: timer.signal,
      }),
    );
    if (res.status === 416 && offset > 0) {
      // The server has nothing after `offset`: the part is complete, or it is bad.
      await discard(res);
      if ((await sha256File(ctx.part)) === ctx.expected) return;
      await rm(ctx.part, { force: true });
      return await fetchToPart(ctx, url);
    }
    const resume = res.status === 206 && offset > 0 && contentRangeStart(res) === offset;
    if (res.status === 206 && !resume) {
      await discard(res);
      const got = `HTTP 206 with Content-Range "${res.headers.get("content-range")}"`;
      if (offset === 0) throw new MirrorError(`${got} to a request for the whole file`);
      // Not the range asked for: start over without one.
      await rm(ctx.part, { force: true });
      return await fetchToPart(ctx, url);
    }
    if (!res.ok || res.body === null) {
      await discard(res);
      throw new MirrorError(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`);
    }
    const hash = createHash("sha256");
    if (resume) await hashFileInto(hash, ctx.part, offset);
    const total = resume ? contentRangeTotal(res) ?? plusLength(res, offset) ?? ctx.size : plusLength(res, 0) ?? ctx.size;
    const done = await streamBody(res.body, ctx, resume ? offset : 0, total, hash, timer);
    if (total !== undefined && done < total) throw new MirrorError(`the connection ended after ${done} of ${total} bytes`);
    const got = hash.digest("hex");
    if (got !== ctx.expected) {
      await rm(ctx.part, { force: true });
      throw new DataError(
        `checksum mismatch from ${url}: expected sha256 ${ctx.expected}, got ${got}; ` +
          `the downloaded file was removed — run again to download it afresh, or check the mirror and the expected checksum`,
        ctx.dest,
      );
    }
  } finally {
    timer.stop();
  }
}

/** Appends (or, from 0, writes) the body to the part, hashing and reporting as it goes; returns the bytes on disk. */
async function streamBody(
  body: ReadableStream<Uint8Array>,
  ctx: Attempt,
  start: number,
  total: number | undefined,
  hash: Hash,
  timer: InactivityTimer,
): Promise<number> {
  const file = await open(ctx.part, start > 0 ? "a" : "w");
  const reader = body.getReader();
  let done = start;
  try {
    if (ctx.onProgress) ctx.onProgress(done, total);
    while (true) {
      const next = await timer.guard(() => reader.read());
      if (next.done) break;
      await file.write(next.value);
      hash.update(next.value);
      done += next.value.length;
      if (ctx.onProgress) ctx.onProgress(done, total);
    }
  } finally {
    // Frees the connection when writing failed half-way; a no-op after the last chunk.
    await reader.cancel().catch(() => undefined);
    await file.close();
  }
  return done;
}

/**
 * Aborts a request when no data has come for `ms` milliseconds; `guard` restarts the clock around
 * each wait and turns network failures into MirrorErrors with a short reason.
 */
class InactivityTimer {
  private readonly controller = new AbortController();
  private handle: NodeJS.Timeout | undefined;
  readonly signal = this.controller.signal;
  constructor(private readonly ms: number) {}

  async guard<T>(wait: () => Promise<T>): Promise<T> {
    clearTimeout(this.handle);
    this.handle = setTimeout(() => this.controller.abort(), this.ms);
    try {
      return await wait();
    } catch (err) {
      if (this.signal.aborted) throw new MirrorError(`no data for ${this.ms} ms (timed out)`);
      throw new MirrorError(describeNetworkError(err));
    } finally {
      clearTimeout(this.handle);
    }
  }

  stop(): void {
    clearTimeout(this.handle);
  }
}

const NETWORK_CODES: Record<string, string> = {
  ENOTFOUND: "host not found (ENOTFOUND: offline, or a wrong host name?)",
  EAI_AGAIN: "DNS lookup failed (EAI_AGAIN: offline?)",
  ECONNREFUSED: "connection refused (ECONNREFUSED)",
  ECONNRESET: "connection reset (ECONNRESET)",
  ETIMEDOUT: "connection timed out (ETIMEDOUT)",
  ENETUNREACH: "network unreachable (ENETUNREACH: offline?)",
  EHOSTUNREACH: "host unreachable (EHOSTUNREACH)",
  UND_ERR_SOCKET: "the server closed the connection (UND_ERR_SOCKET)",
  UND_ERR_CONNECT_TIMEOUT: "connection timed out (UND_ERR_CONNECT_TIMEOUT)",
};

/** A short reason for a failed fetch, looking through undici's "fetch failed" to the cause's code. */
function describeNetworkError(err: unknown): string {
  let e: unknown = err;
  // undici wraps the real error: TypeError("fetch failed" | "terminated", { cause }); a cause may
  // itself be an AggregateError of one attempt per address (IPv4 and IPv6).
  for (let depth = 0; depth < 4 && e instanceof Error; depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined) return NETWORK_CODES[code] ?? `${e.message || "network error"} (${code})`;
    if (e instanceof AggregateError && e.errors.length > 0) e = e.errors[0];
    else if (e.cause !== undefined) e = e.cause;
    else return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/** Lets go of a response whose body we do not want. */
async function discard(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

/** The first byte of a 206 response, from `Content-Range: bytes FIRST-LAST/TOTAL`. */
function contentRangeStart(res: Response): number | undefined {
  const m = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(res.headers.get("content-range")?.trim() ?? "");
  return m ? Number(m[1]) : undefined;
}

/** The whole file's size from a 206 response's Content-Range, when the server states it. */
function contentRangeTotal(res: Response): number | undefined {
  const m = /\/(\d+)$/.exec(res.headers.get("content-range")?.trim() ?? "");
  return m ? Number(m[1]) : undefined;
}

/** `offset` plus the response's Content-Length, when there is one. */
function plusLength(res: Response, offset: number): number | undefined {
  const length = res.headers.get("content-length");
  return length !== null && /^\d+$/.test(length) ? offset + Number(length) : undefined;
}

/** The size of a file, or undefined when there is none. */
async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DataError } from "../util/errors.js";
import { createRng } from "../util/rng.js";
import { download, sha256File } from "./download.js";

const SIZE = 300_000;
const CONTENT = (() => {
  const rng = createRng(7);
  return Uint8Array.from({ length: SIZE }, () => rng.int(256));
})();
const SHA = createHash("sha256").update(CONTENT).digest("hex");

/** What the server was asked: path and Range header of each request. */
let requests: { path: string; range: string | undefined }[] = [];
/** Paths that have cut their connection once already. */
const cut = new Set<string>();
let server: Server;
let base: string;
let dir: string;

/** Serves CONTENT with Range support; other paths misbehave as their names say. */
function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = req.url ?? "/";
  const range = req.headers.range;
  requests.push({ path, range });
  if (path.startsWith("/missing")) {
    res.writeHead(404).end("not here");
  } else if (path.startsWith("/norange")) {
    res.writeHead(200, { "content-length": SIZE }).end(CONTENT);
  } else if (path.startsWith("/stall")) {
    res.writeHead(200, { "content-length": SIZE });
    res.write(CONTENT.subarray(0, 1000)); // then nothing, until the client gives up
  } else if (path.startsWith("/cut") && !cut.has(path)) {
    cut.add(path);
    res.writeHead(200, { "content-length": SIZE });
    // Send half, give the client time to take it in, then drop the connection.
    res.write(CONTENT.subarray(0, SIZE / 2), () => setTimeout(() => res.destroy(), 100));
  } else {
    serveRange(range, res);
  }
}

function serveRange(range: string | undefined, res: ServerResponse): void {
  const m = range === undefined ? null : /^bytes=(\d+)-$/.exec(range);
  if (!m) {
    res.writeHead(200, { "content-length": SIZE, "accept-ranges": "bytes" }).end(CONTENT);
    return;
  }
  const start = Number(m[1]);
  if (start >= SIZE) {
    res.writeHead(416, { "content-range": `bytes */${SIZE}` }).end();
    return;
  }
  res.writeHead(206, { "content-length": SIZE - start, "content-range": `bytes ${start}-${SIZE - 1}/${SIZE}` });
  res.end(CONTENT.subarray(start));
}

/** A URL on a port that nothing listens on. */
async function closedPortUrl(path: string): Promise<string> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, "127.0.0.1", ok));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((ok) => s.close(() => ok()));
  return `http://127.0.0.1:${port}${path}`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "featurelens-download-"));
  server = createServer(handle);
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((ok) => server.close(() => ok()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  requests = [];
});

let counter = 0;
/** A fresh destination path for each test, with a `.part` beside it when `part` is given. */
function freshDest(options: { part?: Uint8Array } = {}): string {
  const dest = join(dir, `t${counter++}`, "file.bin");
  if (options.part) {
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(`${dest}.part`, options.part);
  }
  return dest;
}

function expectContent(dest: string): void {
  expect(Buffer.compare(readFileSync(dest), CONTENT)).toBe(0);
  expect(existsSync(`${dest}.part`)).toBe(false);
}

describe("download", () => {
  it("download(options) fetches the whole file and leaves no part", async () => {
    const dest = freshDest();
    await download({ urls: [`${base}/file`], dest, sha256: SHA });
    expectContent(dest);
    expect(requests).toEqual([{ path: "/file", range: undefined }]);
  });

  it("download(options) keeps a dest that already has the right checksum, without a request", async () => {
    const dest = freshDest();
    await download({ urls: [`${base}/file`], dest, sha256: SHA });
    requests = [];
    await download({ urls: [`${base}/file`], dest, sha256: SHA });
    expect(requests).toEqual([]);
    expectContent(dest);
  });

  it("download(options) resumes a part left by an interrupted attempt with a Range request", async () => {
    const dest = freshDest();
    const url = `${base}/cut-${counter}`;
    const first = download({ urls: [url], dest, sha256: SHA });
    await expect(first).rejects.toThrow(DataError);
    await expect(first).rejects.toThrow(/kept in .*\.part/);
    const partSize = statSync(`${dest}.part`).size;
    expect(partSize).toBeGreaterThan(0);
    expect(partSize).toBeLessThan(SIZE);
    expect(existsSync(dest)).toBe(false);

    requests = [];
    await download({ urls: [url], dest, sha256: SHA });
    expect(requests).toEqual([{ path: new URL(url).pathname, range: `bytes=${partSize}-` }]);
    expectContent(dest);
  });

  it("download(options) starts over when the server ignores Range and answers 200", async () => {
    const dest = freshDest({ part: Buffer.alloc(5000, 0xab) }); // wrong bytes: appending to them would fail the checksum
    await download({ urls: [`${base}/norange`], dest, sha256: SHA });
    expect(requests).toEqual([{ path: "/norange", range: "bytes=5000-" }]);
    expectContent(dest);
  });

  it("download(options) verifies a complete part when the server answers 416", async () => {
    const dest = freshDest({ part: CONTENT });
    await download({ urls: [`${base}/file`], dest, sha256: SHA });
    expect(requests).toEqual([{ path: "/file", range: `bytes=${SIZE}-` }]);
    expectContent(dest);
  });

  it("download(options) starts over when a part the server calls complete (416) is wrong", async () => {
    const dest = freshDest({ part: Buffer.alloc(SIZE + 10, 1) });
    await download({ urls: [`${base}/file`], dest, sha256: SHA });
    expect(requests).toEqual([
      { path: "/file", range: `bytes=${SIZE + 10}-` },
      { path: "/file", range: undefined },
    ]);
    expectContent(dest);
  });

  it("download(options) with a wrong checksum throws a DataError and leaves neither dest nor part", async () => {
    const dest = freshDest();
    const wrong = "0".repeat(64);
    const err = await download({ urls: [`${base}/file`], dest, sha256: wrong }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain(`expected sha256 ${wrong}, got ${SHA}`);
    expect((err as Error).message).toContain("removed");
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it("download(options) falls back to the next mirror after a 404", async () => {
    const dest = freshDest();
    await download({ urls: [`${base}/missing`, `${base}/file`], dest, sha256: SHA });
    expect(requests.map((r) => r.path)).toEqual(["/missing", "/file"]);
    expectContent(dest);
  });

  it("download(options) lists every mirror and its reason when all fail", async () => {
    const dest = freshDest();
    const down1 = await closedPortUrl("/a");
    const down2 = await closedPortUrl("/b");
    const err = await download({ urls: [down1, down2, `${base}/missing`], dest, sha256: SHA }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    const msg = (err as Error).message;
    expect(msg).toContain(`${down1}: connection refused (ECONNREFUSED)`);
    expect(msg).toContain(`${down2}: connection refused (ECONNREFUSED)`);
    expect(msg).toContain(`${base}/missing: HTTP 404`);
    expect(msg).not.toContain("fetch failed");
    expect(existsSync(dest)).toBe(false);
  });

  it("download(options) gives up on a server that stops sending, after timeoutMs", async () => {
    const dest = freshDest();
    const err = await download({ urls: [`${base}/stall`], dest, sha256: SHA, timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain("no data for 200 ms (timed out)");
    expect(statSync(`${dest}.part`).size).toBe(1000);
  });

  it("download(options) reports progress that only grows and reaches the total", async () => {
    const dest = freshDest();
    const calls: [number, number | undefined][] = [];
    await download({ urls: [`${base}/file`], dest, sha256: SHA, size: SIZE, onProgress: (done, total) => calls.push([done, total]) });
    expect(calls.length).toBeGreaterThan(1);
    for (let i = 1; i < calls.length; i++) expect(calls[i][0]).toBeGreaterThanOrEqual(calls[i - 1][0]);
    expect(calls.every(([, total]) => total === SIZE)).toBe(true);
    expect(calls.at(-1)).toEqual([SIZE, SIZE]);
  });

  it("download(options) rejects bad options with one RangeError naming them all", async () => {
    const err = await download({ urls: [], dest: freshDest(), sha256: "abc", timeoutMs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect((err as Error).message).toMatch(/urls.*sha256.*timeoutMs/);
  });

  it("download(options) uses fetchImpl when given", async () => {
    const dest = freshDest();
    let calls = 0;
    const fetchImpl: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    await download({ urls: [`${base}/file`], dest, sha256: SHA, fetchImpl });
    expect(calls).toBe(1);
    expectContent(dest);
  });
});

describe("sha256File", () => {
  it("sha256File(path) matches the hash of the bytes", async () => {
    const path = join(dir, "hash-me.bin");
    writeFileSync(path, CONTENT);
    expect(await sha256File(path)).toBe(SHA);
  });
});

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_LIMITS } from "../api/types.js";
import { TOKEN_COOKIE } from "./security.js";
import { type RunningServer, startServer } from "./server.js";
import { request, serverWorkspace } from "./server.testutil.js";

// One workspace for the file (run "small" with a domain), a copy of the run outside it that a
// symlink in runs/ points to, a web root with one file and a secret beside it.
let ws: string;
let outside: string;
let webRoot: string;
let server: RunningServer;
let guarded: RunningServer;
const TOKEN = "test-token-0123456789abcdef";
const logged: string[] = [];

beforeAll(async () => {
  ws = (await serverWorkspace()).workspace;
  outside = mkdtempSync(join(tmpdir(), "featurelens-outside-"));
  cpSync(join(ws, "runs", "small"), join(outside, "stolen"), { recursive: true });
  symlinkSync(join(outside, "stolen"), join(ws, "runs", "linked"));
  const base = mkdtempSync(join(tmpdir(), "featurelens-webroot-"));
  webRoot = join(base, "web");
  mkdirSync(webRoot);
  writeFileSync(join(webRoot, "index.html"), "<!doctype html><title>app</title>");
  writeFileSync(join(base, "secret.txt"), "secret");
  symlinkSync(join(base, "secret.txt"), join(webRoot, "link.txt"));
  server = await startServer({ workspace: ws, webRoot, log: (l) => logged.push(l) });
  guarded = await startServer({ workspace: ws, webRoot, token: TOKEN, log: (l) => logged.push(l) });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await guarded?.close();
  for (const d of [ws, outside, join(webRoot, "..")]) rmSync(d, { recursive: true, force: true });
});

/** A raw HTTP request (fetch would normalise the path and forbids setting Host). */
function raw(s: RunningServer, path: string, headers: Record<string, string> = {}, method = "GET", body?: Buffer): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port: s.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: res.headers }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function stillAnswers(s: RunningServer = server): Promise<void> {
  const r = await raw(s, "/api/runs", s === guarded ? { authorization: `Bearer ${TOKEN}` } : {});
  expect(r.status).toBe(200);
}

describe("startServer: what it refuses", () => {
  it("static files: path traversal (../, %2e%2e%2f, ..%2f, encoded backslash, absolute paths, NUL bytes) and links out of the web root are 404", async () => {
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/%2e%2e%2fsecret.txt", "/..%2fsecret.txt", "/..%5csecret.txt", "//etc/passwd", "/%2fetc%2fpasswd", "/index.html%00.png", "/link.txt", "/assets/"]) {
      const r = await raw(server, path);
      expect(r.status, path).toBe(404);
      expect(r.body).not.toMatch(/secret|root:/);
    }
    expect((await raw(server, "/%E0%A4%A")).status).toBe(400);
    await stillAnswers();
  });

  it("run ids: paths, traversal, NUL bytes and unknown runs are 404; a run linked from outside the workspace is refused", async () => {
    for (const id of ["..", "..%2f..%2fetc", "%2e%2e%2fsmall", "%2fetc%2fpasswd", "small%00", ".hidden", "nope", "linked", "runs%2fsmall", "~"]) {
      const r = await raw(server, `/api/runs/${id}`);
      expect(r.status, id).toBe(404);
      expect(JSON.parse(r.body)).toEqual({ error: expect.any(String) });
    }
    expect(JSON.parse((await raw(server, "/api/runs/linked")).body).error).toMatch(/leads out of the workspace/);
    expect(JSON.parse((await raw(server, "/api/runs")).body).runs.map((r: { id: string }) => r.id)).toEqual(["small"]);
    await stillAnswers();
  });

  it("unknown domain, map, chart, row, page, layer and route are 404; bad values are 400 naming the parameter", async () => {
    const cases: [string, number, RegExp][] = [
      ["/api/runs/small?domain=nope", 404, /domain 'nope'/],
      ["/api/runs/small?domain=__proto__", 404, /domain/],
      ["/api/runs/small/points?map=umap", 404, /map 'umap'/],
      ["/api/runs/small/points?map=constructor", 404, /map/],
      ["/api/runs/small/points", 400, /map is missing/],
      ["/api/runs/small/charts/nope", 404, /chart 'nope'/],
      ["/api/runs/small/images/300.png", 404, /row 300/],
      ["/api/runs/small/images/-1.png", 400, /row/],
      ["/api/runs/small/images/1e3.png", 400, /row/],
      ["/api/runs/small/images/0.png?scale=17", 400, /scale/],
      ["/api/runs/small/neighbors/99999", 404, /row 99999/],
      ["/api/runs/small/neighbors/0?space=cosine", 400, /space/],
      ["/api/runs/small/neighbors/0?k=101", 400, /k must/],
      ["/api/runs/small/neighbors/0?k=0", 400, /k must/],
      ["/api/runs/small/atlas/5.png", 404, /page 5/],
      ["/api/runs/small/atlas?size=33", 404, /size 33/],
      ["/api/runs/small/inside/0/999.png", 404, /layer 999/],
      ["/api/runs/small/predictions?limit=1000000000", 400, /limit/],
      ["/api/runs/small/predictions?limit=-5", 400, /limit/],
      ["/api/runs/small/predictions?limit=10001", 400, /limit/],
      ["/api/runs/small/predictions?offset=-1", 400, /offset/],
      ["/api/runs/small/predictions?label=10", 400, /label/],
      ["/api/runs/small/predictions?label=1;DROP", 400, /label/],
      ["/api/runs/small/predictions?sort=index;--", 400, /sort/],
      ["/api/runs/small/predictions?cmin=0.9&cmax=0.1", 400, /cmin/],
      ["/api/runs/small/predictions?cmin=NaN", 400, /cmin/],
      ["/api/runs/small/predictions?correct=maybe", 400, /correct/],
      ["/api/runs/small/predictions?label=1&label=2", 400, /label is given 2 times/],
      ["/api/runs/small/predictions?evil=1", 400, /unknown parameter 'evil'/],
      ["/api/runs/small/nothing", 404, /no API route/],
    ];
    for (const [path, status, message] of cases) {
      const r = await raw(server, path);
      expect(r.status, path).toBe(status);
      expect(JSON.parse(r.body).error, path).toMatch(message);
    }
    expect((await raw(server, "/api/runs/small/rows", {}, "DELETE")).status).toBe(405);
    await stillAnswers();
  });

  it("POST bodies: a 20 MB body is 413, bad JSON, unknown fields and rows out of range are 400; the server answers afterwards", async () => {
    const post = (body: Buffer | string) => raw(server, "/api/runs/small/predictions", { "content-type": "application/json" }, "POST", Buffer.from(body));
    const big = await post(Buffer.alloc(20 * 1024 * 1024, 32));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body).error).toMatch(/at most 16777216/);
    // The same without a Content-Length: the body is counted as it arrives.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port: server.port, path: "/api/runs/small/predictions", method: "POST", headers: { "transfer-encoding": "chunked" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      for (let i = 0; i < 20; i++) req.write(Buffer.alloc(1024 * 1024, 32));
      req.end();
    });
    expect(chunked).toBe(413);
    expect((await post("{not json")).status).toBe(400);
    expect(JSON.parse((await post('{"rows":[1],"sql":"x"}')).body).error).toMatch(/unknown field 'sql'/);
    expect(JSON.parse((await post('{"rows":[300]}')).body).error).toMatch(/rows\[0\] must be a row in 0\.\.299/);
    expect((await post('{"rows":[-1]}')).status).toBe(400);
    expect((await post('{"rows":"1,2"}')).status).toBe(400);
    expect((await post(`{"rows":[${new Array(API_LIMITS.maxSelection + 1).fill(0).join(",")}]}`)).status).toBe(413);
    expect((await post('{"limit":-1}')).status).toBe(400);
    await stillAnswers();
  });

  it("with a token: none or a wrong one is 401; ?token= sets an HttpOnly SameSite=Strict cookie; the cookie and a Bearer header are accepted", async () => {
    expect((await raw(guarded, "/api/runs")).status).toBe(401);
    expect((await raw(guarded, "/")).status).toBe(401);
    expect((await raw(guarded, "/api/runs?token=wrong-token-0123456789")).status).toBe(401);
    expect((await raw(guarded, "/api/runs", { authorization: "Bearer nope" })).status).toBe(401);
    expect((await raw(guarded, "/api/runs", { cookie: `${TOKEN_COOKIE}=nope` })).status).toBe(401);
    const first = await raw(guarded, `/?token=${TOKEN}`);
    expect(first.status).toBe(200);
    const cookie = String(first.headers["set-cookie"]);
    expect(cookie).toMatch(new RegExp(`^${TOKEN_COOKIE}=${TOKEN}; HttpOnly; SameSite=Strict; Path=/`));
    expect((await raw(guarded, "/api/runs/small/images/0.png", { cookie: `other=1; ${TOKEN_COOKIE}=${TOKEN}` })).status).toBe(200);
    expect((await raw(guarded, "/api/runs", { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect(guarded.url).toBe(`http://127.0.0.1:${guarded.port}/?token=${TOKEN}`);
    await stillAnswers(guarded);
  });

  it("host 0.0.0.0 without a token gets a random one (32 bytes, base64url) printed in its URL", async () => {
    const open = await startServer({ workspace: ws, webRoot, host: "0.0.0.0", log: () => {} });
    try {
      expect(open.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(open.url).toBe(`http://127.0.0.1:${open.port}/?token=${open.token}`);
      expect((await request(`http://127.0.0.1:${open.port}/`, "/api/runs")).status).toBe(401);
      expect((await request(open.url, `/api/runs?token=${open.token}`)).status).toBe(200);
      // Off loopback the token protects, so any Host is taken.
      expect((await raw(open, "/api/runs", { host: "my-laptop.local", authorization: `Bearer ${open.token}` })).status).toBe(200);
    } finally {
      await open.close();
    }
    await expect(startServer({ workspace: ws, token: "short" })).rejects.toThrow(/--token must be 16–256 characters/);
  });

  it("on loopback, a Host header that is not this server's (DNS rebinding) is refused", async () => {
    for (const host of ["evil.example", "evil.example:8765", "127.0.0.1.evil.example", "[::1].evil.example"]) {
      const r = await raw(server, "/api/runs", { host });
      expect(r.status, host).toBe(400);
      expect(JSON.parse(r.body).error).toMatch(/Host/);
    }
    // HTTP/1.0 may leave the Host header out: refused too.
    const noHost = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, "127.0.0.1", () => socket.end("GET /api/runs HTTP/1.0\r\n\r\n"));
      let text = "";
      socket.on("data", (c: Buffer) => (text += c.toString()));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    expect(noHost).toMatch(/^HTTP\/1\.1 400/);
    for (const host of ["localhost", `localhost:${server.port}`, `127.0.0.1:${server.port}`, `[::1]:${server.port}`]) expect((await raw(server, "/api/runs", { host })).status, host).toBe(200);
    await stillAnswers();
  });

  it("a bug is a 500 with a generic message, logged; the server goes on", async () => {
    // A run whose run.json holds null where an object belongs: no check of store/ names it.
    cpSync(join(ws, "runs", "small"), join(ws, "runs", "broken"), { recursive: true });
    const file = join(ws, "runs", "broken", "run.json");
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), domains: null }));
    const before = logged.length;
    const r = await raw(server, "/api/runs/broken?domain=x");
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body)).toEqual({ error: "internal error (logged by the server)" });
    expect(logged.length).toBe(before + 1);
    expect(logged.at(-1)).toMatch(/GET \/api\/runs\/broken\?domain=x: TypeError/);
    rmSync(join(ws, "runs", "broken"), { recursive: true });
    await stillAnswers();
  });
});

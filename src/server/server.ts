/**
 * `featurelens serve`: the HTTP server behind the web app — the API of src/api/types.ts over a
 * workspace, and the app's built files.
 *
 * Node's own `http` module, no framework: the server has ~15 routes, and what matters is exact
 * control of what a framework would decide for us — body and response limits, binary bodies
 * (the points payload, PNGs), the token and Host checks before anything else runs — with no
 * dependency to audit or keep up to date.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { freemem } from "node:os";
import { join } from "node:path";
import { API_LIMITS } from "../api/types.js";
import { openWorkspace } from "../store/workspace.js";
import { FeaturelensError, UsageError } from "../util/errors.js";
import { LruCache } from "./cache.js";
import { HttpError, readBody, send, sendError, sendJson } from "./http.js";
import type { ApiContext } from "./reply.js";
import { route } from "./router.js";
import { RunStore } from "./runStore.js";
import { checkRequestToken, checkToken, hostAllowed, isLoopback, newToken, tokenCookie, urlHost, writeRefusal } from "./security.js";
import { appBuilt, NOT_BUILT_PAGE, staticFile } from "./static.js";

export interface ServerOptions {
  /** The workspace folder (its runs/ holds the runs). */
  workspace: string;
  /** Interface to bind; anything but loopback needs a token (one is made when none is given). */
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** Required of every request when given (and always off loopback). */
  token?: string;
  /** The built web app (default: dist/web of this package). */
  webRoot?: string;
  /** Bound of the cache of loaded runs, in bytes (default: a quarter of free memory, 256 MB–2 GB). */
  cacheBytes?: number;
  /** Where errors are logged (default: stderr). */
  log?: (line: string) => void;
}

export interface RunningServer {
  /** The URL to open, with the token when there is one: http://127.0.0.1:8765/?token=… */
  url: string;
  host: string;
  port: number;
  token: string | null;
  close(): Promise<void>;
}

export const SERVER_DEFAULTS = { host: "127.0.0.1", webRoot: join(import.meta.dirname, "..", "..", "dist", "web") } as const;

/**
 * Starts the server; resolves once it listens.
 * @example const s = await startServer({ workspace: "featurelens-demo" }); s.url // "http://127.0.0.1:41234/"
 */
export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const host = o.host ?? SERVER_DEFAULTS.host;
  const loopback = isLoopback(host);
  const token = o.token !== undefined ? checkToken(o.token) : loopback ? null : newToken();
  const ws = openWorkspace(o.workspace);
  const cacheBytes = o.cacheBytes ?? Math.min(2 ** 31, Math.max(2 ** 28, freemem() / 4));
  const ctx: ApiContext = { store: new RunStore(ws, new LruCache(cacheBytes)) };
  const webRoot = o.webRoot ?? SERVER_DEFAULTS.webRoot;
  const log = o.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const server = createServer((req, res) => {
    handle(req, res, { ctx, host, loopback, token, webRoot }).catch((err: unknown) => fail(req, res, err, log));
  });
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;
  await listen(server, o.port ?? 0, host);
  const port = (server.address() as { port: number }).port;
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return {
    url: `http://${urlHost(shown)}:${port}/${token ? `?token=${encodeURIComponent(token)}` : ""}`,
    host, port, token,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        ctx.store.cache.clear();
      }),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new UsageError(`--port must be an integer in 0..65535, got ${port}`);
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      if (err.code === "EADDRINUSE") reject(new UsageError(`port ${port} on ${host} is in use; choose another with --port (0: any free one)`));
      else if (err.code === "EADDRNOTAVAIL" || err.code === "ENOTFOUND") reject(new UsageError(`--host ${host}: not an address of this machine`));
      else if (err.code === "EACCES") reject(new UsageError(`port ${port} needs privileges; choose one above 1023`));
      else reject(err);
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}

interface Gate {
  ctx: ApiContext;
  host: string;
  loopback: boolean;
  token: string | null;
  webRoot: string;
}

async function handle(req: IncomingMessage, res: ServerResponse, g: Gate): Promise<void> {
  const raw = req.url ?? "/";
  if (!raw.startsWith("/")) throw new HttpError(400, "the request target must be a path");
  const url = new URL(raw, "http://featurelens.invalid");
  const api = url.pathname.startsWith("/api/");
  if (g.loopback && !hostAllowed(req.headers.host, g.host)) {
    throw new HttpError(400, `the Host header '${String(req.headers.host ?? "").slice(0, 80)}' is not this server's (localhost or ${g.host}); refused against DNS rebinding`);
  }
  const headers: Record<string, string> = {};
  if (g.token) {
    const how = checkRequestToken(req, url, g.token);
    if (how === "missing" || how === "wrong") {
      const message = how === "missing" ? "this server needs its token: open the URL featurelens serve printed (…/?token=…)" : "wrong token: open the URL featurelens serve printed (…/?token=…)";
      if (api) sendError(req, res, 401, message, { "WWW-Authenticate": "Bearer" });
      else send(req, res, 401, "text/html; charset=utf-8", `<!doctype html><meta charset="utf-8"><title>featurelens</title><p>${message}</p>\n`);
      return;
    }
    if (how === "url") headers["Set-Cookie"] = tokenCookie(g.token);
  }
  if (api) return handleApi(req, res, url, g.ctx, headers);
  if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, `${req.method} is not allowed here (allowed: GET, HEAD)`);
  if (url.pathname === "/" && !appBuilt(g.webRoot)) {
    send(req, res, 200, "text/html; charset=utf-8", NOT_BUILT_PAGE, { ...headers, "Cache-Control": "no-cache" });
    return;
  }
  const file = staticFile(g.webRoot, url.pathname);
  send(req, res, 200, file.type, file.bytes, { ...headers, "Cache-Control": file.cacheControl });
}

async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, ctx: ApiContext, headers: Record<string, string>): Promise<void> {
  const r = route(req.method ?? "GET", url.pathname.slice("/api/".length));
  if (r.writes) {
    const refused = writeRefusal(req);
    if (refused) throw new HttpError(403, refused);
  }
  const body = r.method === "POST" ? await readBody(req, API_LIMITS.maxBody) : undefined;
  const reply = await r.handler(ctx, { url, params: r.params, ...(body ? { body } : {}) });
  if ("json" in reply) sendJson(req, res, reply.json, 200, headers);
  else send(req, res, 200, reply.type, reply.bytes, { ...headers, "Cache-Control": "no-store" });
}

/**
 * Answers an error: the status of an HttpError; a user-facing error of the library (a damaged
 * or missing file, a bad value) with its message (400 for a bad value, 404 for what cannot be
 * read); anything else is a bug — logged with its stack, answered 500 with a generic message.
 */
function fail(req: IncomingMessage, res: ServerResponse, err: unknown, log: (line: string) => void): void {
  try {
    const close = { Connection: "close" };
    if (err instanceof HttpError) sendError(req, res, err.status, err.message, err.status === 413 || err.status === 403 ? close : {});
    else if (err instanceof UsageError) sendError(req, res, 400, err.message);
    else if (err instanceof FeaturelensError) sendError(req, res, 404, err.message);
    else {
      log(`featurelens serve: error on ${req.method} ${(req.url ?? "").slice(0, 200)}: ${(err as Error)?.stack ?? String(err)}`);
      sendError(req, res, 500, "internal error (logged by the server)");
    }
  } catch (inner) {
    log(`featurelens serve: could not answer an error: ${String(inner)}`);
    res.destroy();
  }
}

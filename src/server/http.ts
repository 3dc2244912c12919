import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Small helpers over Node's http: the error a handler throws to answer with a status, the
 * responses (JSON, binary, PNG, text), reading a request body with a cap, and the headers every
 * response carries.
 */

/** An answer other than 200: `status` and one line for the client (400 names the parameter). */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 413 | 500,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, message);
export const notFound = (message: string) => new HttpError(404, message);

/**
 * Headers on every response: no sniffing of content types, no Referer (the token may be in the
 * page's URL), not framed by other sites.
 */
export const BASE_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": "frame-ancestors 'none'",
};

/** Largest JSON answer (a page of 10,000 rows with probabilities of 100 classes is ~12 MB). */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** Sends `body` with a status and content type (nothing for HEAD). */
export function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: Uint8Array | string, headers: Record<string, string> = {}): void {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  res.writeHead(status, { ...BASE_HEADERS, "Content-Type": type, "Content-Length": String(bytes.byteLength), ...headers });
  res.end(req.method === "HEAD" ? undefined : bytes);
}

/** JSON with NaN and ±Infinity as null; refuses (500) an answer above MAX_JSON_BYTES. */
export function sendJson(req: IncomingMessage, res: ServerResponse, value: unknown, status = 200, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value, (_, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v));
  if (text.length > MAX_JSON_BYTES) throw new Error(`an answer of ${text.length} characters is over the ${MAX_JSON_BYTES}-byte cap`);
  send(req, res, status, "application/json; charset=utf-8", text, { "Cache-Control": "no-store", ...headers });
}

/** `{ error }` with its status; the connection is closed after a 413 (the rest of the body is not read). */
export function sendError(req: IncomingMessage, res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(req, res, { error: message }, status, headers);
}

/**
 * The request body, at most `max` bytes: a larger one (by Content-Length, or as it arrives) is a
 * 413, and the rest of it is drained (up to a limit) so that the client reads the answer.
 */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > max) {
    drain(req);
    return Promise.reject(new HttpError(413, `the request body is ${declared} bytes; at most ${max} are accepted`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        done = true;
        req.off("data", onData);
        drain(req);
        reject(new HttpError(413, `the request body is over ${max} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => {
      if (!done) resolve(Buffer.concat(chunks, size));
    });
    req.on("error", (err) => {
      if (!done) reject(err);
    });
  });
}

/** Reads and discards what is left of a body, up to 4× the cap of a body, then drops the connection. */
function drain(req: IncomingMessage): void {
  let left = 4 * 16 * 1024 * 1024;
  req.on("data", (chunk: Buffer) => {
    left -= chunk.length;
    if (left < 0) req.destroy();
  });
  req.resume();
}

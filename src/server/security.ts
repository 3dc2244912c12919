import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { UsageError } from "../util/errors.js";

/**
 * Who may talk to the server. Bound to the loopback interface, only this machine can; a browser
 * page of another site could still reach it through DNS rebinding (its name made to resolve to
 * 127.0.0.1), which the Host check refuses. Bound anywhere else, every request needs the token
 * (Jupyter's model): in `?token=`, in the `featurelens_token` cookie the server sets when a valid
 * `?token=` arrives, or as `Authorization: Bearer …`.
 */

export const TOKEN_COOKIE = "featurelens_token";

/** A token a user gives: 16–256 characters of URL- and cookie-safe letters (base64 and base64url included). */
const TOKEN_SHAPE = /^[A-Za-z0-9._~+/=-]{16,256}$/;

/** A new random token: 32 bytes, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Checks a token given by `--token` or $FEATURELENS_TOKEN. */
export function checkToken(token: string, flag = "--token"): string {
  if (!TOKEN_SHAPE.test(token)) throw new UsageError(`${flag} must be 16–256 characters of letters, digits and . _ ~ + / = - (got ${token.length} characters); leave it out to have one made`);
  return token;
}

/** Whether `host` is a loopback address or name (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || (isIP(h) === 4 && h.startsWith("127."));
}

/** The host as it goes into a URL: an IPv6 address in brackets. */
export function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/**
 * Whether a request's Host header names this server when it is bound to loopback: localhost,
 * 127.0.0.1, [::1] or the bound host, with any port. Anything else (evil.example resolving to
 * 127.0.0.1) is refused.
 */
export function hostAllowed(header: string | undefined, bound: string): boolean {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(header ?? "");
  if (!m) return false;
  const h = m[1].toLowerCase();
  return h === "localhost" || h === "127.0.0.1" || h === "[::1]" || h === urlHost(bound).toLowerCase();
}

/** Compares in time that does not depend on where the strings differ (both hashed to 32 bytes first). */
export function sameSecret(given: string, token: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(token).digest();
  return timingSafeEqual(a, b);
}

/** The cookies of a request, by name (the first of each name). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/** How a request showed the token: in the URL (then the cookie is set), the cookie, the header, or not at all. */
export type TokenCheck = "url" | "cookie" | "header" | "missing" | "wrong";

/**
 * Checks the token a request carries. Every place it may be is checked; a wrong token anywhere
 * makes the request "wrong" unless a right one is also there.
 */
export function checkRequestToken(req: IncomingMessage, url: URL, token: string): TokenCheck {
  const found: [TokenCheck, string][] = [];
  const q = url.searchParams.get("token");
  if (q !== null) found.push(["url", q]);
  const c = parseCookies(req.headers.cookie).get(TOKEN_COOKIE);
  if (c !== undefined) found.push(["cookie", c]);
  const auth = req.headers.authorization;
  if (auth !== undefined) found.push(["header", /^Bearer\s+(.+)$/i.exec(auth)?.[1]?.trim() ?? ""]);
  if (found.length === 0) return "missing";
  const ok = found.find(([, v]) => sameSecret(v, token));
  return ok ? ok[0] : "wrong";
}

/** The Set-Cookie header that lets the page's later requests (images included) carry the token. */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/**
 * Why a request that changes a file (the review's label fixes) is refused, or null when it may
 * go on. A page of another site must not be able to make it: bound to loopback there is no token,
 * and a plain HTML form or a `no-cors` fetch reaches the server. So such a request must be JSON
 * (a form cannot send `application/json`, and a script of another site sending it needs a CORS
 * preflight, which this server never grants), and when the browser says where it comes from —
 * `Origin`, `Sec-Fetch-Site` — it must be this very server. A request without those headers is
 * not from a browser's page (curl, a script), which may write as it may read.
 */
export function writeRefusal(req: IncomingMessage): string | null {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") return `a write must be sent as application/json (got '${type.slice(0, 60) || "no content type"}')`;
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin" && site !== "none") return `refused: a write from another site (Sec-Fetch-Site: ${String(site).slice(0, 40)})`;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let host: string | null = null;
    try {
      const u = new URL(origin);
      host = u.protocol === "http:" || u.protocol === "https:" ? u.host : null;
    } catch {
      host = null;
    }
    if (host === null || host.toLowerCase() !== String(req.headers.host ?? "").toLowerCase()) return `refused: a write from another origin (${origin.slice(0, 80)}); only this server's own pages may write`;
  }
  return null;
}

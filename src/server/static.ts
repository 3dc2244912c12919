import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { extname, join, sep } from "node:path";
import { HttpError, notFound } from "./http.js";

/**
 * The web app's files (Vite's build in dist/web): only regular files whose real path is inside
 * the web root, with their content type; Vite's hashed assets (assets/name-HASH.ext) are cached
 * for a year, the rest (index.html) revalidated on every load.
 */

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/** Files above this size are not served (the app's bundle is a few MB). */
const MAX_FILE = 64 * 1024 * 1024;

/** A name Vite gives a built asset: a content hash of 8+ characters before the extension. */
const HASHED = /^assets\/.+[.-][A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

export interface StaticFile {
  bytes: Buffer;
  type: string;
  cacheControl: string;
}

/** The page served at / when the app is not built: the API still answers. */
export const NOT_BUILT_PAGE = `<!doctype html><meta charset="utf-8"><title>featurelens</title>
<p>The featurelens web app is not built: run <code>npm run build</code> in the featurelens folder, then reload this page.</p>
<p>The API answers already: <a href="/api/runs">/api/runs</a>.</p>\n`;

/** Whether the web root holds the built app. */
export function appBuilt(root: string): boolean {
  return existsSync(join(root, "index.html"));
}

/**
 * The file at URL path `pathname` (as the URL parser left it, still percent-encoded) under
 * `root`; a 404 for anything else — a `..` or `.` segment, a backslash or NUL byte, a folder, a
 * link leading out of the root.
 */
export function staticFile(root: string, pathname: string): StaticFile {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname).replace(/^\/+/, "");
  } catch {
    throw new HttpError(400, "the path is not valid percent-encoded UTF-8");
  }
  if (rel === "") rel = "index.html";
  const segments = rel.split("/");
  if (rel.includes("\0") || rel.includes("\\") || segments.some((s) => s === ".." || s === "." || s === "")) throw notFound("no such file");
  const file = join(root, ...segments);
  let real: string;
  let realRoot: string;
  try {
    real = realpathSync(file);
    realRoot = realpathSync(root);
  } catch {
    throw notFound("no such file");
  }
  if (!real.startsWith(realRoot + sep)) throw notFound("no such file");
  const st = statSync(real);
  if (!st.isFile() || st.size > MAX_FILE) throw notFound("no such file");
  return {
    bytes: readFileSync(real),
    type: TYPES[extname(real).toLowerCase()] ?? "application/octet-stream",
    cacheControl: HASHED.test(rel) ? "public, max-age=31536000, immutable" : "no-cache",
  };
}

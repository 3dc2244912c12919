import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/**
 * Worker threads for the parallel kernels (kNN, PCA, t-SNE). Node-only.
 */

/**
 * Starts a worker thread running the module `name` beside `from` (the caller's import.meta.url):
 * `name.js` when running built code, `name.ts` from TypeScript source (vitest, `node --import
 * tsx`) — a worker does not inherit the parent's loader, so tsx is registered in it first, through
 * tsx's ESM entry (its CommonJS entry cannot register from inside a worker).
 * @example startWorker(import.meta.url, "worker", { points }) // runs ./worker.js (or ./worker.ts)
 */
export function startWorker(from: string, name: string, workerData?: unknown): Worker {
  const fromSource = from.endsWith(".ts");
  const url = new URL(`./${name}${fromSource ? ".ts" : ".js"}`, from);
  const options = workerData === undefined ? {} : { workerData };
  if (!fromSource) return new Worker(url, options);
  const tsx = pathToFileURL(createRequire(from).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, { ...options, eval: true });
}

/**
 * The array on a SharedArrayBuffer, so worker threads read it without a copy (a copy unless it
 * already is).
 */
export function shareArray<T extends Float32Array | Float64Array | Int32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const ctor = a.constructor as new (buf: SharedArrayBuffer) => T;
  const out = new ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

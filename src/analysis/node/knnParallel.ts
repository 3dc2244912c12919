import type { Worker } from "node:worker_threads";
import { shareArray, startWorker } from "../../util/workers.js";
import { allocate, makeJob } from "../neighbors/exact.js";
import { QUERY_TILE } from "../neighbors/kernel.js";
import type { KnnGraph, Metric, Points } from "../neighbors/types.js";
import type { WorkerInput, WorkerMessage } from "./knnWorker.js";

/**
 * Exact kNN split over worker threads: points, norms and outputs live on SharedArrayBuffers, and
 * the workers claim blocks of query rows from a shared atomic counter (so a thread slowed by other
 * load on the machine simply takes fewer blocks). Results are identical to the one-thread path:
 * every row is computed by the same kernel in the same order. Node-only.
 */

export interface ParallelOptions {
  metric: Metric;
  threads: number;
  onProgress?: (done: number, total: number) => void;
  /** Aborting terminates the workers and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Rows a worker claims at a time. */
const CHUNK = 2 * QUERY_TILE;

/** As exactKnn / exactKnnQuery (inputs already checked), on `threads` workers. */
export async function parallelKnn(reference: Points, queries: Points | null, k: number, options: ParallelOptions): Promise<KnnGraph> {
  const rows = (queries ?? reference).n;
  const job = makeJob(share(reference), queries && share(queries), k, options.metric, allocate(rows, k, true));
  job.refNorms = shareArray(job.refNorms);
  job.queryNorms = queries ? shareArray(job.queryNorms) : job.refNorms;
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const input: WorkerInput = { job, rows, chunk: CHUNK, counter };
  const count = Math.max(1, Math.min(options.threads, Math.ceil(rows / CHUNK)));
  const workers = Array.from({ length: count }, () => startWorker(import.meta.url, "knnWorker", input));
  try {
    await supervise(workers, rows, options);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return { n: rows, k, metric: options.metric, indices: job.outIdx, distances: job.outDist };
}

/** Resolves when every worker has run out of rows; rejects on the first error or on abort. */
function supervise(workers: Worker[], rows: number, options: ParallelOptions): Promise<void> {
  const { signal, onProgress } = options;
  return new Promise((resolve, reject) => {
    let done = 0;
    let finished = 0;
    signal?.throwIfAborted();
    const onAbort = () => reject(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const settle = (err?: unknown) => {
      signal?.removeEventListener("abort", onAbort);
      if (err === undefined) resolve();
      else reject(err);
    };
    for (const w of workers) {
      w.on("message", (m: WorkerMessage) => {
        if (m >= 0) {
          done += m;
          onProgress?.(done, rows);
        } else if (++finished === workers.length) settle();
      });
      w.on("error", (err) => settle(err));
      w.on("exit", (code) => {
        if (code !== 0 && finished < workers.length) settle(new Error(`a kNN worker thread exited with code ${code}`));
      });
    }
  });
}

/** The same points on a SharedArrayBuffer (a copy unless they already are). */
function share(p: Points): Points {
  return { n: p.n, d: p.d, data: shareArray(p.data) };
}

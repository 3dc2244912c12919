/**
 * The t-SNE gradient split over worker threads (Node-only): Barnes–Hut repulsion split by points
 * (each thread builds the same tree from the shared map and claims chunks of points), attraction
 * split by rows of P. The map, outputs and P live on SharedArrayBuffers; the calling thread works
 * too. Results are identical to one thread's.
 */
import { availableParallelism } from "node:os";
import { shareArray, startWorker } from "../../util/workers.js";
import { UsageError } from "../../util/errors.js";
import { BARNES_HUT_DEFAULTS, checkTheta } from "../embed/tsne/barnesHut.js";
import type { WorkerRequest } from "./bhWorker.js";
import type { AttractionMethod } from "../embed/tsne/gradient.js";
import { workAttraction, workRepulsion, type SharedState } from "../embed/tsne/parallelWork.js";
import { createTreeBuilder } from "../embed/tsne/tree.js";
import type { RepulsionMethod, SparseAffinities } from "../embed/tsne/types.js";

export interface ParallelOptions {
  /** Threads including the calling one (default: the machine's available parallelism). */
  threads?: number;
  /** Barnes–Hut accuracy (default 0.5). */
  theta?: number;
}

/** Repulsion and attraction methods for tsne()/optimize() over threads; close() ends the workers. */
export interface ParallelGradient {
  repulsion: RepulsionMethod;
  attraction: AttractionMethod;
  close(): Promise<void>;
}

/**
 * Starts `threads − 1` workers for a threaded Barnes–Hut t-SNE.
 * @example const g = createParallelBarnesHut(); try { await tsne(points, { ...g }) } finally { await g.close() }
 */
export function createParallelBarnesHut(options: ParallelOptions = {}): ParallelGradient {
  const threads = options.threads ?? availableParallelism();
  const theta = options.theta ?? BARNES_HUT_DEFAULTS.theta;
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`threads must be a positive integer, got ${threads}`);
  checkTheta(theta);
  const workers = Array.from({ length: threads - 1 }, () => startWorker(import.meta.url, "bhWorker"));
  const builder = createTreeBuilder();
  let state: SharedState | null = null;
  let shared: { source: SparseAffinities; copy: SparseAffinities } | null = null;
  let nextId = 0;
  const waiting = new Map<number, { left: number; resolve: () => void; reject: (e: unknown) => void }>();
  for (const w of workers) {
    w.on("message", (id: number) => {
      const job = waiting.get(id);
      if (job && --job.left === 0) {
        waiting.delete(id);
        job.resolve();
      }
    });
    w.on("error", (err) => {
      for (const job of waiting.values()) job.reject(err);
      waiting.clear();
    });
  }

  /** Shared buffers for n points (reallocated when n or dims grow), loaded with the map y. */
  function load(y: Float64Array, n: number, dims: number): SharedState {
    if (state === null || state.y.length < n * dims || state.zPer.length < n) {
      const f64 = (len: number) => new Float64Array(new SharedArrayBuffer(8 * len));
      state = { y: f64(n * dims), forces: f64(n * dims), zPer: f64(n), attraction: f64(n * dims), counter: new Int32Array(new SharedArrayBuffer(4)) };
      for (const w of workers) w.postMessage({ kind: "state", state } satisfies WorkerRequest);
    }
    state.y.set(y.subarray(0, n * dims));
    return state;
  }

  /** Posts a job to every worker, does the calling thread's share, and resolves when all are done. */
  function run(s: SharedState, job: Extract<WorkerRequest, { id: number }>, own: () => void): Promise<void> {
    Atomics.store(s.counter, 0, 0);
    const done = new Promise<void>((resolve, reject) => {
      if (workers.length === 0) resolve();
      else waiting.set(job.id, { left: workers.length, resolve, reject });
    });
    for (const w of workers) w.postMessage(job);
    own();
    return done;
  }

  // The two kinds of job share the counter, so they must not overlap: each waits for the one before.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(f: () => Promise<T>): Promise<T> => {
    const next = queue.then(f);
    queue = next.catch(() => undefined);
    return next;
  };

  const repulsion: RepulsionMethod = (y, n, dims) =>
    serial(async () => {
      const s = load(y, n, dims);
      const job = { kind: "repulsion" as const, n, dims, theta, id: nextId++ };
      await run(s, job, () => workRepulsion(s, job, builder));
      let z = 0;
      for (let i = 0; i < n; i++) z += s.zPer[i];
      return { forces: s.forces.subarray(0, n * dims), z };
    });

  const attraction: AttractionMethod = (p, y, reference, dims, out) =>
    serial(async () => {
      if (reference !== y) throw new UsageError("the threaded attraction works on a map's own P only (not on points placed into a frozen map)");
      const s = load(y, p.n, dims);
      if (shared?.source !== p) {
        shared = { source: p, copy: shareAffinities(p) };
        for (const w of workers) w.postMessage({ kind: "affinities", p: shared.copy } satisfies WorkerRequest);
      }
      const copy = shared.copy;
      const job = { kind: "attraction" as const, n: p.n, dims, id: nextId++ };
      await run(s, job, () => workAttraction(s, job, copy));
      out.set(s.attraction.subarray(0, p.n * dims));
    });

  return {
    repulsion,
    attraction,
    close: async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

function shareAffinities(p: SparseAffinities): SparseAffinities {
  return { n: p.n, rowPtr: shareArray(p.rowPtr), cols: shareArray(p.cols), vals: shareArray(p.vals) };
}

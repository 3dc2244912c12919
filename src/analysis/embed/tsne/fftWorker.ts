/**
 * The FFT repulsion on two threads (Node-only): the main thread solves charge pair 0 while a
 * worker thread solves pair 1 over SharedArrayBuffers, then the main thread assembles forces and
 * Z. Same results as {@link createFftRepulsion} up to rounding.
 */
import { startWorker } from "../../../util/workers.js";
import { checkedForces, fftGridLayout, pointWeights, resolveFftRepulsionOptions, type FftRepulsionOptions } from "./fft.js";
import { assembleRepulsion, createPairSolver, locatePoints, type PointWeights } from "./fftPoints.js";
import type { Repulsion, RepulsionMethod } from "./types.js";
import type { FftWorkerJob } from "./fftWorkerThread.js";

/** A repulsion method holding a worker thread; `close()` ends the thread. */
export type ClosableRepulsionMethod = RepulsionMethod & { close(): Promise<void> };

function sharedFloats(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

function sharedInts(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
}

/**
 * Starts the worker. From TypeScript sources (tests, tsx) the worker first registers tsx's loader
 * (a devDependency), as workers do not inherit it.
 */

/**
 * @example const repulsion = createParallelFftRepulsion(); const { forces, z } = await repulsion(y, n, 2); await repulsion.close();
 */
export function createParallelFftRepulsion(options: FftRepulsionOptions = {}): ClosableRepulsionMethod {
  const o = resolveFftRepulsionOptions(options);
  const solveA = createPairSolver();
  const worker = startWorker(import.meta.url, "fftWorkerThread");
  worker.unref();
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;
  worker.on("message", (msg: { id: number; error?: string }) => {
    const job = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) job?.reject(new Error(`fftRepulsion worker: ${msg.error}`));
    else job?.resolve();
  });
  worker.on("error", (error) => {
    failure = error;
    for (const job of pending.values()) job.reject(error);
    pending.clear();
  });
  let ySh = sharedFloats(0);
  let weights: PointWeights | undefined;
  let phiA = new Float64Array(0);
  let phiB = sharedFloats(0);

  const method = async (y: Float64Array, n: number, dims: 2 | 3, out?: Float64Array): Promise<Repulsion> => {
    if (failure) throw failure;
    const forces = checkedForces(y, n, dims, out);
    if (n < 2) return { forces, z: 0 };
    const layout = fftGridLayout(y, n, o);
    if (ySh.length < 2 * n) {
      ySh = sharedFloats(2 * n);
      phiA = new Float64Array(2 * n);
      phiB = sharedFloats(2 * n);
    }
    ySh.set(y.subarray(0, 2 * n));
    weights = pointWeights(weights, n, o.interpolationPoints, layout, sharedFloats, sharedInts);
    locatePoints(ySh, layout, weights);
    const id = nextId++;
    const done = new Promise<void>((resolve, reject) => pending.set(id, { resolve, reject }));
    worker.ref();
    const job: FftWorkerJob = { id, y: ySh, weights, phi: phiB };
    worker.postMessage(job);
    try {
      solveA(ySh, weights, 0, phiA);
      await done;
    } finally {
      worker.unref();
    }
    return { forces, z: assembleRepulsion(ySh, weights, phiA, phiB, forces) };
  };
  return Object.assign(method, {
    close: async () => {
      await worker.terminate();
    },
  });
}

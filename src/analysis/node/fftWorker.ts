/**
 * The FFT repulsion on two threads (Node-only): the main thread solves charge pair 0 while a
 * worker thread solves pair 1 over SharedArrayBuffers, then the main thread assembles forces and
 * Z. Same results as {@link createFftRepulsion} up to rounding. The same worker then takes half
 * of the rows of the attraction (2-D, the WebAssembly kernel on P in shared memory) while the main
 * thread does the other half.
 */
import { startWorker } from "../../util/workers.js";
import { checkedForces, fftGridLayout, pointWeights, resolveFftRepulsionOptions, type FftRepulsionOptions } from "../embed/tsne/fft.js";
import { assembleRepulsion, createPairSolver, locatePoints, type PointWeights } from "../embed/tsne/fftPoints.js";
import { attraction as singleThreadAttraction, type AttractionMethod } from "../embed/tsne/gradient.js";
import { attractionRunner, attractionViews, loadAttraction, type AttractionMemory } from "../embed/tsne/attractionKernel.js";
import type { Repulsion, RepulsionMethod, SparseAffinities } from "../embed/tsne/types.js";
import type { FftWorkerMessage } from "./fftWorkerThread.js";

/**
 * A repulsion method holding a worker thread, with an attraction method that shares it;
 * `close()` ends the thread.
 */
export type ClosableRepulsionMethod = RepulsionMethod & { attraction: AttractionMethod; close(): Promise<void> };

function sharedFloats(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

function sharedInts(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
}

/**
 * @example const repulsion = createParallelFftRepulsion(); await tsne(points, { repulsion, attraction: repulsion.attraction }); await repulsion.close();
 */
export function createParallelFftRepulsion(options: FftRepulsionOptions = {}): ClosableRepulsionMethod {
  const o = resolveFftRepulsionOptions(options);
  const solveA = createPairSolver({ simd: o.simd });
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
  /** Posts a message to the worker; resolves when the worker has answered it. */
  const post = (message: FftWorkerMessage): Promise<void> => {
    const done = new Promise<void>((resolve, reject) => pending.set(message.id, { resolve, reject }));
    worker.ref();
    worker.postMessage(message);
    return done.finally(() => {
      if (pending.size === 0) worker.unref();
    });
  };
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
    const done = post({ kind: "pair", id: nextId++, y: ySh, weights, phi: phiB, simd: o.simd });
    solveA(ySh, weights, 0, phiA);
    await done;
    return { forces, z: assembleRepulsion(ySh, weights, phiA, phiB, forces) };
  };

  // The attraction: P is copied into shared WebAssembly memory once per P.
  let loaded: { source: SparseAffinities; memory: AttractionMemory; run: (from: number, to: number) => void } | null = null;
  const attraction: AttractionMethod = async (p, y, reference, dims, out) => {
    if (failure) throw failure;
    if (dims !== 2 || reference !== y || p.n < 2) return singleThreadAttraction(p, y, reference, dims, out);
    if (loaded?.source !== p) {
      const memory = loadAttraction(p);
      if (memory === null) return singleThreadAttraction(p, y, reference, dims, out);
      loaded = { source: p, memory, run: attractionRunner(memory) };
      await post({ kind: "affinities", id: nextId++, memory });
    }
    const { memory, run } = loaded;
    const split = memory.halfway;
    const views = attractionViews(memory);
    views.y.set(y.subarray(0, 2 * p.n));
    const done = post({ kind: "attraction", id: nextId++, from: split, to: p.n });
    run(0, split);
    await done;
    out.set(views.out);
  };
  return Object.assign(method, {
    attraction,
    close: async () => {
      await worker.terminate();
    },
  });
}

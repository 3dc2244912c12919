import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { shareArray, startWorker } from "../../util/workers.js";
import type { Points } from "../neighbors/types.js";
import { passShape, pca, pcaSteps, type Pass, type PcaModel, type PcaOptions } from "../embed/pca.js";
import type { PassMessage } from "./pcaWorker.js";

/** Below this many values (N·D) one thread beats starting workers (option `threadsAbove`). */
const THREADS_ABOVE = 4_000_000;

/**
 * PCA with its passes over the data split over worker threads (Node-only; pca.ts stays
 * browser-safe): the same steps and kernels as `pca()`, each pass's units (blocks of rows) dealt
 * out in a fixed pattern (worker i takes units i, i + T, …) and the workers' partial sums added in
 * worker order, so the result is the same on every run (a shared claim counter was faster under
 * load but made the sums' order, and so t-SNE maps, vary from run to run). It equals `pca()`'s up
 * to the order of floating-point sums.
 * @example await pcaThreaded(points, { components: 50, threads: 2 }) // { model, projected }
 */
export async function pcaThreaded(points: Points, options: PcaOptions & { threads?: number; threadsAbove?: number }): Promise<{ model: PcaModel; projected: Points }> {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  if (threads === 1 || points.n * points.d < (options.threadsAbove ?? THREADS_ABOVE)) return pca(points, options);
  const steps = pcaSteps(points, options); // checks the options before any worker starts
  let step = steps.next();
  if (step.done) return done(step.value);
  const shared = { n: points.n, d: points.d, data: shareArray(points.data) };
  const workers = Array.from({ length: threads }, () => startWorker(import.meta.url, "pcaWorker", shared));
  try {
    while (!step.done) step = steps.next(await runThreaded(workers, shared, step.value));
    return done(step.value);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function done({ model, projections }: { model: PcaModel; projections: Float64Array }): { model: PcaModel; projected: Points } {
  return { model, projected: { n: projections.length / model.components, d: model.components, data: Float32Array.from(projections) } };
}

async function runThreaded(workers: Worker[], points: Points, pass: Pass): Promise<Float64Array> {
  const { length, summed } = passShape(points, pass);
  const sharedPass = "v" in pass ? { ...pass, v: shareArray(pass.v) } : pass;
  const outs = workers.map((_, i) => (summed || i === 0 ? new Float64Array(new SharedArrayBuffer(length * 8)) : null));
  await Promise.all(
    workers.map(
      (w, i) =>
        new Promise<void>((resolve, reject) => {
          const onError = (err: Error) => reject(err);
          w.once("error", onError);
          w.once("message", () => {
            w.off("error", onError);
            resolve();
          });
          w.postMessage({ pass: sharedPass, first: i, stride: workers.length, out: outs[i] ?? outs[0]! } satisfies PassMessage);
        }),
    ),
  );
  const out = outs[0]!;
  if (summed) for (const o of outs.slice(1)) for (let j = 0; j < length; j++) out[j] += o![j];
  return out;
}

/**
 * Worker-thread entry of {@link ../fftWorker.ts}: solves charge pair 1 (y, x² + y²) of the FFT
 * repulsion on maps and weights shared through SharedArrayBuffers. Node-only.
 */
import { parentPort } from "node:worker_threads";
import { createPairSolver, type PointWeights } from "./fftPoints.js";

/** One job: the shared map, weights and output potentials (n×2). */
export interface FftWorkerJob {
  id: number;
  y: Float64Array;
  weights: PointWeights;
  phi: Float64Array;
}

const port = parentPort;
if (port) {
  const solve = createPairSolver();
  port.on("message", (job: FftWorkerJob) => {
    try {
      solve(job.y, job.weights, 1, job.phi);
      port.postMessage({ id: job.id });
    } catch (error) {
      port.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
}

/**
 * Worker-thread entry of {@link ../fftWorker.ts}: solves charge pair 1 (y, x² + y²) of the FFT
 * repulsion on maps and weights shared through SharedArrayBuffers, and its share of the rows of
 * the attraction on P held in shared WebAssembly memory. Jobs run in the order posted. Node-only.
 */
import { parentPort } from "node:worker_threads";
import { attractionRunner, type AttractionMemory } from "../embed/tsne/attractionKernel.js";
import { createPairSolver, type PairSolver, type PointWeights } from "../embed/tsne/fftPoints.js";

/** One job: the shared map, weights and output potentials (n×2). */
export interface FftWorkerJob {
  kind: "pair";
  id: number;
  y: Float64Array;
  weights: PointWeights;
  phi: Float64Array;
  /** Float32 WebAssembly SIMD transforms (FftRepulsionOptions.simd). */
  simd: boolean;
}

/** Attraction of rows [from, to) of the memory's map into its output. */
export interface AttractionWorkerJob {
  kind: "attraction";
  id: number;
  from: number;
  to: number;
}

/** P for the attraction jobs that follow (answered like a job). */
export interface AffinitiesMessage {
  kind: "affinities";
  id: number;
  memory: AttractionMemory;
}

export type FftWorkerMessage = FftWorkerJob | AttractionWorkerJob | AffinitiesMessage;

const port = parentPort;
if (port) {
  const solvers = new Map<boolean, PairSolver>();
  const solver = (simd: boolean): PairSolver => {
    let s = solvers.get(simd);
    if (!s) solvers.set(simd, (s = createPairSolver({ simd })));
    return s;
  };
  let attract: ((from: number, to: number) => void) | null = null;
  port.on("message", (job: FftWorkerMessage) => {
    try {
      if (job.kind === "pair") solver(job.simd)(job.y, job.weights, 1, job.phi);
      else if (job.kind === "affinities") attract = attractionRunner(job.memory);
      else if (attract === null) throw new Error("an attraction job came before its affinities");
      else attract(job.from, job.to);
      port.postMessage({ id: job.id });
    } catch (error) {
      port.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
}

import { parentPort, workerData } from "node:worker_threads";
import { runPass, type Pass } from "../embed/pca.js";
import type { Points } from "../neighbors/types.js";

/**
 * Worker-thread entry of pcaThreaded (pcaThreads.ts): holds the points (on a SharedArrayBuffer),
 * and for each pass it is sent runs units first, first + stride, first + 2·stride … (a fixed share,
 * so every sum is taken in the same order on every run: the same seed gives the same PCA), writing
 * into the output it was given; then answers 0. Node-only.
 */
export interface PassMessage {
  pass: Pass;
  /** This worker's first unit, and the step to its next (the number of workers). */
  first: number;
  stride: number;
  /** On a SharedArrayBuffer: this worker's own output (summed passes) or the one shared by all. */
  out: Float64Array;
}

const points = workerData as Points;
parentPort!.on("message", ({ pass, first, stride, out }: PassMessage) => {
  let unit = first - stride;
  runPass(points, pass, out, () => (unit += stride));
  parentPort!.postMessage(0);
});

import { parentPort, workerData } from "node:worker_threads";
import { runPass, type Pass } from "./pca.js";
import type { Points } from "../neighbors/types.js";

/**
 * Worker-thread entry of pcaThreaded (pcaThreads.ts): holds the points (on a SharedArrayBuffer),
 * and for each pass it is sent claims units from the shared counter until none are left, writing
 * into the output it was given; then answers 0. Node-only.
 */
export interface PassMessage {
  pass: Pass;
  /** Int32Array(1) on a SharedArrayBuffer: the next unclaimed unit. */
  counter: Int32Array;
  /** On a SharedArrayBuffer: this worker's own output (summed passes) or the one shared by all. */
  out: Float64Array;
}

const points = workerData as Points;
parentPort!.on("message", ({ pass, counter, out }: PassMessage) => {
  runPass(points, pass, out, () => Atomics.add(counter, 0, 1));
  parentPort!.postMessage(0);
});

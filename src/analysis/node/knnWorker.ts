import { parentPort, workerData } from "node:worker_threads";
import { knnRows, makeScratch, type KernelJob } from "../neighbors/kernel.js";

/**
 * Worker-thread entry for the threaded exact kNN (see parallel.ts). Takes blocks of query rows
 * from a shared counter until none are left, writing straight into the shared outputs, and
 * reports each finished block to the parent. Node-only.
 */
export interface WorkerInput {
  job: KernelJob;
  rows: number;
  chunk: number;
  /** Int32Array(1) on a SharedArrayBuffer: the next unclaimed row. */
  counter: Int32Array;
}

/** Message to the parent: rows finished in one block, or `-1` when this worker is out of work. */
export type WorkerMessage = number;

const { job, rows, chunk, counter } = workerData as WorkerInput;
const scratch = makeScratch(job);
for (let s = Atomics.add(counter, 0, chunk); s < rows; s = Atomics.add(counter, 0, chunk)) {
  const e = Math.min(rows, s + chunk);
  knnRows(job, s, e, scratch);
  parentPort!.postMessage(e - s satisfies WorkerMessage);
}
parentPort!.postMessage(-1 satisfies WorkerMessage);

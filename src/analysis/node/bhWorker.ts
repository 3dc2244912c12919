/**
 * Worker-thread entry of the threaded t-SNE gradient (./parallel.ts): receives the shared buffers
 * and P once, then one message per job; answers each job with its id when its share is done.
 * Node-only.
 */
import { parentPort } from "node:worker_threads";
import { workAttraction, workRepulsion, type AttractionJob, type RepulsionJob, type SharedState } from "../embed/tsne/parallelWork.js";
import { createTreeBuilder } from "../embed/tsne/tree.js";
import type { SparseAffinities } from "../embed/tsne/types.js";

export type WorkerRequest =
  | { kind: "state"; state: SharedState }
  | { kind: "affinities"; p: SparseAffinities }
  | ((RepulsionJob | AttractionJob) & { id: number });

let state: SharedState | null = null;
let p: SparseAffinities | null = null;
const builder = createTreeBuilder();

parentPort!.on("message", (m: WorkerRequest) => {
  if (m.kind === "state") state = m.state;
  else if (m.kind === "affinities") p = m.p;
  else {
    if (m.kind === "repulsion") workRepulsion(state!, m, builder);
    else workAttraction(state!, m, p!);
    parentPort!.postMessage(m.id);
  }
});

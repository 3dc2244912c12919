/**
 * The work one thread does for the threaded t-SNE gradient (./parallel.ts): claim chunks of points
 * from a shared counter and compute their Barnes–Hut repulsion or their rows of attraction into
 * shared outputs. Every point is computed the same way whichever thread takes it, so results do
 * not depend on the number of threads. Plain typed arrays (on SharedArrayBuffers); no Node imports.
 */
import { barnesHutRange } from "./barnesHut.js";
import { attractionRows } from "./gradient.js";
import type { TreeBuilder } from "./tree.js";
import type { SparseAffinities } from "./types.js";

/** Points a thread claims at a time. */
export const CHUNK = 256;

/** The buffers every thread shares; counter[0] is the next unclaimed point of the current job. */
export interface SharedState {
  y: Float64Array;
  forces: Float64Array;
  zPer: Float64Array;
  attraction: Float64Array;
  counter: Int32Array;
}

export interface RepulsionJob {
  kind: "repulsion";
  n: number;
  dims: 2 | 3;
  theta: number;
}

export interface AttractionJob {
  kind: "attraction";
  n: number;
  dims: 2 | 3;
}

/** Builds this thread's copy of the tree, then takes chunks of tree positions until none are left. */
export function workRepulsion(s: SharedState, job: RepulsionJob, builder: TreeBuilder): void {
  const tree = builder.build(s.y, job.n, job.dims);
  for (let from = Atomics.add(s.counter, 0, CHUNK); from < job.n; from = Atomics.add(s.counter, 0, CHUNK)) {
    barnesHutRange(tree, from, Math.min(job.n, from + CHUNK), job.theta, s.forces, s.zPer);
  }
}

/** Takes chunks of rows of P until none are left. */
export function workAttraction(s: SharedState, job: AttractionJob, p: SparseAffinities): void {
  for (let from = Atomics.add(s.counter, 0, CHUNK); from < job.n; from = Atomics.add(s.counter, 0, CHUNK)) {
    attractionRows(p, s.y, s.y, job.dims, from, Math.min(job.n, from + CHUNK), s.attraction);
  }
}

import { describe, expect, it } from "vitest";
import { exactKnn } from "../neighbors/exact.js";
import { gridPoints, randomPoints } from "../neighbors/neighbors.testutil.js";
import type { Points } from "../neighbors/types.js";
import { refineBlock, type RefineJob, type ScoreSpace } from "./refine.js";

/** Candidates as a float32 ranker would give them: the `keep` smallest ‖r‖² − 2 q·r (uncentred), ascending, ties by index. */
function candidates(p: Points, keep: number): { scores: Float32Array; indices: Int32Array } {
  const { n, d, data } = p;
  const scores = new Float32Array(n * keep);
  const indices = new Int32Array(n * keep);
  for (let i = 0; i < n; i++) {
    const all = Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let t = 0; t < d; t++) s += data[j * d + t] * (data[j * d + t] - 2 * data[i * d + t]);
      return [Math.fround(s), j];
    }).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let c = 0; c < keep; c++) [scores[i * keep + c], indices[i * keep + c]] = all[c];
  }
  return { scores, indices };
}

function run(p: Points, k: number, keep: number) {
  const job: RefineJob = { reference: p, queries: null, k, metric: "l2", outIdx: new Int32Array(p.n * k), outDist: new Float32Array(p.n * k) };
  let maxNorm = 0;
  const norms = Array.from({ length: p.n }, (_, i) => Math.hypot(...p.data.subarray(i * p.d, i * p.d + p.d)));
  for (const v of norms) maxNorm = Math.max(maxNorm, v);
  const space: ScoreSpace = { metric: "l2", maxReferenceNorm: maxNorm, queryNorm: (q) => norms[q] };
  const c = candidates(p, keep);
  const scanned = refineBlock(job, { first: 0, rows: p.n, keep, ...c, complete: keep === p.n }, space);
  return { job, scanned };
}

describe("refineBlock", () => {
  it("refineBlock(job, block, space) proves rows with a clear gap and scans none", () => {
    const p = randomPoints(300, 6, 1);
    const { job, scanned } = run(p, 10, 20);
    expect(scanned).toBe(0);
    const want = exactKnn(p, 10);
    expect(job.outIdx).toEqual(want.indices);
    expect(job.outDist).toEqual(want.distances);
  });

  it("refineBlock(job, block, space) scans the rows whose exact ties run past the candidates, and gets them right", () => {
    const p = gridPoints(300, 2, 2, 3); // 4 positions, ~75 duplicates each
    const { job, scanned } = run(p, 10, 12);
    expect(scanned).toBeGreaterThan(0);
    const want = exactKnn(p, 10);
    expect(job.outIdx).toEqual(want.indices);
    expect(job.outDist).toEqual(want.distances);
  });
});

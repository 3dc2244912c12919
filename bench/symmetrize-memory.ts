/**
 * Peak memory and time of t-SNE's affinities (perplexity calibration and symmetrisation of P) at
 * N points and k = 90, on a synthetic kNN graph: each point's 90 neighbours drawn from the 400
 * indices around it (about half the pairs come back both ways, as in a real graph), no kNN search.
 * Run one implementation per process under /usr/bin/time -v; an older one can be compared by
 * passing its file, e.g. the one before the counting pass:
 *
 *   git show 1147672^:src/analysis/embed/tsne/affinities.ts | sed 's#"\.\./\.\./\.\./#"../../src/#; s#"\.\./\.\./neighbors/#"../../src/analysis/neighbors/#; s#"\./types.js"#"../../src/analysis/embed/tsne/types.js"#' > bench/.cache/affinities-before.ts
 *   /usr/bin/time -v node --import tsx bench/symmetrize-memory.ts 1000000 ./.cache/affinities-before.ts
 *   /usr/bin/time -v node --import tsx bench/symmetrize-memory.ts 1000000
 */
import { resourceUsage } from "node:process";
import type { KnnGraph } from "../src/analysis/neighbors/types.js";
import type { SparseAffinities } from "../src/analysis/embed/tsne/types.js";
import { createRng } from "../src/util/rng.js";

const n = Number(process.argv[2] ?? 1_000_000);
const module = process.argv[3] ?? "../src/analysis/embed/tsne/affinities.js";
const { affinities } = (await import(module)) as { affinities: (g: KnnGraph, o: { perplexity: number }) => SparseAffinities };
const k = 90;
const rng = createRng(1);
const indices = new Int32Array(n * k);
const distances = new Float32Array(n * k);
const seen = new Uint8Array(401);
for (let i = 0; i < n; i++) {
  seen.fill(0);
  for (let c = 0; c < k; c++) {
    let off: number;
    do off = rng.int(401) - 200;
    while (off === 0 || seen[off + 200]);
    seen[off + 200] = 1;
    indices[i * k + c] = (i + off + n) % n;
  }
  // Distances growing with the offset, sorted as a kNN graph's are.
  const row = Array.from(indices.subarray(i * k, i * k + k), (j) => [j, Math.sqrt(1 + Math.abs(((j - i + n + n / 2) % n) - n / 2) / 50)] as const).sort((a, b) => a[1] - b[1]);
  row.forEach(([j, d], c) => ((indices[i * k + c] = j), (distances[i * k + c] = d)));
}
const mib = () => (resourceUsage().maxRSS / 1024).toFixed(0);
console.log(`graph of ${n.toLocaleString("en")} × ${k}: peak RSS ${mib()} MiB`);
const t0 = performance.now();
const p = affinities({ n, k, metric: "l2", indices, distances }, { perplexity: 30 });
console.log(`affinities (${module}): ${p.rowPtr[n].toLocaleString("en")} entries in ${((performance.now() - t0) / 1000).toFixed(1)} s, peak RSS ${mib()} MiB`);

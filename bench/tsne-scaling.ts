/**
 * How featurelens' t-SNE time grows with N (FFT repulsion: about linearly), on synthetic clustered
 * data: 20 Gaussian clusters in 50 dimensions (centres N(0, 4²), points N(centre, 1)), seeded. Each
 * N runs `embed` (kNN graph, affinities, 1,000 iterations) on 2 threads; the exponent is the
 * least-squares slope of log(time) on log(N). Peak resident memory is reported too.
 *
 *   node --import tsx bench/tsne-scaling.ts [Ns=10000,50000,100000,200000,500000]
 *   node --import tsx bench/tsne-scaling.ts --memory 1000000   # kNN + affinities + 10 iterations only
 *
 * Each row also splits the time into kNN, affinities (calibration and symmetrisation) and the
 * 1,000 iterations, and the run prints the machine's load averages before and after (it is shared).
 * For one N per process and its peak memory as the kernel counts it, on huge pages as the
 * `featurelens` command runs (src/cli/hugePages.ts):
 *   GLIBC_TUNABLES=glibc.malloc.hugetlb=1 flock /tmp/featurelens-bench.lock /usr/bin/time -v node --import tsx bench/tsne-scaling.ts 1000000
 */
import { loadavg } from "node:os";
import { resourceUsage } from "node:process";
import { embed } from "../src/analysis/node/pipeline.js";
import { knn } from "../src/analysis/node/neighbors.js";
import { affinities } from "../src/analysis/embed/tsne/affinities.js";
import { tsne } from "../src/analysis/embed/tsne/tsne.js";
import { createParallelFftRepulsion } from "../src/analysis/node/fftWorker.js";
import { withDenseBackend } from "../src/workflows/dense.js";
import { CLUSTERED, clustered } from "./clustered.js";

const { d: D, clusters: CLUSTERS } = CLUSTERED;

const peakMiB = () => resourceUsage().maxRSS / 1024;

if (process.argv[2] === "--memory") {
  const n = Number(process.argv[3] ?? 1_000_000);
  const points = clustered(n, 1);
  console.error(`${n} × ${D} points: ${(points.data.byteLength / 2 ** 20).toFixed(0)} MiB`);
  let t0 = performance.now();
  const graph = await knn(points, 90, { threads: 2 });
  console.log(`kNN (k = 90): ${((performance.now() - t0) / 1000).toFixed(1)} s, peak RSS ${peakMiB().toFixed(0)} MiB`);
  t0 = performance.now();
  const p = affinities(graph, { perplexity: 30 });
  console.log(`affinities (${p.rowPtr[n].toLocaleString("en")} entries): ${((performance.now() - t0) / 1000).toFixed(1)} s, peak RSS ${peakMiB().toFixed(0)} MiB`);
  const fft = createParallelFftRepulsion();
  t0 = performance.now();
  await tsne(points, { knn: graph, repulsion: fft, attraction: fft.attraction, exaggerationIterations: 10, iterations: 0 });
  await fft.close();
  console.log(`10 t-SNE iterations (with affinities again): ${((performance.now() - t0) / 1000).toFixed(1)} s, peak RSS ${peakMiB().toFixed(0)} MiB`);
  const nn = (8 * n * n) / 2 ** 30;
  console.log(`An N×N float64 array would be ${nn.toFixed(0)} GiB; peak resident memory stayed at ${(peakMiB() / 1024).toFixed(1)} GiB.`);
} else {
  const sizes = (process.argv[2] ?? "10000,50000,100000,200000,500000").split(",").map(Number);
  const rows: { n: number; seconds: number; knn: number; affinities: number; kl: number; peak: number }[] = [];
  const load = () => loadavg().map((l) => l.toFixed(2)).join(", ");
  console.log(`load averages (1, 5, 15 min) before: ${load()}`);
  for (const n of sizes) {
    const points = clustered(n, 1);
    let knnAt = 0;
    let affinitiesAt = 0;
    const t0 = performance.now();
    // As `featurelens embed` runs it: with the onnxruntime dense backend (exact kNN up to its threshold).
    const r = await withDenseBackend((dense) => embed(points, {
      method: "tsne", threads: 2, dense,
      onStage: (s) => (s === "t-SNE" ? (knnAt = performance.now()) : undefined),
      onProgress: (p) => void (affinitiesAt ||= performance.now() - p.elapsedMs),
    }));
    const seconds = (performance.now() - t0) / 1000;
    rows.push({ n, seconds, knn: (knnAt - t0) / 1000, affinities: (affinitiesAt - knnAt) / 1000, kl: r.kl ?? NaN, peak: peakMiB() });
    console.error(`N = ${n}: ${seconds.toFixed(1)} s (load ${load()})`);
  }
  console.log(`load averages (1, 5, 15 min) after: ${load()}`);
  const xs = rows.map((r) => Math.log(r.n));
  const ys = rows.map((r) => Math.log(r.seconds));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  console.log(`t-SNE time against N (synthetic: ${CLUSTERS} Gaussian clusters in ${D}-D), 2 threads.\n`);
  console.log("| N | time | of which kNN | affinities and initialisation | iterations | KL | seconds per 1,000 points | peak RSS so far |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    const iterations = r.seconds - r.knn - r.affinities;
    console.log(`| ${r.n.toLocaleString("en")} | ${r.seconds.toFixed(1)} s | ${r.knn.toFixed(1)} s | ${r.affinities.toFixed(1)} s | ${iterations.toFixed(1)} s | ${r.kl.toFixed(3)} | ${((1000 * r.seconds) / r.n).toFixed(2)} | ${r.peak.toFixed(0)} MiB |`);
  }
  console.log(`\nexponent (least-squares slope of log time on log N): ${slope.toFixed(2)}`);
}

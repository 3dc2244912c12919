/**
 * PCA-50 of Fashion-MNIST (70,000 × 784 pixels / 255, float32 .npy) as whole commands, side by side:
 * `featurelens embed --method pca --dims 50` (the products on onnxruntime, engine/dense) against a
 * Python process that loads the same .npy, runs scikit-learn 1.2's PCA(50, svd_solver="randomized")
 * and writes its result (bench/sklearn_pca_embed.py). Wall times of both commands (process start,
 * loading and writing included), each side's in-process PCA time (scikit-learn's fit_transform;
 * featurelens' pcaDense on onnxruntime here in this process, and the WebAssembly path pcaThreaded
 * for reference), interleaved repeats, medians; the machine's load averages before and after; how
 * far the two results agree.
 *
 *   apt-get install dataset-fashion-mnist python3-sklearn; npm run build
 *   flock /tmp/featurelens-bench.lock node --import tsx bench/pca-embed.ts [repeats=3] [components=50]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { pcaDense } from "../src/analysis/embed/pca/dense.js";
import { pcaThreaded } from "../src/analysis/node/pcaThreads.js";
import { readNpy } from "../src/data/npy.js";
import { withDenseBackend } from "../src/workflows/dense.js";

const REPEATS = Number(process.argv[2] ?? 3);
const K = Number(process.argv[3] ?? 50);
const CACHE = join("bench", ".cache");
const X = join(CACHE, "fmnist-70000x784-f32.npy");
const OUT = join(CACHE, "pca-embed");
const PY = join("bench", "sklearn_pca_embed.py");

if (!existsSync(X)) execFileSync("/usr/bin/python3", [PY, "make", X]);
mkdirSync(OUT, { recursive: true });
const load = () => loadavg().map((l) => l.toFixed(2)).join(", ");
const loadBefore = load();

const wall = (cmd: string, args: string[]): { seconds: number; stdout: string } => {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  return { seconds: (performance.now() - t0) / 1000, stdout: r.stdout };
};

const a = readNpy(X);
const points = { n: a.shape[0], d: a.shape[1], data: a.data as Float32Array };
const t: Record<string, number[]> = { flCommand: [], skCommand: [], flPca: [], flPcaWasm: [], skPca: [] };
let skRatio: number[] = [];
let flRatio: Float64Array = new Float64Array(0);
for (let r = 0; r < REPEATS; r++) {
  const fl = wall(process.execPath, ["bin/featurelens.js", "embed", "--in", X, "--method", "pca", "--dims", String(K), "--out", join(OUT, "featurelens.npy"), "--json", "--force"]);
  t.flCommand.push(fl.seconds);
  const sk = wall("/usr/bin/python3", [PY, "run", X, join(OUT, "sklearn.npy"), String(K)]);
  t.skCommand.push(sk.seconds);
  const skJson = JSON.parse(sk.stdout) as { pca_seconds: number; explained_variance_ratio: number[] };
  t.skPca.push(skJson.pca_seconds);
  skRatio = skJson.explained_variance_ratio;
  let t0 = performance.now();
  const model = await withDenseBackend(async (dense) => (await pcaDense(points, { components: K }, dense)).model);
  t.flPca.push((performance.now() - t0) / 1000);
  flRatio = model.explainedVarianceRatio;
  t0 = performance.now();
  await pcaThreaded(points, { components: K, threads: 2 });
  t.flPcaWasm.push((performance.now() - t0) / 1000);
  console.error(`repeat ${r + 1}/${REPEATS}: ${Object.entries(t).map(([k, v]) => `${k} ${v.at(-1)!.toFixed(2)} s`).join(", ")}`);
}
const loadAfter = load();

const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)]));
const runs = (v: number[]) => v.map((x) => x.toFixed(2)).join(", ");

// Agreement: explained variance ratios, and each output column against scikit-learn's up to sign.
const ours = readNpy(join(OUT, "featurelens.npy")).data as Float32Array;
const theirs = readNpy(join(OUT, "sklearn.npy")).data as Float32Array;
const corr = Array.from({ length: K }, (_, c) => {
  let [sxy, sxx, syy] = [0, 0, 0];
  for (let i = 0; i < points.n; i++) {
    const [x, y] = [ours[i * K + c], theirs[i * K + c]];
    sxy += x * y;
    sxx += x * x;
    syy += y * y;
  }
  return Math.abs(sxy) / Math.sqrt(sxx * syy);
});
const lead = Math.floor(0.8 * K);
const rel = skRatio.map((v, c) => Math.abs(flRatio[c] - v) / v);

console.log(`PCA-${K} of ${points.n.toLocaleString("en-US")} × ${points.d} (float32 .npy), median of ${REPEATS} interleaved repeats; load averages ${loadBefore} before, ${loadAfter} after.\n`);
console.log("| | seconds | / scikit-learn | runs |");
console.log("|---|---:|---:|---|");
console.log(`| \`featurelens embed --method pca --dims ${K}\` (whole command) | ${m.flCommand.toFixed(2)} | ${(m.flCommand / m.skCommand).toFixed(2)}× | ${runs(t.flCommand)} |`);
console.log(`| Python: load, scikit-learn PCA(${K}, randomized), save (whole command) | ${m.skCommand.toFixed(2)} | 1× | ${runs(t.skCommand)} |`);
console.log(`| featurelens pcaDense on onnxruntime (in process) | ${m.flPca.toFixed(2)} | ${(m.flPca / m.skPca).toFixed(2)}× | ${runs(t.flPca)} |`);
console.log(`| featurelens pcaThreaded, WebAssembly, 2 threads (in process; the old path) | ${m.flPcaWasm.toFixed(2)} | ${(m.flPcaWasm / m.skPca).toFixed(2)}× | ${runs(t.flPcaWasm)} |`);
console.log(`| scikit-learn fit_transform (in process) | ${m.skPca.toFixed(2)} | 1× | ${runs(t.skPca)} |`);
console.log(
  `\nAgreement with scikit-learn: explained variance ratios within ${Math.max(...rel.slice(0, lead)).toExponential(1)} (relative) over the first ${lead} components, ` +
    `${Math.max(...rel).toExponential(1)} over all; output columns correlate (up to sign) at least ${Math.min(...corr.slice(0, lead)).toFixed(6)} over the first ${lead}, ${Math.min(...corr).toFixed(4)} over all.`,
);

/**
 * `diagnose` and `shift` on the 70,000-image run that bench/analyze.ts makes (the seed CNN trained
 * 3 epochs on Fashion-MNIST's training images, analyzed on all 70,000 images), copied into its own
 * workspace so the analyze benchmark's run stays as it was: the time of each, and the MMD
 * significance table — shifted copies of fashion-mnist:test (made as `featurelens dataset
 * --transform` makes them) against the run's images must be significant at p < 0.01; the
 * unshifted test set, and two random halves of one domain, must not.
 *
 *   node --import tsx bench/analyze.ts     # once, for bench/.cache/analyze-ws/runs/fm70k
 *   node --import tsx bench/diagnose.ts [TRANSFORMS=invert,noise:40,blur:1.5,rotate:15,edges]
 */
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { loadDataset } from "../src/data/load.js";
import { parseTransform } from "../src/data/transform.js";
import { readFeatures } from "../src/store/features.js";
import { closeQueryEngine } from "../src/store/query.js";
import { Run } from "../src/store/run.js";
import { writeDatasetCopy } from "../src/workflows/datasetCopy.js";
import { diagnoseRun } from "../src/workflows/diagnose.js";
import { shiftRun } from "../src/workflows/shift.js";
import { SHIFT_DEFAULTS } from "../src/workflows/shiftMeasure.js";
import { mmdTest } from "../src/analysis/diagnose/mmd.js";
import { randomRows } from "../src/analysis/diagnose/rowSample.js";
import { createRng } from "../src/util/rng.js";
import { CACHE } from "./fmnist.js";

const transforms = (process.argv[2] ?? "invert,noise:40,blur:1.5,rotate:15,edges").split(",");
/** Ten pairs of halves per dataset: under no shift their p-values should spread over 0–1, and stay above 0.01. */
const HALF_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const source = join(CACHE, "analyze-ws", "runs", "fm70k");
if (!existsSync(join(source, "run.json"))) throw new Error(`${source} is missing: run node --import tsx bench/analyze.ts first`);
const workspace = join(CACHE, "diagnose-ws");
rmSync(workspace, { recursive: true, force: true });
mkdirSync(join(workspace, "runs"), { recursive: true });
cpSync(source, join(workspace, "runs", "fm70k"), { recursive: true, filter: (f) => !/\/(domains|diagnose|compare|label-issues)(\/|$)/.test(f.slice(source.length)) });
const load = () => loadavg().map((v) => v.toFixed(1)).join(", ");
const secs = (t0: number) => (performance.now() - t0) / 1000;
/** CPU seconds of this process (every thread: ours, the kNN workers', onnxruntime's) since `from`: on a shared machine, beside the wall time. */
const cpu = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
};

console.log(`load average at the start: ${load()}\n`);
let t0 = performance.now();
let c0 = process.cpuUsage();
const d = await diagnoseRun({ workspace, run: "fm70k" });
console.log(`diagnose of 70,000 images: ${secs(t0).toFixed(1)} s, ${cpu(c0).toFixed(1)} CPU s (class separation ${d.separation.seconds.toFixed(1)} s, layers ${d.layers!.seconds.toFixed(1)} s)\n`);
console.log(`${d.separation.summary.text}\n${d.separation.summary.details.map((x) => `- ${x}`).join("\n")}\n`);
console.log(`${d.layers!.summary.text}\n${d.layers!.summary.details.map((x) => `- ${x}`).join("\n")}\n`);
console.log("| layer | features | kNN accuracy | dead units |\n|---|---:|---:|---:|");
for (const l of d.layers!.layers) console.log(`| ${l.name}${l.role && l.role !== "input" ? ` (${l.role})` : ""} | ${l.d} | ${(100 * l.knn_accuracy).toFixed(1)}% | ${l.dead ? `${l.dead.count}/${l.dead.units}` : ""} |`);

const test = await loadDataset("fashion-mnist:test");
const rows: string[] = [];
const timing: string[] = [];
for (const spec of ["none", ...transforms]) {
  let data = "fashion-mnist:test";
  if (spec !== "none") {
    const copy = writeDatasetCopy(test, { out: join(workspace, "data", `${spec.replace(/\W+/g, "-")}.npy`), transform: parseTransform(spec), seed: 1 });
    data = copy.spec;
  }
  let measuring = 0;
  t0 = performance.now();
  c0 = process.cpuUsage();
  const { shift } = await shiftRun({ workspace, run: "fm70k", data, domain: spec === "none" ? "test" : spec.replace(/\W+/g, "-"), onStage: (s) => void (s.startsWith("MMD") ? (measuring = performance.now()) : 0) });
  const end = performance.now();
  const cpuSeconds = cpu(c0);
  const total = (end - t0) / 1000;
  const shifted = shift.per_class.filter((c) => c.p_holm < 0.01).length;
  rows.push(`| ${spec === "none" ? "fashion-mnist:test as it is" : `\`--transform ${spec}\``} | ${(100 * shift.accuracy.domain!).toFixed(1)}% | ${shift.mmd2.toFixed(4)} | ${shift.p_value.toFixed(3)} | ${shift.p_value < 0.01 ? "yes" : "no"} | ${shifted} of ${shift.per_class.length} |`);
  timing.push(`| ${spec} | ${total.toFixed(1)} | ${cpuSeconds.toFixed(1)} | ${((measuring - t0) / 1000).toFixed(1)} | ${((end - measuring) / 1000).toFixed(1)} |`);
}

/** Two random halves of a scope's images, compared as shift compares two datasets overall (≤ 2,000 drawn per side, 200 permutations). */
function halves(run: Run, domain: string | undefined, seed: number): { p: number; mmd2: number } {
  const f = readFeatures(run, run.scope(domain), "penultimate");
  const order = randomRows(f.n, f.n, seed);
  const rng = createRng(seed);
  for (let i = f.n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const half = f.n >> 1;
  const side = (rows: Int32Array) => {
    const drawn = randomRows(rows.length, SHIFT_DEFAULTS.maxPoints, seed);
    const data = new Float32Array(drawn.length * f.d);
    drawn.forEach((j, k) => data.set(f.data.subarray(rows[j] * f.d, (rows[j] + 1) * f.d), k * f.d));
    return { n: drawn.length, d: f.d, data };
  };
  const m = mmdTest(side(order.slice(0, half)), side(order.slice(half)), { permutations: SHIFT_DEFAULTS.permutations, seed });
  return { p: m.pValue, mmd2: m.mmd2 };
}
const run = Run.read(join(workspace, "runs", "fm70k"));
for (const [what, domain] of [["the run's 70,000 images", undefined], ["the domain fashion-mnist:test (10,000)", "test"]] as const) {
  for (const seed of HALF_SEEDS) {
    const h = halves(run, domain, seed);
    rows.push(`| two random halves of ${what}, seed ${seed} | | ${h.mmd2.toFixed(4)} | ${h.p.toFixed(3)} | ${h.p < 0.01 ? "yes" : "no"} | |`);
  }
}
console.log(`\nrun's own accuracy: ${(100 * (run.record.summary.accuracy as number)).toFixed(1)}%\n`);
console.log("| against fm70k's 70,000 images | accuracy | MMD² | p | p < 0.01 | classes shifted (Holm p < 0.01) |\n|---|---:|---:|---:|---|---:|");
for (const r of rows) console.log(r);
console.log("\n| shift | total s | CPU s | analyze (inference, evaluation, placing into t-SNE and PCA) s | MMD tests, centroids, chart s |\n|---|---:|---:|---:|---:|");
for (const t of timing) console.log(t);
console.log(`\nload average at the end: ${load()}`);
await closeQueryEngine();

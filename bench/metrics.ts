/**
 * Every classification metric of N samples × K classes (default 1,000,000 × 100, float32
 * probabilities), all curves included: featurelens `evaluate` vs scikit-learn 1.2 on the same
 * arrays in the same run. This script makes seeded synthetic labels and softmax probabilities,
 * writes them as .npy for bench/sklearn_metrics.py, times both (median of R runs each: scikit-learn's
 * runs first, then ours) and prints the times, their ratio and the headline numbers side by side.
 *
 *   apt-get install python3-sklearn
 *   node --import tsx bench/metrics.ts [N=1000000] [K=100] [repeats=1]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluate, type MetricsReport } from "../src/analysis/metrics/index.js";
import { writeNpy } from "../src/data/npy.js";
import { createRng } from "../src/util/rng.js";

const N = Number(process.argv[2] ?? 1_000_000);
const K = Number(process.argv[3] ?? 100);
const REPEATS = Number(process.argv[4] ?? 1);

/** Labels uniform over K classes; logits uniform noise plus a class-dependent margin on the true class. */
function synthetic(n: number, k: number, seed: number): { labels: Int32Array; probs: Float32Array } {
  const rng = createRng(seed);
  const labels = new Int32Array(n);
  const probs = new Float32Array(n * k);
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const y = rng.int(k);
    labels[i] = y;
    let max = -Infinity;
    for (let j = 0; j < k; j++) {
      row[j] = (rng.next() - 0.5) * 6 + (j === y ? 1 + (3 * y) / k : 0);
      if (row[j] > max) max = row[j];
    }
    let sum = 0;
    for (let j = 0; j < k; j++) sum += row[j] = Math.exp(row[j] - max);
    for (let j = 0; j < k; j++) probs[i * k + j] = row[j] / sum;
  }
  return { labels, probs };
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

const { labels, probs } = synthetic(N, K, 42);
const dir = mkdtempSync(join(tmpdir(), "featurelens-bench-metrics-"));
let sk: { seconds: number; stages: Record<string, number>; values: Record<string, number> };
try {
  writeNpy(join(dir, "labels.npy"), { dtype: "int32", shape: [N], data: labels });
  writeNpy(join(dir, "probs.npy"), { dtype: "float32", shape: [N, K], data: probs });
  const out = execFileSync("/usr/bin/python3", [join("bench", "sklearn_metrics.py"), join(dir, "labels.npy"), join(dir, "probs.npy"), String(REPEATS)], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  sk = JSON.parse(out) as typeof sk;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const times: number[] = [];
let report: MetricsReport | undefined;
for (let r = 0; r < REPEATS; r++) {
  const t0 = process.hrtime.bigint();
  report = evaluate(labels, probs, K).report;
  times.push(Number(process.hrtime.bigint() - t0) / 1e9);
}
const ours = median(times);

const r = report!;
const mine: Record<string, number> = {
  accuracy: r.accuracy,
  balanced_accuracy: r.balanced_accuracy,
  macro_f1: r.macro.f1,
  top_3: r.top_k["3"] ?? NaN,
  log_loss: r.log_loss,
  ece: r.ece,
  roc_auc_macro: r.roc_auc.macro,
  roc_auc_micro: r.roc_auc.micro,
  ap_macro: r.average_precision.macro,
  ap_micro: r.average_precision.micro,
};
console.log(`Every classification metric and curve of ${N.toLocaleString("en-US")} samples × ${K} classes (float32), median of ${REPEATS} run(s), seconds.\n`);
console.log("| featurelens evaluate | scikit-learn 1.2 | scikit-learn / featurelens |");
console.log("|---:|---:|---:|");
console.log(`| ${ours.toFixed(2)} | ${sk.seconds.toFixed(2)} | ${(sk.seconds / ours).toFixed(1)}× |\n`);
console.log("scikit-learn by stage (s): " + Object.entries(sk.stages).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(", "));
console.log("\n| metric | featurelens | scikit-learn | difference |");
console.log("|---|---:|---:|---:|");
for (const [key, v] of Object.entries(mine)) {
  const s = sk.values[key];
  console.log(`| ${key} | ${v.toPrecision(12)} | ${s.toPrecision(12)} | ${(v - s).toExponential(1)} |`);
}
console.log("\n(log_loss differs in the 7th digit or so: scikit-learn computes it in float32 for float32 input, featurelens in float64.)");

/**
 * How well `featurelens label-issues` finds known label noise (issue 14): Fashion-MNIST train,
 * a 10,000-image stratified subset, with 5%, 10% and 20% of its labels flipped (seeded) —
 * uniformly (to any other class) or to a look-alike class (Shirt↔T-shirt/top, Pullover↔Coat,
 * Sneaker↔Sandal, Ankle boot→Sneaker, Dress→Coat; Trouser and Bag keep their labels) — then the
 * seed CNN cross-validated (5 folds × 3 epochs, batch 128, Adam 1e-3), exactly as the command does
 * it, and the flagged images scored against the flipped ones: precision, recall, F1 of
 *   - the baseline "prediction ≠ label" (the same out-of-sample probabilities),
 *   - confident learning alone (prune by noise rate),
 *   - neighbours alone (all 10 nearest held-out neighbours carry another label, and the prediction too),
 *   - the queue label-issues writes: confident learning confirmed by ≥ 7 of the 10 neighbours, or
 *     the neighbours alone (analysis/diagnose/labelIssues.ts).
 * The cross-validated scores are cached in bench/.cache/label-issues/ (delete it to retrain).
 *
 *   apt-get install dataset-fashion-mnist
 *   node --import tsx bench/labelIssues.ts [n=10000] [folds=5] [epochs=3] [threads=2] [noise-seed=1]
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { predictedNotGiven } from "../src/analysis/diagnose/confidentLearningPrune.js";
import { LABEL_ISSUES_DEFAULTS, rankLabelIssues, REASON } from "../src/analysis/diagnose/labelIssues.js";
import { neighbourVote } from "../src/analysis/diagnose/labelIssuesNeighbors.js";
import { detectionScore, type DetectionScore, injectLabelNoise } from "../src/analysis/diagnose/labelIssuesNoise.js";
import { loadDataset } from "../src/data/load.js";
import { readNpy, writeNpy } from "../src/data/npy.js";
import { groupNeighbours } from "../src/workflows/labelIssuesNeighbors.js";
import { kfoldScores } from "../src/workflows/labelIssuesScores.js";

const N = Number(process.argv[2] ?? 10000);
const FOLDS = Number(process.argv[3] ?? 5);
const EPOCHS = Number(process.argv[4] ?? 3);
const THREADS = Number(process.argv[5] ?? 2);
const NOISE_SEED = Number(process.argv[6] ?? 1);
const CACHE = join("bench", ".cache", "label-issues");

/** Fashion-MNIST: T-shirt/top 0, Trouser 1, Pullover 2, Dress 3, Coat 4, Sandal 5, Shirt 6, Sneaker 7, Bag 8, Ankle boot 9. */
const LOOK_ALIKE = Int32Array.of(6, -1, 4, 4, 2, 7, 0, 5, -1, 7);

const clean = await loadDataset("fashion-mnist:train", { limit: N, seed: 0 });
mkdirSync(CACHE, { recursive: true });
console.log(`fashion-mnist:train, ${clean.n} images (stratified, seed 0); seed-cnn, ${FOLDS} folds × ${EPOCHS} epochs, batch 128, ${THREADS} threads; noise seed ${NOISE_SEED}`);

interface Row { noise: string; rate: number; accuracy: number; seconds: number; estimated: number; baseline: DetectionScore; cl: DetectionScore; nn: DetectionScore; queue: DetectionScore; topQueue: number; topSelf: number }

/** Of the m highest-ranked rows (m = the number flipped), the share that were flipped. */
function topPrecision(order: ArrayLike<number>, flipped: Int32Array): number {
  const truth = new Set(flipped);
  const m = Math.min(flipped.length, order.length);
  let hit = 0;
  for (let a = 0; a < m; a++) if (truth.has(order[a])) hit++;
  return m ? hit / flipped.length : 0;
}
const rows: Row[] = [];
let setting = 0;
for (const kind of ["uniform", "look-alike"] as const) {
  for (const rate of [0.05, 0.1, 0.2]) {
    setting++;
    const noisy = injectLabelNoise(clean.labels, 10, { rate, seed: NOISE_SEED * 100 + setting, ...(kind === "look-alike" ? { lookAlike: LOOK_ALIKE } : {}) });
    const ds = { ...clean, labels: noisy.labels };
    const key = `${kind}-${rate}-n${clean.n}-f${FOLDS}-e${EPOCHS}-s${NOISE_SEED}`;
    const files = ["probabilities", "features", "fold"].map((f) => join(CACHE, `${key}-${f}.npy`));
    let seconds = 0;
    if (!files.every(existsSync)) {
      const s = await kfoldScores(ds, { arch: "seed-cnn", folds: FOLDS, epochs: EPOCHS, batchSize: 128, seed: 0, threads: THREADS, onFold: (p) => p.stage === "training" && process.stderr.write(`${key}: fold ${p.fold + 1}/${p.folds}\r`) });
      writeNpy(files[0], { dtype: "float32", shape: [ds.n, s.k], data: s.probabilities });
      writeNpy(files[1], { dtype: "float32", shape: [ds.n, s.features.d], data: s.features.data });
      writeNpy(files[2], { dtype: "int32", shape: [ds.n], data: s.fold });
      seconds = s.seconds;
    }
    const probabilities = readNpy(files[0]).data as Float32Array;
    const f = readNpy(files[1]);
    const fold = readNpy(files[2]).data as Int32Array;
    const neighbours = await groupNeighbours({ n: ds.n, d: f.shape[1], data: f.data as Float32Array }, LABEL_ISSUES_DEFAULTS.neighbours, { group: fold, threads: THREADS });
    const r = rankLabelIssues({ labels: ds.labels, probabilities, k: 10, neighbours });
    const vote = neighbourVote(ds.labels, neighbours, 10);
    const mask = (bit: number) => Uint8Array.from(r.all.reason, (b) => (b & bit ? 1 : 0));
    const baseline = predictedNotGiven(ds.labels, probabilities, 10);
    rows.push({
      noise: kind, rate, seconds, estimated: r.confident.noise.total,
      accuracy: 1 - baseline.reduce((a, b) => a + b, 0) / ds.n,
      baseline: detectionScore(baseline, noisy.flipped),
      cl: detectionScore(r.confident.issues, noisy.flipped),
      nn: detectionScore(Uint8Array.from(vote.disagreement, (x, i) => (x >= LABEL_ISSUES_DEFAULTS.alone - 1e-6 && baseline[i] ? 1 : 0)), noisy.flipped),
      queue: detectionScore(mask(REASON.confidentLearning | REASON.neighbours), noisy.flipped),
      topQueue: topPrecision(r.queue.row, noisy.flipped),
      // cleanlab's default ranking: lowest self-confidence p(given label) first, over all images
      topSelf: topPrecision(Int32Array.from({ length: ds.n }, (_, i) => i).sort((a, b) => probabilities[a * 10 + ds.labels[a]] - probabilities[b * 10 + ds.labels[b]] || a - b), noisy.flipped),
    });
    const q = rows.at(-1)!;
    console.error(`${key}: held-out accuracy ${(100 * q.accuracy).toFixed(1)}%, baseline F1 ${q.baseline.f1.toFixed(3)}, CL ${q.cl.f1.toFixed(3)}, queue ${q.queue.f1.toFixed(3)}${seconds ? ` (${seconds.toFixed(0)} s of cross-validation)` : " (cached scores)"}`);
  }
}

const prf = (s: DetectionScore) => `${s.precision.toFixed(3)} / ${s.recall.toFixed(3)} / **${s.f1.toFixed(3)}**`;
console.log("\n| noise | flipped | held-out accuracy (vs given labels) | baseline: prediction ≠ label (P / R / F1) | confident learning | neighbours disagree | label-issues queue | queue F1 − baseline F1 |");
console.log("|---|---:|---:|---|---|---|---|---:|");
for (const r of rows) {
  console.log(`| ${r.noise} | ${(100 * r.rate).toFixed(0)}% | ${(100 * r.accuracy).toFixed(1)}% | ${prf(r.baseline)} | ${prf(r.cl)} | ${prf(r.nn)} | ${prf(r.queue)} | ${(r.queue.f1 - r.baseline.f1 >= 0 ? "+" : "")}${(r.queue.f1 - r.baseline.f1).toFixed(3)} |`);
}
console.log("\n| noise | flipped | noise estimated by the confident joint | top-m precision (m = number flipped), images ranked by p(given) | top-m precision, the label-issues queue's ranking |");
console.log("|---|---:|---:|---:|---:|");
for (const r of rows) console.log(`| ${r.noise} | ${(100 * r.rate).toFixed(0)}% | ${(100 * r.estimated).toFixed(1)}% | ${r.topSelf.toFixed(3)} | ${r.topQueue.toFixed(3)} |`);
console.log(`\nflagged counts: ${rows.map((r) => `${r.noise} ${(100 * r.rate).toFixed(0)}%: baseline ${r.baseline.flagged}, CL ${r.cl.flagged}, queue ${r.queue.flagged}`).join("; ")}`);

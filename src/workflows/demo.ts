import { join, resolve } from "node:path";
import { evaluate } from "../analysis/metrics/index.js";
import { imageAt } from "../data/dataset.js";
import { loadDataset } from "../data/load.js";
import { inspectImage } from "../nn/inspect.js";
import { formatEvaluation } from "../report/evaluationText.js";
import { writeImageGrid } from "../report/imageGrid.js";
import { writeInspection } from "../report/inspection.js";
import { classSampleGrid } from "../report/samples.js";
import { formatLayers, formatStats, formatSummary } from "../report/text.js";
import { readPredictions } from "../store/predictions.js";
import { openRunForWrite, Run } from "../store/run.js";
import { openWorkspace, runFolder } from "../store/workspace.js";
import { openRunModel } from "./analyzeRun.js";
import { plotRunMap } from "./plot.js";
import { reportRun } from "./reportRun.js";
import { trainRun, type TrainRunOptions } from "./trainRun.js";

/**
 * `featurelens demo`: the tour on the embedded Fashion-MNIST sample, leaving a workspace — the
 * sample's pictures, the seed CNN's run with its analysis, and the report — that `serve` opens.
 */

export const DEMO_DEFAULTS = { out: "featurelens-demo", run: "seed-cnn", inspectIndex: 0 } as const;

/**
 * How the demo trains the seed CNN: seed 0, 2 epochs of Adam (lr 1e-3, batch 64) on 90% of the
 * sample's training images, analyzed on its 1,000 test images with t-SNE and PCA maps.
 * scripts/make-sample-quality-fixtures.ts trains the same way.
 */
export function demoTraining(workspace: string): TrainRunOptions {
  return {
    workspace, out: DEMO_DEFAULTS.run, data: "sample:train", arch: "seed-cnn", epochs: 2, batchSize: 64, lr: 1e-3, optimizer: "adam",
    valFraction: 0.1, seed: 0, maps: ["tsne", "pca"],
  };
}

export interface DemoOptions {
  out?: string;
  /** Each part of the tour's text, in order. */
  say: (text: string) => void;
  onProgress?: (label: string, done: number, total: number | undefined) => void;
}

export interface DemoResult {
  workspace: string;
  run: string;
  report: string;
}

/** Runs the tour; a second run reuses the trained run and remakes the rest. */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const ws = openWorkspace(resolve(o.out ?? DEMO_DEFAULTS.out));
  const say = o.say;
  say("1. The data: the embedded Fashion-MNIST sample\n\n");
  for (const split of ["train", "test"] as const) {
    const ds = await loadDataset({ kind: "sample", split });
    const file = join(ws.root, `samples-${split}.png`);
    await writeImageGrid(file, classSampleGrid(ds, { perClass: 12, title: `Fashion-MNIST sample (${split}): ${ds.n} images` }));
    say(`${formatSummary(ds)}\nwrote ${file}\n\n`);
  }

  say("2. Training: the seed CNN of the feature-extraction article, in TypeScript on onnxruntime\n\n");
  const dir = runFolder(ws, DEMO_DEFAULTS.run);
  const existing = Run.exists(dir) ? Run.read(dir) : null;
  const trained = existing?.record.status === "complete" && existing.record.data
    ? (say(`the run ${dir} is already trained and analyzed; using it (remove it with featurelens runs rm ${DEMO_DEFAULTS.run} --workspace ${ws.root} to train again)\n`), existing)
    : (await trainRun({
        ...demoTraining(ws.root), resume: existing !== null, argv: ["demo"],
        onEpoch: (r) => say(`epoch ${r.epoch}: loss ${r.train_loss.toFixed(3)}, validation accuracy ${(100 * r.val_accuracy!).toFixed(1)}% (${Math.round(r.images_per_second)} img/s)\n`),
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      })).run;
  const run = Run.read(trained.dir);
  const opened = openRunModel(run);
  say(`\n${formatLayers(opened.model)}wrote ${run.path("model.onnx")} and history.png\n\n`);

  const test = await loadDataset({ kind: "sample", split: "test" });
  const index = DEMO_DEFAULTS.inspectIndex;
  say(`3. Inside the trained model: what each layer sees of test image #${index} (${test.classes[test.labels[index]]})\n\n`);
  const inspection = await inspectImage(opened, test, index);
  const writer = openRunForWrite(run.dir, { command: "demo" });
  try {
    const rel = `inspect/${index}`;
    const summary = await writeInspection(writer.path(rel), inspection, run.record.classes, { height: test.height, width: test.width, channels: test.channels, pixels: imageAt(test, index) });
    writer.recordArtifact(writer.record, { file: rel, kind: "inspect", params: { index, data: "sample:test" } });
    say(`${formatStats(summary.layers)}\nwrote feature maps, histograms and the softmax chart to ${writer.path(rel)}\n\n`);

    say(`4. How good is it: every classification metric on the ${test.n} test images\n\n`);
    const p = await readPredictions(writer.path("predictions.parquet"));
    const evaluation = evaluate(p.label, p.probabilities, p.k, { curves: false });
    say(`${formatEvaluation(evaluation.report, run.record.classes)}\nthe confusion matrix, ROC and PR curves and the reliability diagram are in ${writer.path("evaluation")}\n\n`);

    const tsne = writer.record.maps.tsne;
    say(`5. The feature space: t-SNE of the penultimate layer (${run.record.model?.penultimate ?? "penultimate"}) for the ${test.n} test images\n\n`);
    const picture = await plotRunMap(writer, { map: "tsne", color: "true" });
    const q = (tsne?.quality ?? {}) as { knn_accuracy?: number; knn_accuracy_input?: number };
    say(`KL ${tsne?.kl?.toFixed(3) ?? "-"} · 10-NN label accuracy ${q.knn_accuracy?.toFixed(3) ?? "-"} (features: ${q.knn_accuracy_input?.toFixed(3) ?? "-"})\nwrote ${picture}: which classes the network separates, and which it mixes\n\n`);
  } finally {
    writer.release();
  }

  say("6. The report: everything above in one page that opens offline\n\n");
  const report = join(ws.root, "report.html");
  await reportRun({ workspace: ws.root, run: run.dir, out: report });
  say(`wrote ${report}\n\n`);
  return { workspace: ws.root, run: run.dir, report };
}

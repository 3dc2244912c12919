import type { Command } from "commander";
import { join, resolve } from "node:path";
import { imageAt } from "../../data/dataset.js";
import { loadDataset } from "../../data/load.js";
import { FASHION_MNIST_CLASSES } from "../../data/sample.js";
import { seedCnn } from "../../engine/onnx/architectures.js";
import { DEFAULT_PREPROCESS, METADATA_KEYS } from "../../engine/onnx/modelInfo.js";
import { evaluate } from "../../analysis/metrics/index.js";
import { collectValues, openModel, predictProbabilities } from "../../nn/infer.js";
import { embed, mapQuality } from "../../analysis/embed/pipeline.js";
import { findHead } from "../../engine/onnx/surgery.js";
import { mapScatterSpec } from "../../report/charts/scatter.js";
import { OPTIMIZER_DEFAULTS } from "../../nn/optimizers.js";
import { train } from "../../nn/trainer.js";
import { trainValSplit } from "../../data/subset.js";
import { historySpec } from "../../report/charts/history.js";
import { writeChart } from "../../report/vega.js";
import { inspectImage } from "../../nn/inspect.js";
import { writeImageGrid } from "../../report/imageGrid.js";
import { writeInspection } from "../../report/inspection.js";
import { writeEvaluation } from "../../report/evaluation.js";
import { formatEvaluation } from "../../report/evaluationText.js";
import { classSampleGrid } from "../../report/samples.js";
import { formatSummary } from "./dataset.js";
import { formatStats } from "./inspect.js";
import { formatLayers } from "./layers.js";

interface DemoOptions {
  out: string;
  serve: boolean;
}

export const DEMO_DEFAULTS = { out: "featurelens-demo", inspectIndex: 0, epochs: 2 } as const;

const say = (s: string) => process.stdout.write(s);

/**
 * The seed CNN as the demo trains it, into the run folder `run`: seed 0, DEMO_DEFAULTS.epochs of
 * Adam on 90% of the sample's training images (scripts/make-sample-quality-fixtures.ts uses it too).
 */
export async function trainDemoModel(run: string, onEpoch?: Parameters<typeof train>[0]["onEpoch"]): Promise<Awaited<ReturnType<typeof train>>> {
  const initial = seedCnn({
    inputShape: [1, 28, 28],
    classes: FASHION_MNIST_CLASSES.length,
    seed: 0,
    build: { metadata: { [METADATA_KEYS.classes]: JSON.stringify(FASHION_MNIST_CLASSES), [METADATA_KEYS.preprocess]: JSON.stringify(DEFAULT_PREPROCESS) } },
  });
  const { train: trainSet, val } = trainValSplit(await loadDataset({ kind: "sample", split: "train" }), { fraction: 0.1, seed: 0 });
  return train({
    model: initial, train: trainSet, val, out: run, epochs: DEMO_DEFAULTS.epochs, batchSize: 64, lr: 1e-3, optimizer: OPTIMIZER_DEFAULTS.adam, preprocess: DEFAULT_PREPROCESS,
    ...(onEpoch ? { onEpoch } : {}),
  });
}

/** `featurelens demo`: the tour on the embedded Fashion-MNIST sample. It grows with each part of featurelens. */
export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("the whole tour on the embedded Fashion-MNIST sample (works offline)")
    .option("--out <dir>", "folder for the results", DEMO_DEFAULTS.out)
    .option("--no-serve", "do not open the web app at the end")
    .addHelpText("after", "\nExample:\n  featurelens demo --out /tmp/tour --no-serve")
    .action(async (opts: DemoOptions) => {
      const out = resolve(opts.out);
      say("1. The data: the embedded Fashion-MNIST sample\n\n");
      for (const split of ["train", "test"] as const) {
        const ds = await loadDataset({ kind: "sample", split });
        say(`${formatSummary(ds)}\n`);
        const file = join(out, `samples-${split}.png`);
        await writeImageGrid(file, classSampleGrid(ds, { perClass: 12, title: `Fashion-MNIST sample (${split}): ${ds.n} images` }));
        say(`wrote ${file}\n\n`);
      }

      say("2. Training: the seed CNN of the feature-extraction article, in TypeScript on onnxruntime\n\n");
      const run = join(out, "run-seed-cnn");
      const trained = await trainDemoModel(run, (r) =>
        say(`epoch ${r.epoch}: loss ${r.train_loss.toFixed(3)}, validation accuracy ${(100 * r.val_accuracy!).toFixed(1)}% (${Math.round(r.images_per_second)} img/s)\n`),
      );
      await writeChart(join(run, "history.png"), historySpec({ history: trained.history, title: "Training the seed CNN on the sample" }));
      const model = trained.model;
      say(`\n${formatLayers(model)}wrote ${join(run, "model.onnx")} and history.png\n\n`);

      const test = await loadDataset({ kind: "sample", split: "test" });
      const index = DEMO_DEFAULTS.inspectIndex;
      say(`3. Inside the trained model: what each layer sees of test image #${index} (${test.classes[test.labels[index]]})\n\n`);
      const result = await inspectImage(openModel(model), test, index);
      const dir = join(out, "inspect");
      const summary = await writeInspection(dir, result, FASHION_MNIST_CLASSES, { height: test.height, width: test.width, channels: test.channels, pixels: imageAt(test, index) });
      say(`${formatStats(summary.layers)}\nwrote feature maps, histograms and the softmax chart to ${dir}\n\n`);

      say(`4. How good is it: every classification metric on the ${test.n} test images\n\n`);
      const probs = await predictProbabilities(openModel(model), test);
      const evaluation = evaluate(test.labels, probs.data, FASHION_MNIST_CLASSES.length);
      const evalDir = join(run, "evaluation");
      await writeEvaluation(evalDir, evaluation, FASHION_MNIST_CLASSES, "seed CNN on the sample's test images");
      say(`${formatEvaluation(evaluation.report, FASHION_MNIST_CLASSES)}\nwrote report.json, the confusion matrix, ROC and PR curves and the reliability diagram to ${evalDir}\n\n`);
      const head = findHead(model);
      say(`5. The feature space: t-SNE of the penultimate layer (${head.penultimate}) for the ${test.n} test images\n\n`);
      const opened = openModel(model);
      const features = (await collectValues(opened, test, [head.penultimate!])).get(head.penultimate!)!;
      const points = { n: test.n, d: features.data.length / test.n, data: features.data };
      const map = await embed(points, { method: "tsne", seed: 0 });
      const quality = await mapQuality(map.input, { n: test.n, d: 2, data: map.embedding }, test.labels, { inputKnn: map.knn });
      const mapFile = join(out, "tsne-penultimate.png");
      const subtitle = `KL ${map.kl!.toFixed(3)} · 10-NN label accuracy ${quality.knn_accuracy!.toFixed(3)} (features: ${quality.knn_accuracy_input!.toFixed(3)})`;
      await writeChart(mapFile, mapScatterSpec({ embedding: map.embedding, dims: 2, labels: test.labels, classes: FASHION_MNIST_CLASSES, title: "t-SNE of the seed CNN's penultimate layer, sample test images", subtitle }), { formats: ["png"] });
      say(`${subtitle}\nwrote ${mapFile}: which classes the network separates, and which it mixes\n\n`);
      say(`Done. Results are in ${out}\n`);
    });
}

import type { Command } from "commander";
import { join, resolve } from "node:path";
import { imageAt } from "../../data/dataset.js";
import { loadDataset } from "../../data/load.js";
import { FASHION_MNIST_CLASSES } from "../../data/sample.js";
import { seedCnn } from "../../engine/onnx/architectures.js";
import { writeModel } from "../../engine/onnx/io.js";
import { DEFAULT_PREPROCESS, METADATA_KEYS } from "../../engine/onnx/modelInfo.js";
import { openModel } from "../../nn/infer.js";
import { inspectImage } from "../../nn/inspect.js";
import { writeImageGrid } from "../../report/imageGrid.js";
import { writeInspection } from "../../report/inspection.js";
import { classSampleGrid } from "../../report/samples.js";
import { formatSummary } from "./dataset.js";
import { formatStats } from "./inspect.js";
import { formatLayers } from "./layers.js";

interface DemoOptions {
  out: string;
  serve: boolean;
}

export const DEMO_DEFAULTS = { out: "featurelens-demo", inspectIndex: 0 } as const;

const say = (s: string) => process.stdout.write(s);

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

      say("2. The model: the seed CNN of the feature-extraction article, as ONNX (untrained: training comes next)\n\n");
      const model = seedCnn({
        inputShape: [1, 28, 28],
        classes: FASHION_MNIST_CLASSES.length,
        seed: 0,
        build: { metadata: { [METADATA_KEYS.classes]: JSON.stringify(FASHION_MNIST_CLASSES), [METADATA_KEYS.preprocess]: JSON.stringify(DEFAULT_PREPROCESS) } },
      });
      const modelFile = join(out, "seed-cnn-untrained.onnx");
      writeModel(modelFile, model);
      say(`${formatLayers(model)}wrote ${modelFile}\n\n`);

      const test = await loadDataset({ kind: "sample", split: "test" });
      const index = DEMO_DEFAULTS.inspectIndex;
      say(`3. Inside the model: what each layer sees of test image #${index} (${test.classes[test.labels[index]]})\n\n`);
      const result = await inspectImage(openModel(model), test, index);
      const dir = join(out, "inspect");
      const summary = await writeInspection(dir, result, FASHION_MNIST_CLASSES, { height: test.height, width: test.width, channels: test.channels, pixels: imageAt(test, index) });
      say(`${formatStats(summary.layers)}\nwrote feature maps, histograms and the softmax chart to ${dir}\n\n`);
      say(`Done. Results are in ${out}\n`);
    });
}

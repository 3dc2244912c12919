import type { Command } from "commander";
import { writeImageGrid } from "../../report/imageGrid.js";
import { classSampleGrid } from "../../report/samples.js";
import { datasetSummary, formatSummary } from "../../report/text.js";
import { addDataOptions, type DataCliOptions, loadFromOptions } from "../data.js";
import { positiveInt } from "../options.js";
import { addForceOption, guardOutputs, inputsOf, recordOutputs } from "../outputs.js";

interface DatasetOptions extends DataCliOptions {
  json?: boolean;
  grid?: string;
  perClass: number;
  force?: boolean;
}

/** `featurelens dataset`: what a dataset holds, per class, and a picture of it. */
export function registerDataset(program: Command): void {
  const cmd = program
    .command("dataset")
    .description("load a dataset and show its size, classes and class counts")
    .option("--json", "print the summary as JSON")
    .option("--grid <file.png>", "write a PNG grid of sample images, one row per class")
    .option("--per-class <n>", "images per class in the grid", positiveInt("--per-class"), 10)
    .addHelpText("after", "\nExamples:\n  featurelens dataset --data fashion-mnist:test --grid test.png\n  featurelens dataset --data folder:./photos --size 64 --channels 3 --json");
  addForceOption(cmd);
  addDataOptions(cmd).action(async (opts: DatasetOptions) => {
    guardOutputs("dataset", [opts.grid !== undefined ? { path: opts.grid, flag: "--grid" } : null], inputsOf(opts), opts.force);
    const ds = await loadFromOptions(opts);
    if (opts.grid) {
      await writeImageGrid(opts.grid, classSampleGrid(ds, { perClass: opts.perClass, seed: opts.seed }));
      recordOutputs([opts.grid], "dataset");
    }
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(datasetSummary(ds), null, 2)}\n`);
    } else {
      process.stdout.write(formatSummary(ds));
      if (opts.grid) process.stdout.write(`wrote ${opts.grid}\n`);
    }
  });
}

import type { Command } from "commander";
import { classCounts, type Dataset } from "../../data/dataset.js";
import { writeImageGrid } from "../../report/imageGrid.js";
import { classSampleGrid } from "../../report/samples.js";
import { addDataOptions, type DataCliOptions, loadFromOptions } from "../data.js";
import { positiveInt } from "../options.js";

interface DatasetOptions extends DataCliOptions {
  json?: boolean;
  grid?: string;
  perClass: number;
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
  addDataOptions(cmd).action(async (opts: DatasetOptions) => {
    const ds = await loadFromOptions(opts);
    if (opts.grid) await writeImageGrid(opts.grid, classSampleGrid(ds, { perClass: opts.perClass, seed: opts.seed }));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(datasetSummary(ds), null, 2)}\n`);
    } else {
      process.stdout.write(formatSummary(ds));
      if (opts.grid) process.stdout.write(`wrote ${opts.grid}\n`);
    }
  });
}

/** The numbers a script wants about a dataset. */
export function datasetSummary(ds: Dataset): Record<string, unknown> {
  const counts = classCounts(ds);
  return {
    name: ds.name,
    n: ds.n,
    height: ds.height,
    width: ds.width,
    channels: ds.channels,
    classes: ds.classes,
    class_counts: Array.from(counts),
    unlabelled: ds.n - counts.reduce((a, b) => a + b, 0),
  };
}

/** A readable table of class counts. */
export function formatSummary(ds: Dataset): string {
  const counts = classCounts(ds);
  const nameW = Math.max(5, ...ds.classes.map((c) => c.length));
  const lines = [
    `${ds.name}: ${ds.n} images, ${ds.height}×${ds.width}×${ds.channels}, ${ds.classes.length} classes`,
    "",
    `  ${"label".padStart(5)}  ${"class".padEnd(nameW)}  ${"count".padStart(6)}  share`,
    ...ds.classes.map(
      (c, k) => `  ${String(k).padStart(5)}  ${c.padEnd(nameW)}  ${String(counts[k]).padStart(6)}  ${((100 * counts[k]) / Math.max(1, ds.n)).toFixed(1).padStart(5)}%`,
    ),
  ];
  const unlabelled = ds.n - counts.reduce((a, b) => a + b, 0);
  if (unlabelled > 0) lines.push(`  ${"".padStart(5)}  ${"(no label)".padEnd(nameW)}  ${String(unlabelled).padStart(6)}`);
  return `${lines.join("\n")}\n`;
}

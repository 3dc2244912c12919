import type { Command } from "commander";
import { writeImageGrid } from "../../report/imageGrid.js";
import { classSampleGrid } from "../../report/samples.js";
import { datasetSummary, formatSummary } from "../../report/text.js";
import { parseTransform, TRANSFORM_FORMS } from "../../data/transform.js";
import { UsageError } from "../../util/errors.js";
import { copyPaths, type DatasetCopy, writeDatasetCopy } from "../../workflows/datasetCopy.js";
import { addDataOptions, type DataCliOptions, loadFromOptions } from "../data.js";
import { positiveInt } from "../options.js";
import { addForceOption, guardOutputs, inputsOf, recordOutputs } from "../outputs.js";

interface DatasetOptions extends DataCliOptions {
  json?: boolean;
  grid?: string;
  perClass: number;
  force?: boolean;
  transform?: string;
  out?: string;
}

/** `featurelens dataset`: what a dataset holds, per class, and a picture of it. */
export function registerDataset(program: Command): void {
  const cmd = program
    .command("dataset")
    .description("load a dataset and show its size, classes and class counts")
    .option("--json", "print the summary as JSON")
    .option("--grid <file.png>", "write a PNG grid of sample images, one row per class")
    .option("--per-class <n>", "images per class in the grid", positiveInt("--per-class"), 10)
    .option("--transform <t>", `change every image (with --out): ${TRANSFORM_FORMS.map((f) => f.split(/\s{2,}/)[0]).join(" | ")}`)
    .option("--out <X.npy>", "write the images (after --transform) as uint8 X.npy and their labels as int32 X.labels.npy, read back with --data npy:X.npy,X.labels.npy")
    .addHelpText(
      "after",
      `\n--transform:\n  ${TRANSFORM_FORMS.join("\n  ")}\n` +
        "\nExamples:\n  featurelens dataset --data fashion-mnist:test --grid test.png\n  featurelens dataset --data folder:./photos --size 64 --channels 3 --json\n" +
        "  featurelens dataset --data fashion-mnist:test --transform noise:40 --seed 1 --out noisy.npy --grid noisy.png   # a shifted copy for featurelens shift",
    );
  addForceOption(cmd);
  addDataOptions(cmd).action(async (opts: DatasetOptions) => {
    const transform = opts.transform !== undefined ? parseTransform(opts.transform) : undefined;
    if (transform && opts.out === undefined) throw new UsageError("--transform writes a changed copy of the images: say where with --out X.npy");
    const copy = opts.out !== undefined ? copyPaths(opts.out) : undefined;
    guardOutputs(
      "dataset",
      [opts.grid !== undefined ? { path: opts.grid, flag: "--grid" } : null, copy ? { path: copy.images, flag: "--out" } : null, copy ? { path: copy.labels, flag: "--out (labels)" } : null],
      inputsOf(opts),
      opts.force,
    );
    const loaded = await loadFromOptions(opts);
    let written: DatasetCopy | undefined;
    if (opts.out !== undefined) {
      written = writeDatasetCopy(loaded, { out: opts.out, ...(transform ? { transform } : {}), seed: opts.seed });
      recordOutputs([written.images, written.labels], "dataset");
    }
    const ds = written?.dataset ?? loaded;
    if (opts.grid) {
      await writeImageGrid(opts.grid, classSampleGrid(ds, { perClass: opts.perClass, seed: opts.seed }));
      recordOutputs([opts.grid], "dataset");
    }
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(datasetSummary(ds), null, 2)}\n`);
    } else {
      process.stdout.write(formatSummary(ds));
      if (opts.grid) process.stdout.write(`wrote ${opts.grid}\n`);
      if (written) {
        process.stdout.write(`wrote ${written.images} (uint8, ${written.shape.join("×")}${written.transform ? `, ${written.transform}` : ""}) and its labels ${written.labels} (int32); read them with --data ${written.spec}\n`);
      }
    }
  });
}

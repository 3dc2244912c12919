import type { Command } from "commander";
import { join, resolve } from "node:path";
import { loadDataset } from "../../data/load.js";
import { writeImageGrid } from "../../report/imageGrid.js";
import { classSampleGrid } from "../../report/samples.js";
import { formatSummary } from "./dataset.js";

interface DemoOptions {
  out: string;
  serve: boolean;
}

export const DEMO_DEFAULTS = { out: "featurelens-demo" } as const;

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
      for (const split of ["train", "test"] as const) {
        const ds = await loadDataset({ kind: "sample", split });
        process.stdout.write(`${formatSummary(ds)}\n`);
        const file = join(out, `samples-${split}.png`);
        await writeImageGrid(file, classSampleGrid(ds, { perClass: 12, title: `Fashion-MNIST sample (${split}): ${ds.n} images` }));
        process.stdout.write(`wrote ${file}\n\n`);
      }
      process.stdout.write(`Done. Results are in ${out}\n`);
    });
}

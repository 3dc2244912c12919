import type { Command } from "commander";
import { formatSamples } from "../../report/samplesText.js";
import { findSamples, SAMPLE_SORTS, type SampleSort, SAMPLES_DEFAULTS } from "../../workflows/samples.js";
import { positiveInt } from "../options.js";
import { progressByLabel } from "../progress.js";
import { addWorkspaceOption } from "../workspace.js";

interface SamplesCliOptions {
  workspace?: string;
  run: string;
  domain?: string;
  true?: string;
  pred?: string;
  wrong?: boolean;
  correct?: boolean;
  sort?: SampleSort;
  asc?: boolean;
  top: number;
  grid?: string;
  force?: boolean;
  json?: boolean;
}

/** `featurelens samples`: the images behind a confusion-matrix cell or any filter, as a table, JSON and a picture. */
export function registerSamples(program: Command): void {
  const cmd = program
    .command("samples")
    .description("the images behind a confusion-matrix cell or any filter (true class, predicted class, right/wrong), sorted by confidence, loss or margin")
    .requiredOption("--run <run>", "the run: an id in the workspace or a folder")
    .option("--domain <name>", "a domain of the run (as featurelens runs lists it, or its --data spec) instead of the run's own images")
    .option("--true <class>", "only images of this true class: a name (case-sensitive) or an index")
    .option("--pred <class>", "only images predicted as this class: a name or an index")
    .option("--wrong", "only wrong predictions")
    .option("--correct", "only right predictions")
    .option("--sort <key>", `${SAMPLE_SORTS.join(", ")} (default: loss with --wrong, else confidence)`)
    .option("--asc", "smallest first (default: largest first)")
    .option("--top <n>", "how many images to show", positiveInt("--top"), SAMPLES_DEFAULTS.top)
    .option("--grid <out.png>", "write the images as a labelled grid")
    .option("--force", "replace a --grid file that featurelens did not write")
    .option("--json", "print the rows as JSON")
    .addHelpText(
      "after",
      '\nExamples:\n  featurelens samples --run seed --true Shirt --pred "T-shirt/top" --grid shirt-as-tshirt.png\n' +
        "  featurelens samples --run seed --wrong --top 50 --json            # the 50 wrong predictions with the highest loss\n" +
        "  featurelens samples --run seed --domain sample:train --true 6 --correct --sort margin --asc",
    );
  addWorkspaceOption(cmd).action(async (opts: SamplesCliOptions) => {
    const bars = progressByLabel();
    const result = await findSamples({
      ...(opts.workspace ? { workspace: opts.workspace } : {}), run: opts.run, ...(opts.domain !== undefined ? { domain: opts.domain } : {}),
      ...(opts.true !== undefined ? { trueClass: opts.true } : {}), ...(opts.pred !== undefined ? { predictedClass: opts.pred } : {}),
      ...(opts.wrong ? { wrong: true } : {}), ...(opts.correct ? { correct: true } : {}), ...(opts.sort !== undefined ? { sort: opts.sort } : {}),
      ...(opts.asc ? { ascending: true } : {}), top: opts.top, ...(opts.grid !== undefined ? { grid: opts.grid } : {}), ...(opts.force ? { force: true } : {}),
      onProgress: bars.onProgress,
    }).finally(() => bars.stop());
    if (opts.json) {
      const { run, domain, data, description, total, sort, descending, rows, grid } = result;
      process.stdout.write(`${JSON.stringify({ run, domain, data, description, total, sort, descending, ...(grid ? { grid: grid.file } : {}), rows }, null, 1)}\n`);
    } else {
      process.stdout.write(formatSamples(result));
    }
  });
}

import type { Command } from "commander";
import { formatShift } from "../../report/diagnosisText.js";
import { SHIFT_DEFAULTS } from "../../workflows/shiftMeasure.js";
import { shiftRun } from "../../workflows/shift.js";
import { addDataOptions, type DataCliOptions, loadOptionsOf } from "../data.js";
import { positiveInt, threadsOption } from "../options.js";
import { progressByLabel } from "../progress.js";
import { addWorkspaceOption } from "../workspace.js";

interface ShiftCliOptions extends DataCliOptions {
  workspace?: string;
  run: string;
  domain?: string;
  permutations: number;
  maxPoints: number;
  threads?: number;
  batch?: number;
  json?: boolean;
}

/** `featurelens shift`: a second dataset through the run's model, and what the shift did. */
export function registerShift(program: Command): void {
  const cmd = program
    .command("shift")
    .description("a second dataset through the run's model, kept as a domain of the run, and what the domain shift did: both confusion matrices, MMD² with a permutation p-value overall and per class, and where each class moves")
    .requiredOption("--run <run>", "the run: an id in the workspace or a folder")
    .option("--domain <name>", "the domain's name (default: from --data)")
    .option("--permutations <n>", "permutations of the MMD test (the smallest p-value is 1/(n + 1))", positiveInt("--permutations"), SHIFT_DEFAULTS.permutations)
    .option("--max-points <n>", `images per side in the overall MMD test, drawn at random with --seed (per class: at most ${SHIFT_DEFAULTS.maxClassPoints})`, positiveInt("--max-points"), SHIFT_DEFAULTS.maxPoints)
    .option("--batch <n>", "images per run of the model", positiveInt("--batch"))
    .option("--threads <n>", "CPU threads (default: all cores)", threadsOption)
    .option("--json", "print the results as JSON (the same as domains/<name>/shift.json; p_value is the overall test's)")
    .addHelpText(
      "after",
      "\nThe second dataset must have the run's classes (by name; numbered classes 0, 1, … are taken in the run's order). Images of another size are fed to the model at its input size, as analyze does.\n" +
        "Writes domains/<name>/shift.json and shift-confusion.png into the run, beside the domain's predictions, features and evaluation.\n" +
        "\nExamples:\n  featurelens dataset --data fashion-mnist:test --transform invert --out inverted.npy   # inverted.npy + inverted.labels.npy\n" +
        "  featurelens shift --run seed --data npy:inverted.npy,inverted.labels.npy --domain inverted\n" +
        "  featurelens shift --run photos --data folder:./sketches --size 224 --channels 3 --json",
    );
  addWorkspaceOption(cmd);
  addDataOptions(cmd).action(async (opts: ShiftCliOptions) => {
    const bars = progressByLabel();
    const r = await shiftRun({
      ...(opts.workspace ? { workspace: opts.workspace } : {}), run: opts.run, data: opts.data, load: loadOptionsOf(opts), ...(opts.domain ? { domain: opts.domain } : {}),
      permutations: opts.permutations, maxPoints: opts.maxPoints, seed: opts.seed, ...(opts.threads ? { threads: opts.threads } : {}), ...(opts.batch ? { batchSize: opts.batch } : {}),
      argv: process.argv.slice(2),
      onStage: (s) => process.stderr.write(process.stderr.isTTY ? `featurelens: ${s}…\n` : ""),
      onProgress: bars.onProgress,
      onNotice: (m) => process.stderr.write(`featurelens: ${m}\n`),
    }).finally(() => bars.stop());
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ ...r.shift, files: r.files }, (_, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 1)}\n`);
      return;
    }
    process.stdout.write(formatShift(r.shift));
    process.stdout.write(`wrote ${r.files.join(", ")} in run ${r.shift.run} (${r.seconds.toFixed(1)} s)\n`);
  });
}

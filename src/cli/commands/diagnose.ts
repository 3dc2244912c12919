import type { Command } from "commander";
import { formatLayers, formatSeparation } from "../../report/diagnosisText.js";
import { DIAGNOSE_DEFAULTS, diagnoseRun } from "../../workflows/diagnose.js";
import { integer, positiveInt, threadsOption } from "../options.js";
import { progressByLabel } from "../progress.js";
import { addWorkspaceOption } from "../workspace.js";

interface DiagnoseCliOptions {
  workspace?: string;
  run: string;
  domain?: string;
  layers: boolean;
  maxImages: number;
  seed: number;
  threads?: number;
  json?: boolean;
}

/** `featurelens diagnose`: which classes mix, which separate, and from which layer on. */
export function registerDiagnose(program: Command): void {
  const cmd = program
    .command("diagnose")
    .description("which classes mix and which separate in feature space (kNN purity, silhouettes, the pairs that mix with example images, in words), and how well the classes separate layer by layer")
    .requiredOption("--run <run>", "the run: an id in the workspace or a folder")
    .option("--domain <name>", "a domain of the run (its name, or the --data spec it was made from) instead of the run's own images")
    .option("--no-layers", "skip the layer-by-layer curve (it runs the model again over the images)")
    .option("--max-images <n>", "images for the layer curve: a stratified sample of this many", positiveInt("--max-images"), DIAGNOSE_DEFAULTS.maxImages)
    .option("--seed <s>", "seed of the samples and the held-out split", integer("--seed"), DIAGNOSE_DEFAULTS.seed)
    .option("--threads <n>", "CPU threads (default: all cores)", threadsOption)
    .option("--json", "print the results as JSON (the same as diagnose/separation.json and layers.json)")
    .addHelpText(
      "after",
      "\nWrites diagnose/separation.json, diagnose/layers.json and diagnose/layers.png into the run (a domain's under domains/<name>/diagnose/).\n" +
        "\nExamples:\n  featurelens diagnose --run seed-cnn --workspace featurelens-demo\n  featurelens diagnose --run seed --domain fashion-mnist:train --no-layers --json",
    );
  addWorkspaceOption(cmd).action(async (opts: DiagnoseCliOptions) => {
    const bars = progressByLabel();
    const r = await diagnoseRun({
      ...(opts.workspace ? { workspace: opts.workspace } : {}), run: opts.run, ...(opts.domain !== undefined ? { domain: opts.domain } : {}),
      layers: opts.layers, maxImages: opts.maxImages, seed: opts.seed, ...(opts.threads ? { threads: opts.threads } : {}), argv: process.argv.slice(2),
      onStage: (s) => process.stderr.write(process.stderr.isTTY ? `featurelens: ${s}…\n` : ""),
      onProgress: bars.onProgress,
      onNotice: (m) => process.stderr.write(`featurelens: ${m}\n`),
    }).finally(() => bars.stop());
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ run: r.run, domain: r.domain, separation: r.separation, layers: r.layers, files: r.files }, (_, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 1)}\n`);
      return;
    }
    process.stdout.write(formatSeparation(r.separation));
    if (r.layers) process.stdout.write(formatLayers(r.layers));
    process.stdout.write(`wrote ${r.files.join(", ")} in run ${r.run} (${r.seconds.toFixed(1)} s)\n`);
  });
}

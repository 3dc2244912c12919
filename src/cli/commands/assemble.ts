import type { Command } from "commander";
import { MAP_METHODS, parseMapMethods } from "../../workflows/analyze.js";
import { formatAnalysis } from "../../report/runText.js";
import { assembleRun } from "../../workflows/assemble.js";
import { addDataOptions, type DataCliOptions, loadOptionsOf } from "../data.js";
import { addPreprocessOptions, type PreprocessCliOptions, preprocessOf } from "../model.js";
import { listOption, threadsOption } from "../options.js";
import { progressByLabel } from "../progress.js";
import { addWorkspaceOption } from "../workspace.js";

interface AssembleCliOptions extends DataCliOptions, PreprocessCliOptions {
  workspace?: string;
  model: string;
  out: string;
  predictions: string[];
  features?: string[];
  maps: string[];
  threads?: number;
  force?: boolean;
}


/** `featurelens assemble`: the parts of sharded predict/extract workers, checked and put together as one run. */
export function registerAssemble(program: Command): void {
  const cmd = program
    .command("assemble")
    .description("put the Parquet parts of `predict --shard`/`extract --shard` workers together as one run (checked to hold every image once, from this model), then evaluate and map it")
    .requiredOption("--model <file.onnx|run>", "the model the workers ran")
    .requiredOption("--predictions <glob...>", "predictions parts: files or a quoted glob ('parts/p-*.parquet')")
    .option("--features <glob...>", "features parts of one layer: files or a quoted glob ('parts/f-*.parquet'); without them, no maps")
    .requiredOption("--out <run>", "the run to write: an id in the workspace (runs/<id>) or a folder")
    .option("--maps <list>", `maps of the penultimate features: ${MAP_METHODS.join(", ")} or none`, listOption, ["tsne", "pca"])
    .option("--threads <n>", "CPU threads (default: all cores)", threadsOption)
    .option("--force", "write into a folder that holds other files")
    .addHelpText(
      "after",
      "\nGive the same --model, --data, --limit, --only, --seed and preprocessing as the workers.\n\nExample:\n" +
        "  featurelens assemble --model model.onnx --data fashion-mnist:test --predictions 'parts/p-*.parquet' --features 'parts/f-*.parquet' --out fm-test",
    );
  addWorkspaceOption(cmd);
  addPreprocessOptions(cmd);
  addDataOptions(cmd).action(async (opts: AssembleCliOptions) => {
    const bars = progressByLabel();
    const result = await assembleRun({
      ...(opts.workspace ? { workspace: opts.workspace } : {}), out: opts.out, model: opts.model, data: opts.data, load: loadOptionsOf(opts),
      predictions: opts.predictions, ...(opts.features ? { features: opts.features } : {}), maps: parseMapMethods(opts.maps), preprocess: preprocessOf(opts), seed: opts.seed,
      ...(opts.threads ? { threads: opts.threads } : {}), ...(opts.force ? { force: true } : {}), argv: process.argv.slice(2),
      onStage: (s) => process.stderr.write(process.stderr.isTTY ? `featurelens: ${s}…\n` : ""),
      onProgress: bars.onProgress,
      onNotice: (m) => process.stderr.write(`featurelens: ${m}\n`),
    }).finally(() => bars.stop());
    const { predictions, features } = result.parts;
    process.stdout.write(`assembled ${predictions.length} predictions part${predictions.length === 1 ? "" : "s"}${features.length ? ` and ${features.length} features part${features.length === 1 ? "" : "s"}` : ""}\n`);
    process.stdout.write(formatAnalysis(result.run, result.domain, result.stages));
  });
}

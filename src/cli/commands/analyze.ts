import type { Command } from "commander";
import { MAP_METHODS, parseMapMethods } from "../../workflows/analyze.js";
import { formatAnalysis } from "../../report/runText.js";
import { analyzeRun } from "../../workflows/analyzeRun.js";
import { addDataOptions, type DataCliOptions, loadOptionsOf } from "../data.js";
import { addPreprocessOptions, type PreprocessCliOptions, preprocessOf } from "../model.js";
import { listOption, positiveInt, threadsOption } from "../options.js";
import { progressByLabel } from "../progress.js";
import { addWorkspaceOption } from "../workspace.js";

interface AnalyzeCliOptions extends DataCliOptions, PreprocessCliOptions {
  workspace?: string;
  model?: string;
  run?: string;
  out?: string;
  domain?: string;
  layers?: string[];
  maps: string[];
  threads?: number;
  batch?: number;
  force?: boolean;
}


/** `featurelens analyze`: predictions, evaluation, features and maps of one model on one dataset, as one run. */
export function registerAnalyze(program: Command): void {
  const cmd = program
    .command("analyze")
    .description("one model on one dataset, as a run: predictions, every metric, features, t-SNE/PCA/UMAP maps and their quality")
    .option("--model <file.onnx|run>", "the model: an ONNX file (PyTorch/Keras export) or a run folder")
    .option("--out <run>", "the run to write: an id in the workspace (runs/<id>) or a folder")
    .option("--run <run>", "instead of --model/--out: add --data as a domain of this run (a shifted test set, the training images)")
    .option("--domain <name>", "with --run: the domain's name (default: from --data)")
    .option("--layers <list>", "layers whose features to keep: penultimate, logits, input, names or indices", listOption, ["penultimate"])
    .option("--maps <list>", `maps of the penultimate features: ${MAP_METHODS.join(", ")} or none`, listOption, ["tsne", "pca"])
    .option("--batch <n>", "images per run of the model", positiveInt("--batch"))
    .option("--threads <n>", "CPU threads (default: all cores)", threadsOption)
    .option("--force", "write into a folder that holds other files")
    .addHelpText(
      "after",
      "\nExamples:\n  featurelens analyze --model resnet.onnx --data folder:./photos --size 224 --channels 3 --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 --out photos\n" +
        "  featurelens analyze --model runs/seed --data fashion-mnist:test --out seed-test\n  featurelens analyze --run seed-test --data fashion-mnist:train   # the training images as a domain of the run",
    );
  addWorkspaceOption(cmd);
  addPreprocessOptions(cmd);
  addDataOptions(cmd).action(async (opts: AnalyzeCliOptions) => {
    const bars = progressByLabel();
    const maps = parseMapMethods(opts.maps);
    const result = await analyzeRun({
      ...(opts.workspace ? { workspace: opts.workspace } : {}), ...(opts.out !== undefined ? { out: opts.out } : {}), ...(opts.run !== undefined ? { run: opts.run } : {}),
      ...(opts.model !== undefined ? { model: opts.model } : {}), ...(opts.domain ? { domain: opts.domain } : {}),
      data: opts.data, load: loadOptionsOf(opts), layers: opts.layers ?? ["penultimate"], maps, preprocess: preprocessOf(opts), seed: opts.seed,
      ...(opts.threads ? { threads: opts.threads } : {}), ...(opts.batch ? { batchSize: opts.batch } : {}), ...(opts.force ? { force: true } : {}),
      argv: process.argv.slice(2),
      onStage: (s) => process.stderr.write(process.stderr.isTTY ? `featurelens: ${s}…\n` : ""),
      onProgress: bars.onProgress,
      onNotice: (m) => process.stderr.write(`featurelens: ${m}\n`),
    }).finally(() => bars.stop());
    process.stdout.write(formatAnalysis(result.run, result.domain, result.stages));
  });
}

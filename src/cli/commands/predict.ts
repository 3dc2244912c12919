import type { Command } from "commander";
import { formatShard, parseShard } from "../../data/shard.js";
import { checkPredictOutputs, predictToFile } from "../../workflows/predict.js";
import { addDataOptions, type DataCliOptions, loadFromOptions } from "../data.js";
import { addModelOptions, inferOptions, type ModelCliOptions, openFromOptions } from "../model.js";
import { addForceOption, guardOutputs, inputsOf, recordOutputs } from "../outputs.js";

interface PredictOptions extends DataCliOptions, ModelCliOptions {
  out: string;
  labelsOut?: string;
  shard?: string;
  force?: boolean;
}

/** `featurelens predict`: class probabilities for every image. */
export function registerPredict(program: Command): void {
  const cmd = program
    .command("predict")
    .description("class probabilities (N×K float32) for every image; .parquet writes the predictions table (index, split, label, predicted, confidence, margin, loss, probabilities)")
    .requiredOption("--out <file.npy|file.parquet>", "where to write the probabilities")
    .option("--labels-out <file.npy>", "also write the images' labels (int32), for `featurelens evaluate --labels … --probs …`")
    .option("--shard <i/n>", "only the i-th of n strided parts (rows i, i+n, …; i from 0), as a Parquet part for `featurelens assemble`")
    .addHelpText(
      "after",
      "\nExamples:\n  featurelens predict --model model.onnx --data fashion-mnist:test --out probs.npy\n  featurelens predict --model runs/a --data sample:test --out preds.parquet\n" +
        "  featurelens predict --model model.onnx --data fashion-mnist:test --shard $JOB_COMPLETION_INDEX/100 --out parts/p-$JOB_COMPLETION_INDEX.parquet",
    );
  addModelOptions(cmd);
  addForceOption(cmd);
  addDataOptions(cmd).action(async (opts: PredictOptions) => {
    const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
    checkPredictOutputs({ out: opts.out, ...(opts.labelsOut !== undefined ? { labelsOut: opts.labelsOut } : {}), ...(shard ? { shard } : {}) });
    guardOutputs("predict", [{ path: opts.out, flag: "--out" }, opts.labelsOut !== undefined ? { path: opts.labelsOut, flag: "--labels-out" } : null], inputsOf(opts), opts.force);
    const opened = openFromOptions(opts);
    const dataset = await loadFromOptions(opts);
    const { options, done } = inferOptions(opts, "predicting");
    const r = await predictToFile({
      opened, out: opts.out, infer: options, ...(opts.labelsOut !== undefined ? { labelsOut: opts.labelsOut } : {}), ...(shard ? { shard } : {}),
      data: { dataset, spec: opts.data, seed: opts.seed, ...(opts.limit !== undefined ? { limit: opts.limit } : {}), ...(opts.only !== undefined ? { only: opts.only } : {}) },
    }).finally(done);
    recordOutputs([r.out, ...(opts.labelsOut ? [opts.labelsOut] : [])], "predict");
    const acc = r.labelled ? `, accuracy ${((100 * r.correct) / r.labelled).toFixed(2)}% on ${r.labelled} labelled images` : "";
    const part = r.shard ? ` (shard ${formatShard(r.shard)} of ${dataset.n} images)` : "";
    process.stdout.write(`wrote ${r.out}: ${r.n}×${r.k} probabilities${part}${acc}${opts.labelsOut ? `; labels in ${opts.labelsOut}` : ""}\n`);
  });
}

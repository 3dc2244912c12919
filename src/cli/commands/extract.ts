import type { Command } from "commander";
import { formatShard, parseShard } from "../../data/shard.js";
import { checkExtract, extractToFile } from "../../workflows/extract.js";
import { addDataOptions, type DataCliOptions, loadFromOptions } from "../data.js";
import { addModelOptions, inferOptions, type ModelCliOptions, openFromOptions } from "../model.js";
import { addForceOption, guardOutputs, inputsOf, recordOutputs } from "../outputs.js";

interface ExtractOptions extends DataCliOptions, ModelCliOptions {
  layer: string;
  out: string;
  keepShape?: boolean;
  shard?: string;
  force?: boolean;
}

/** `featurelens extract`: one layer's values for every image, as N×D float32. */
export function registerExtract(program: Command): void {
  const cmd = program
    .command("extract")
    .description("a layer's values for every image as float32 .npy (N×D; conv maps flattened unless --keep-shape), or a Parquet part (index, label, features)")
    .option("--layer <name>", "penultimate, logits, a layer name or index from `featurelens layers`", "penultimate")
    .requiredOption("--out <file.npy|file.parquet>", "where to write the features")
    .option("--keep-shape", "keep conv maps as N×C×H×W instead of flattening to N×D (.npy only)")
    .option("--shard <i/n>", "only the i-th of n strided parts (rows i, i+n, …; i from 0), as a Parquet part for `featurelens assemble`")
    .addHelpText(
      "after",
      "\nExamples:\n  featurelens extract --model model.onnx --data fashion-mnist:test --out feats.npy\n" +
        "  featurelens extract --model model.onnx --data sample:test --layer /layer4/layer4.1/relu_1/Relu --keep-shape --out maps.npy\n" +
        "  featurelens extract --model model.onnx --data fashion-mnist:test --shard $JOB_COMPLETION_INDEX/100 --out parts/f-$JOB_COMPLETION_INDEX.parquet",
    );
  addModelOptions(cmd);
  addForceOption(cmd);
  addDataOptions(cmd).action(async (opts: ExtractOptions) => {
    const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
    const sidecar = opts.out.endsWith(".npy") ? opts.out.replace(/\.npy$/, ".json") : null;
    guardOutputs("extract", [{ path: opts.out, flag: "--out" }, sidecar ? { path: sidecar, flag: "--out (its sidecar)" } : null], inputsOf(opts), opts.force);
    const opened = openFromOptions(opts);
    checkExtract({ opened, layer: opts.layer, out: opts.out, ...(opts.keepShape ? { keepShape: true } : {}), ...(shard ? { shard } : {}) });
    const dataset = await loadFromOptions(opts);
    const { options, done } = inferOptions(opts, "extracting");
    const r = await extractToFile({
      opened, layer: opts.layer, out: opts.out, infer: options, ...(opts.keepShape ? { keepShape: true } : {}), ...(shard ? { shard } : {}),
      data: { dataset, spec: opts.data, seed: opts.seed, ...(opts.limit !== undefined ? { limit: opts.limit } : {}), ...(opts.only !== undefined ? { only: opts.only } : {}) },
    }).finally(done);
    recordOutputs([r.out, ...(sidecar ? [sidecar] : [])], "extract");
    const part = r.shard ? ` (shard ${formatShard(r.shard)} of ${dataset.n} images)` : "";
    process.stdout.write(`wrote ${r.out}: ${r.shape.join("×")} float32 from '${r.layer}'${part}\n`);
  });
}

import type { Command } from "commander";
import { writeNpy } from "../../data/npy.js";
import { resolveLayer } from "../../engine/onnx/surgery.js";
import { collectValues } from "../../nn/infer.js";
import { addDataOptions, type DataCliOptions, loadFromOptions } from "../data.js";
import { addModelOptions, inferOptions, type ModelCliOptions, openFromOptions } from "../model.js";

interface ExtractOptions extends DataCliOptions, ModelCliOptions {
  layer: string;
  out: string;
  keepShape?: boolean;
}

/** `featurelens extract`: one layer's values for every image, as N×D float32. */
export function registerExtract(program: Command): void {
  const cmd = program
    .command("extract")
    .description("a layer's values for every image as float32 .npy (N×D; conv maps flattened unless --keep-shape)")
    .option("--layer <name>", "penultimate, logits, a layer name or index from `featurelens layers`", "penultimate")
    .requiredOption("--out <file.npy>", "where to write the features")
    .option("--keep-shape", "keep conv maps as N×C×H×W instead of flattening to N×D")
    .addHelpText("after", "\nExamples:\n  featurelens extract --model model.onnx --data fashion-mnist:test --out feats.npy\n  featurelens extract --model model.onnx --data sample:test --layer /layer4/layer4.1/relu_1/Relu --keep-shape --out maps.npy");
  addModelOptions(cmd);
  addDataOptions(cmd).action(async (opts: ExtractOptions) => {
    const opened = openFromOptions(opts);
    const { value, layer } = resolveLayer(opened.model, opts.layer);
    const ds = await loadFromOptions(opts);
    const { options, done } = inferOptions(opts, "extracting");
    const got = (await collectValues(opened, ds, [value], options).finally(done)).get(value)!;
    const n = got.dims[0];
    const shape = opts.keepShape ? got.dims : [n, got.data.length / Math.max(1, n)];
    writeNpy(opts.out, { dtype: "float32", shape, data: got.data });
    process.stdout.write(`wrote ${opts.out}: ${shape.join("×")} float32 from '${layer?.name ?? value}'\n`);
  });
}

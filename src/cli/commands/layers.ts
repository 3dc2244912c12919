import type { Command } from "commander";
import { findHead, listLayers } from "../../engine/onnx/surgery.js";
import { readModel } from "../../engine/onnx/io.js";
import { inputSpec } from "../../engine/onnx/modelInfo.js";
import { modelPath } from "../../nn/open.js";
import { formatLayers } from "../../report/text.js";

/** `featurelens layers`: the layers of a model, their output shapes and parameter counts. */
export function registerLayers(program: Command): void {
  program
    .command("layers")
    .description("list a model's layers with output shapes, and find its logits and penultimate layer")
    .requiredOption("--model <file.onnx|run>", "an ONNX classifier, or a run folder holding model.onnx")
    .option("--json", "print as JSON")
    .addHelpText("after", "\nExample:\n  featurelens layers --model resnet18.onnx")
    .action((opts: { model: string; json?: boolean }) => {
      const model = readModel(modelPath(opts.model));
      const layers = listLayers(model);
      const head = findHead(model);
      const spec = inputSpec(model);
      if (opts.json) {
        const out = {
          input: spec,
          output: head.output,
          activation: head.activation,
          logits: head.logits,
          penultimate: head.penultimate ?? null,
          layers: layers.map((l) => ({ ...l, shape: l.shape ?? null })),
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      process.stdout.write(formatLayers(model));
    });
}

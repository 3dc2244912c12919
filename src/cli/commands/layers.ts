import type { Command } from "commander";
import { findHead, listLayers } from "../../engine/onnx/surgery.js";
import { readModel } from "../../engine/onnx/io.js";
import type { ModelIR } from "../../engine/onnx/ir.js";
import { inputSpec } from "../../engine/onnx/modelInfo.js";
import { formatShape } from "../../engine/tensor.js";
import { modelPath } from "../model.js";

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

/** The layer table `featurelens layers` prints. */
export function formatLayers(model: ModelIR): string {
  const layers = listLayers(model);
  const head = findHead(model);
  const spec = inputSpec(model);
  const penultimate = layers.find((l) => l.output === head.penultimate);
  const logits = layers.find((l) => l.output === head.logits);
  const nameW = Math.min(60, Math.max(5, ...layers.map((l) => l.name.length)));
  const lines = [
    `input ${spec.name}: ${spec.layout} ${spec.channels}×${spec.height ?? "?"}×${spec.width ?? "?"}`,
    "",
    `  ${"#".padStart(3)}  ${"layer".padEnd(nameW)}  ${"op".padEnd(18)}  ${"output shape".padEnd(18)}  ${"params".padStart(9)}`,
    ...layers.map((l) => {
      const mark = l === penultimate ? "  ← penultimate" : l === logits ? "  ← logits" : "";
      return `  ${String(l.index).padStart(3)}  ${l.name.padEnd(nameW)}  ${l.op.padEnd(18)}  ${(l.shape ? formatShape(l.shape) : "?").padEnd(18)}  ${String(l.params).padStart(9)}${mark}`;
    }),
    "",
    `${layers.reduce((s, l) => s + l.params, 0).toLocaleString("en-US")} parameters; output '${head.output}' is ${head.activation === "none" ? "logits" : head.activation === "softmax" ? "softmax probabilities" : "log-probabilities"}`,
  ];
  return `${lines.join("\n")}\n`;
}

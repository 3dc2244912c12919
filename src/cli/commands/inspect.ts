import type { Command } from "commander";
import { resolve } from "node:path";
import { formatStats } from "../../report/text.js";
import { UsageError } from "../../util/errors.js";
import { inspectToFolder } from "../../workflows/inspectImage.js";
import { addDataOptions, type DataCliOptions, loadOptionsOf } from "../data.js";
import { addModelOptions, type ModelCliOptions, preprocessOf } from "../model.js";
import { integer } from "../options.js";
import { addForceOption, guardOutputs, inputsOf, recordOutputs } from "../outputs.js";
import { progressByLabel } from "../progress.js";

interface InspectOptions extends DataCliOptions, ModelCliOptions {
  index: number;
  out: string;
  force?: boolean;
}

/** `featurelens inspect`: what each layer sees for one image. */
export function registerInspect(program: Command): void {
  const cmd = program
    .command("inspect")
    .description("for one image: every layer's feature maps and activation histogram, the softmax, and summary.json")
    .requiredOption("--index <i>", "which image of the dataset", integer("--index"))
    .requiredOption("--out <dir>", "folder for the pictures and summary.json")
    .addHelpText("after", "\nExample:\n  featurelens inspect --model model.onnx --data sample:test --index 42 --out inspect-42");
  addModelOptions(cmd);
  addForceOption(cmd);
  addDataOptions(cmd).action(async (opts: InspectOptions) => {
    guardOutputs("inspect", [{ path: opts.out, flag: "--out", kind: "folder" }], inputsOf(opts), opts.force);
    if (opts.device !== "cpu" && opts.device !== "cuda") throw new UsageError(`--device takes cpu or cuda, got '${opts.device}'`);
    const bars = progressByLabel();
    const out = resolve(opts.out);
    const r = await inspectToFolder({
      model: opts.model, preprocess: preprocessOf(opts), data: opts.data, load: loadOptionsOf(opts), index: opts.index, out,
      infer: { executionProvider: opts.device, ...(opts.threads ? { threads: opts.threads } : {}) }, onProgress: bars.onProgress,
    }).finally(() => bars.stop());
    recordOutputs(r.files, "inspect");
    process.stdout.write(
      `image #${r.index} (${r.label ?? "no label"}): predicted ${r.predicted} with ${(100 * r.confidence).toFixed(1)}%\n\n` +
        formatStats(r.layers) +
        `\nwrote ${r.layers.length} layers' pictures and summary.json to ${out}\n`,
    );
  });
}

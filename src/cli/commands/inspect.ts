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
  gradcam?: string | true;
  class?: string;
  force?: boolean;
}

/** `featurelens inspect`: what each layer sees for one image. */
export function registerInspect(program: Command): void {
  const cmd = program
    .command("inspect")
    .description("for one image: every layer's feature maps and activation histogram, the softmax, and summary.json")
    .requiredOption("--index <i>", "which image of the dataset", integer("--index"))
    .requiredOption("--out <dir>", "folder for the pictures and summary.json")
    .option("--gradcam [layer]", "also Grad-CAM and saliency (gradcam.png, saliency.png) of this conv layer (default: the last conv layer)")
    .option("--class <c>", "the class Grad-CAM explains, by name or index (default: the predicted class)")
    .addHelpText("after", "\nExamples:\n  featurelens inspect --model model.onnx --data sample:test --index 42 --out inspect-42\n  featurelens inspect --model runs/seed --data sample:test --index 42 --gradcam --class Sneaker --out inspect-42");
  addModelOptions(cmd);
  addForceOption(cmd);
  addDataOptions(cmd).action(async (opts: InspectOptions) => {
    guardOutputs("inspect", [{ path: opts.out, flag: "--out", kind: "folder" }], inputsOf(opts), opts.force);
    if (opts.device !== "cpu" && opts.device !== "cuda") throw new UsageError(`--device takes cpu or cuda, got '${opts.device}'`);
    if (opts.class !== undefined && opts.gradcam === undefined) throw new UsageError("--class chooses the class Grad-CAM explains; add --gradcam");
    const bars = progressByLabel();
    const out = resolve(opts.out);
    const r = await inspectToFolder({
      model: opts.model, preprocess: preprocessOf(opts), data: opts.data, load: loadOptionsOf(opts), index: opts.index, out,
      infer: { executionProvider: opts.device, ...(opts.threads ? { threads: opts.threads } : {}) }, onProgress: bars.onProgress,
      ...(opts.gradcam !== undefined ? { gradcam: { ...(typeof opts.gradcam === "string" ? { layer: opts.gradcam } : {}), ...(opts.class !== undefined ? { class: opts.class } : {}) } } : {}),
    }).finally(() => bars.stop());
    recordOutputs(r.files, "inspect");
    process.stdout.write(
      `image #${r.index} (${r.label ?? "no label"}): predicted ${r.predicted} with ${(100 * r.confidence).toFixed(1)}%\n\n` +
        formatStats(r.layers) +
        (r.gradcam ? `\nGrad-CAM of ${r.gradcam.layer} (${r.gradcam.why}) for ${r.gradcam.className}${r.gradcam.predicted ? " (the predicted class)" : ""}, logit ${r.gradcam.logit.toFixed(3)}: gradcam.png, saliency.png, gradcam.json\n` : "") +
        `\nwrote ${r.layers.length} layers' pictures and summary.json to ${out}\n`,
    );
  });
}

import type { Command } from "commander";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { inspectImage } from "../../nn/inspect.js";
import { writeInspection } from "../../report/inspection.js";
import { formatStats } from "../../report/text.js";
import { imageAt } from "../../data/dataset.js";
import { classNamesFor } from "../../nn/classes.js";
import { addDataOptions, type DataCliOptions, loadFromOptions } from "../data.js";
import { addModelOptions, type ModelCliOptions, openFromOptions } from "../model.js";
import { integer } from "../options.js";
import { addForceOption, guardOutputs, inputsOf, recordOutputs } from "../outputs.js";
import { createProgress } from "../progress.js";

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
    const opened = openFromOptions(opts);
    const ds = await loadFromOptions(opts);
    const result = await inspectImage(opened, ds, opts.index, { executionProvider: opts.device, ...(opts.threads ? { threads: opts.threads } : {}) });
    const names = classNamesFor(opened.model, ds, result.probabilities.length);
    const out = resolve(opts.out);
    const bar = createProgress({ label: "drawing", total: result.layers.length, unit: "layers" });
    const summary = await writeInspection(out, result, names, { height: ds.height, width: ds.width, channels: ds.channels, pixels: imageAt(ds, opts.index) }, (d, t) => bar.update(d, t)).finally(() => bar.stop());
    recordOutputs(listFiles(out), "inspect");
    const label = result.label >= 0 ? names[result.label] : "no label";
    process.stdout.write(
      `image #${opts.index} (${label}): predicted ${names[result.predicted]} with ${(100 * result.probabilities[result.predicted]).toFixed(1)}%\n\n` +
        formatStats(summary.layers) +
        `\nwrote ${summary.layers.length} layers' pictures and summary.json to ${out}\n`,
    );
  });
}

/** Every file under a folder (the ledger of each sub-folder records its own). */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

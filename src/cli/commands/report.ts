import type { Command } from "commander";
import { UsageError } from "../../util/errors.js";
import { reportRun } from "../../workflows/reportRun.js";
import { addForceOption, guardOutputs, recordOutputs } from "../outputs.js";
import { addWorkspaceOption } from "../workspace.js";

interface ReportCliOptions {
  workspace?: string;
  run: string;
  compare?: string;
  out: string;
  force?: boolean;
}

/** `featurelens report`: one self-contained HTML page about a run (and, with --compare, a second run on the same images). */
export function registerReport(program: Command): void {
  const cmd = program
    .command("report")
    .description("one HTML file about a run that opens offline: metrics, confusions, curves, calibration, the feature-space map, images, layers, training, domains")
    .requiredOption("--run <run>", "the run: an id in the workspace or a folder")
    .option("--compare <run>", "a second run of another model on the same images, set beside the first")
    .requiredOption("--out <file.html>", "the HTML file to write")
    .addHelpText("after", "\nExamples:\n  featurelens report --run seed --out report.html\n  featurelens report --run seed-50k --compare seed-10k --workspace runs-dir --out 50k-vs-10k.html");
  addForceOption(cmd);
  addWorkspaceOption(cmd).action(async (opts: ReportCliOptions) => {
    if (!opts.out.endsWith(".html")) throw new UsageError(`--out must be a file name ending in .html, got '${opts.out}'`);
    guardOutputs("report", [{ path: opts.out, flag: "--out" }], [], opts.force);
    const result = await reportRun({
      run: opts.run, out: opts.out, ...(opts.compare ? { compare: opts.compare } : {}), ...(opts.workspace ? { workspace: opts.workspace } : {}),
      onStage: (s) => process.stderr.write(process.stderr.isTTY ? `featurelens: ${s}…\n` : ""),
    });
    recordOutputs([result.file], "report");
    process.stdout.write(`wrote ${result.file} (${(result.bytes / 1e6).toFixed(2)} MB in ${result.seconds.toFixed(1)} s)\n`);
  });
}

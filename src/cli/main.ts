import { Command, CommanderError } from "commander";
import { FEATURELENS_VERSION } from "../util/version.js";
import sharp from "sharp";
import { isUserError } from "../util/errors.js";
import { registerAnalyze } from "./commands/analyze.js";
import { registerAssemble } from "./commands/assemble.js";
import { registerCompare } from "./commands/compare.js";
import { registerDataset } from "./commands/dataset.js";
import { registerDemo } from "./commands/demo.js";
import { registerDiagnose } from "./commands/diagnose.js";
import { registerEmbed } from "./commands/embed.js";
import { registerEvaluate } from "./commands/evaluate.js";
import { registerNeighbors } from "./commands/neighbors.js";
import { registerExport } from "./commands/export.js";
import { registerExtract } from "./commands/extract.js";
import { registerInspect } from "./commands/inspect.js";
import { registerLabelIssues } from "./commands/labelIssues.js";
import { registerLayers } from "./commands/layers.js";
import { registerPlot } from "./commands/plot.js";
import { registerPredict } from "./commands/predict.js";
import { registerReport } from "./commands/report.js";
import { registerShift } from "./commands/shift.js";
import { registerTrain } from "./commands/train.js";
import { registerRuns } from "./commands/runs.js";
import { registerSamples } from "./commands/samples.js";
import { registerServe } from "./commands/serve.js";
import { registerTransfer } from "./commands/transfer.js";

/** The `featurelens` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command("featurelens")
    .description("See what an image classifier has learned.")
    .version(FEATURELENS_VERSION, "-V, --version")
    .option("--verbose", "print stack traces on errors")
    .showHelpAfterError("(add --help for usage)")
    .addHelpText("after", "\nStart with:\n  featurelens demo\n  featurelens dataset --data sample:train --grid samples.png");
  registerDemo(program);
  registerDataset(program);
  registerLayers(program);
  registerPredict(program);
  registerEvaluate(program);
  registerExtract(program);
  registerInspect(program);
  registerTrain(program);
  registerTransfer(program);
  registerEmbed(program);
  registerNeighbors(program);
  registerDiagnose(program);
  registerShift(program);
  registerAnalyze(program);
  registerAssemble(program);
  registerRuns(program);
  registerSamples(program);
  registerLabelIssues(program);
  registerExport(program);
  registerPlot(program);
  registerReport(program);
  registerCompare(program);
  registerServe(program);
  return program;
}

/** Runs the CLI; returns the exit code. Errors print one line (a stack only with --verbose). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  // The CLI decodes each image once: sharp's operation cache only costs time here (10–20% measured).
  sharp.cache(false);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander has printed it
    const verbose = argv.includes("--verbose");
    if (isUserError(err)) {
      process.stderr.write(`featurelens: error: ${err.message}\n`);
      if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
    } else {
      const e = err as Error;
      process.stderr.write(`featurelens: unexpected error: ${e?.message ?? String(err)}\n`);
      process.stderr.write(verbose && e?.stack ? `${e.stack}\n` : "(run again with --verbose for the stack trace)\n");
    }
    return 1;
  }
}

import type { Command } from "commander";
import { resolve } from "node:path";
import { reportJson } from "../../report/evaluation.js";
import { formatEvaluation } from "../../report/evaluationText.js";
import { evaluateScores } from "../../workflows/evaluateScores.js";
import { addDataOptions, type DataCliOptions, loadOptionsOf } from "../data.js";
import { listOption, positiveInt, threadsOption } from "../options.js";
import { progressByLabel } from "../progress.js";
import { addForceOption, guardOutputs, inputsOf, recordOutputs } from "../outputs.js";
import { addWorkspaceOption } from "../workspace.js";

interface EvaluateCliOptions extends Omit<DataCliOptions, "data"> {
  force?: boolean;
  workspace?: string;
  data?: string;
  run?: string;
  labels?: string;
  probs?: string;
  predictions?: string;
  logits?: boolean;
  json?: boolean;
  out?: string;
  threshold?: number;
  bins: number;
  topK?: number[];
  batch: number;
  threads?: number;
}

/** `featurelens evaluate`: every classification metric of a run folder or of saved labels and probabilities. */
export function registerEvaluate(program: Command): void {
  const cmd = program
    .command("evaluate")
    .description("every classification metric — report table, confusion matrix, ROC/PR AUC, log loss, calibration — with charts")
    .option("--run <run>", "a run (id or folder): its predictions; with --data, its model scored on other images, kept as a domain of the run")
    .option("--labels <L.npy>", "true classes, N integers")
    .option("--probs <P.npy>", "probabilities, N×K floats (or N: P(class 1) of a binary model)")
    .option("--predictions <file.parquet>", "the output of `featurelens predict --out file.parquet` (labels and probabilities)")
    .option("--logits", "the scores are logits: apply softmax (sigmoid for one column) first")
    .option("--json", "print every number as JSON (stable keys) instead of the table")
    .option("--out <dir>", "write report.json and the charts (PNG and SVG) here")
    .option("--threshold <p>", "binary problems: call class 1 when P(class 1) ≥ p", Number)
    .option("--bins <n>", "confidence bins of the reliability diagram and ECE", positiveInt("--bins"), 15)
    .option("--top-k <list>", "k values for top-k accuracy (default 1,3,5 below K)", (v: string) => listOption(v).map(Number))
    .option("--batch <n>", "with --run: images per run of the model", positiveInt("--batch"), 128)
    .option("--threads <n>", "with --run: CPU threads for onnxruntime", threadsOption)
    .addHelpText(
      "after",
      "\nExamples:\n  featurelens evaluate --run runs/seed\n  featurelens evaluate --labels labels.npy --probs probs.npy --classes cat,dog --out eval\n" +
        "  featurelens predict --model runs/seed --data sample:test --out preds.parquet && featurelens evaluate --predictions preds.parquet --json",
    );
  addWorkspaceOption(cmd);
  addForceOption(cmd);
  addDataOptions(cmd, false).action(async (opts: EvaluateCliOptions) => {
    guardOutputs("evaluate", [opts.out !== undefined ? { path: opts.out, flag: "--out", kind: "folder" } : null], inputsOf({ ...opts, files: [[opts.labels, "--labels"], [opts.probs, "--probs"], [opts.predictions, "--predictions"]] }), opts.force);
    const bars = progressByLabel();
    const r = await evaluateScores({
      ...(opts.run ? { run: opts.run } : {}), ...(opts.workspace ? { workspace: opts.workspace } : {}), ...(opts.data ? { data: opts.data } : {}), load: loadOptionsOf(opts),
      ...(opts.labels ? { labels: opts.labels } : {}), ...(opts.probs ? { probs: opts.probs } : {}), ...(opts.predictions ? { predictions: opts.predictions } : {}),
      ...(opts.logits ? { logits: true } : {}), ...(opts.classes ? { classes: opts.classes } : {}), bins: opts.bins, ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}),
      ...(opts.topK ? { topK: opts.topK } : {}), ...(opts.out ? { out: resolve(opts.out) } : {}), batchSize: opts.batch, ...(opts.threads ? { threads: opts.threads } : {}),
      onProgress: bars.onProgress,
    }).finally(() => bars.stop());
    recordOutputs(r.written, "evaluate");
    const { report } = r.evaluation;
    for (const w of report.warnings) process.stderr.write(`featurelens: warning: ${w}\n`);
    if (opts.json) {
      process.stdout.write(`${reportJson(report, r.classes)}\n`);
    } else {
      process.stdout.write(`${r.title}: ${report.n} samples, ${r.k} classes\n\n${formatEvaluation(report, r.classes)}`);
      if (r.written.length) process.stdout.write(`\nwrote report.json and ${(r.written.length - 1) / 2} charts (PNG and SVG) to ${resolve(opts.out!)}\n`);
    }
  });
}

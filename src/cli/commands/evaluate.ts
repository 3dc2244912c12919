import type { Command } from "commander";
import { resolve } from "node:path";
import { evaluate, type Evaluation } from "../../analysis/metrics/index.js";
import { reportJson, writeEvaluation } from "../../report/evaluation.js";
import { formatEvaluation } from "../../report/evaluationText.js";
import { UsageError } from "../../util/errors.js";
import { inputsFromNpy, inputsFromParquet, inputsFromRun, toProbabilities } from "../../workflows/evaluateInputs.js";
import { addDataOptions, type DataCliOptions, loadOptionsOf } from "../data.js";
import { listOption, positiveInt, threadsOption } from "../options.js";
import { createProgress, progressByLabel } from "../progress.js";
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

/** What is evaluated: labels, probabilities (N×K, or N for one sigmoid column), class names, and where results go by default. */
interface Inputs {
  labels: Int32Array;
  probs: Float32Array | Float64Array;
  k: number;
  classes: string[];
  title: string;
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
    const inputs = await loadInputs(opts);
    const bar = createProgress({ label: "curves", unit: "classes" });
    let evaluation: Evaluation;
    try {
      evaluation = evaluate(inputs.labels, inputs.probs, inputs.k, {
        bins: opts.bins,
        curves: true,
        onProgress: (d, t) => bar.update(d, t),
        ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}),
        ...(opts.topK ? { topK: opts.topK } : {}),
      });
    } finally {
      bar.stop();
    }
    const { report } = evaluation;
    for (const w of report.warnings) process.stderr.write(`featurelens: warning: ${w}\n`);
    const out = opts.out ? resolve(opts.out) : undefined;
    const written = out ? await writeEvaluation(out, evaluation, inputs.classes, inputs.title) : [];
    recordOutputs(written, "evaluate");
    if (opts.json) {
      process.stdout.write(`${reportJson(report, inputs.classes)}\n`);
    } else {
      process.stdout.write(`${inputs.title}: ${report.n} samples, ${inputs.k} classes\n\n${formatEvaluation(report, inputs.classes)}`);
      if (written.length) process.stdout.write(`\nwrote report.json and ${(written.length - 1) / 2} charts (PNG and SVG) to ${out}\n`);
    }
  });
}

async function loadInputs(opts: EvaluateCliOptions): Promise<Inputs> {
  const given = [opts.run && "--run", (opts.labels || opts.probs) && "--labels/--probs", opts.predictions && "--predictions"].filter(Boolean);
  if (given.length !== 1) {
    throw new UsageError(given.length ? `give one of ${given.join(", ")}, not several` : "say what to evaluate: --run RUN, --labels L.npy --probs P.npy, or --predictions P.parquet");
  }
  if (!opts.run && opts.data) throw new UsageError("--data goes with --run (which model to score on which images)");
  if (opts.labels || opts.probs) {
    if (!opts.labels || !opts.probs) throw new UsageError("--labels and --probs go together: true classes (N) and probabilities (N×K)");
  }
  const bars = progressByLabel();
  const got = await (opts.run
    ? inputsFromRun({ ...(opts.workspace ? { workspace: opts.workspace } : {}), run: opts.run, ...(opts.data ? { data: opts.data } : {}), load: loadOptionsOf(opts), batchSize: opts.batch, ...(opts.threads ? { threads: opts.threads } : {}), onProgress: bars.onProgress })
    : opts.predictions
      ? inputsFromParquet(opts.predictions)
      : Promise.resolve(inputsFromNpy(opts.labels!, opts.probs!))
  ).finally(() => bars.stop());
  const k = got.columns === 1 ? 2 : got.columns;
  const classes = opts.classes ?? got.classes ?? Array.from({ length: k }, (_, i) => String(i));
  if (classes.length !== k) {
    throw new UsageError(`--classes names ${classes.length} classes but the probabilities have ${got.columns === 1 ? "one column (a binary model: 2 classes)" : `${k} columns`}`);
  }
  const probs = opts.logits ? toProbabilities(got.probs, got.columns) : got.probs;
  return { labels: got.labels, probs, k, classes, title: got.title };
}

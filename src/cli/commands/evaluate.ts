import type { Command } from "commander";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { evaluate, type Evaluation } from "../../analysis/metrics/index.js";
import { sigmoid, softmax } from "../../analysis/metrics/softmax.js";
import { readNpy, toInt32Labels } from "../../data/npy.js";
import { parseDataSpec } from "../../data/spec.js";
import { recordedClasses } from "../../engine/onnx/modelInfo.js";
import { predictProbabilities } from "../../nn/infer.js";
import { reportJson, writeEvaluation } from "../../report/evaluation.js";
import { formatEvaluation } from "../../report/evaluationText.js";
import { queryRows } from "../../store/parquet.js";
import { DataError, UsageError } from "../../util/errors.js";
import { addDataOptions, type DataCliOptions, loadFromOptions } from "../data.js";
import { inferOptions, type ModelCliOptions, openFromOptions } from "../model.js";
import { listOption, positiveInt } from "../options.js";
import { createProgress } from "../progress.js";

interface EvaluateCliOptions extends Omit<DataCliOptions, "data"> {
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
  /** A run folder's evaluation/ subfolder, written even without --out. */
  defaultOut?: string;
}

/** `featurelens evaluate`: every classification metric of a run folder or of saved labels and probabilities. */
export function registerEvaluate(program: Command): void {
  const cmd = program
    .command("evaluate")
    .description("every classification metric — report table, confusion matrix, ROC/PR AUC, log loss, calibration — with charts")
    .option("--run <dir>", "a run folder: its model is scored on --data (default: the test split of the data it was trained on); results go to RUN/evaluation/")
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
    .option("--threads <n>", "with --run: CPU threads for onnxruntime", positiveInt("--threads"))
    .addHelpText(
      "after",
      "\nExamples:\n  featurelens evaluate --run runs/seed\n  featurelens evaluate --labels labels.npy --probs probs.npy --classes cat,dog --out eval\n" +
        "  featurelens predict --model runs/seed --data sample:test --out preds.parquet && featurelens evaluate --predictions preds.parquet --json",
    );
  addDataOptions(cmd, false).action(async (opts: EvaluateCliOptions) => {
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
    const out = opts.out ? resolve(opts.out) : inputs.defaultOut;
    const written = out ? await writeEvaluation(out, evaluation, inputs.classes, inputs.title) : [];
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
  if (opts.run) return fromRun(opts);
  if (opts.data) throw new UsageError("--data goes with --run (which model to score on which images)");
  const { labels, scores, title } = opts.predictions ? await fromParquet(opts.predictions) : fromNpy(opts);
  const k = scores.columns === 1 ? 2 : scores.columns;
  const classes = opts.classes ?? Array.from({ length: k }, (_, i) => String(i));
  if (classes.length !== k) {
    throw new UsageError(`--classes names ${classes.length} classes but the probabilities have ${scores.columns === 1 ? "one column (a binary model: 2 classes)" : `${k} columns`}`);
  }
  const probs = opts.logits ? toProbabilities(scores.data, scores.columns) : scores.data;
  return { labels, probs, k, classes, title };
}

function fromNpy(opts: EvaluateCliOptions): { labels: Int32Array; scores: { data: Float32Array | Float64Array; columns: number }; title: string } {
  if (!opts.labels || !opts.probs) throw new UsageError("--labels and --probs go together: true classes (N) and probabilities (N×K)");
  const labelsArray = readNpy(opts.labels);
  if (labelsArray.shape.length !== 1) throw new DataError(`labels must be a 1-D array of N classes, got shape [${labelsArray.shape.join(", ")}]`, opts.labels);
  const p = readNpy(opts.probs);
  if (p.dtype !== "float32" && p.dtype !== "float64") throw new DataError(`probabilities must be float32 or float64, got ${p.dtype}`, opts.probs);
  if (p.shape.length !== 1 && p.shape.length !== 2) throw new DataError(`probabilities must be N×K (or N for a binary model), got shape [${p.shape.join(", ")}]`, opts.probs);
  const labels = toInt32Labels(labelsArray, opts.labels);
  if (p.shape[0] !== labels.length) {
    throw new DataError(`${labels.length} labels but ${p.shape[0]} rows of probabilities in ${opts.probs}: they must come from the same images`, opts.labels);
  }
  return { labels, scores: { data: p.data as Float32Array | Float64Array, columns: p.shape.length === 1 ? 1 : p.shape[1] }, title: opts.probs };
}

async function fromParquet(file: string): Promise<{ labels: Int32Array; scores: { data: Float32Array; columns: number }; title: string }> {
  if (!existsSync(file)) throw new DataError("no such file", file);
  const rows = await queryRows(`SELECT label, probabilities FROM read_parquet('${file.replaceAll("'", "''")}') ORDER BY index`).catch((e: Error) => {
    throw new DataError(`cannot read labels and probabilities (${e.message.split("\n")[0]}); give the Parquet file that \`featurelens predict --out x.parquet\` writes`, file);
  });
  if (rows.length === 0) throw new DataError("no rows", file);
  const k = (rows[0].probabilities as number[]).length;
  const labels = new Int32Array(rows.length);
  const data = new Float32Array(rows.length * k);
  rows.forEach((r, i) => {
    labels[i] = Number(r.label);
    data.set(r.probabilities as number[], i * k);
  });
  return { labels, scores: { data, columns: k }, title: file };
}

async function fromRun(opts: EvaluateCliOptions): Promise<Inputs> {
  const dir = resolve(opts.run!);
  const runJson = join(dir, "run.json");
  const run = existsSync(runJson) ? (JSON.parse(readFileSync(runJson, "utf8")) as { data?: string; config?: { only?: string } }) : {};
  const trainedOn = run.data;
  const data = opts.data ?? testSplitOf(trainedOn);
  if (!data) {
    throw new UsageError(`${dir}: say which images to score with --data (the run does not record a dataset with a test split${trainedOn ? `: it was trained on '${trainedOn}'` : ""})`);
  }
  const opened = openFromOptions({ model: dir, batch: opts.batch, device: "cpu", ...(opts.threads ? { threads: opts.threads } : {}) } as ModelCliOptions);
  // The classes the run was trained on (train --only), unless --only says otherwise.
  const only = opts.only ?? (opts.data ? undefined : run.config?.only);
  const ds = await loadFromOptions({ ...opts, data, ...(only !== undefined ? { only } : {}) } as DataCliOptions);
  const { options, done } = inferOptions({ batch: opts.batch, device: "cpu", ...(opts.threads ? { threads: opts.threads } : {}) } as ModelCliOptions, "predicting");
  const probs = await predictProbabilities(opened, ds, options).finally(done);
  const k = probs.dims[1];
  const unlabelled = ds.labels.findIndex((y) => y < 0);
  if (unlabelled >= 0) throw new DataError(`image ${unlabelled} has no label; evaluation needs labelled images`, ds.name);
  const classes = recordedClasses(opened.model) ?? (ds.classes.length === k ? ds.classes : Array.from({ length: k }, (_, i) => String(i)));
  if (ds.classes.length !== k) {
    throw new DataError(`the dataset has ${ds.classes.length} classes but the model has ${k} outputs; score it on images of the classes it was trained on`, ds.name);
  }
  return { labels: ds.labels, probs: probs.data, k, classes, title: `${opts.run} on ${ds.name}`, defaultOut: join(dir, "evaluation") };
}

/** The test split of the data a run was trained on: sample:train → sample:test, NAME[@DIR] → NAME:test[@DIR], cifar:DIR → cifar:DIR:test; else undefined. */
export function testSplitOf(spec: string | undefined): string | undefined {
  if (!spec) return undefined;
  const parsed = parseDataSpec(spec);
  if (parsed.kind === "sample") return "sample:test";
  if (parsed.kind === "named") return `${parsed.name}:test${parsed.dir ? `@${parsed.dir}` : ""}`;
  if (parsed.kind === "cifar") return `cifar:${parsed.path}:test`;
  return undefined;
}

/** Softmax of each row, or the sigmoid of a single column. */
function toProbabilities(scores: Float32Array | Float64Array, columns: number): Float32Array | Float64Array {
  return columns === 1 ? sigmoid(scores) : softmax(scores, columns);
}

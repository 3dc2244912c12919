import { type Command, InvalidArgumentError } from "commander";
import { formatLabelIssues } from "../../report/labelIssuesText.js";
import { labelIssues, LABEL_ISSUES_RUN_DEFAULTS } from "../../workflows/labelIssues.js";
import { KFOLD_SCORE_DEFAULTS } from "../../workflows/labelIssuesScores.js";
import { addDataOptions, type DataCliOptions, loadOptionsOf } from "../data.js";
import { positiveInt, threadsOption } from "../options.js";
import { addForceOption } from "../outputs.js";
import { createProgress, type Progress, progressByLabel } from "../progress.js";
import { addWorkspaceOption } from "../workspace.js";

interface LabelIssuesCliOptions extends Partial<DataCliOptions> {
  workspace?: string;
  run?: string;
  arch?: string;
  folds?: number;
  epochs?: number;
  batch?: number;
  lr?: number;
  neighbours?: number;
  top?: number;
  out: string;
  threads?: number;
  force?: boolean;
  json?: boolean;
}

const learningRate = (v: string) => {
  const x = Number(v);
  if (!(x > 0 && x <= 10)) throw new InvalidArgumentError(`--lr must be a number in (0, 10], got '${v}'.`);
  return x;
};

/** `featurelens label-issues`: images that are probably mislabelled, as a ranked review queue. */
export function registerLabelIssues(program: Command): void {
  const cmd = program
    .command("label-issues")
    .description("images that are probably mislabelled (confident learning on out-of-sample predictions, and neighbours in feature space), as a ranked review queue")
    .option("--run <run>", "a run: its predictions and penultimate features (in-sample if it trained on those images — said and warned)")
    .option("--arch <name|file.onnx>", `with --data: the network to cross-validate (seed-cnn, small-resnet, mlp, or a model's weights)`)
    .option("--folds <k>", `with --data: k-fold cross-validation (default ${KFOLD_SCORE_DEFAULTS.folds})`, positiveInt("--folds"))
    .option("--epochs <n>", `with --data: epochs per fold (default ${KFOLD_SCORE_DEFAULTS.epochs})`, positiveInt("--epochs"))
    .option("--batch <n>", `with --data: images per step (default ${KFOLD_SCORE_DEFAULTS.batchSize})`, positiveInt("--batch"))
    .option("--lr <x>", `with --data: Adam's learning rate (default ${KFOLD_SCORE_DEFAULTS.lr})`, learningRate)
    .option("--neighbours <k>", `neighbours per image in the penultimate features (default ${LABEL_ISSUES_RUN_DEFAULTS.neighbours})`, positiveInt("--neighbours"))
    .option("--top <n>", `images in the grid of suspects (default ${LABEL_ISSUES_RUN_DEFAULTS.top})`, positiveInt("--top"))
    .requiredOption("--out <dir>", "the folder for queue.parquet, queue.csv, suspects.png and summary.json")
    .option("--threads <n>", "CPU threads", threadsOption)
    .option("--json", "print summary.json instead of the table");
  addForceOption(cmd);
  addWorkspaceOption(cmd);
  addDataOptions(cmd, false).addHelpText(
    "after",
    "\nExamples:\n  featurelens label-issues --data fashion-mnist:train --limit 10000 --arch seed-cnn --folds 5 --epochs 3 --out issues\n" +
      "  featurelens label-issues --run seed --out seed-issues        # from the run's predictions (best on images it did not train on)\n" +
      "\nDecisions go in label-fixes.csv (index,action,new_label; action keep, relabel or drop); featurelens train --label-fixes FILE applies them.",
  );
  cmd.action(async (opts: LabelIssuesCliOptions) => {
    const bars = progressByLabel();
    let bar: Progress | null = null;
    const load = loadOptionsOf({ seed: opts.seed ?? 0, ...opts });
    const loadFlags = Object.keys(load).some((k) => k !== "seed");
    const result = await labelIssues({
      ...(opts.workspace ? { workspace: opts.workspace } : {}), ...(opts.run !== undefined ? { run: opts.run } : {}), ...(opts.data !== undefined ? { data: opts.data } : {}), ...(opts.data !== undefined || loadFlags ? { load } : {}),
      ...(opts.arch !== undefined ? { arch: opts.arch } : {}), ...(opts.folds !== undefined ? { folds: opts.folds } : {}), ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}),
      ...(opts.batch !== undefined ? { batchSize: opts.batch } : {}), ...(opts.lr !== undefined ? { lr: opts.lr } : {}), ...(opts.neighbours !== undefined ? { neighbours: opts.neighbours } : {}),
      ...(opts.top !== undefined ? { top: opts.top } : {}), ...(opts.threads ? { threads: opts.threads } : {}), ...(opts.force ? { force: true } : {}), seed: opts.seed ?? 0,
      out: opts.out,
      onFold: (p) => {
        bar?.stop();
        bar = p.stage === "training" ? createProgress({ label: `fold ${p.fold + 1}/${p.folds}, epoch 1`, unit: "steps" }) : null;
      },
      onStep: (p) => bar?.update(p.step, p.steps),
      onEpoch: (p) => {
        bar?.stop();
        bar = createProgress({ label: `fold ${p.fold + 1}, epoch ${p.record.epoch + 1}`, unit: "steps" });
      },
      onStage: (s) => process.stderr.write(process.stderr.isTTY ? `featurelens: ${s}…\n` : ""),
      onProgress: bars.onProgress,
      onNotice: (m) => process.stderr.write(`featurelens: warning: ${m}\n`),
    }).finally(() => {
      bar?.stop();
      bars.stop();
    });
    process.stdout.write(opts.json ? `${JSON.stringify({ out: result.out, files: result.files, recorded_in: result.recordedIn, ...result.summary }, null, 1)}\n` : formatLabelIssues(result));
  });
}

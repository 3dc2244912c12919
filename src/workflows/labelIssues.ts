import { resolve } from "node:path";
import { LABEL_ISSUES_DEFAULTS, type LabelIssuesResult, rankLabelIssues, REASON } from "../analysis/diagnose/labelIssues.js";
import type { NeighbourRows } from "../analysis/diagnose/labelIssuesNeighbors.js";
import { type Dataset, sourceIndices } from "../data/dataset.js";
import type { LoadOptions } from "../data/load.js";
import { specPaths } from "../data/spec.js";
import { readFeatures } from "../store/features.js";
import { readPredictions } from "../store/predictions.js";
import { openRunForWrite } from "../store/run.js";
import { UsageError } from "../util/errors.js";
import { checkOutputs, recordOutputs } from "../util/outputs.js";
import { FEATURELENS_VERSION } from "../util/version.js";
import { checkLabelledClasses, loadWithPaths, runImagesWithPaths } from "./labelIssuesData.js";
import { groupNeighbours } from "./labelIssuesNeighbors.js";
import { kfoldScores, KFOLD_SCORE_DEFAULTS, type KFoldScoreOptions } from "./labelIssuesScores.js";
import { LABEL_ISSUES_FILES, type QueueRow, queueColumns, queueRows, writeLabelIssueFiles } from "./labelIssuesWrite.js";
import { inSampleNote } from "./labelIssuesRun.js";
import { openRunScope } from "./runScope.js";
import { rowsByIndex } from "./runImages.js";

/**
 * `featurelens label-issues`: images whose given label is probably wrong, for re-review. Scores
 * come out of sample — from k-fold cross-validated training of an architecture on the data, or
 * from a run's predictions (in-sample if the run trained on those images: said and warned) —;
 * confident learning and the images' neighbours in feature space flag the suspects, ranked into a
 * review queue (queue.parquet, queue.csv), a grid of the top suspects and summary.json in `out`.
 * With a run, the queue is also recorded in the run (`label-issues/`) for its report.
 */

export interface LabelIssuesRunOptions extends Omit<KFoldScoreOptions, "arch"> {
  workspace?: string;
  /** A run whose predictions (and penultimate features) to read … */
  run?: string;
  /** … or data to cross-validate `arch` on. */
  data?: string;
  load?: Omit<LoadOptions, "onProgress" | "onNotice">;
  arch?: string;
  /** Neighbours per image (default 10). */
  neighbours?: number;
  /** Images in the grid (default 48). */
  top?: number;
  /** The folder of the queue files. */
  out: string;
  /** Write into an --out folder holding files featurelens did not write. */
  force?: boolean;
  onStage?: (stage: string) => void;
  onProgress?: (label: string, done: number, total: number | undefined) => void;
  onNotice?: (message: string) => void;
}

/** Defaults of {@link labelIssues}; below `weakBelow` accuracy against the given labels, a note says the network is weak. */
export const LABEL_ISSUES_RUN_DEFAULTS = { neighbours: LABEL_ISSUES_DEFAULTS.neighbours, top: 48, shown: 10, weakBelow: 0.75 } as const;

/** The flags that belong to --data (k-fold training) and make no sense with --run. */
const KFOLD_FLAGS: [keyof LabelIssuesRunOptions, string][] = [["arch", "--arch"], ["folds", "--folds"], ["epochs", "--epochs"], ["batchSize", "--batch"], ["lr", "--lr"]];

/** What one label-issues command found and wrote. */
export interface LabelIssuesRunResult {
  out: string;
  files: string[];
  summary: LabelIssuesSummary;
  /** The first rows of the queue. */
  rows: QueueRow[];
  /** The run folder the queue was also recorded in. */
  recordedIn: string | null;
}

/** summary.json. */
export interface LabelIssuesSummary {
  featurelens_version: string;
  created: string;
  source: "k-fold" | "run";
  data: string;
  run: string | null;
  n: number;
  classes: string[];
  /** True when the run's model was trained on these images; null when unknown (a model made elsewhere). */
  in_sample: boolean | null;
  folds: number | null;
  epochs: number | null;
  arch: string | null;
  /** Accuracy of the (out-of-sample) predictions against the given labels. */
  accuracy: number;
  neighbours: number | null;
  /** Shares of neighbours with another label: confirming confident learning, and flagging on their own (with the prediction). */
  neighbour_thresholds: { disagree: number; alone: number };
  issues: { total: number; confident_learning: number; neighbours: number; both: number };
  estimated_noise: { total: number; per_class: { class: string; images: number; noise_rate: number | null; issues: number }[] };
  /** The calibrated confident joint, rows = given label, columns = true label (eq. 3 of Northcutt et al. 2021). */
  confident_joint: number[][];
  notes: string[];
  top: QueueRow[];
}

/** What the queue is computed from, whichever the source. */
interface Scored {
  source: "k-fold" | "run";
  dataset: Dataset;
  paths: string[] | null;
  labels: Int32Array;
  probabilities: Float32Array;
  k: number;
  classes: string[];
  neighbours: NeighbourRows | null;
  /** Row in `dataset` of each input row (the images behind the grid). */
  imageRow: (row: number) => number;
  index: Int32Array;
  spec: string;
  runDir: string | null;
  runId: string | null;
  inSample: boolean | null;
  notes: string[];
}

/**
 * Finds, ranks and writes the label issues; see the module comment.
 * @example
 * await labelIssues({ data: "sample:train", arch: "seed-cnn", load: { limit: 2000 }, folds: 5, epochs: 2, out: "issues" })
 * // { out: "issues", files: ["queue.parquet", "queue.csv", "suspects.png", "summary.json"], summary: { issues: { total: 137, … }, … }, … }
 */
export async function labelIssues(o: LabelIssuesRunOptions): Promise<LabelIssuesRunResult> {
  checkFlags(o);
  checkOutputs([{ path: o.out, flag: "--out", kind: "folder" }], o.data ? specPaths(o.data).map((p) => ({ path: p, flag: "--data" })) : [], { command: "label-issues", ...(o.force ? { force: true } : {}) });
  const k = o.neighbours ?? LABEL_ISSUES_RUN_DEFAULTS.neighbours;
  const s = o.run !== undefined ? await fromRun(o, k) : await fromKFold(o, k);
  o.onStage?.("ranking the label issues");
  const ranked = rankLabelIssues({ labels: s.labels, probabilities: s.probabilities, k: s.k, ...(s.neighbours ? { neighbours: s.neighbours } : {}) });
  const source = { queue: ranked.queue, index: s.index, paths: s.paths, classes: s.classes, probabilities: s.probabilities, k: s.k };
  const summary = summarize(o, s, ranked, queueRows(queueColumns(source), LABEL_ISSUES_RUN_DEFAULTS.top));
  const grid = {
    images: s.dataset, imageRow: s.imageRow, top: o.top ?? LABEL_ISSUES_RUN_DEFAULTS.top,
    title: `Labels that may be wrong: ${summary.issues.total.toLocaleString("en")} of ${s.labels.length.toLocaleString("en")} images${summary.issues.total > (o.top ?? 48) ? `, the ${o.top ?? 48} most suspect` : ""}`,
    notes: [
      `${s.spec}${s.runId ? ` (run ${s.runId})` : ""}; ${s.source === "k-fold" ? `held-out predictions of ${summary.folds} ${summary.arch} networks (k-fold)` : `the run's predictions${s.inSample ? " (IN-SAMPLE: the model trained on these images)" : ""}`}`,
      "under each: the given label, the suggested one, the score (1 = surely wrong), why (CL: confident learning, NN: its neighbours disagree), #index in the source",
    ],
  };
  o.onStage?.("writing the queue");
  const files = await writeLabelIssueFiles(o.out, source, grid, summary as unknown as Record<string, unknown>);
  recordOutputs(files.map((f) => resolve(o.out, f)), "label-issues");
  let recordedIn: string | null = null;
  if (s.runDir) {
    const run = openRunForWrite(s.runDir, { command: "label-issues" });
    try {
      await writeLabelIssueFiles(run.path("label-issues"), source, grid, summary as unknown as Record<string, unknown>);
      run.recordArtifact(run.record, { file: "label-issues", kind: "label-issues", made_by: "label-issues", params: { data: run.record.data?.hash ?? "", model: run.record.model?.sha256 ?? "", neighbours: k } });
      recordedIn = run.dir;
    } finally {
      run.release();
    }
  }
  return { out: o.out, files, summary, rows: summary.top.slice(0, LABEL_ISSUES_RUN_DEFAULTS.shown), recordedIn };
}

/** One of --run and --data, each with its own flags; all problems in one UsageError. */
function checkFlags(o: LabelIssuesRunOptions): void {
  const problems: string[] = [];
  if (o.run !== undefined && o.data !== undefined) problems.push("give --run RUN or --data SPEC --arch A, not both: --run reads the run's predictions, --data trains k-fold networks");
  else if (o.run === undefined && o.data === undefined) problems.push("give --run RUN (a run's predictions) or --data SPEC --arch A (k-fold training)");
  if (o.data !== undefined && o.arch === undefined) problems.push("--data needs --arch (seed-cnn, small-resnet, mlp or a model file) for the k-fold networks");
  if (o.run !== undefined && o.data === undefined) {
    const given = KFOLD_FLAGS.filter(([key]) => o[key] !== undefined).map(([, flag]) => flag);
    const flags = { limit: "--limit", only: "--only", size: "--size", channels: "--channels", classes: "--classes" } as const;
    for (const [key, flag] of Object.entries(flags)) if (o.load?.[key as keyof typeof flags] !== undefined) given.push(flag);
    if (given.length) problems.push(`${given.join(", ")} go${given.length === 1 ? "es" : ""} with --data (k-fold training); --run reads the run's predictions of the images it was analyzed on`);
  }
  if (o.neighbours !== undefined && !(Number.isInteger(o.neighbours) && o.neighbours >= 1)) problems.push(`--neighbours must be a positive integer, got ${o.neighbours}`);
  if (o.top !== undefined && !(Number.isInteger(o.top) && o.top >= 1)) problems.push(`--top must be a positive integer, got ${o.top}`);
  if (problems.length) throw new UsageError(problems.join("; "));
}

/** Scores from k-fold training of `arch` on `data`. */
async function fromKFold(o: LabelIssuesRunOptions, k: number): Promise<Scored> {
  o.onStage?.(`loading ${o.data}`);
  const { dataset, paths } = await loadWithPaths(o.data!, { ...o.load, ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.onNotice ? { onNotice: o.onNotice } : {}) });
  checkLabelledClasses(dataset.labels, dataset.classes, dataset.name);
  const scores = await kfoldScores(dataset, {
    arch: o.arch!, ...pick(o, ["folds", "epochs", "batchSize", "lr", "seed", "threads"]),
    ...(o.onFold ? { onFold: o.onFold } : {}), ...(o.onStep ? { onStep: o.onStep } : {}), ...(o.onEpoch ? { onEpoch: o.onEpoch } : {}),
  });
  o.onStage?.("finding each image's neighbours");
  const neighbours = await groupNeighbours({ n: dataset.n, d: scores.features.d, data: scores.features.data }, k, { group: scores.fold, ...(o.threads ? { threads: o.threads } : {}) });
  return {
    source: "k-fold", dataset, paths, labels: dataset.labels, probabilities: scores.probabilities, k: scores.k, classes: dataset.classes, neighbours,
    imageRow: (row) => row, index: sourceIndices(dataset), spec: o.data!, runDir: null, runId: null, inSample: false,
    notes: [`${scores.folds} folds × ${o.epochs ?? KFOLD_SCORE_DEFAULTS.epochs} epochs of ${o.arch} trained in ${scores.seconds.toFixed(0)} s`],
  };
}

/** Scores from a run's predictions and penultimate features. */
async function fromRun(o: LabelIssuesRunOptions, k: number): Promise<Scored> {
  const rs = openRunScope({ ...(o.workspace ? { workspace: o.workspace } : {}), run: o.run! });
  const run = rs.run;
  o.onStage?.(`reading run ${run.id}`);
  const p = await readPredictions(rs.predictions);
  const classes = run.record.classes.length === p.k ? run.record.classes : Array.from({ length: p.k }, (_, j) => String(j));
  checkLabelledClasses(p.label, classes, `run ${run.id}`);
  const notes: string[] = [];
  const inSample = inSampleNote(run, notes);
  if (inSample) o.onNotice?.(notes[0]);
  let neighbours: NeighbourRows | null = null;
  if (rs.scope.features.penultimate) {
    const f = readFeatures(run, rs.scope, "penultimate");
    o.onStage?.("finding each image's neighbours");
    neighbours = await groupNeighbours({ n: f.n, d: f.d, data: f.data }, k, o.threads ? { threads: o.threads } : {});
  } else {
    notes.push("the run has no penultimate features, so only confident learning flagged images (make them with featurelens analyze --layers penultimate)");
  }
  o.onStage?.("loading the run's images");
  const images = await runImagesWithPaths(run, o.onProgress);
  const rows = rowsByIndex(images.dataset);
  return {
    source: "run", dataset: images.dataset, paths: images.paths, labels: p.label, probabilities: p.probabilities, k: p.k, classes, neighbours,
    imageRow: (row) => rows.get(p.index[row]) ?? -1, index: p.index, spec: run.record.data?.spec ?? "", runDir: run.dir, runId: run.id, inSample, notes,
  };
}

function summarize(o: LabelIssuesRunOptions, s: Scored, r: LabelIssuesResult, top: QueueRow[]): LabelIssuesSummary {
  const bits = r.queue.reason;
  const count = (f: (b: number) => boolean) => bits.reduce((n, b) => n + (f(b) ? 1 : 0), 0);
  const per = s.classes.map((name, j) => ({
    class: name,
    images: s.labels.reduce((n, y) => n + (y === j ? 1 : 0), 0),
    noise_rate: Number.isNaN(r.confident.noise.perClass[j]) ? null : Number(r.confident.noise.perClass[j].toFixed(4)),
    issues: r.queue.given.reduce((n, y) => n + (y === j ? 1 : 0), 0),
  }));
  let right = 0;
  for (let i = 0; i < s.labels.length; i++) {
    const row = s.probabilities.subarray(i * s.k, (i + 1) * s.k);
    if (row.indexOf(Math.max(...row)) === s.labels[i]) right++;
  }
  const accuracy = right / Math.max(1, s.labels.length);
  const weak = accuracy < LABEL_ISSUES_RUN_DEFAULTS.weakBelow
    ? [`the ${s.source === "k-fold" ? "held-out" : "run's"} predictions agree with only ${(100 * accuracy).toFixed(1)}% of the given labels: the network is weak for these images, so the estimated noise is high and many flags are its own mistakes; ${s.source === "k-fold" ? "train longer (--epochs) or on more images" : "a better model finds fewer false issues"}`]
    : [];
  return {
    featurelens_version: FEATURELENS_VERSION, created: new Date().toISOString(), source: s.source, data: s.spec, run: s.runId, n: s.labels.length, classes: s.classes,
    in_sample: s.inSample, folds: s.source === "k-fold" ? (o.folds ?? KFOLD_SCORE_DEFAULTS.folds) : null, epochs: s.source === "k-fold" ? (o.epochs ?? KFOLD_SCORE_DEFAULTS.epochs) : null,
    arch: o.arch ?? null, accuracy: Number(accuracy.toFixed(4)), neighbours: s.neighbours ? s.neighbours.k : null,
    neighbour_thresholds: { disagree: LABEL_ISSUES_DEFAULTS.disagree, alone: LABEL_ISSUES_DEFAULTS.alone },
    issues: {
      total: bits.length, confident_learning: count((b) => (b & REASON.confidentLearning) !== 0), neighbours: count((b) => (b & REASON.neighbours) !== 0),
      both: count((b) => b === (REASON.confidentLearning | REASON.neighbours)),
    },
    estimated_noise: { total: Number(r.confident.noise.total.toFixed(4)), per_class: per },
    confident_joint: s.classes.map((_, i) => Array.from(r.confident.joint.counts.subarray(i * s.k, (i + 1) * s.k))),
    notes: [...s.notes, ...weak, `decisions go in ${LABEL_ISSUES_FILES.fixes} (index,action,new_label; action keep, relabel or drop), which featurelens train --label-fixes applies`],
    top,
  };
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (o[key] !== undefined) out[key] = o[key];
  return out;
}

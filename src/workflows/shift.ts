import type { ShiftJson } from "../analysis/diagnose/diagnoseJson.js";
import { shiftWords } from "../analysis/diagnose/shiftWords.js";
import type { Dataset } from "../data/dataset.js";
import { datasetHash } from "../data/hash.js";
import { loadDataset, type LoadOptions } from "../data/load.js";
import { type ConfusionPanel, confusionPairSpec } from "../report/charts/confusionPair.js";
import { shortSpec } from "../report/diagnosisText.js";
import { renderPng } from "../report/vega.js";
import { readFeatures } from "../store/features.js";
import { readPredictions } from "../store/predictions.js";
import type { PredictionsTable } from "../store/predictionsSchema.js";
import { openRunForWrite, Run } from "../store/run.js";
import type { DataRecord } from "../store/runRecord.js";
import { findRun, openWorkspace } from "../store/workspace.js";
import { writeFileAtomic } from "../util/atomic.js";
import { DataError, UsageError } from "../util/errors.js";
import { analyzeRun, openRunModel } from "./analyzeRun.js";
import { json } from "./diagnose.js";
import { measureShift, SHIFT_DEFAULTS } from "./shiftMeasure.js";

/**
 * `featurelens shift`: a second dataset through the run's model, kept as a domain of the run
 * (`analyze --run`: predictions, features, evaluation, placed into the run's maps), and what the
 * shift did — the two confusion matrices side by side, the MMD² between the two sets of
 * penultimate features with its permutation p-value, overall and per class, and each class's
 * centroid shift and the class it moves toward. Stored as `domains/<slug>/shift.json` and
 * `domains/<slug>/shift-confusion.png` ("shift" artifacts).
 *
 * Images of another size than the run's are accepted: the model sees every image at its own input
 * size (resized, gray↔RGB converted, as in analyze), and the shift is measured on what the model
 * sees, which is the question; the JSON records the two sizes. Other classes are refused.
 */

export interface ShiftOptions {
  workspace?: string;
  run: string;
  /** The second dataset (`--data SPEC2`). */
  data: string;
  load?: Omit<LoadOptions, "onProgress" | "onNotice">;
  /** The domain's name (default: from the data spec). */
  domain?: string;
  maxPoints?: number;
  permutations?: number;
  seed?: number;
  threads?: number;
  batchSize?: number;
  argv?: string[];
  onStage?: (stage: string) => void;
  onProgress?: (label: string, done: number, total: number | undefined) => void;
  onNotice?: (message: string) => void;
}

export interface ShiftResult {
  shift: ShiftJson;
  files: string[];
  seconds: number;
}

/**
 * Adds the domain (or completes it) and measures the shift.
 * @example (await shiftRun({ workspace: "ws", run: "fm", data: "npy:inv.npy,inv.labels.npy" })).shift.p_value // 0.004975
 */
export async function shiftRun(o: ShiftOptions): Promise<ShiftResult> {
  const t0 = performance.now();
  const dir = findRun(openWorkspace(o.workspace), o.run);
  const resized = await checkInput(Run.read(dir), o);
  const added = await analyzeRun({
    ...(o.workspace ? { workspace: o.workspace } : {}), run: o.run, data: o.data, ...(o.load ? { load: o.load } : {}), domain: o.domain ?? o.data,
    ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.threads ? { threads: o.threads } : {}), ...(o.batchSize ? { batchSize: o.batchSize } : {}),
    argv: o.argv ?? [], ...(o.onStage ? { onStage: o.onStage } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.onNotice ? { onNotice: o.onNotice } : {}),
  });
  const run = openRunForWrite(dir, { command: "shift", argv: o.argv ?? [] });
  try {
    const shift = await measure(run, added.domain!, resized, o);
    const prefix = run.scopePrefix(shift.domain);
    const scope = run.scope(shift.domain);
    const params = { model: run.record.model?.sha256 ?? "", data: scope.data?.hash ?? "", base: run.record.data?.hash ?? "", seed: shift.mmd.seed, permutations: shift.mmd.permutations, max_points: o.maxPoints ?? SHIFT_DEFAULTS.maxPoints };
    const panels: [ConfusionPanel, ConfusionPanel] = [
      { name: `${shortSpec(shift.base_data)} (the run's)`, counts: shift.confusion.run.flat() },
      { name: `${shift.domain} (${shortSpec(shift.data)})`, counts: shift.confusion.domain.flat() },
    ];
    writeFileAtomic(run.path(shift.chart!), await renderPng(confusionPairSpec({ classes: shift.classes, panels, title: `${run.id}: the same model on two datasets` }), { scale: 2 }));
    run.recordArtifact(scope, { file: shift.chart!, kind: "shift", made_by: "shift", params });
    shift.seconds = (performance.now() - t0) / 1000;
    writeFileAtomic(run.path(`${prefix}shift.json`), json(shift));
    run.recordArtifact(scope, { file: `${prefix}shift.json`, kind: "shift", made_by: "shift", params });
    return { shift, files: [`${prefix}shift.json`, shift.chart!], seconds: shift.seconds };
  } finally {
    run.release();
  }
}

/**
 * What can be refused before the model runs: a run without features, a dataset of other classes,
 * the run's own images again. Returns the size change, if any (said in a notice).
 */
async function checkInput(before: Run, o: ShiftOptions): Promise<ShiftJson["resized"]> {
  const own = before.record.data;
  if (!own || !before.record.features.penultimate) {
    throw new DataError(`run ${before.id} has no features of its own images to compare with; make them with featurelens analyze --model M --data SPEC --out ${before.id}`, before.dir);
  }
  const opened = openRunModel(before);
  o.onStage?.(`loading ${o.data}`);
  const ds = await loadDataset(o.data, { ...o.load, ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.onNotice ? { onNotice: o.onNotice } : {}) });
  checkClasses(ds, before.record.classes, o.data);
  if (datasetHash(ds) === own.hash) throw new UsageError(`--data ${o.data} holds the same images as run ${before.id}'s own (${own.spec}); a shift compares another dataset, e.g. a changed copy made with featurelens dataset --data ${own.spec} --transform invert --out shifted.npy`);
  const resized = sizeChange(ds, own, opened.spec);
  if (resized) o.onNotice?.(`the images of ${o.data} are ${resized.from.join("×")} and the run's ${own.height}×${own.width}×${own.channels}: both are fed to the model at its input size ${resized.to.join("×")}, and the shift is measured on what the model sees`);
  return resized;
}

/** The shift of domain `slug` from the run's own images, as shift.json holds it (its time not yet set). */
async function measure(run: Run, slug: string, resized: ShiftJson["resized"], o: ShiftOptions): Promise<ShiftJson> {
  const scope = run.scope(slug);
  const classes = run.record.classes;
  const own = run.record.data!;
  const fRun = readFeatures(run, run.record, "penultimate");
  const fDom = readFeatures(run, scope, "penultimate");
  if (fRun.d !== fDom.d) throw new DataError(`the run's features have ${fRun.d} values per image and the domain's ${fDom.d}; they cannot be compared`, run.dir);
  const pRun = await readPredictions(run.path("predictions.parquet"));
  const pDom = await readPredictions(run.path(`${run.scopePrefix(slug)}predictions.parquet`));
  o.onStage?.("MMD² and its permutation test, overall and per class");
  const seed = o.seed ?? SHIFT_DEFAULTS.seed;
  const permutations = o.permutations ?? SHIFT_DEFAULTS.permutations;
  const m = measureShift(
    { features: { n: fRun.n, d: fRun.d, data: fRun.data }, labels: pRun.label, predicted: pRun.predicted },
    { features: { n: fDom.n, d: fDom.d, data: fDom.data }, labels: pDom.label, predicted: pDom.predicted },
    classes, { maxPoints: o.maxPoints ?? SHIFT_DEFAULTS.maxPoints, permutations, seed, ...(o.onProgress ? { onProgress: o.onProgress } : {}) },
  );
  for (const s of m.skipped) o.onNotice?.(`class ${s.class} has ${s.n_run} image(s) in the run and ${s.n_domain} in the domain; it is left out of the per-class numbers (they need at least 2 on each side)`);
  if (!pDom.label.some((y) => y >= 0)) o.onNotice?.(`${o.data} has no labels: the shift is measured overall only`);
  const accuracy = { run: num(run.record.summary.accuracy), domain: num(scope.summary.accuracy) };
  const words = shiftWords({
    classes, base: shortSpec(own.spec), domain: slug, overall: { mmd2: m.overall.mmd2, pValue: m.overall.pValue, permutations },
    accuracy: { base: accuracy.run, domain: accuracy.domain }, perClass: m.perClass.map((c) => ({ class: c.index, pHolm: c.p_holm, relative: c.relative_shift, nearest: c.moves_toward_index })),
  });
  return {
    featurelens: "shift", run: run.id, domain: slug, data: scope.data?.spec ?? o.data, base_data: own.spec, layer: fRun.record.layer, classes,
    n_run: fRun.n, n_domain: fDom.n, resized, accuracy, mmd2: m.overall.mmd2, p_value: m.overall.pValue,
    mmd: {
      bandwidth: m.overall.bandwidth, permutations, seed, m: m.overall.m, n: m.overall.n, null_mean: m.overall.nullMean, null_sd: m.overall.nullSd,
      per_class_permutations: m.classTests.permutations, per_class_max_points: m.classTests.maxPoints,
    },
    per_class: m.perClass, skipped: m.skipped, confusion: { run: confusionOf(pRun, classes.length), domain: confusionOf(pDom, classes.length) },
    summary: { ...words }, chart: `${run.scopePrefix(slug)}shift-confusion.png`, seconds: 0,
  };
}

/**
 * A shift compares the same classes: a dataset whose class names are not the run's is refused,
 * naming both (numbered classes "0", "1", … are taken as the run's classes in order).
 */
function checkClasses(ds: Dataset, classes: readonly string[], spec: string): void {
  const numbered = ds.classes.every((c, i) => c === String(i));
  if (numbered) {
    if (ds.classes.length > classes.length) throw new DataError(`its labels go up to ${ds.classes.length - 1} but run has ${classes.length} classes (${preview(classes)}); a shift compares the same classes`, spec);
    return;
  }
  const other = ds.classes.filter((c) => !classes.includes(c));
  if (other.length) {
    throw new DataError(`its classes ${preview(other)} are not the run's (${preview(classes)}); a shift compares the same classes in two datasets — name the classes as the run does (--classes, or the folder names), or keep the shared ones with --only`, spec);
  }
}

function preview(names: readonly string[]): string {
  return `${names.slice(0, 10).join(", ")}${names.length > 10 ? ", …" : ""}`;
}

/** The domain's and the model's image sizes when they differ from the run's own images. */
function sizeChange(ds: Dataset, own: DataRecord, spec: { height: number | null; width: number | null; channels: number }): ShiftJson["resized"] {
  if (ds.height === own.height && ds.width === own.width && ds.channels === own.channels) return null;
  return { from: [ds.height, ds.width, ds.channels], to: [spec.height ?? ds.height, spec.width ?? ds.width, spec.channels] };
}

/** K×K counts of the labelled rows: true class down, predicted across. */
function confusionOf(p: PredictionsTable, k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < p.n; i++) if (p.label[i] >= 0 && p.label[i] < k && p.predicted[i] >= 0 && p.predicted[i] < k) m[p.label[i]][p.predicted[i]]++;
  return m;
}

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

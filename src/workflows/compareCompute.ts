import { agreement, AGREEMENT_CELLS, confusionDifference } from "../analysis/diagnose/compareMetrics.js";
import { evaluate, type Evaluation } from "../analysis/metrics/index.js";
import { type Dataset, subset } from "../data/dataset.js";
import { stratifiedIndices } from "../data/subset.js";
import type { OpenedModel } from "../nn/infer.js";
import { thinCurve } from "../report/charts/curve.js";
import { confidenceShares } from "../report/charts/compare.js";
import type { PredictionsTable } from "../store/predictionsSchema.js";
import type { Run } from "../store/run.js";
import { FEATURELENS_VERSION } from "../util/version.js";
import { compareActivations } from "./compareActivations.js";
import { type ActivationComparison, type Comparison, COMPARISON_VERSION, type Curve, type RunSide } from "../analysis/diagnose/compareTypes.js";
import type { AlignedRuns } from "./compareAlign.js";
import { modelLabel } from "./modelLabel.js";

/**
 * Everything `featurelens compare` (and `report --compare`) says about two models on the same
 * images, as one JSON-ready object: headline and per-class metrics, the agreement table with
 * McNemar's test, confidence distributions, both ROC curves, the difference of the confusion
 * matrices, and — through both models again, on a seeded stratified sample — each layer's
 * activations and linear CKA between every pair of layers.
 */

export const COMPARE_DEFAULTS = {
  /** Images run through both models for activations and CKA (stratified by class, seeded). */
  images: 2000,
  seed: 0,
  /** Example images kept per cell of the agreement table. */
  examples: 8,
  confidenceBins: 20,
  /** Points kept per ROC curve. */
  rocPoints: 200,
} as const;

/** The compared rows of a run's predictions: labels, probabilities, predictions, confidences. */
function rowsOf(p: PredictionsTable, rows: Int32Array): { labels: Int32Array; probs: Float32Array; predicted: Int32Array; confidence: Float32Array } {
  const k = p.k;
  const probs = new Float32Array(rows.length * k);
  rows.forEach((r, i) => probs.set(p.probabilities.subarray(r * k, (r + 1) * k), i * k));
  return { labels: Int32Array.from(rows, (r) => p.label[r]), probs, predicted: Int32Array.from(rows, (r) => p.predicted[r]), confidence: Float32Array.from(rows, (r) => p.confidence[r]) };
}

function curve(c: { fpr: ArrayLike<number>; tpr: ArrayLike<number>; auc: number }, maxPoints: number): Curve {
  const t = thinCurve({ x: c.fpr, y: c.tpr, maxPoints });
  return { fpr: Array.from(t.x), tpr: Array.from(t.y), auc: c.auc };
}

function side(run: Run, e: Evaluation, confidence: Float32Array): RunSide {
  const r = e.report;
  return {
    id: run.id, model: modelLabel(run.record), sha256: run.record.model?.sha256 ?? null, data: run.record.data?.spec ?? null,
    accuracy: r.accuracy, macro_f1: r.macro.f1, log_loss: r.log_loss, ece: r.ece, roc_auc_macro: r.roc_auc.macro, mean_confidence: confidence.reduce((s, c) => s + c, 0) / Math.max(1, confidence.length),
  };
}

/** The sample of the compared images run through both models: stratified by class, seeded. */
export function activationSample(images: Dataset, count: number, seed: number): Dataset {
  if (images.n <= count) return images;
  return subset(images, stratifiedIndices(images.labels, images.classes.length, { limit: count, seed }));
}

/** Options for {@link computeComparison}; defaults in {@link COMPARE_DEFAULTS}. */
export interface ComputeComparisonOptions {
  images?: number;
  seed?: number;
  threads?: number;
  onStage?: (stage: string) => void;
  onProgress?: (label: string, done: number, total: number | undefined) => void;
}

/** Compares runs A and B on their aligned images; `models` are needed for the activations. */
export async function computeComparison(
  a: Run,
  b: Run,
  aligned: AlignedRuns,
  models: { a: OpenedModel; b: OpenedModel } | { missing: string },
  o: ComputeComparisonOptions = {},
): Promise<Comparison> {
  const d = COMPARE_DEFAULTS;
  const classes = a.record.classes;
  const k = classes.length;
  const ra = rowsOf(aligned.predA, aligned.rowsA);
  const rb = rowsOf(aligned.predB, aligned.rowsB);
  const labelled = Int32Array.from({ length: ra.labels.length }, (_, i) => i).filter((i) => ra.labels[i] >= 0);
  if (labelled.length === 0) throw new RangeError("no compared image has a label");
  const pick = <T extends Int32Array | Float32Array>(x: T, width = 1) => {
    const out = new (x.constructor as new (n: number) => T)(labelled.length * width);
    labelled.forEach((i, j) => out.set(x.subarray(i * width, (i + 1) * width), j * width));
    return out;
  };
  o.onStage?.("metrics of both models");
  const labels = pick(ra.labels);
  const ea = evaluate(labels, pick(ra.probs, k), k, { curves: true });
  const eb = evaluate(labels, pick(rb.probs, k), k, { curves: true });
  const agree = agreement(labels, pick(ra.predicted), pick(rb.predicted), { examples: d.examples, confidenceA: pick(ra.confidence), confidenceB: pick(rb.confidence) });
  const examples = Object.fromEntries(AGREEMENT_CELLS.map((c) => [c, Array.from(agree.examples[c], (j) => labelled[j])])) as Comparison["agreement"]["examples"];
  const exampleIndices = Object.fromEntries(AGREEMENT_CELLS.map((c) => [c, examples[c].map((r) => aligned.predA.index[aligned.rowsA[r]])])) as Comparison["agreement"]["example_indices"];
  const images = o.images ?? d.images;
  const seed = o.seed ?? d.seed;
  let activations: ActivationComparison | null = null;
  let activationsMissing: string | undefined;
  if ("missing" in models) activationsMissing = models.missing;
  else if ("missing" in aligned.images) activationsMissing = aligned.images.missing;
  else {
    const sample = activationSample(aligned.images, images, seed);
    o.onStage?.(`activations and CKA of both models on ${sample.n.toLocaleString("en-US")} images`);
    activations = await compareActivations(models.a, models.b, sample, { ...(o.threads ? { threads: o.threads } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
  }
  const roc = (e: Evaluation) => ({ micro: curve(e.curves!.roc.micro, d.rocPoints), macro: curve(e.curves!.roc.macro, d.rocPoints) });
  return {
    version: COMPARISON_VERSION, featurelens_version: FEATURELENS_VERSION, a: side(a, ea, pick(ra.confidence)), b: side(b, eb, pick(rb.confidence)), classes, how: aligned.how, note: aligned.note,
    n: labelled.length, params: { images, seed },
    per_class: classes.map((c, j) => {
      const pa = ea.report.per_class[j];
      const pb = eb.report.per_class[j];
      return { class: c, support: pa.support, precision: [pa.precision, pb.precision], recall: [pa.recall, pb.recall], f1: [pa.f1, pb.f1] };
    }),
    agreement: { n: agree.n, counts: agree.counts, samePrediction: agree.samePrediction, mcnemar: agree.mcnemar, examples, example_indices: exampleIndices },
    confusion_difference: Array.from(confusionDifference(labels, pick(ra.predicted), pick(rb.predicted), k)),
    confidence: { bins: d.confidenceBins, a: confidenceShares(pick(ra.confidence), d.confidenceBins), b: confidenceShares(pick(rb.confidence), d.confidenceBins) },
    roc: { a: roc(ea), b: roc(eb) },
    activations,
    ...(activationsMissing ? { activations_missing: activationsMissing } : {}),
  };
}

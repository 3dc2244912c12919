import type { MetricsCurves, MetricsReport, SampleMetrics } from "../../analysis/metrics/index.js";
import type { Dataset } from "../../data/dataset.js";
import type { GradCamMap } from "../../nn/gradcam.js";
import type { Inspection } from "../../nn/inspect.js";
import type { HistoryPoint } from "../charts/history.js";
import type { PredictionsTable } from "../../store/predictionsSchema.js";
import type { RunRecord, Scope } from "../../store/runRecord.js";
import type { ComparisonView } from "./compareView.js";

/**
 * What the HTML report is built from: a run (and optionally a second one) read into memory, each
 * part either there or missing with the reason, so that one missing or damaged file becomes a
 * visible note in its section and the rest of the report is still built.
 */

/** A part of a run that was read, or why it could not be. */
export type Loaded<T> = { value: T } | { missing: string };

/** Every metric; the curves and per-image values only when the predictions could be read. */
export interface EvaluationView {
  report: MetricsReport;
  curves: MetricsCurves | null;
  samples: SampleMetrics | null;
  /** Where the numbers came from. */
  source: "predictions.parquet" | "evaluation/report.json";
}

/** A map of the run's penultimate features. */
export interface MapView {
  name: string;
  method: string;
  dims: number;
  n: number;
  embedding: Float32Array;
  kl: number | null;
  quality: Record<string, unknown> | null;
}

/** One image looked at layer by layer, and why it was picked. */
export interface InspectedView {
  why: string;
  inspection: Inspection;
  /** The image's pixels as the dataset holds them. */
  pixels: Uint8Array;
  /** Grad-CAM and saliency of its predicted class at the last conv layer (nn/gradcam.ts), or why there are none. */
  gradcam?: Loaded<{ layer: string; why: string; map: GradCamMap }>;
}

/** A domain of the run: another dataset seen through the same model. */
export interface DomainView {
  slug: string;
  scope: Scope;
  predictions: Loaded<PredictionsTable>;
  map: Loaded<MapView>;
}

/** A run read for the report. */
export interface RunView {
  id: string;
  record: RunRecord;
  /** The run folder, for sections that read their own artifacts (label-issues/). */
  dir?: string;
  /** The model as titles name it: its architecture, or its file. */
  model: string;
  predictions: Loaded<PredictionsTable>;
  /** Every metric with its curves, recomputed from the predictions (or only the report, from evaluation/report.json). */
  evaluation: Loaded<EvaluationView>;
  map: Loaded<MapView>;
  /** The run's images, checked against the hash in run.json. */
  images: Loaded<Dataset>;
  /** The training history; null when the run was not trained here. */
  history: Loaded<HistoryPoint[]> | null;
  inspected: Loaded<InspectedView[]>;
  domains: DomainView[];
}

/** One layer's activation statistics over a sample of the run's images, for both runs. */
export interface LayerStatsRow {
  layer: string;
  kind: string;
  a: { mean: number; zeros: number } | null;
  b: { mean: number; zeros: number } | null;
}

/** Two runs of two models on the same images. */
export interface CompareView {
  b: RunView;
  /** Per-layer statistics over `images` images of the run's data. */
  layers: Loaded<{ rows: LayerStatsRow[]; images: number }>;
  /** What `featurelens compare` finds (agreement, ROC, confusions, histograms, CKA, maps), when it could be read or computed. */
  deep?: Loaded<ComparisonView>;
}

export interface ReportInput {
  run: RunView;
  compare?: CompareView;
  /** When the report was made (ISO 8601). */
  generated: string;
  version: string;
}

/** One section of the page. */
export interface Section {
  id: string;
  /** The question the section answers: "How accurate is it?" */
  title: string;
  html: string;
}

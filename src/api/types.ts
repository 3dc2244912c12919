/**
 * The HTTP API between `featurelens serve` (src/server/) and the web app (web/): its routes, the
 * JSON shapes they answer with, and the limits. Browser-safe: types and constants only.
 *
 * Every route is under /api and answers GET (two POSTs: a selection's predictions, and the review's
 * decisions, the one route that changes a file — same-origin JSON only). Small answers are
 * JSON; map coordinates and per-point attributes are one binary payload (./points.ts); images are
 * PNG. A run is named by its id in the workspace (`:run`); a domain by its slug (`?domain=`).
 * Rows: `row` is a point's position in its scope (0..n−1: the order of predictions, features and
 * maps), `index` the image's index in the source dataset.
 *
 *   GET  /api/runs                                   → RunsResponse
 *   GET  /api/runs/:run[?domain=]                    → RunDetail
 *   GET  /api/runs/:run/charts/:chart[?domain=]      → a Vega-Lite spec (chart: ChartName)
 *   GET  /api/runs/:run/points?map=tsne[&domain=]    → binary points (./points.ts)
 *   GET  /api/runs/:run/predictions?…                → PredictionsResponse (filters: PredictionQuery)
 *   POST /api/runs/:run/predictions                  → PredictionsResponse, body PredictionQuery with `rows`
 *   GET  /api/runs/:run/rows?…                       → RowsResponse (the rows a filter selects: a confusion cell)
 *   GET  /api/runs/:run/images/:row.png[?domain=&scale=]   → the image as PNG
 *   GET  /api/runs/:run/atlas[?domain=&size=]        → AtlasInfo
 *   GET  /api/runs/:run/atlas/:page.png[?domain=&size=]    → a page of thumbnails
 *   GET  /api/runs/:run/neighbors/:row?space=feature|pixel&k=10[&domain=]   → NeighborsResponse
 *   GET  /api/runs/:run/inside/:row[?domain=]        → InsideResponse (each layer of the model on that image)
 *   GET  /api/runs/:run/inside/:row/:layer.png[?domain=]   → that layer's feature maps as PNG
 *   GET  /api/runs/:run/diagnosis[?domain=]          → DiagnosisResponse (what featurelens diagnose stored)
 *   GET  /api/runs/:run/diagnosis/mixed?a=&b=&by=neighbors|predictions[&domain=]  → MixedRowsResponse
 *   GET  /api/runs/:run/label-issues                 → LabelIssuesResponse (the review queue and its decisions)
 *   POST /api/runs/:run/label-issues/fixes           → LabelFixesSaved, body LabelFixesBody (writes label-fixes.csv)
 *   GET  /api/runs/:run/shift                        → ShiftResponse (every domain featurelens shift measured)
 *   GET  /api/runs/:run/compare                      → CompareResponse (each featurelens compare RUN OTHER stored)
 *
 * Errors: JSON `{ "error": "one line" }` with 400 (a bad parameter, named), 401 (no or wrong
 * token), 403 (a write from another site), 404 (no such run, domain, row, map, analysis …), 413 (a request too large), 500 (a bug).
 */

import type { LayersJson, SeparationJson, ShiftJson } from "../analysis/diagnose/diagnoseJson.js";
import type { Comparison } from "../analysis/diagnose/compareTypes.js";

export const API_VERSION = 1;

/** Limits the server enforces (and the app respects). */
export const API_LIMITS = {
  /** Rows in one page of predictions. */
  maxPage: 10_000,
  /** Rows a POSTed selection may name. */
  maxSelection: 1_000_000,
  /** Bytes of a request body. */
  maxBody: 16 * 1024 * 1024,
  /** Neighbours per query. */
  maxNeighbors: 100,
  /** Thumbnail sizes of the atlas, in pixels. */
  atlasSizes: [16, 24, 32, 48, 64] as const,
  /** Thumbnails per atlas page (a square of 64 × 64). */
  atlasPerPage: 4096,
  /** Largest magnification of one image. */
  maxScale: 16,
  /** Decisions one POST of label fixes may carry. */
  maxFixes: 1_000_000,
} as const;

export type ChartName = "confusion" | "per-class" | "roc" | "pr" | "reliability" | "confidence" | "history";
export const CHART_NAMES: readonly ChartName[] = ["confusion", "per-class", "roc", "pr", "reliability", "confidence", "history"];

/** Map colourings the app offers. */
export type ColorBy = "true" | "predicted" | "wrong" | "confidence" | "loss" | "margin";

export interface DomainSummary {
  slug: string;
  /** The dataset spec it was analysed on. */
  data: string;
  n: number;
  accuracy: number | null;
  status: "complete" | "incomplete";
  /** The run's maps it was placed into. */
  maps: string[];
}

export interface MapSummary {
  name: string;
  method: "pca" | "tsne" | "umap";
  dims: 2 | 3;
  /** The features it was made from ("penultimate"). */
  source: string;
  kl: number | null;
  quality: Record<string, unknown> | null;
}

export interface RunListItem {
  id: string;
  /** "seed-cnn", "resnet18.onnx", … */
  model: string | null;
  data: string | null;
  n: number | null;
  accuracy: number | null;
  status: "complete" | "incomplete" | "damaged";
  created: string | null;
  classes: string[];
  maps: string[];
  domains: DomainSummary[];
  /** What is missing or damaged, in words. */
  problems: string[];
  /** SHA-256 of the run's images and labels: two runs on the same images can be compared. */
  dataHash: string | null;
}

export interface RunsResponse {
  workspace: string;
  runs: RunListItem[];
  /** The id of the newest complete run with a map: what the app opens first. */
  newest: string | null;
}

export interface LayerInfo {
  index: number;
  name: string;
  op: string;
  kind: string;
  shape: (number | string)[] | null;
}

export interface RunDetail extends RunListItem {
  /** The scope the detail is about: the run's own data, or a domain. */
  domain: string | null;
  /** Headline numbers of the scope: accuracy, macro_f1, log_loss, ece, … */
  summary: Record<string, number | string | null>;
  mapsDetail: MapSummary[];
  /** The scope's evaluation (the keys of `featurelens evaluate --json`), null when there is none. */
  evaluation: Record<string, unknown> | null;
  /** The model's layers, for the image view's feature maps. */
  layers: LayerInfo[];
  penultimate: string | null;
  /** Image size of the scope's dataset (null when its images cannot be loaded, with the reason in problems). */
  image: { height: number; width: number; channels: number } | null;
  /** Training history (train runs): epoch, train_loss, val_accuracy, … */
  history: Record<string, number | null>[] | null;
  featurelensVersion: string;
}

/** Filters of a predictions query (all optional; classes by index). */
export interface PredictionQuery {
  domain?: string;
  label?: number;
  predicted?: number;
  correct?: boolean;
  /** Confidence range, inclusive, in [0, 1]. */
  cmin?: number;
  cmax?: number;
  /** Only these rows (POST only). */
  rows?: number[];
  sort?: "confidence" | "loss" | "margin" | "index";
  desc?: boolean;
  limit?: number;
  offset?: number;
  /** Include each row's probabilities. */
  probabilities?: boolean;
}

export interface PredictionRow {
  row: number;
  index: number;
  label: number;
  predicted: number;
  confidence: number;
  margin: number;
  loss: number | null;
  probabilities?: number[];
}

export interface PredictionsResponse {
  total: number;
  rows: PredictionRow[];
  /** Over all rows the filter selects (not just the page): how many per true class, and how many are right. */
  classCounts: number[];
  correct: number;
}

export interface RowsResponse {
  total: number;
  /** Every selected row, ascending. */
  rows: number[];
}

export interface AtlasInfo {
  n: number;
  /** Thumbnail side in pixels. */
  size: number;
  /** Thumbnails per row of a page, and per page. */
  perRow: number;
  perPage: number;
  pages: number;
  channels: number;
}

export interface Neighbor {
  row: number;
  index: number;
  distance: number;
  label: number;
  predicted: number;
}

export interface NeighborsResponse {
  row: number;
  index: number;
  space: "feature" | "pixel";
  metric: "l2";
  neighbors: Neighbor[];
  /** How many share the query's true class. */
  sameClass: number;
}

export interface InsideLayer {
  index: number;
  name: string;
  op: string;
  kind: string;
  shape: number[];
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Fraction of exact zeros. */
  zeros: number;
  /** A feature-map picture exists (conv, activation and pool layers with C×H×W output). */
  maps: boolean;
  /** A Vega-Lite histogram spec of the layer's values. */
  histogram: unknown;
}

export interface InsideResponse {
  row: number;
  index: number;
  label: number;
  predicted: number;
  probabilities: number[];
  /** A Vega-Lite spec of the softmax bars. */
  softmax: unknown;
  layers: InsideLayer[];
}

export interface ApiError {
  error: string;
}

/** GET /api/runs/:run/diagnosis: what `featurelens diagnose` stored for the scope. */
export interface DiagnosisResponse {
  separation: SeparationJson;
  /** The layer curve, when the layers were measured. */
  layers: LayersJson | null;
  /** The layer curve as the Vega-Lite spec of its PNG. */
  layerChart: unknown;
}

/** The images of a mixed class pair (analysis/diagnose/mixedRows.ts): rows ascending. */
export interface MixedRowsResponse extends RowsResponse {
  a: number;
  b: number;
  by: "neighbors" | "predictions";
  /** How many of the rows are of class a, and of b. */
  ofA: number;
  ofB: number;
  /** What selects them, in words. */
  rule: string;
}

/** One suspect of the review queue (label-issues/queue.csv), with its row in the run's images. */
export interface ReviewItem {
  rank: number;
  /** The image's row in the run (−1 when the run no longer holds it). */
  row: number;
  index: number;
  path: string | null;
  given: number;
  suggested: number;
  score: number;
  reason: string;
  self_confidence: number | null;
  suggested_probability: number | null;
  neighbours_disagree: number | null;
}

/** One decision of label-fixes.csv, as the API carries it (`new_label` a class index). */
export interface LabelFixJson {
  index: number;
  action: "keep" | "relabel" | "drop";
  new_label: number | null;
}

export interface LabelIssuesResponse {
  classes: string[];
  total: number;
  items: ReviewItem[];
  /** The decisions saved in label-fixes.csv beside the queue (none yet: empty). */
  decisions: LabelFixJson[];
  /** label-fixes.csv relative to the run folder. */
  file: string;
  /** From summary.json: where the scores came from and what the command noted. */
  source: string | null;
  inSample: boolean | null;
  accuracy: number | null;
  notes: string[];
}

/** POST /api/runs/:run/label-issues/fixes: every decision taken so far (the file is replaced by them). */
export interface LabelFixesBody {
  fixes: LabelFixJson[];
}

export interface LabelFixesSaved {
  saved: number;
  total: number;
  file: string;
}

/** GET /api/runs/:run/shift: every domain of the run whose shift was measured. */
export interface ShiftResponse {
  domains: ShiftJson[];
}

/** One stored comparison of the run (as A) with another run, without its per-layer activation profiles. */
export type CompareSummary = Omit<Comparison, "activations" | "roc" | "confidence"> & {
  /** Linear CKA between layers, when the activations were compared. */
  cka: { a: string[]; b: string[]; values: (number | null)[] } | null;
};

export interface CompareResponse {
  comparisons: CompareSummary[];
}

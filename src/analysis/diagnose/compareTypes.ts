import type { Agreement, AgreementCell } from "./compareMetrics.js";
import type { LayerProfile } from "./compareHistograms.js";

/**
 * The shape of a comparison of two models on the same images (`featurelens compare`, stored as
 * run A's `compare/<B>/compare.json`, drawn by the report): plain JSON-ready data. Browser-safe.
 */

/** Bump when compare.json changes in a way an older reader cannot follow. */
export const COMPARISON_VERSION = 1;

/** One layer of one model over the sample of images. */
export interface LayerSummary {
  name: string;
  kind: string;
  op: string;
  /** Output shape per image. */
  shape: number[];
  profile: LayerProfile;
}

/** Both models' layers over the same sample, and linear CKA between them. */
export interface ActivationComparison {
  images: number;
  a: LayerSummary[];
  b: LayerSummary[];
  /** The layers CKA is computed for (at most 32 per model, spread evenly; all when fewer). */
  cka_a: string[];
  cka_b: string[];
  /** Linear CKA, row-major |cka_a|×|cka_b| (NaN — null in JSON — for a layer constant over the sample). */
  cka: (number | null)[];
  seconds: { a: number; b: number };
}

/** One run's side: who it is and its headline numbers on the compared images. */
export interface RunSide {
  id: string;
  model: string;
  sha256: string | null;
  data: string | null;
  accuracy: number;
  macro_f1: number;
  log_loss: number;
  ece: number;
  roc_auc_macro: number;
  mean_confidence: number;
}

export interface Curve {
  fpr: number[];
  tpr: number[];
  auc: number;
}

export interface Comparison {
  version: number;
  featurelens_version: string;
  a: RunSide;
  b: RunSide;
  classes: string[];
  /** "same images" (row by row) or "common indices" (subsets of one source). */
  how: "same images" | "common indices";
  note: string;
  /** Labelled images compared. */
  n: number;
  params: { images: number; seed: number };
  per_class: { class: string; support: number; precision: [number, number]; recall: [number, number]; f1: [number, number] }[];
  /** Examples are positions in the compared images (0..n−1); `example_indices` the same as source indices. */
  agreement: Omit<Agreement, "examples"> & { examples: Record<AgreementCell, number[]>; example_indices: Record<AgreementCell, number[]> };
  /** Row-major K×K, B's confusion matrix minus A's. */
  confusion_difference: number[];
  confidence: { bins: number; a: number[]; b: number[] };
  roc: { a: { micro: Curve; macro: Curve }; b: { micro: Curve; macro: Curve } };
  activations: ActivationComparison | null;
  /** Why there are no activations (a model or the images could not be read). */
  activations_missing?: string;
}

/**
 * The diagnoses as a run stores them (`diagnose/separation.json`, `diagnose/layers.json`,
 * `domains/<slug>/shift.json`): what `featurelens diagnose` and `featurelens shift` print with
 * --json, what the report reads, and what the web app can read. Keys are snake_case, as in the
 * evaluation's JSON. Browser-safe (types only).
 */

/** Sentences with the numbers behind them and how their thresholds were chosen. */
export interface Summary {
  text: string;
  details: string[];
  how: string;
}

/** A point and a point of the other class near it: rows of the scope's predictions/features and source indices. */
export interface ExampleJson {
  row: number;
  index: number;
  class: string;
  other_row: number;
  other_index: number;
  other_class: string;
  /** Euclidean distance in feature space. */
  distance: number;
  /** For a confusion example: what the model said about `row`, and how sure it was. */
  predicted?: string;
  confidence?: number;
}

export interface NeighborPairJson {
  a: number;
  b: number;
  classes: [string, string];
  /** Share of a's neighbour slots held by b, and the reverse. */
  share_ab: number;
  share_ba: number;
  /** (share_ab + share_ba) / 2. */
  mixing: number;
  examples: ExampleJson[];
}

export interface ConfusionPairJson {
  a: number;
  b: number;
  classes: [string, string];
  /** Images of a predicted as b, and the reverse. */
  a_as_b: number;
  b_as_a: number;
  /** (a_as_b / n_a + b_as_a / n_b) / 2. */
  confusion: number;
  examples: ExampleJson[];
}

export interface SeparationClassJson {
  index: number;
  class: string;
  n: number;
  /** Mean share of the class's images' k nearest neighbours (feature space) of the same class. */
  purity: number;
  /** Mean silhouette of the class's images in feature space (over the seeded sample). */
  silhouette: number | null;
  /** The same in the scope's map, when the map measured it. */
  map_silhouette: number | null;
  /** The share of the class's images the model gets right. */
  recall: number | null;
  /** The other class most often among its neighbours, and that share. */
  top_neighbor: { class: string; share: number } | null;
}

export interface SeparationJson {
  featurelens: "diagnose/separation";
  run: string;
  domain: string | null;
  data: string;
  /** The layer whose features were read ("/relu7/Relu"). */
  layer: string;
  n: number;
  d: number;
  classes: string[];
  k: number;
  /** exact, or approximate (HNSW) above ~25,000 points. */
  knn_method: "exact" | "approx";
  /** Classes left out of every per-class number (fewer than 2 images). */
  skipped: { index: number; class: string; n: number }[];
  per_class: SeparationClassJson[];
  purity: { mean: number; sd: number; overall: number };
  silhouette: { score: number; sample: number; seed: number; map: string | null; map_score: number | null };
  /** K×K: row a, the shares of a's neighbour slots by class (null rows for skipped classes). */
  mixing: (number[] | null)[];
  neighbor_pairs: NeighborPairJson[];
  confusion_pairs: ConfusionPairJson[];
  summary: Summary & {
    mixers: { class: string; purity: number; partners: { class: string; share: number }[] }[];
    separated: { class: string; purity: number }[];
    thresholds: { mean: number; sd: number; mix_below: number; separate_above: number; partner_share: number };
  };
  /** Units of the penultimate layer that are 0 for every image of the scope (ReLU layers only). */
  penultimate_dead: { units: number; dead: number[] } | null;
  seconds: number;
}

export interface LayerRowJson {
  /** 0 for the input, then the model's layers in graph order. */
  position: number;
  /** The layer's index in `featurelens layers` (null for the input). */
  index: number | null;
  name: string;
  op: string;
  kind: string;
  /** The value read in the graph. */
  value: string;
  /** One image's shape at this layer ([C, H, W] or [D]). */
  shape: number[];
  /** Features per image after pooling. */
  d: number;
  pooling: "pixels" | "global average" | "none";
  knn_accuracy: number;
  /** √(p(1−p)/n) over the scored images. */
  se: number;
  role: "input" | "penultimate" | "logits" | null;
  /** ReLU layers: the units (channels) whose largest value over the analysed images is ≤ 0. */
  dead: { units: number; count: number; channels: number[] } | null;
}

export interface LayersJson {
  featurelens: "diagnose/layers";
  run: string;
  domain: string | null;
  data: string;
  /** Images analysed (a stratified, seeded sample of `of`), fitted on and scored. */
  images: number;
  of: number;
  fit: number;
  scored: number;
  k: number;
  seed: number;
  layers: LayerRowJson[];
  summary: Summary & { pixels_beat_penultimate: boolean | null; separate_from: string | null; best: string | null };
  dead: { layers: number; units: number; dead: number };
  chart: string | null;
  seconds: number;
}

export interface ShiftClassJson {
  index: number;
  class: string;
  n_run: number;
  n_domain: number;
  mmd2: number;
  p_value: number;
  /** Holm-adjusted over the classes tested. */
  p_holm: number;
  bandwidth: number;
  /** Distance between the class's centroids in the two datasets, its spread in the run's, and their ratio. */
  centroid_shift: number;
  spread: number;
  relative_shift: number;
  /** The run's class whose centroid lies nearest this class's centroid in the domain. */
  moves_toward: string;
  moves_toward_index: number;
  recall_run: number | null;
  recall_domain: number | null;
}

export interface ShiftJson {
  featurelens: "shift";
  run: string;
  domain: string;
  /** The domain's data spec and the run's. */
  data: string;
  base_data: string;
  layer: string;
  classes: string[];
  n_run: number;
  n_domain: number;
  /** The domain's images had another size or channel count: both were fed at the model's input size. */
  resized: { from: [number, number, number]; to: [number, number, number] } | null;
  accuracy: { run: number | null; domain: number | null };
  mmd2: number;
  p_value: number;
  mmd: { bandwidth: number; permutations: number; seed: number; m: number; n: number; null_mean: number; null_sd: number; per_class_permutations: number; per_class_max_points: number };
  per_class: ShiftClassJson[];
  skipped: { index: number; class: string; n_run: number; n_domain: number }[];
  confusion: { run: number[][]; domain: number[][] };
  summary: Summary & { significant: boolean };
  chart: string | null;
  seconds: number;
}

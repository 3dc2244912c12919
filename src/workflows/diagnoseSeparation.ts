import { nearestOfClass, neighborPairExamples, type PairExample, symmetricPairs } from "../analysis/diagnose/mixingPairs.js";
import type { ConfusionPairJson, ExampleJson, NeighborPairJson, SeparationClassJson, SeparationJson } from "../analysis/diagnose/diagnoseJson.js";
import { neighborMixing, PURITY_DEFAULTS } from "../analysis/diagnose/purity.js";
import { separationWords } from "../analysis/diagnose/separationWords.js";
import { silhouette } from "../analysis/embed/quality.js";
import type { Points } from "../analysis/neighbors/types.js";
import { KNN_DEFAULTS, knn } from "../analysis/node/neighbors.js";
import type { PredictionsTable } from "../store/predictionsSchema.js";
import type { Scope } from "../store/runRecord.js";

/**
 * Which classes mix in feature space, and which separate: kNN purity and the mixing matrix from
 * the scope's penultimate features, silhouettes per class (on a seeded sample), the class pairs
 * that mix most by neighbours and by the model's confusions (each with example image pairs), and
 * the summary in words. Fed by `diagnose` (workflows/diagnose.ts); reads nothing itself.
 */

export const SEPARATION_DEFAULTS = { k: PURITY_DEFAULTS.k, silhouetteSample: 5000, pairs: 6, examples: 6, seed: 0 } as const;

export interface SeparationInput {
  run: string;
  domain: string | null;
  scope: Scope;
  classes: string[];
  /** The scope's features of `layer`, row i = row i of `predictions`. */
  features: Points;
  layer: string;
  predictions: PredictionsTable;
  k?: number;
  silhouetteSample?: number;
  seed?: number;
  threads?: number;
  onStage?: (stage: string) => void;
}

/** The class separation of one scope, as stored in diagnose/separation.json. */
export async function classSeparation(o: SeparationInput): Promise<SeparationJson> {
  const t0 = performance.now();
  const K = o.classes.length;
  const p = o.predictions;
  const seed = o.seed ?? SEPARATION_DEFAULTS.seed;
  const counts = new Int32Array(K);
  for (let i = 0; i < p.n; i++) if (p.label[i] >= 0) counts[p.label[i]]++;
  // A class of one image has no neighbour of its own class to find: it is left out of every per-class number.
  const include = (c: number) => counts[c] >= 2;
  const skipped = o.classes.map((name, index) => ({ index, class: name, n: counts[index] })).filter((c) => c.n < 2);
  const rows = Int32Array.from({ length: p.n }, (_, i) => i).filter((i) => p.label[i] >= 0 && include(p.label[i]));
  const points = pick(o.features, rows);
  const labels = Int32Array.from(rows, (i) => p.label[i]);
  const k = Math.min(o.k ?? SEPARATION_DEFAULTS.k, rows.length - 1);

  o.onStage?.(`the ${k} nearest neighbours of ${rows.length.toLocaleString("en-US")} images`);
  const graph = await knn(points, k, o.threads ? { threads: o.threads } : {});
  const approx = rows.length * rows.length * points.d > KNN_DEFAULTS.approxAbove && graph.metric !== "l1";
  const mixing = neighborMixing(graph, labels, K, { k });
  o.onStage?.("silhouettes");
  const sample = Math.min(o.silhouetteSample ?? SEPARATION_DEFAULTS.silhouetteSample, rows.length);
  const present = new Set(labels).size;
  const sil = present >= 2 && present < sample ? silhouette(points, labels, { sample, seed }) : null;
  const mapName = ["tsne", "umap", "pca"].find((m) => o.scope.maps[m]?.quality) ?? null;
  const mapSil = mapName ? ((o.scope.maps[mapName].quality as { silhouette?: { map: number; map_per_class: number[] } | null }).silhouette ?? null) : null;

  const confusion = new Float64Array(K * K);
  for (let i = 0; i < p.n; i++) if (p.label[i] >= 0 && include(p.label[i]) && include(p.predicted[i])) confusion[p.label[i] * K + p.predicted[i]]++;
  const recall = (c: number) => (counts[c] > 0 ? confusion[c * K + c] / counts[c] : null);
  const perClass: SeparationClassJson[] = [];
  for (let c = 0; c < K; c++) {
    if (!include(c)) continue;
    let top = -1;
    for (let b = 0; b < K; b++) if (b !== c && include(b) && (top < 0 || mixing.mixing[c * K + b] > mixing.mixing[c * K + top])) top = b;
    perClass.push({
      index: c, class: o.classes[c], n: counts[c], purity: mixing.purity[c],
      silhouette: sil && Number.isFinite(sil.perClass[c]) ? sil.perClass[c] : null,
      map_silhouette: mapSil && Number.isFinite(mapSil.map_per_class[c]) ? mapSil.map_per_class[c] : null,
      recall: recall(c), top_neighbor: top >= 0 && mixing.mixing[c * K + top] > 0 ? { class: o.classes[top], share: mixing.mixing[c * K + top] } : null,
    });
  }
  const words = separationWords({ classes: o.classes, purity: mixing.purity, mixing: mixing.mixing, include, k });

  o.onStage?.("example image pairs");
  const pairCount = SEPARATION_DEFAULTS.pairs;
  const exampleCount = SEPARATION_DEFAULTS.examples;
  const example = (e: PairExample, extra: Partial<ExampleJson> = {}): ExampleJson => ({
    row: rows[e.row], index: p.index[rows[e.row]], class: o.classes[labels[e.row]],
    other_row: rows[e.other], other_index: p.index[rows[e.other]], other_class: o.classes[labels[e.other]], distance: e.distance, ...extra,
  });
  const neighborPairs: NeighborPairJson[] = symmetricPairs(mixing.mixing, K, include).slice(0, pairCount).map((q) => ({
    a: q.a, b: q.b, classes: [o.classes[q.a], o.classes[q.b]], share_ab: q.ab, share_ba: q.ba, mixing: q.value,
    examples: neighborPairExamples(graph, labels, q.a, q.b, exampleCount).map((e) => example(e)),
  }));
  const rowShares = Float64Array.from(confusion, (v, i) => (counts[Math.floor(i / K)] > 0 ? v / counts[Math.floor(i / K)] : 0));
  const subRow = new Int32Array(p.n).fill(-1);
  rows.forEach((r, s) => (subRow[r] = s));
  const confusionPairs: ConfusionPairJson[] = symmetricPairs(rowShares, K, include).slice(0, pairCount).map((q) => ({
    a: q.a, b: q.b, classes: [o.classes[q.a], o.classes[q.b]], a_as_b: confusion[q.a * K + q.b], b_as_a: confusion[q.b * K + q.a], confusion: q.value,
    examples: confusionExamples(p, q.a, q.b, exampleCount, subRow).flatMap((s) => {
      const near = nearestOfClass(points, labels, s, p.predicted[rows[s]]);
      return near ? [example({ row: s, other: near.row, distance: near.distance }, { predicted: o.classes[p.predicted[rows[s]]], confidence: p.confidence[rows[s]] })] : [];
    }),
  }));

  const t = words.thresholds;
  return {
    featurelens: "diagnose/separation", run: o.run, domain: o.domain, data: o.scope.data?.spec ?? "", layer: o.layer, n: p.n, d: points.d, classes: o.classes,
    k, knn_method: approx ? "approx" : "exact", skipped, per_class: perClass,
    purity: { mean: t.mean, sd: t.sd, overall: mixing.overall },
    silhouette: { score: sil?.score ?? NaN, sample, seed, map: mapName, map_score: mapSil?.map ?? null },
    mixing: Array.from({ length: K }, (_, a) => (include(a) ? Array.from(mixing.mixing.subarray(a * K, (a + 1) * K)) : null)),
    neighbor_pairs: neighborPairs, confusion_pairs: confusionPairs,
    summary: {
      text: words.text, details: words.details, how: words.how,
      mixers: words.mixers.map((m) => ({ class: o.classes[m.class], purity: m.purity, partners: m.partners.map((q) => ({ class: o.classes[q.class], share: q.share })) })),
      separated: words.separated.map((s) => ({ class: o.classes[s.class], purity: s.purity })),
      thresholds: { mean: t.mean, sd: t.sd, mix_below: t.mixBelow, separate_above: t.separateAbove, partner_share: t.partnerShare },
    },
    penultimate_dead: deadFeatures(o.features),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Rows (of the labelled subset) of images of a predicted as b and of b predicted as a, most confident first, in turn. */
function confusionExamples(p: PredictionsTable, a: number, b: number, count: number, subRow: Int32Array): number[] {
  const side = (t: number, q: number) => {
    const out: number[] = [];
    for (let i = 0; i < p.n; i++) if (p.label[i] === t && p.predicted[i] === q && subRow[i] >= 0) out.push(i);
    return out.sort((x, y) => p.confidence[y] - p.confidence[x] || x - y);
  };
  const x = side(a, b);
  const y = side(b, a);
  const out: number[] = [];
  for (let j = 0; out.length < count && (j < x.length || j < y.length); j++) {
    if (j < x.length) out.push(subRow[x[j]]);
    if (j < y.length && out.length < count) out.push(subRow[y[j]]);
  }
  return out;
}

/** The rows `rows` of the points, copied. */
export function pick(points: Points, rows: ArrayLike<number>): Points {
  const { d } = points;
  const data = new Float32Array(rows.length * d);
  for (let j = 0; j < rows.length; j++) data.set(points.data.subarray(rows[j] * d, (rows[j] + 1) * d), j * d);
  return { n: rows.length, d, data };
}

/**
 * Units of the features that are 0 for every image, when the features look like a ReLU's output
 * (no value below 0): null otherwise.
 */
function deadFeatures(f: Points): { units: number; dead: number[] } | null {
  const max = new Float32Array(f.d).fill(-Infinity);
  for (let i = 0; i < f.n; i++) {
    for (let c = 0; c < f.d; c++) {
      const v = f.data[i * f.d + c];
      if (v < 0) return null;
      if (v > max[c]) max[c] = v;
    }
  }
  const dead: number[] = [];
  for (let c = 0; c < f.d; c++) if (!(max[c] > 0)) dead.push(c);
  return { units: f.d, dead };
}

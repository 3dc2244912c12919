import { nearestOfClass, neighborPairExamples, type PairExample, symmetricPairs } from "../analysis/diagnose/mixingPairs.js";
import type { ConfusionPairJson, ExampleJson, NeighborPairJson, SeparationClassJson, SeparationJson } from "../analysis/diagnose/diagnoseJson.js";
import { neighborMixing, PURITY_DEFAULTS } from "../analysis/diagnose/purity.js";
import { separationWords } from "../analysis/diagnose/separationWords.js";
import { silhouette } from "../analysis/embed/quality.js";
import type { Points } from "../analysis/neighbors/types.js";
import { autoGoesApprox, knn } from "../analysis/node/neighbors.js";
import type { PredictionsTable } from "../store/predictionsSchema.js";
import type { Scope } from "../store/runRecord.js";
import { DataError } from "../util/errors.js";
import { withDenseBackend } from "./dense.js";

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

/** The images that count: labelled, of a class with at least 2 images (a class of one has no neighbour of its own class to find). */
interface Counted {
  counts: Int32Array;
  include: (c: number) => boolean;
  skipped: SeparationJson["skipped"];
  /** Rows of the scope that count, and their labels. */
  rows: Int32Array;
  labels: Int32Array;
}

function countedRows(p: PredictionsTable, classes: string[]): Counted {
  const counts = new Int32Array(classes.length);
  for (let i = 0; i < p.n; i++) if (p.label[i] >= 0) counts[p.label[i]]++;
  const include = (c: number) => counts[c] >= 2;
  const skipped = classes.map((name, index) => ({ index, class: name, n: counts[index] })).filter((c) => c.n < 2);
  const rows = Int32Array.from({ length: p.n }, (_, i) => i).filter((i) => p.label[i] >= 0 && include(p.label[i]));
  if (new Set(Array.from(rows, (i) => p.label[i])).size < 2) {
    throw new DataError(`class separation needs at least two classes with 2 or more labelled images each; ${rows.length ? `only ${classes[p.label[rows[0]]]} has` : "no class has"}`);
  }
  return { counts, include, skipped, rows, labels: Int32Array.from(rows, (i) => p.label[i]) };
}

/** The class separation of one scope, as stored in diagnose/separation.json. */
export async function classSeparation(o: SeparationInput): Promise<SeparationJson> {
  const t0 = performance.now();
  const K = o.classes.length;
  const seed = o.seed ?? SEPARATION_DEFAULTS.seed;
  const c = countedRows(o.predictions, o.classes);
  const points = pick(o.features, c.rows);
  const k = Math.min(o.k ?? SEPARATION_DEFAULTS.k, c.rows.length - 1);

  o.onStage?.(`the ${k} nearest neighbours of ${c.rows.length.toLocaleString("en-US")} images`);
  const { graph, approx } = await withDenseBackend(async (dense) => ({
    graph: await knn(points, k, { dense, ...(o.threads ? { threads: o.threads } : {}) }),
    approx: autoGoesApprox(points.n, points.n, points.d, { dense }),
  }));
  const mixing = neighborMixing(graph, c.labels, K, { k });
  o.onStage?.("silhouettes");
  const sample = Math.min(o.silhouetteSample ?? SEPARATION_DEFAULTS.silhouetteSample, c.rows.length);
  const sil = new Set(c.labels).size < sample ? silhouette(points, c.labels, { sample, seed }) : null;
  const mapName = ["tsne", "umap", "pca"].find((m) => o.scope.maps[m]?.quality) ?? null;
  const mapSil = mapName ? ((o.scope.maps[mapName].quality as { silhouette?: { map: number; map_per_class: number[] } | null }).silhouette ?? null) : null;
  const confusion = confusionCounts(o.predictions, K, c.include);
  const perClass = perClassRows(o.classes, c, mixing.purity, mixing.mixing, confusion, sil?.perClass ?? null, mapSil?.map_per_class ?? null);
  const words = separationWords({ classes: o.classes, purity: mixing.purity, mixing: mixing.mixing, include: c.include, k });

  o.onStage?.("example image pairs");
  const examples = new Examples(o, c, points);
  const neighborPairs: NeighborPairJson[] = symmetricPairs(mixing.mixing, K, c.include).slice(0, SEPARATION_DEFAULTS.pairs).map((q) => ({
    a: q.a, b: q.b, classes: [o.classes[q.a], o.classes[q.b]], share_ab: q.ab, share_ba: q.ba, mixing: q.value,
    examples: neighborPairExamples(graph, c.labels, q.a, q.b, SEPARATION_DEFAULTS.examples).map((e) => examples.json(e)),
  }));
  const rowShares = Float64Array.from(confusion, (v, i) => (c.counts[Math.floor(i / K)] > 0 ? v / c.counts[Math.floor(i / K)] : 0));
  const confusionPairs: ConfusionPairJson[] = symmetricPairs(rowShares, K, c.include).slice(0, SEPARATION_DEFAULTS.pairs).map((q) => ({
    a: q.a, b: q.b, classes: [o.classes[q.a], o.classes[q.b]], a_as_b: confusion[q.a * K + q.b], b_as_a: confusion[q.b * K + q.a], confusion: q.value,
    examples: examples.mistakes(q.a, q.b, SEPARATION_DEFAULTS.examples),
  }));

  const t = words.thresholds;
  return {
    featurelens: "diagnose/separation", run: o.run, domain: o.domain, data: o.scope.data?.spec ?? "", layer: o.layer, n: o.predictions.n, d: points.d, classes: o.classes,
    k, knn_method: approx ? "approx" : "exact", skipped: c.skipped, per_class: perClass,
    purity: { mean: t.mean, sd: t.sd, overall: mixing.overall },
    silhouette: { score: sil?.score ?? NaN, sample, seed, map: mapName, map_score: mapSil?.map ?? null },
    mixing: Array.from({ length: K }, (_, a) => (c.include(a) ? Array.from(mixing.mixing.subarray(a * K, (a + 1) * K)) : null)),
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

/** K×K counts of true class (down) against predicted class, for the classes that count. */
function confusionCounts(p: PredictionsTable, K: number, include: (c: number) => boolean): Float64Array {
  const m = new Float64Array(K * K);
  for (let i = 0; i < p.n; i++) if (p.label[i] >= 0 && include(p.label[i]) && include(p.predicted[i])) m[p.label[i] * K + p.predicted[i]]++;
  return m;
}

/** One row per class that counts: purity, silhouettes, recall, the class most often among its neighbours. */
function perClassRows(classes: string[], c: Counted, purity: Float64Array, mixing: Float64Array, confusion: Float64Array, sil: Float64Array | null, mapSil: number[] | null): SeparationClassJson[] {
  const K = classes.length;
  const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : null);
  const out: SeparationClassJson[] = [];
  for (let a = 0; a < K; a++) {
    if (!c.include(a)) continue;
    let top = -1;
    for (let b = 0; b < K; b++) if (b !== a && c.include(b) && (top < 0 || mixing[a * K + b] > mixing[a * K + top])) top = b;
    out.push({
      index: a, class: classes[a], n: c.counts[a], purity: purity[a], silhouette: finite(sil?.[a]), map_silhouette: finite(mapSil?.[a]),
      recall: confusion[a * K + a] / c.counts[a], top_neighbor: top >= 0 && mixing[a * K + top] > 0 ? { class: classes[top], share: mixing[a * K + top] } : null,
    });
  }
  return out;
}

/** Example image pairs as stored: rows of the scope and source indices, from rows of the counted subset. */
class Examples {
  private readonly subRow: Int32Array;
  constructor(
    private readonly o: SeparationInput,
    private readonly c: Counted,
    private readonly points: Points,
  ) {
    this.subRow = new Int32Array(o.predictions.n).fill(-1);
    c.rows.forEach((r, s) => (this.subRow[r] = s));
  }

  json(e: PairExample, extra: Partial<ExampleJson> = {}): ExampleJson {
    const { rows, labels } = this.c;
    const { predictions: p, classes } = this.o;
    return {
      row: rows[e.row], index: p.index[rows[e.row]], class: classes[labels[e.row]],
      other_row: rows[e.other], other_index: p.index[rows[e.other]], other_class: classes[labels[e.other]], distance: e.distance, ...extra,
    };
  }

  /** Images of a taken for b and of b taken for a (most confident first, in turn), each beside its nearest image of the class it was taken for. */
  mistakes(a: number, b: number, count: number): ExampleJson[] {
    const p = this.o.predictions;
    return confusionExamples(p, a, b, count, this.subRow).flatMap((s) => {
      const near = nearestOfClass(this.points, this.c.labels, s, p.predicted[this.c.rows[s]]);
      return near ? [this.json({ row: s, other: near.row, distance: near.distance }, { predicted: this.o.classes[p.predicted[this.c.rows[s]]], confidence: p.confidence[this.c.rows[s]] })] : [];
    });
  }
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

/**
 * Test data and render checks for the evaluation charts: a Fashion-MNIST-like model's predictions
 * made from a seeded generator, small reference ROC and precision–recall curves, and a helper that
 * renders a spec to SVG and PNG and reads a few pixel statistics back.
 */
import sharp from "sharp";
import { expect, vi } from "vitest";
import type { TopLevelSpec } from "vega-lite";
import { renderSvg, svgToPng } from "../vega.js";

export const FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

/** A 10,000-image Fashion-MNIST-like confusion matrix (rows: true class), 91.1% accurate. */
export const FASHION_CONFUSION = Int32Array.of(
  885, 0, 14, 23, 1, 1, 122, 1, 1, 2,
  0, 1032, 0, 2, 0, 1, 0, 0, 0, 0,
  0, 2, 867, 0, 64, 0, 55, 0, 0, 0,
  7, 1, 0, 983, 16, 1, 0, 0, 2, 0,
  1, 0, 61, 11, 868, 1, 50, 0, 0, 1,
  1, 1, 0, 0, 1, 967, 1, 15, 0, 5,
  153, 3, 95, 1, 79, 1, 684, 2, 3, 0,
  1, 0, 0, 0, 0, 34, 1, 893, 0, 26,
  2, 0, 0, 0, 0, 0, 0, 0, 988, 0,
  0, 0, 0, 0, 0, 3, 1, 20, 0, 943,
);

/** mulberry32, a small seeded generator (Tommy Ettinger's public-domain constant). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One standard normal deviate (Box–Muller). */
export function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * Softmax outputs of a K-class classifier on n samples: each sample's true class gets a logit
 * `margin` above noise, at temperature 0.55 (over-confident, as trained networks are).
 */
export function simulatePredictions(n: number, k: number, seed: number, margin = 6.5): { labels: Int32Array; probs: Float64Array } {
  const random = rng(seed);
  const labels = new Int32Array(n);
  const probs = new Float64Array(n * k);
  const z = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    labels[i] = Math.floor(random() * k);
    for (let c = 0; c < k; c++) z[c] = 1.6 * normal(random) + (c === labels[i] ? margin : 0);
    const top = Math.max(...z) / 0.55;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += probs[i * k + c] = Math.exp(z[c] / 0.55 - top);
    for (let c = 0; c < k; c++) probs[i * k + c] /= sum;
  }
  return { labels, probs };
}

/** The scores of one class and whether each sample is of it. */
export function oneVsRest(probs: Float64Array, labels: Int32Array, k: number, c: number): { scores: Float64Array; truth: Uint8Array } {
  const n = labels.length;
  return { scores: Float64Array.from({ length: n }, (_, i) => probs[i * k + c]), truth: Uint8Array.from(labels, (l) => (l === c ? 1 : 0)) };
}

/** Samples by decreasing score, with the number of positives and negatives. */
function ranked(scores: ArrayLike<number>, truth: ArrayLike<number>): { order: number[]; pos: number; neg: number } {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let pos = 0;
  for (let i = 0; i < truth.length; i++) pos += truth[i] ? 1 : 0;
  return { order, pos, neg: truth.length - pos };
}

/** A reference ROC curve, one point per distinct score, from (0, 0); AUC by the trapezoid rule (as scikit-learn's roc_curve). */
export function referenceRoc(scores: ArrayLike<number>, truth: ArrayLike<number>): { fpr: Float64Array; tpr: Float64Array; thresholds: Float64Array; auc: number } {
  const { order, pos, neg } = ranked(scores, truth);
  const fpr = [0];
  const tpr = [0];
  const thresholds = [Infinity];
  let tp = 0;
  let fp = 0;
  for (let j = 0; j < order.length; j++) {
    if (truth[order[j]]) tp++;
    else fp++;
    if (j === order.length - 1 || scores[order[j + 1]] !== scores[order[j]]) {
      fpr.push(fp / neg);
      tpr.push(tp / pos);
      thresholds.push(scores[order[j]]);
    }
  }
  let auc = 0;
  for (let j = 1; j < fpr.length; j++) auc += ((fpr[j] - fpr[j - 1]) * (tpr[j] + tpr[j - 1])) / 2;
  return { fpr: Float64Array.from(fpr), tpr: Float64Array.from(tpr), thresholds: Float64Array.from(thresholds), auc };
}

/**
 * A reference precision–recall curve as scikit-learn's precision_recall_curve: recall falling to a
 * last point (0, 1); average precision as sum (R_n - R_n-1) P_n.
 */
export function referencePr(scores: ArrayLike<number>, truth: ArrayLike<number>): { recall: Float64Array; precision: Float64Array; averagePrecision: number; prevalence: number } {
  const { order, pos } = ranked(scores, truth);
  const recall: number[] = [];
  const precision: number[] = [];
  let tp = 0;
  for (let j = 0; j < order.length; j++) {
    if (truth[order[j]]) tp++;
    if (j === order.length - 1 || scores[order[j + 1]] !== scores[order[j]]) {
      recall.push(tp / pos);
      precision.push(tp / (j + 1));
    }
  }
  let ap = 0;
  for (let j = 0; j < recall.length; j++) ap += (recall[j] - (j === 0 ? 0 : recall[j - 1])) * precision[j];
  recall.reverse().push(0);
  precision.reverse().push(1);
  return { recall: Float64Array.from(recall), precision: Float64Array.from(precision), averagePrecision: ap, prevalence: pos / truth.length };
}

/** A rendered chart: its SVG, its PNG's size and a way to read its pixels. */
export interface Rendered {
  svg: string;
  width: number;
  height: number;
  /** Share of pixels that pass a test, over the whole picture. */
  share: (test: (rgb: [number, number, number]) => boolean) => number;
}

/** RGB within `tolerance` of a #rrggbb colour. */
export function near(hex: string, tolerance = 3): (rgb: [number, number, number]) => boolean {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return (rgb) => rgb.every((v, k) => Math.abs(v - c[k]) <= tolerance);
}

export const isNotWhite = ([r, g, b]: [number, number, number]): boolean => r < 245 || g < 245 || b < 245;

/**
 * Renders `spec` to SVG and PNG, checking that Vega and Vega-Lite warn about nothing on the way,
 * and reads the PNG's pixels back.
 */
export async function renderChecked(spec: TopLevelSpec): Promise<Rendered> {
  const warn = vi.spyOn(console, "warn");
  try {
    const svg = await renderSvg(spec);
    expect(svg.startsWith("<svg")).toBe(true);
    const png = await svgToPng(svg);
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(warn).not.toHaveBeenCalled();
    const share = (test: (rgb: [number, number, number]) => boolean): number => {
      let hits = 0;
      for (let p = 0; p < data.length; p += info.channels) if (test([data[p], data[p + 1], data[p + 2]])) hits++;
      return hits / (info.width * info.height);
    };
    return { svg, width: info.width, height: info.height, share };
  } finally {
    warn.mockRestore();
  }
}

/** The number of items drawn by the SVG's data marks of class `markClass` (e.g. "mark-rect"), over all their groups. */
export function markCount(svg: string, markClass: string): number {
  let n = 0;
  for (let start = svg.indexOf(`<g class="${markClass} role-mark`); start >= 0; start = svg.indexOf(`<g class="${markClass} role-mark`, start + 1)) {
    const group = svg.slice(start, svg.indexOf("</g>", start));
    n += (group.match(/<(path|line|text)\b/g) ?? []).length;
  }
  return n;
}

/** The spec as plain data, to look into without Vega-Lite's union types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const asData = (spec: unknown): any => JSON.parse(JSON.stringify(spec));

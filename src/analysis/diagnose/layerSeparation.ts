/**
 * Class separation layer by layer: each layer's values pooled to one vector per image (conv maps
 * C×H×W → C by global average pooling, Lin et al. 2014 §3.2), the units that never fire, the
 * held-out kNN accuracy of a layer, and the curve in words. Browser-safe, plain typed arrays.
 */
import { DataError } from "../../util/errors.js";
import type { KnnGraph } from "../neighbors/types.js";
import { pc } from "./diagnoseText.js";

/**
 * Global average pooling of N images' values of C channels × S positions each (row-major, as ONNX
 * lays out N×C×H×W with S = H·W): N×C channel means. With `max` (length C) each channel's
 * largest value over these images and positions is folded in, so a layer's maxima can be gathered
 * batch by batch.
 * @example globalAveragePool(Float32Array.of(1, 3, 0, 0), 1, 2, 2).data // Float32Array [2, 0]
 */
export function globalAveragePool(values: Float32Array, n: number, c: number, s: number, max?: Float32Array): { n: number; d: number; data: Float32Array } {
  if (values.length !== n * c * s) throw new RangeError(`values: ${values.length} numbers for ${n}×${c}×${s}`);
  if (max && max.length !== c) throw new RangeError(`max has ${max.length} entries for ${c} channels`);
  const out = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const o = (i * c + ch) * s;
      let sum = 0;
      let hi = -Infinity;
      for (let p = 0; p < s; p++) {
        const v = values[o + p];
        sum += v;
        if (v > hi) hi = v;
      }
      out[i * c + ch] = sum / s;
      if (max && hi > max[ch]) max[ch] = hi;
    }
  }
  return { n, d: c, data: out };
}

/**
 * The units (channels) that never fire: a largest value ≤ 0 over every image and position seen.
 * Meant for the output of a ReLU, where such a unit is 0 for every input ("dead").
 * @example deadUnits(Float32Array.of(0.5, 0, -1)) // Int32Array [1, 2]
 */
export function deadUnits(max: Float32Array): Int32Array {
  const out: number[] = [];
  for (let c = 0; c < max.length; c++) if (!(max[c] > 0)) out.push(c);
  return Int32Array.from(out);
}

/**
 * Accuracy of a k-nearest-neighbour classifier: each scored point takes the majority class of its
 * k nearest fitted points (`graph` from a query of the scored points against the fitted ones); a
 * tie goes to the tied class whose nearest member comes first (as `knnAccuracy` in
 * analysis/embed/quality.ts).
 * @example knnVoteAccuracy({ n: 1, k: 3, metric: "l2", indices: Int32Array.of(0, 1, 2), distances: Float32Array.of(1, 2, 3) }, Int32Array.of(1, 0, 0), Int32Array.of(0)) // 1
 */
export function knnVoteAccuracy(graph: KnnGraph, fitLabels: Int32Array, scoreLabels: Int32Array): number {
  if (scoreLabels.length !== graph.n) throw new DataError(`${scoreLabels.length} labels for ${graph.n} scored points`);
  let classes = 0;
  for (let i = 0; i < fitLabels.length; i++) classes = Math.max(classes, fitLabels[i] + 1);
  const votes = new Int32Array(classes);
  let correct = 0;
  for (let i = 0; i < graph.n; i++) {
    votes.fill(0);
    let best = -1;
    let bestVotes = 0;
    for (let c = 0; c < graph.k; c++) {
      const y = fitLabels[graph.indices[i * graph.k + c]];
      if (++votes[y] > bestVotes) {
        bestVotes = votes[y];
        best = y;
      }
    }
    if (best === scoreLabels[i]) correct++;
  }
  return graph.n > 0 ? correct / graph.n : NaN;
}

/** One point of the layer curve, as {@link layerWords} reads it. */
export interface LayerPoint {
  name: string;
  accuracy: number;
  role: "input" | "penultimate" | "logits" | null;
}

export interface LayerWords {
  text: string;
  details: string[];
  how: string;
  /** Whether kNN in pixel space scores higher than in the penultimate layer. */
  pixelsBeatPenultimate: boolean | null;
  /** The first layer within two standard errors of the best one (null when there is no layer). */
  separateFrom: string | null;
  best: string | null;
}

/**
 * The layer curve in words: where it starts (the pixels), from which layer on the classes
 * separate about as well as they ever do (the first layer within two standard errors of the best
 * layer's accuracy, the standard error being √(p(1−p)/n) over the `scored` images), the largest
 * rise between two layers in a row, and whether the pixels' neighbours beat the penultimate layer's.
 */
export function layerWords(points: readonly LayerPoint[], scored: number): LayerWords {
  const how = `kNN accuracy: each of ${scored.toLocaleString("en-US")} held-out images takes the majority class of its 10 nearest neighbours among the other images (80% of those analysed, stratified and seeded), in each layer's values pooled per channel. "Separate from" is the first layer within two standard errors (√(p(1−p)/n)) of the best.`;
  if (points.length === 0) return { text: "No layer could be measured.", details: [], how, pixelsBeatPenultimate: null, separateFrom: null, best: null };
  const se = (p: number) => Math.sqrt((p * (1 - p)) / Math.max(1, scored));
  const best = points.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
  const from = points.find((p) => p.accuracy >= best.accuracy - 2 * se(best.accuracy)) ?? best;
  const input = points.find((p) => p.role === "input");
  const pen = points.find((p) => p.role === "penultimate");
  let jump = { at: -1, by: -Infinity };
  for (let i = 1; i < points.length; i++) if (points[i].accuracy - points[i - 1].accuracy > jump.by) jump = { at: i, by: points[i].accuracy - points[i - 1].accuracy };
  const beat = input && pen ? input.accuracy > pen.accuracy : null;
  const layersOnly = points.filter((p) => p.role !== "input");
  const bestLayer = layersOnly.length ? layersOnly.reduce((a, b) => (b.accuracy > a.accuracy ? b : a)) : null;
  let text: string;
  if (best.role === "input" && bestLayer) {
    text = `No layer separates the classes better than the pixels: kNN gets ${pc(best.accuracy)} in pixel space and at most ${pc(bestLayer.accuracy)} in a layer (${bestLayer.name}).`;
  } else if (from.role === "input") {
    text = `The pixels already separate the classes about as well as any layer: kNN gets ${pc(from.accuracy)} in pixel space, ${pc(best.accuracy)} at the best layer (${best.name}).`;
  } else {
    text = `The classes separate from ${from.name} on (${pc(from.accuracy)} kNN accuracy; the best, ${best.name}, ${pc(best.accuracy)})${input ? `; in pixel space kNN gets ${pc(input.accuracy)}` : ""}.`;
  }
  if (input && pen) {
    const diff = pen.accuracy - input.accuracy;
    const sd = Math.sqrt(se(pen.accuracy) ** 2 + se(input.accuracy) ** 2);
    const noise = Math.abs(diff) < 2 * sd ? ", within the noise of the held-out sample" : "";
    text += beat
      ? ` Pixel-space neighbours beat the penultimate layer (${pc(input.accuracy)} against ${pc(pen.accuracy)}${noise}): the network's features do not group the classes better than the raw images do.`
      : ` The penultimate layer beats pixel-space neighbours by ${(100 * diff).toFixed(1)} points (${pc(pen.accuracy)} against ${pc(input.accuracy)}${noise}).`;
  }
  const details = [`Largest rise: ${(100 * jump.by).toFixed(1)} points, from ${points[jump.at - 1]?.name ?? "-"} to ${points[jump.at]?.name ?? "-"}.`];
  if (pen && bestLayer && bestLayer.accuracy - pen.accuracy > 2 * se(bestLayer.accuracy)) details.push(`The best layer is ${bestLayer.name} (${pc(bestLayer.accuracy)}), not the penultimate (${pc(pen.accuracy)}).`);
  return { text, details: jump.at > 0 ? details : details.slice(1), how, pixelsBeatPenultimate: beat, separateFrom: from.name, best: best.name };
}

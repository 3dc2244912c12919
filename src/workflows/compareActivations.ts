import { ckaFromGrams, frobeniusDot } from "../analysis/diagnose/cka.js";
import { profileLayer } from "../analysis/diagnose/compareHistograms.js";
import type { ActivationComparison, LayerSummary } from "../analysis/diagnose/compareTypes.js";
import type { Dataset } from "../data/dataset.js";
import { type Layer, listLayers } from "../engine/onnx/surgery.js";
import { collectValues, type OpenedModel } from "../nn/infer.js";
import { GramSession } from "./compareGram.js";

/**
 * The inside of two models on the same sample of images, in one pass per model and group of
 * layers: each layer's activation profile (mean, zeros, dead channels, a fine histogram) and its
 * centred Gram matrix, from which linear CKA between every layer of A and every layer of B follows
 * (Kornblith et al. 2019). Model A's Grams are kept (n² floats each); B's are used and dropped.
 */

export const COMPARE_ACTIVATIONS_DEFAULTS = {
  /** Layers per model whose CKA is computed, at most (spread evenly, the last kept): each keeps an n×n Gram. */
  maxCkaLayers: 32,
  /** Feature values held at once while a group of layers is read (bytes). */
  groupBytes: 256 * 1024 * 1024,
  batchSize: 128,
} as const;

/** Layer kinds compared (what `inspect` reads, less the softmax). */
const COMPARED = new Set(["conv", "activation", "pool", "norm", "dense", "add", "concat"]);

/** The layers of a model that are compared: those of COMPARED kinds with a known size per image. */
export function comparedLayers(opened: OpenedModel): Layer[] {
  return listLayers(opened.model).filter((l) => COMPARED.has(l.kind) && l.shape && l.shape.slice(1).every((d) => typeof d === "number"));
}

/** Positions of at most `max` of `count` layers, spread evenly from the first to the last. */
export function spread(count: number, max: number = COMPARE_ACTIVATIONS_DEFAULTS.maxCkaLayers): number[] {
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  return [...new Set(Array.from({ length: max }, (_, j) => Math.round((j * (count - 1)) / (max - 1))))];
}

/**
 * Profiles and Grams of one model's layers over `ds`, a group of layers at a time (each read for
 * every image, as n × features); `onGram` gets each layer's centred Gram.
 */
async function walkLayers(opened: OpenedModel, ds: Dataset, layers: Layer[], withGram: Set<number>, gram: GramSession, onGram: (i: number, g: Float32Array) => void, threads?: number, onLayer?: (done: number, total: number) => void): Promise<LayerSummary[]> {
  const perImage = layers.map((l) => (l.shape!.slice(1) as number[]).reduce((a, b) => a * b, 1));
  const out: LayerSummary[] = [];
  let i = 0;
  while (i < layers.length) {
    let bytes = 0;
    const group: number[] = [];
    while (i < layers.length && (group.length === 0 || bytes + perImage[i] * ds.n * 4 <= COMPARE_ACTIVATIONS_DEFAULTS.groupBytes)) {
      bytes += perImage[i] * ds.n * 4;
      group.push(i++);
    }
    const got = await collectValues(opened, ds, group.map((j) => layers[j].output), { batchSize: COMPARE_ACTIVATIONS_DEFAULTS.batchSize, ...(threads ? { threads } : {}) });
    for (const j of group) {
      const l = layers[j];
      const shape = l.shape!.slice(1) as number[];
      const values = got.get(l.output)!.data;
      got.delete(l.output);
      out.push({ name: l.name, kind: l.kind, op: l.op, shape, profile: profileLayer(values, ds.n, perImage[j], shape.length === 3 ? shape[0] : 0) });
      if (withGram.has(j)) onGram(j, await gram.centeredGram(values, ds.n, perImage[j]));
      onLayer?.(out.length, layers.length);
    }
  }
  return out;
}

/**
 * Both models over the same images `ds` (a sample of the common images): profiles per layer and
 * the CKA matrix between all compared layers.
 */
export async function compareActivations(a: OpenedModel, b: OpenedModel, ds: Dataset, o: { threads?: number; onProgress?: (label: string, done: number, total: number) => void } = {}): Promise<ActivationComparison> {
  const la = comparedLayers(a);
  const lb = comparedLayers(b);
  const ka = spread(la.length);
  const kb = spread(lb.length);
  const rowOf = new Map(ka.map((layer, i) => [layer, i]));
  const colOf = new Map(kb.map((layer, j) => [layer, j]));
  const gram = await GramSession.create(o.threads);
  try {
    const gramsA: Float32Array[] = new Array(ka.length);
    const normsA = new Float64Array(ka.length);
    let t0 = performance.now();
    const sa = await walkLayers(a, ds, la, new Set(ka), gram, (layer, g) => {
      const i = rowOf.get(layer)!;
      gramsA[i] = g;
      normsA[i] = Math.sqrt(frobeniusDot(g, g));
    }, o.threads, (d, t) => o.onProgress?.("layers of A", d, t));
    const secondsA = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const cka = new Array<number>(ka.length * kb.length).fill(NaN);
    const sb = await walkLayers(b, ds, lb, new Set(kb), gram, (layer, g) => {
      const j = colOf.get(layer)!;
      const nb = Math.sqrt(frobeniusDot(g, g));
      for (let i = 0; i < ka.length; i++) cka[i * kb.length + j] = ckaFromGrams(gramsA[i], g, normsA[i], nb);
    }, o.threads, (d, t) => o.onProgress?.("layers of B", d, t));
    return { images: ds.n, a: sa, b: sb, cka_a: ka.map((i) => la[i].name), cka_b: kb.map((j) => lb[j].name), cka, seconds: { a: secondsA, b: (performance.now() - t0) / 1000 } };
  } finally {
    await gram.release();
  }
}

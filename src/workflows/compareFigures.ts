import type { Comparison } from "../analysis/diagnose/compareTypes.js";
import { exactKnnQuery } from "../analysis/neighbors/exact.js";
import { type Dataset, subset } from "../data/dataset.js";
import { listLayers } from "../engine/onnx/surgery.js";
import { collectValues, type OpenedModel } from "../nn/infer.js";
import { renderExampleRows, renderMapsPair, withNotes } from "../report/compareFigures.js";
import { shortLayer } from "../report/charts/compareDeep.js";
import { WRONG } from "../report/sampleGrid.js";
import { type Raster } from "../report/raster.js";
import { readFeatures } from "../store/features.js";
import type { Run } from "../store/run.js";
import { createRng } from "../util/rng.js";
import { loadScopeImages } from "./compareAlign.js";

/**
 * The pictures of a comparison that need the images or the models: example images of each cell of
 * the agreement table, one image's feature maps in both models on a shared colour scale, and (with
 * a domain) shifted images beside their nearest images of the run's own data.
 */

export const COMPARE_FIGURE_DEFAULTS = { mapLayers: 3, maxChannels: 16, domainQueries: 6, neighbors: 6, seed: 0 } as const;

const CELL_LABELS = { both_right: "both right", only_a: "only A right", only_b: "only B right", both_wrong: "both wrong" } as const;

/** Example images of each agreement cell (rows of `images`, the compared images). */
export function agreementPicture(c: Comparison, images: Dataset, predicted: { a: Int32Array; b: Int32Array }): Raster {
  const name = (k: number) => c.classes[k] ?? String(k);
  const rows = (Object.keys(CELL_LABELS) as (keyof typeof CELL_LABELS)[]).map((cell) => {
    const list = c.agreement.examples[cell];
    const captions = list.map((r) => {
      const pa = predicted.a[r];
      const pb = predicted.b[r];
      return cell === "both_right" ? name(images.labels[r]) : cell === "only_a" ? `B:${name(pb)}` : cell === "only_b" ? `A:${name(pa)}` : pa === pb ? `both:${name(pa)}` : `${name(pa)}|${name(pb)}`;
    });
    return { label: `${CELL_LABELS[cell]} ${c.agreement.counts[cell]}`, rows: list, captions, ...(cell === "both_right" ? {} : { color: WRONG }) };
  });
  return withNotes(renderExampleRows(images, rows, `Where ${c.a.id} (A) and ${c.b.id} (B) agree`), [
    "captions: the wrong model's answer (B:... = what B called it); both right: the true class; the hardest examples first",
  ]);
}

/** The image the feature maps are shown for: one A gets right and B wrong, else the reverse, else the first. */
export function mapsImage(c: Comparison): number {
  return c.agreement.examples.only_a[0] ?? c.agreement.examples.only_b[0] ?? c.agreement.examples.both_right[0] ?? 0;
}

/**
 * Up to `count` layers both models have (by name) whose output is maps (C×H×W, H·W > 1), after an
 * activation or pool, spread from the first to the last.
 */
export function sharedMapLayers(a: OpenedModel, b: OpenedModel, count: number = COMPARE_FIGURE_DEFAULTS.mapLayers): { name: string; a: string; b: string }[] {
  const maps = (m: OpenedModel) => listLayers(m.model).filter((l) => (l.kind === "activation" || l.kind === "pool") && l.shape?.length === 4 && typeof l.shape[2] === "number" && typeof l.shape[3] === "number" && l.shape[2] * l.shape[3] > 1);
  const inB = new Map(maps(b).map((l) => [l.name, l]));
  const both = maps(a).filter((l) => inB.has(l.name));
  const chosen = both.length <= count ? both : Array.from({ length: count }, (_, j) => both[Math.round((j * (both.length - 1)) / (count - 1))]);
  return chosen.map((l) => ({ name: l.name, a: l.output, b: inB.get(l.name)!.output }));
}

/** One image's maps of the shared layers in both models, each layer's pair on one colour scale, one above the other. */
export async function mapsPictures(c: Comparison, a: OpenedModel, b: OpenedModel, images: Dataset, row: number): Promise<{ layer: string; picture: Raster }[]> {
  const layers = sharedMapLayers(a, b);
  if (layers.length === 0) return [];
  const one = subset(images, [row]);
  const ga = await collectValues(a, one, layers.map((l) => l.a), { batchSize: 1 });
  const gb = await collectValues(b, one, layers.map((l) => l.b), { batchSize: 1 });
  const name = (k: number) => c.classes[k] ?? String(k);
  const index = images.indices ? images.indices[row] : row;
  const about = `image #${index} (${name(images.labels[row])}): ${c.agreement.examples.only_a[0] === row ? `${c.a.id} right, ${c.b.id} wrong` : c.agreement.examples.only_b[0] === row ? `${c.b.id} right, ${c.a.id} wrong` : "both right"}; darker = smaller activations, on one scale for both`;
  return layers.map((l) => {
    const va = ga.get(l.a)!;
    const vb = gb.get(l.b)!;
    const pair = renderMapsPair({ run: c.a.id, values: va.data, dims: va.dims.slice(1) }, { run: c.b.id, values: vb.data, dims: vb.dims.slice(1) }, shortLayer(l.name), { maxChannels: COMPARE_FIGURE_DEFAULTS.maxChannels });
    return { layer: l.name, picture: withNotes(pair, [about]) };
  });
}

/** Shifted images and their nearest images of the run's own data, in the run's penultimate feature space. */
export interface CrossNeighbors {
  run: string;
  domain: string;
  /** Source indices of the domain images asked about, and of each one's neighbours in the run's data. */
  queries: { index: number; label: number; neighbors: { index: number; label: number; distance: number }[] }[];
  picture: Raster | null;
  /** Why there is no picture (the two sets' images differ in size). */
  note?: string;
}

/**
 * For `queries` seeded images of the run's domain `slug`, their `k` nearest images of the run's own
 * data by the penultimate features (Euclidean), with thumbnails: how the model places a shifted
 * image among the images it was analyzed on.
 */
export async function crossNeighbors(run: Run, slug: string, o: { queries?: number; k?: number; seed?: number } = {}): Promise<CrossNeighbors> {
  const d = COMPARE_FIGURE_DEFAULTS;
  const scope = run.scope(slug);
  const own = readFeatures(run, run.record, "penultimate");
  const shifted = readFeatures(run, scope, "penultimate");
  const ownImages = await loadScopeImages(run, run.record);
  const domainImages = await loadScopeImages(run, scope);
  const rng = createRng(o.seed ?? d.seed);
  const count = Math.min(o.queries ?? d.domainQueries, shifted.n);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(rng.int(shifted.n));
  const rows = [...picked].sort((x, y) => x - y);
  const q = new Float32Array(rows.length * shifted.d);
  rows.forEach((r, i) => q.set(shifted.data.subarray(r * shifted.d, (r + 1) * shifted.d), i * shifted.d));
  const k = Math.min(o.k ?? d.neighbors, own.n);
  const knn = exactKnnQuery({ n: own.n, d: own.d, data: own.data }, { n: rows.length, d: shifted.d, data: q }, k);
  const srcIndex = (ds: Dataset, r: number) => (ds.indices ? ds.indices[r] : r);
  const queries = rows.map((r, i) => ({
    index: srcIndex(domainImages, r), label: domainImages.labels[r],
    neighbors: Array.from({ length: k }, (_, j) => {
      const n = knn.indices[i * k + j];
      return { index: srcIndex(ownImages, n), label: ownImages.labels[n], distance: knn.distances[i * k + j] };
    }),
  }));
  const base = { run: run.id, domain: slug, queries };
  if (ownImages.height !== domainImages.height || ownImages.width !== domainImages.width || ownImages.channels !== domainImages.channels) {
    return { ...base, picture: null, note: `the domain's images (${domainImages.width}×${domainImages.height}×${domainImages.channels}) and the run's (${ownImages.width}×${ownImages.height}×${ownImages.channels}) differ in size; see the indices` };
  }
  // one strip per query: the shifted image, then its neighbours — drawn from a dataset of both sets' rows
  const size = ownImages.height * ownImages.width * ownImages.channels;
  const strip = rows.flatMap((r, i) => [{ from: domainImages, row: r }, ...Array.from({ length: k }, (_, j) => ({ from: ownImages, row: knn.indices[i * k + j] }))]);
  const pixels = new Uint8Array(strip.length * size);
  strip.forEach((s, j) => pixels.set(s.from.images.subarray(s.row * size, (s.row + 1) * size), j * size));
  const both: Dataset = { ...ownImages, n: strip.length, images: pixels, labels: Int32Array.from(strip, (s) => s.from.labels[s.row]) };
  delete (both as { indices?: unknown }).indices;
  const name = (y: number) => (y >= 0 ? (run.record.classes[y] ?? String(y)) : "?");
  const example = rows.map((_, i) => ({
    label: `#${queries[i].index} ${name(queries[i].label)}`,
    rows: Array.from({ length: k + 1 }, (_, j) => i * (k + 1) + j),
    captions: [`shifted`, ...queries[i].neighbors.map((n) => name(n.label))],
  }));
  const picture = withNotes(renderExampleRows(both, example, `${run.id}: images of ${slug} and their ${k} nearest of its own data`), [
    `first column: the shifted image (${slug}); then the nearest images of ${run.record.data?.spec ?? "the run's data"} by ${run.id}'s penultimate features (Euclidean)`,
  ]);
  return { ...base, picture };
}

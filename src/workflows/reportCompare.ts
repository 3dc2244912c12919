import { type Dataset, subset } from "../data/dataset.js";
import { stratifiedIndices } from "../data/subset.js";
import { listLayers } from "../engine/onnx/surgery.js";
import { collectValues, type OpenedModel } from "../nn/infer.js";
import type { LayerStatsRow, RunView } from "../report/html/types.js";
import { UsageError } from "../util/errors.js";

/**
 * What `report --compare` adds: the check that both runs scored the same images, and each layer's
 * activation statistics (mean, share of exact zeros) over a sample of those images through both
 * models — the feature-extraction article's comparison of a CNN trained on 50K and on 10K images.
 */

export const COMPARE_DEFAULTS = { images: 256, batch: 64, seed: 0 } as const;

/** Layer kinds whose statistics are compared (what `inspect` reads, less the softmax). */
const COMPARED = new Set(["conv", "activation", "pool", "norm", "dense", "add", "concat"]);

/** Refuses two runs that were not analyzed on the same images, naming both. */
export function checkSameImages(a: Pick<RunView, "id" | "record">, b: Pick<RunView, "id" | "record">): void {
  const da = a.record.data;
  const db = b.record.data;
  const describe = (r: Pick<RunView, "record">) => (r.record.data ? `${r.record.data.spec} (${r.record.data.n.toLocaleString("en-US")} images, hash ${r.record.data.hash.slice(0, 12)})` : "no recorded data");
  if (!da || !db || da.hash !== db.hash) {
    throw new UsageError(
      `--compare needs two runs on the same images: run ${a.id} was analyzed on ${describe(a)} and run ${b.id} on ${describe(b)}; ` +
        `analyze ${b.id}'s model on ${a.id}'s data first (featurelens analyze --model <${b.id}'s folder> --data ${da?.spec ?? "SPEC"}${da?.limit != null ? ` --limit ${da.limit}` : ""} --out ${b.id}-on-${a.id})`,
    );
  }
}

interface Accumulated {
  sum: number;
  zeros: number;
  count: number;
}

/** Mean and share of zeros of every compared layer of a model over `ds`, in batches. */
export async function layerStatistics(opened: OpenedModel, ds: Dataset, batch: number = COMPARE_DEFAULTS.batch): Promise<{ layer: string; kind: string; mean: number; zeros: number }[]> {
  const layers = listLayers(opened.model).filter((l) => COMPARED.has(l.kind));
  const acc = new Map<string, Accumulated>(layers.map((l) => [l.output, { sum: 0, zeros: 0, count: 0 }]));
  for (let start = 0; start < ds.n; start += batch) {
    const part = subset(ds, Int32Array.from({ length: Math.min(batch, ds.n - start) }, (_, j) => start + j));
    const got = await collectValues(opened, part, [...acc.keys()], { batchSize: batch });
    for (const [value, a] of acc) {
      const data = got.get(value)!.data;
      for (let i = 0; i < data.length; i++) {
        a.sum += data[i];
        if (data[i] === 0) a.zeros++;
      }
      a.count += data.length;
    }
  }
  return layers.map((l) => {
    const a = acc.get(l.output)!;
    return { layer: l.name, kind: l.kind, mean: a.count ? a.sum / a.count : NaN, zeros: a.count ? a.zeros / a.count : NaN };
  });
}

/**
 * Both models' layer statistics over the same `images` images of `ds` (stratified, seeded), as
 * rows matched by layer name; layers that only one model has get a row with the other side empty.
 */
export async function compareLayers(a: OpenedModel, b: OpenedModel, ds: Dataset, images: number = COMPARE_DEFAULTS.images): Promise<{ rows: LayerStatsRow[]; images: number }> {
  const sample = ds.n > images ? subset(ds, stratifiedIndices(ds.labels, ds.classes.length, { limit: images, seed: COMPARE_DEFAULTS.seed })) : ds;
  const sa = await layerStatistics(a, sample);
  const sb = await layerStatistics(b, sample);
  const inB = new Map(sb.map((s) => [s.layer, s]));
  const rows: LayerStatsRow[] = sa.map((s) => {
    const o = inB.get(s.layer);
    return { layer: s.layer, kind: s.kind, a: { mean: s.mean, zeros: s.zeros }, b: o ? { mean: o.mean, zeros: o.zeros } : null };
  });
  const inA = new Set(sa.map((s) => s.layer));
  for (const s of sb) if (!inA.has(s.layer)) rows.push({ layer: s.layer, kind: s.kind, a: null, b: { mean: s.mean, zeros: s.zeros } });
  return { rows, images: sample.n };
}

import { sourceIndices } from "../data/dataset.js";
import { encodeNpy } from "../data/npy.js";
import type { Shard } from "../data/shard.js";
import { resolveLayer } from "../engine/onnx/surgery.js";
import { collectValues, type InferOptions } from "../nn/infer.js";
import { writeFeaturesPart } from "../store/parts.js";
import { writeFilesAtomic } from "../util/atomic.js";
import { UsageError } from "../util/errors.js";
import type { AnalyzedData } from "./analyze.js";
import type { FeaturesSidecar } from "./featureSource.js";
import { type ModelFile, outputKind, partInfo, shardImages } from "./shardedInput.js";

/**
 * `featurelens extract`: one layer's values for every image (or for shard i/n of them) as float32
 * .npy (N×D, or N×C×H×W with `keepShape`) with its sidecar F.json (labels, classes, model, data;
 * see featureSource.ts), or as a Parquet features part — `index`, `label`,
 * `features` FLOAT[] — with the layer, the model's SHA-256 and the dataset's hash in its metadata
 * (store/parts.ts), so `assemble` takes it.
 */

export interface ExtractFileOptions {
  opened: ModelFile;
  /** The whole dataset (after --only and --limit) and how it was chosen. */
  data: AnalyzedData;
  /** penultimate, logits, input, a layer name or index (see `resolveLayer`). */
  layer: string;
  /** .npy or .parquet (.parquet with a shard). */
  out: string;
  /** .npy only: keep conv maps as N×C×H×W. */
  keepShape?: boolean;
  /** Extract only this strided part of the dataset. */
  shard?: Shard;
  infer?: InferOptions;
}

export interface ExtractFileResult {
  out: string;
  /** The shape written: [N, D], or the value's own with `keepShape`. */
  shape: number[];
  /** The layer's name in the graph. */
  layer: string;
  shard?: Shard;
}

/**
 * Checks what can be checked before the images are loaded: `--out` (.npy or .parquet; .parquet with
 * a shard), `--keep-shape` (.npy only) and the layer (a ModelError listing the nearest names).
 */
export function checkExtract(o: Omit<ExtractFileOptions, "data" | "infer">): { kind: "npy" | "parquet"; value: string; name: string } {
  const kind = outputKind(o.out, ["npy", "parquet"], o.shard);
  if (o.keepShape && kind !== "npy") throw new UsageError(`--keep-shape writes .npy; a Parquet part holds one flat list per image (its shape is in the part's metadata), got --out '${o.out}'`);
  const { value, layer } = resolveLayer(o.opened.model, o.layer);
  return { kind, value, name: layer?.name ?? value };
}

/**
 * Extracts and writes the file.
 * @example
 * await extractToFile({ opened, data: { dataset, spec: "sample:test", seed: 0 }, layer: "penultimate", out: "f-0.parquet", shard: { index: 0, count: 4 } })
 * // { out: "f-0.parquet", shape: [250, 64], layer: "/relu7/Relu", shard: { index: 0, count: 4 } }
 */
export async function extractToFile(o: ExtractFileOptions): Promise<ExtractFileResult> {
  const { kind, value, name } = checkExtract(o);
  const ds = shardImages(o.data.dataset, o.shard);
  const got = (await collectValues(o.opened, ds, [value], o.infer)).get(value)!;
  const n = got.dims[0];
  const d = got.data.length / Math.max(1, n);
  const shape = o.keepShape ? got.dims : [n, d];
  const info = await partInfo("features", o.opened, o.data, o.shard);
  if (kind === "npy") {
    const sidecar: FeaturesSidecar = {
      featurelens: "features", model: o.opened.path, model_sha256: info.model.sha256, layer: name,
      data: { spec: info.data.spec, limit: info.data.limit, only: info.data.only, seed: info.data.seed, hash: info.data.hash },
      n, d, classes: ds.classes, labels: Array.from(ds.labels), index: Array.from(sourceIndices(ds)),
    };
    writeFilesAtomic([[o.out, encodeNpy({ dtype: "float32", shape, data: got.data })], [o.out.replace(/\.npy$/, ".json"), `${JSON.stringify(sidecar)}\n`]]);
  } else {
    await writeFeaturesPart(o.out, { index: sourceIndices(ds), labels: ds.labels, data: got.data, d }, { ...info, layer: { arg: o.layer, value, name, dims: got.dims.slice(1) } });
  }
  return { out: o.out, shape, layer: name, ...(o.shard ? { shard: o.shard } : {}) };
}

import { basename } from "node:path";
import type { Dataset } from "../data/dataset.js";
import { formatShard, type Shard, shardOf } from "../data/shard.js";
import { parseDataSpec } from "../data/spec.js";
import type { OpenedModel } from "../nn/infer.js";
import type { PartInfoInput } from "../store/parts.js";
import { sha256File } from "../store/run.js";
import { UsageError } from "../util/errors.js";
import { type AnalyzedData, describeData } from "./analyze.js";

/**
 * What `predict` and `extract` share: the output's kind from its name, the images of one shard,
 * and what a part records about how it was made.
 */

/** A model to run, opened, with the file it came from. */
export type ModelFile = OpenedModel & { path: string };

/**
 * The kind of file `out` names, checked against what the command writes. With a shard the output
 * is a Parquet part. Throws a UsageError naming `--out` and the value.
 * @example outputKind("p-3.parquet", ["npy", "parquet"], { index: 3, count: 8 }) // "parquet"
 */
export function outputKind<K extends "npy" | "parquet">(out: string, allowed: readonly K[], shard?: Shard): K {
  const kind = allowed.find((k) => out.endsWith(`.${k}`));
  if (shard && kind !== "parquet") throw new UsageError(`--shard ${formatShard(shard)} writes a Parquet part: --out must end in .parquet, got '${out}'`);
  if (!kind) throw new UsageError(`--out must end in ${allowed.map((k) => `.${k}`).join(" or ")}, got '${out}'`);
  return kind;
}

/**
 * The images a worker runs: shard `s` of the dataset (or all of it). An empty shard is refused,
 * naming how many shards the dataset can fill.
 */
export function shardImages(ds: Dataset, s?: Shard): Dataset {
  if (!s) return ds;
  if (s.index >= ds.n) throw new UsageError(`--shard ${formatShard(s)} holds no images: the dataset has ${ds.n}; use at most ${ds.n} shards`);
  return shardOf(ds, s);
}

/** What a part records: the shard, the model's file and SHA-256, the whole dataset's hash and spec, the preprocessing. */
export async function partInfo(kind: PartInfoInput["kind"], opened: ModelFile, data: AnalyzedData, s?: Shard): Promise<PartInfoInput> {
  const d = describeData(data, data.dataset);
  return {
    kind,
    shard: s ?? { index: 0, count: 1 },
    model: { file: basename(opened.path), sha256: await sha256File(opened.path) },
    data: { spec: d.spec, hash: d.hash, n: d.n, limit: d.limit, only: d.only, seed: d.seed },
    preprocess: { scale: opened.preprocess.scale, mean: [...opened.preprocess.mean], std: [...opened.preprocess.std] },
  };
}

/** The split a data spec names ("test" of "fashion-mnist:test"), or "" when it names none. */
export function splitOfSpec(spec: string): string {
  try {
    const p = parseDataSpec(spec);
    return "split" in p ? p.split : "";
  } catch {
    return "";
  }
}

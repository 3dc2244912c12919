import { UsageError } from "../util/errors.js";
import { type Dataset, subset } from "./dataset.js";

/**
 * One of `count` strided parts of a dataset, for spreading inference over the workers of a batch
 * scheduler: part `index` holds rows index, index + count, index + 2·count, … (Kubernetes' indexed
 * jobs number the workers JOB_COMPLETION_INDEX = 0..count−1, Slurm arrays SLURM_ARRAY_TASK_ID).
 * Striding rather than cutting into blocks gives every part the same mix of classes when the
 * dataset is sorted by class, and parts that differ in size by at most one image.
 */
export interface Shard {
  /** Which part, 0..count−1. */
  index: number;
  /** How many parts in all, ≥ 1. */
  count: number;
}

const SHARD_FORM = /^(\d{1,9})\/(\d{1,9})$/;

/**
 * Reads `i/n` (0 ≤ i < n) as a shard. Anything else is one UsageError naming the flag, the value
 * and the form.
 * @example parseShard("3/8") // { index: 3, count: 8 }
 * @example parseShard("3/2") // throws UsageError: --shard takes i/n with 0 ≤ i < n (e.g. 0/4 … 3/4), got '3/2': 3 is not below 2
 */
export function parseShard(value: string, flag = "--shard"): Shard {
  const m = SHARD_FORM.exec(value.trim());
  const form = `${flag} takes i/n with 0 ≤ i < n (e.g. 0/4 … 3/4, as $JOB_COMPLETION_INDEX/4), got '${value}'`;
  if (!m) throw new UsageError(form);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new UsageError(`${form}: n must be at least 1`);
  if (index >= count) throw new UsageError(`${form}: ${index} is not below ${count}`);
  return { index, count };
}

/** The shard as the user writes it: "1/4". */
export function formatShard(s: Shard): string {
  return `${s.index}/${s.count}`;
}

/**
 * The rows of a dataset of `n` images that shard `s` holds: s.index, s.index + s.count, …
 * @example shardRows(10, { index: 1, count: 4 }) // Int32Array [1, 5, 9]
 */
export function shardRows(n: number, s: Shard): Int32Array {
  checkShard(s);
  const m = s.index < n ? Math.ceil((n - s.index) / s.count) : 0;
  return Int32Array.from({ length: m }, (_, j) => s.index + j * s.count);
}

/**
 * Shard `s` of a dataset: its strided rows as a new dataset whose `indices` still name each
 * image's place in the source dataset (through --limit and --only), so parts from every worker
 * can be put back together by index. May be empty when there are more shards than images.
 * @example shardOf(await loadDataset("sample:test"), { index: 1, count: 4 }).indices // Int32Array [1, 5, 9, …] (250 images)
 */
export function shardOf(ds: Dataset, s: Shard): Dataset {
  return subset(ds, shardRows(ds.n, s), ds.name);
}

function checkShard(s: Shard): void {
  if (!(Number.isInteger(s.count) && s.count >= 1 && Number.isInteger(s.index) && s.index >= 0 && s.index < s.count)) {
    throw new RangeError(`a shard needs integers 0 ≤ index < count, got ${s.index}/${s.count}`);
  }
}

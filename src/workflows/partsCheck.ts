import { basename } from "node:path";
import type { PartInfo } from "../store/parts.js";
import { DataError } from "../util/errors.js";

/**
 * The checks `assemble` makes before it trusts part files: that each was made by the same model
 * from the same images with the same preprocessing (when the part records it), and that together
 * they hold every image of the dataset exactly once.
 */

/** What the parts must agree with. */
export interface Expected {
  kind: PartInfo["kind"];
  /** The flag that named the files (for messages). */
  flag: string;
  modelSha256: string;
  /** `datasetHash` of the whole dataset, and how many images it has. */
  dataHash: string;
  n: number;
  preprocess: PartInfo["preprocess"];
}

const short = (sha: string) => sha.slice(0, 12);
const count = (x: number) => x.toLocaleString("en-US");

/**
 * Every way the parts' records disagree with what is expected, as one DataError (parts with the
 * same problem named together). Parts that record nothing (written by another tool) are taken as
 * they are.
 * @example checkProvenance(files, infos, { kind: "predictions", flag: "--predictions", modelSha256: "713b15becdc7…", ... })
 * // throws DataError: --predictions: p-0.parquet … p-3.parquet (4 parts): made by another model (SHA-256 78e3e56ca564…, model.onnx) than --model (713b15becdc7…)
 */
export function checkProvenance(files: readonly string[], infos: readonly (PartInfo | null)[], e: Expected): void {
  const problems = new Map<string, string[]>();
  const add = (problem: string, file: string) => problems.set(problem, [...(problems.get(problem) ?? []), basename(file)]);
  const layers = new Set<string>();
  infos.forEach((info, i) => {
    if (!info) return;
    if (info.kind !== e.kind) add(`a ${info.kind} part, not a ${e.kind} part`, files[i]);
    if (info.model.sha256 !== e.modelSha256) add(`made by another model (SHA-256 ${short(info.model.sha256)}…, ${info.model.file}) than --model (${short(e.modelSha256)}…)`, files[i]);
    if (info.data.hash !== e.dataHash) {
      const d = info.data;
      const how = `${d.limit !== null ? ` --limit ${d.limit}` : ""}${d.only !== null ? ` --only ${d.only}` : ""} --seed ${d.seed}`;
      add(`cut from other images (${count(d.n)} images of '${d.spec}'${how}) than --data gives here (${count(e.n)} images); give assemble the workers' --data, --limit, --only and --seed`, files[i]);
    }
    if (JSON.stringify(info.preprocess) !== JSON.stringify(e.preprocess)) {
      add(`made with other preprocessing (${JSON.stringify(info.preprocess)}) than assemble uses (${JSON.stringify(e.preprocess)}); give the workers' --scale, --mean, --std`, files[i]);
    }
    if (info.layer) layers.add(`'${info.layer.arg}' (${info.layer.name})`);
  });
  const lines = [...problems].map(([problem, names]) => `${names.length > 3 ? `${names[0]} … ${names[names.length - 1]} (${names.length} parts)` : names.join(", ")}: ${problem}`);
  if (layers.size > 1) lines.push(`the parts hold features of ${layers.size} different layers: ${[...layers].join(", ")}; assemble one layer's parts at a time`);
  if (lines.length > 0) throw new DataError(`${e.flag}: ${lines.join("; ")}`);
}

/**
 * Checks that the parts' `index` values are exactly the dataset's source indices, each once. The
 * DataError names what is missing (and which shards to run again, when the parts record the shard
 * count), what is there twice (and in which files), and what is not in the dataset.
 * @example checkCoverage(files, indices, sourceIndices(ds), infos, "--predictions")
 * // throws DataError: --predictions: parts cover 9,996 of 10,000 images; missing indices 17, 403, 1201, 9999 — rerun shard 1/4
 */
export function checkCoverage(files: readonly string[], indices: readonly Int32Array[], expected: Int32Array, infos: readonly (PartInfo | null)[], flag: string): void {
  const rowOf = new Map<number, number>();
  expected.forEach((idx, row) => rowOf.set(idx, row));
  const seen = new Int32Array(expected.length);
  const extra: number[] = [];
  for (const part of indices) {
    for (const idx of part) {
      const row = rowOf.get(idx);
      if (row === undefined) extra.push(idx);
      else seen[row]++;
    }
  }
  const missingRows: number[] = [];
  const twice: number[] = [];
  seen.forEach((c, row) => (c === 0 ? missingRows.push(row) : c > 1 ? twice.push(expected[row]) : undefined));
  if (missingRows.length === 0 && twice.length === 0 && extra.length === 0) return;
  const covered = expected.length - missingRows.length;
  const problems = [`parts cover ${count(covered)} of ${count(expected.length)} images`];
  if (missingRows.length > 0) problems.push(`missing indices ${list(missingRows.map((r) => expected[r]))}${rerunHint(missingRows, infos)}`);
  if (twice.length > 0) problems.push(`indices in more than one part: ${twice.slice(0, 3).map((idx) => `${idx} (${filesHolding(idx, files, indices)})`).join(", ")}${twice.length > 3 ? `, … (${count(twice.length)} in all)` : ""}`);
  if (extra.length > 0) problems.push(`${count(extra.length)} indices are not in the dataset (${list(extra)}): were the parts made with other --data, --limit or --only?`);
  throw new DataError(`${flag}: ${problems.join("; ")}`);
}

/** Up to six values, then "…". */
function list(xs: readonly number[]): string {
  return `${xs.slice(0, 6).join(", ")}${xs.length > 6 ? ", …" : ""}`;
}

/** " — rerun shard 1/4" for missing rows, when every part that records its shard agrees on the count. */
function rerunHint(missingRows: readonly number[], infos: readonly (PartInfo | null)[]): string {
  const counts = new Set(infos.filter((i): i is PartInfo => i !== null).map((i) => i.shard.count));
  if (counts.size !== 1) return "";
  const n = [...counts][0];
  const shards = [...new Set(missingRows.map((r) => r % n))].sort((a, b) => a - b);
  const named = shards.slice(0, 8).map((i) => `${i}/${n}`).join(", ");
  return ` — rerun shard${shards.length > 1 ? "s" : ""} ${named}${shards.length > 8 ? ", …" : ""}`;
}

/** The files (by name) whose indices include `idx`. */
function filesHolding(idx: number, files: readonly string[], indices: readonly Int32Array[]): string {
  return files.filter((_, i) => indices[i].includes(idx)).map((f) => basename(f)).join(", ");
}

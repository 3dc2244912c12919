import { existsSync } from "node:fs";
import type { Dataset } from "../data/dataset.js";
import { trainValSplit } from "../data/subset.js";
import { datasetHash } from "../data/hash.js";
import { loadDataset } from "../data/load.js";
import type { Run } from "../store/run.js";
import { DataError } from "../util/errors.js";
import { applyLabelFixesFile } from "./labelFixes.js";

/**
 * The images behind a run's rows: its dataset loaded again as run.json records it (spec, limit,
 * only, seed) and checked against the recorded hash, so row i of the predictions, features and
 * maps is image i here. A run whose images cannot be found or have changed gets a DataError that
 * says which.
 */
export async function loadRunImages(run: Run, domain?: string, options: { onProgress?: (label: string, done: number, total: number | undefined) => void; download?: boolean } = {}): Promise<Dataset> {
  const data = run.scope(domain).data;
  if (!data) throw new DataError(`${domain === undefined ? "the run" : `domain '${domain}'`} records no dataset`, run.dir);
  if (/\(validation split\)$/.test(data.spec)) return validationImages(run, data.spec, data.hash, options);
  const ds = await loadDataset(data.spec, {
    seed: data.seed, ...(data.limit !== null ? { limit: data.limit } : {}), ...(data.only !== null ? { only: data.only } : {}),
    ...(data.height && data.channels ? { size: { height: data.height, width: data.width }, channels: data.channels as 1 | 3 } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.download !== undefined ? { download: options.download } : {}),
  });
  checkHash(ds, data.hash, data.spec);
  return ds;
}

/** The validation split a training run held out, made again the same way. */
async function validationImages(run: Run, spec: string, hash: string, options: { onProgress?: (label: string, done: number, total: number | undefined) => void; download?: boolean }): Promise<Dataset> {
  const t = run.record.config.train as { data: string; limit: number | null; only: string | null; seed: number; val: number | string; label_fixes?: { file: string } | null } | undefined;
  if (!t || typeof t.val !== "number") throw new DataError(`cannot make the images of '${spec}' again: the run records no validation fraction`, run.dir);
  let all = await loadDataset(t.data, { seed: t.seed, ...(t.limit !== null ? { limit: t.limit } : {}), ...(t.only !== null ? { only: t.only } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.download !== undefined ? { download: options.download } : {}) });
  // Training applied --label-fixes before the split: apply them again, from the same file.
  if (t.label_fixes) {
    if (!existsSync(t.label_fixes.file)) throw new DataError(`cannot make the validation images again: the run was trained with --label-fixes ${t.label_fixes.file}, which is gone`, run.dir);
    all = applyLabelFixesFile(all, t.label_fixes.file).dataset;
  }
  const { val } = trainValSplit(all, { fraction: t.val, seed: t.seed });
  checkHash(val, hash, spec);
  return val;
}

function checkHash(ds: Dataset, hash: string, spec: string): void {
  if (datasetHash(ds) !== hash) {
    throw new DataError(`the images of '${spec}' are not those the run was made from (their hash differs): the files changed since; analyze them again into a new run`, ds.name);
  }
}

/**
 * Row of each source index in a run's dataset: `rows.get(index)` is the row of predictions,
 * features, maps and images of the image with that index in the source dataset.
 */
export function rowsByIndex(ds: Pick<Dataset, "indices" | "n">): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < ds.n; i++) m.set(ds.indices ? ds.indices[i] : i, i);
  return m;
}

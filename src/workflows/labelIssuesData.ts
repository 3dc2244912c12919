import { classCounts, type Dataset } from "../data/dataset.js";
import { FOLDER_DEFAULTS, loadFolderDataset } from "../data/folder.js";
import { listFolder } from "../data/folderList.js";
import { datasetHash } from "../data/hash.js";
import { loadDataset, type LoadOptions } from "../data/load.js";
import { parseDataSpec } from "../data/spec.js";
import { limitDataset, parseClassList, selectClasses, trainValSplit } from "../data/subset.js";
import type { Run } from "../store/run.js";
import { DataError, UsageError } from "../util/errors.js";
import { loadRunImages } from "./runImages.js";

/**
 * The images `label-issues` reviews, with each one's file when the dataset is a folder (so the
 * queue can name `photos/Shirt/img_0042.jpg` rather than index 1234), and the checks its input
 * must pass: every image labelled, at least two images of each class present.
 */

/** A dataset and, for a folder, the file of each source index (`paths[index]`); null otherwise. */
export interface ImagesWithPaths {
  dataset: Dataset;
  paths: string[] | null;
}

/**
 * Loads `spec` as `loadDataset` does (`--only`, then `--limit`); a folder is read here so that the
 * files that decoded are known, and `paths[i]` is the file of source index i.
 */
export async function loadWithPaths(spec: string, load: LoadOptions = {}): Promise<ImagesWithPaths> {
  const parsed = parseDataSpec(spec);
  if (parsed.kind !== "folder") return { dataset: await loadDataset(spec, load), paths: null };
  const result = await loadFolderDataset(parsed.path, {
    ...(load.size ? { size: load.size } : {}), ...(load.channels ? { channels: load.channels } : {}),
    onProgress: (done, total) => load.onProgress?.("decoding", done, total),
  });
  if (result.skipped.length) load.onNotice?.(`skipped ${result.skipped.length} image(s) that could not be decoded (first: ${result.skipped[0].file}: ${result.skipped[0].reason})`);
  const skipped = new Set(result.skipped.map((s) => s.file));
  const paths = (await listFolder(parsed.path, FOLDER_DEFAULTS.extensions)).files.filter((f) => !skipped.has(f));
  if (paths.length !== result.dataset.n) throw new DataError(`the folder changed while it was read (${paths.length} files now, ${result.dataset.n} images decoded); run again`, parsed.path);
  let ds = result.dataset;
  if (load.only !== undefined) ds = selectClasses(ds, parseClassList(load.only, ds.classes));
  if (load.limit !== undefined) ds = limitDataset(ds, { limit: load.limit, seed: load.seed });
  return { dataset: ds, paths };
}

/**
 * A run's images as its analysis saw them (checked against run.json's hash), with their files when
 * they came from a folder (its validation split included).
 */
export async function runImagesWithPaths(run: Run, onProgress?: LoadOptions["onProgress"]): Promise<ImagesWithPaths> {
  const data = run.record.data;
  if (!data) throw new DataError("the run records no dataset", run.dir);
  const val = /^(.*) \(validation split\)$/.exec(data.spec);
  let folder = false;
  try {
    folder = parseDataSpec(val ? val[1] : data.spec).kind === "folder";
  } catch {
    folder = false;
  }
  if (!folder) return { dataset: await loadRunImages(run, undefined, onProgress ? { onProgress } : {}), paths: null };
  const notices = onProgress ? { onProgress } : {};
  let got: ImagesWithPaths;
  if (val) {
    const t = run.record.config.train as { data: string; limit: number | null; only: string | null; seed: number; val: number | string } | undefined;
    if (!t || typeof t.val !== "number") throw new DataError(`cannot make the images of '${data.spec}' again: the run records no validation fraction`, run.dir);
    const all = await loadWithPaths(t.data, { seed: t.seed, ...(t.limit !== null ? { limit: t.limit } : {}), ...(t.only !== null ? { only: t.only } : {}), ...notices });
    got = { dataset: trainValSplit(all.dataset, { fraction: t.val, seed: t.seed }).val, paths: all.paths };
  } else {
    const size = data.height && data.channels ? { size: { height: data.height, width: data.width }, channels: data.channels as 1 | 3 } : {};
    got = await loadWithPaths(data.spec, { seed: data.seed, ...(data.limit !== null ? { limit: data.limit } : {}), ...(data.only !== null ? { only: data.only } : {}), ...size, ...notices });
  }
  if (datasetHash(got.dataset) !== data.hash) {
    throw new DataError(`the images of '${data.spec}' are not those the run was made from (their hash differs): the files changed since; analyze them again into a new run`, got.dataset.name);
  }
  return got;
}

/**
 * Refuses labels label-issues cannot work with, all problems in one UsageError: unlabelled images,
 * and a class with a single image (confident learning's threshold and a neighbour vote need two).
 * A class with no image at all is allowed (nothing is counted under it).
 */
export function checkLabelledClasses(labels: Int32Array, classes: readonly string[], source: string): void {
  const problems: string[] = [];
  const unlabelled = labels.reduce((s, y) => s + (y < 0 ? 1 : 0), 0);
  if (unlabelled) problems.push(`${unlabelled} of its ${labels.length} images have no label, and label issues are about given labels: give the labels (npy:IMAGES.npy,LABELS.npy)`);
  const counts = classCounts({ labels, classes: [...classes] });
  const single = [...counts].flatMap((c, j) => (c === 1 ? [`'${classes[j]}'`] : []));
  if (single.length) problems.push(`class${single.length === 1 ? "" : "es"} ${single.join(", ")} ha${single.length === 1 ? "s" : "ve"} only 1 image; label issues need at least 2 images of each class — add images, or leave the class out with --only`);
  if (problems.length) throw new UsageError(`${source}: ${problems.join("; ")}`);
}

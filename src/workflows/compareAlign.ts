import { type Dataset, subset } from "../data/dataset.js";
import { datasetHash } from "../data/hash.js";
import { loadDataset } from "../data/load.js";
import { alignLabels } from "../nn/classes.js";
import { readPredictions } from "../store/predictions.js";
import type { PredictionsTable } from "../store/predictionsSchema.js";
import type { Run } from "../store/run.js";
import type { DataRecord, Scope } from "../store/runRecord.js";
import { DataError, UsageError } from "../util/errors.js";

/**
 * Which images two runs have in common. Two runs compare row by row when their datasets' hashes are
 * equal (the same images and labels in the same order). Runs on different `--limit` subsets of one
 * source (the same data spec and `--only`) compare on the source indices both hold — once each
 * run's images, loaded again, hash as its run.json says, so the indices name the same images.
 * Anything else is two runs on different images, and is refused with both datasets named.
 */

export interface AlignedRuns {
  /** "same images": row i of A is row i of B; "common indices": the source indices both runs hold. */
  how: "same images" | "common indices";
  /** Rows of A's and of B's predictions (and images) for each compared image, in A's order. */
  rowsA: Int32Array;
  rowsB: Int32Array;
  predA: PredictionsTable;
  predB: PredictionsTable;
  /** A's images (labels as the models' classes), or why they could not be loaded. */
  images: Dataset | { missing: string };
  /** One sentence on what is compared. */
  note: string;
}

/** "fashion-mnist:test (--limit 1000, 1,000 images, hash 1a2b3c4d5e6f)". */
export function describeData(d: DataRecord | null): string {
  if (!d) return "no recorded data";
  const opts = [d.limit !== null ? `--limit ${d.limit}` : "", d.only !== null ? `--only ${d.only}` : "", d.limit !== null ? `--seed ${d.seed}` : ""].filter(Boolean);
  return `${d.spec} (${opts.length ? `${opts.join(" ")}, ` : ""}${d.n.toLocaleString("en-US")} images, hash ${d.hash.slice(0, 12)})`;
}

/** A scope's images as it recorded them, labels as the run's classes, checked against its hash. */
export async function loadScopeImages(run: Run, scope: Scope): Promise<Dataset> {
  const d = scope.data;
  if (!d) throw new DataError("run.json records no data", run.dir);
  const raw = await loadDataset(d.spec, { ...(d.limit !== null ? { limit: d.limit } : {}), ...(d.only !== null ? { only: d.only } : {}), seed: d.seed, download: false });
  const ds = run.record.classes.length ? { ...raw, classes: run.record.classes, labels: alignLabels(raw.classes, raw.labels, run.record.classes, raw.name) } : raw;
  if (datasetHash(ds) !== d.hash) throw new DataError(`the images ${d.spec} loads now differ from those run ${run.id} was made from (their hash is not run.json's)`, d.spec);
  return ds;
}

async function predictionsOf(run: Run): Promise<PredictionsTable> {
  if (!run.record.artifacts["predictions.parquet"]) throw new UsageError(`run ${run.id} has no predictions; make them with featurelens analyze --run ${run.id} --data ${run.record.data?.spec ?? "SPEC"}`);
  return readPredictions(run.path("predictions.parquet"));
}

/** Whether two runs hold subsets of one source (same data spec and --only) on different images: compared on common indices. */
export function sameSourceSubsets(a: Pick<Run, "record">, b: Pick<Run, "record">): boolean {
  const da = a.record.data;
  const db = b.record.data;
  return !!da && !!db && da.hash !== db.hash && da.spec === db.spec && da.only === db.only;
}

/** Checks that runs A and B can be compared and finds the images they share. */
export async function alignRuns(a: Run, b: Run, o: { images?: boolean } = {}): Promise<AlignedRuns> {
  if (a.dir === b.dir) throw new UsageError(`${a.id} and ${b.id} are the same run; compare two runs`);
  const da = a.record.data;
  const db = b.record.data;
  const different = () =>
    new UsageError(
      `${a.id} and ${b.id} were analyzed on different images: ${a.id} on ${describeData(da)}, ${b.id} on ${describeData(db)}. ` +
        `Compare needs the same images (or --limit subsets of one source); analyze ${b.id}'s model on ${a.id}'s data first: ` +
        `featurelens analyze --model <${b.id}'s folder> --data ${da?.spec ?? "SPEC"}${da?.limit != null ? ` --limit ${da.limit}` : ""}${da?.only != null ? ` --only ${da.only}` : ""} --out ${b.id}-on-${a.id}`,
    );
  if (!da || !db) throw different();
  const ca = a.record.classes;
  const cb = b.record.classes;
  if (ca.length !== cb.length || ca.some((c, i) => c !== cb[i])) {
    throw new UsageError(`${a.id} and ${b.id} have different classes (${ca.join(", ")} | ${cb.join(", ")}); compare needs two classifiers of the same classes`);
  }
  const sameSource = da.spec === db.spec && da.only === db.only;
  if (da.hash !== db.hash && !sameSource) throw different();
  const [predA, predB] = [await predictionsOf(a), await predictionsOf(b)];
  const loadA = o.images === false ? null : await loadScopeImages(a, a.record).catch((err: Error) => ({ missing: err.message }));
  if (da.hash === db.hash) {
    if (predA.n !== predB.n) throw new DataError(`${a.id} has ${predA.n} predictions and ${b.id} ${predB.n} for the same ${da.n} images; analyze them again`);
    const rows = Int32Array.from({ length: predA.n }, (_, i) => i);
    return { how: "same images", rowsA: rows, rowsB: rows, predA, predB, images: loadA ?? { missing: "not asked for" }, note: `the same ${predA.n.toLocaleString("en-US")} images of ${da.spec}` };
  }
  // Subsets of one source: the indices mean the same images only if each run's images still hash as recorded.
  for (const [run, d] of [[a, da], [b, db]] as const) {
    const loaded = run === a && loadA ? loadA : await loadScopeImages(run, run.record).catch((err: Error) => ({ missing: err.message }));
    if ("missing" in loaded) throw new UsageError(`${a.id} and ${b.id} hold different subsets of ${d.spec}, and the images of ${run.id} cannot be checked against its hash (${loaded.missing}); compare them on the same images`);
  }
  const whereB = new Map<number, number>();
  for (let i = 0; i < predB.n; i++) whereB.set(predB.index[i], i);
  const ra: number[] = [];
  const rb: number[] = [];
  for (let i = 0; i < predA.n; i++) {
    const j = whereB.get(predA.index[i]);
    if (j === undefined) continue;
    if (predA.label[i] !== predB.label[j]) throw new DataError(`image ${predA.index[i]} of ${da.spec} has label ${predA.label[i]} in ${a.id} and ${predB.label[j]} in ${b.id}; the runs' predictions do not fit their data`);
    ra.push(i);
    rb.push(j);
  }
  if (ra.length === 0) throw new UsageError(`${a.id} (${describeData(da)}) and ${b.id} (${describeData(db)}) share no image of ${da.spec}; compare them on the same images`);
  const images = loadA === null ? { missing: "not asked for" } : "missing" in loadA ? loadA : subset(loadA, ra);
  return {
    how: "common indices", rowsA: Int32Array.from(ra), rowsB: Int32Array.from(rb), predA, predB, images,
    note: `the ${ra.length.toLocaleString("en-US")} images of ${da.spec} that both runs hold (${a.id}: ${da.n.toLocaleString("en-US")}, ${b.id}: ${db.n.toLocaleString("en-US")}; matched by their index in the source)`,
  };
}

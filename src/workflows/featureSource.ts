import { existsSync, readFileSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import type { Points } from "../analysis/neighbors/types.js";
import type { Dataset } from "../data/dataset.js";
import { datasetHash } from "../data/hash.js";
import { loadDataset } from "../data/load.js";
import { readNpy, toInt32Labels } from "../data/npy.js";
import { readPredictions } from "../store/predictions.js";
import { Run } from "../store/run.js";
import type { Scope } from "../store/runRecord.js";
import { DataError } from "../util/errors.js";
import { loadRunImages } from "./runImages.js";

/**
 * Feature vectors with what is known about them. Features carry their labels and class names: a
 * features file of a run (`runs/<id>/features/*.npy`) knows them from the run, a file written by
 * `featurelens extract` from the sidecar beside it (`F.json`); `--labels`/`--classes` given by hand
 * come first.
 */

/** What `featurelens extract --out F.npy` writes beside the features, as F.json. */
export interface FeaturesSidecar {
  featurelens: "features";
  model: string;
  model_sha256: string | null;
  layer: string;
  data: { spec: string; limit: number | null; only: string | null; seed: number; hash: string };
  n: number;
  d: number;
  classes: string[];
  labels: number[];
  /** Each row's index in the source dataset. */
  index: number[];
}

export interface FeatureSource {
  file: string;
  points: Points;
  /** Row of the file for each point (all rows unless invalid ones were dropped). */
  rows: Int32Array;
  dropped: number[];
  /** Labels of the kept points, or null. */
  labels: Int32Array | null;
  classes: string[] | null;
  /** "seed-cnn's /relu7/Relu features of sample:test", for titles. */
  description: string;
  /** The run the file belongs to, and the domain when it is a domain's. */
  run: Run | null;
  domain: string | undefined;
  sidecar: FeaturesSidecar | null;
}

/** The sidecar of a features file, if featurelens wrote one. */
export function sidecarOf(file: string): FeaturesSidecar | null {
  const path = file.replace(/\.npy$/, ".json");
  if (path === file || !existsSync(path)) return null;
  try {
    const j = JSON.parse(readFileSync(path, "utf8")) as FeaturesSidecar;
    return j.featurelens === "features" ? j : null;
  } catch {
    return null;
  }
}

/** The run (and domain) whose recorded features file `file` is, if any. */
export function runOfFeatures(file: string): { run: Run; domain: string | undefined; key: string } | null {
  const abs = resolve(file);
  for (let dir = dirname(abs), i = 0; i < 5 && dir !== dirname(dir); i++, dir = dirname(dir)) {
    if (!Run.exists(dir)) continue;
    const run = Run.read(dir);
    const rel = relative(dir, abs).split(sep).join("/");
    const scopes: [string | undefined, Scope][] = [[undefined, run.record], ...Object.entries(run.record.domains)];
    for (const [domain, scope] of scopes) {
      const f = Object.values(scope.features).find((x) => x.file === rel);
      if (f) return { run, domain, key: f.key };
    }
    return null;
  }
  return null;
}

/**
 * Reads N×D feature vectors (float32 or float64 .npy) with their labels and class names, from the
 * hand-given files first, else the run or the sidecar. Rows holding NaN or ±Infinity are an error
 * naming the first, or are dropped with `dropInvalid`.
 */
export async function readFeatureSource(file: string, o: { labels?: string; classes?: string[]; dropInvalid?: boolean } = {}): Promise<FeatureSource> {
  const { points, rows, dropped } = readPoints(file, o);
  const total = points.n + dropped.length;
  const owner = runOfFeatures(file);
  const sidecar = owner ? null : sidecarOf(file);
  let labels: Int32Array | null = null;
  let classes: string[] | null = o.classes ?? null;
  let description = file;
  if (o.labels) {
    labels = toInt32Labels(readNpy(o.labels), o.labels);
    if (labels.length !== total) throw new DataError(`${labels.length} labels for ${total} rows of features: they must come from the same images`, o.labels);
  } else if (owner) {
    const p = await readPredictions(owner.run.path(`${owner.run.scopePrefix(owner.domain)}predictions.parquet`));
    if (p.n !== total) throw new DataError(`the run records ${p.n} predictions but the file has ${total} rows: it was changed since the run made it`, file);
    labels = p.label;
  } else if (sidecar) {
    if (sidecar.labels.length !== total) throw new DataError(`its sidecar ${file.replace(/\.npy$/, ".json")} lists ${sidecar.labels.length} labels for ${total} rows: one of them was changed`, file);
    labels = Int32Array.from(sidecar.labels);
  }
  if (owner) {
    const scope = owner.run.scope(owner.domain);
    classes ??= owner.run.record.classes;
    description = `${owner.run.record.model?.arch ?? owner.run.id}'s ${scope.features[owner.key]?.layer ?? owner.key} features of ${scope.data?.spec ?? "?"}`;
  } else if (sidecar) {
    classes ??= sidecar.classes;
    description = `${sidecar.model.split("/").pop()}'s ${sidecar.layer} features of ${sidecar.data.spec}`;
  }
  if (labels && classes) {
    const bad = labels.findIndex((y) => y >= classes!.length);
    if (bad >= 0) throw new DataError(`label ${labels[bad]} at row ${bad} is not one of the ${classes.length} classes (${classes.slice(0, 5).join(", ")}${classes.length > 5 ? ", …" : ""})`, o.labels ?? file);
  }
  return {
    file, points, rows, dropped, labels: labels ? Int32Array.from(rows, (r) => labels![r]) : null, classes, description,
    run: owner?.run ?? null, domain: owner?.domain, sidecar,
  };
}

/**
 * The images the features were made from, in the file's row order: `--data`/`--pixels` loaded by
 * the caller, else the run's or the sidecar's dataset (checked against its hash).
 */
export async function imagesOfFeatures(src: FeatureSource): Promise<Dataset | null> {
  if (src.run) return loadRunImages(src.run, src.domain);
  if (src.sidecar) {
    const d = src.sidecar.data;
    const ds = await loadDataset(d.spec, { seed: d.seed, ...(d.limit !== null ? { limit: d.limit } : {}), ...(d.only !== null ? { only: d.only } : {}) });
    if (datasetHash(ds) !== d.hash) throw new DataError(`the images of '${d.spec}' are not those the features were extracted from (their hash differs)`, src.file);
    return ds;
  }
  return null;
}

/**
 * Reads N×D feature vectors from a .npy file (float32 or float64, as `featurelens extract` or
 * np.save writes them) as float32 points; rows holding NaN or ±Infinity are an error naming the
 * first of them, or are dropped with `dropInvalid`.
 * @example readPoints("feats.npy").points.d // 64
 */
export function readPoints(file: string, options: { dropInvalid?: boolean } = {}): { points: Points; rows: Int32Array; dropped: number[] } {
  const a = readNpy(file);
  if (a.dtype !== "float32" && a.dtype !== "float64") {
    throw new DataError(`feature vectors must be float32 or float64, got ${a.dtype}; write them with \`featurelens extract\` or np.save(x.astype(np.float32))`, file);
  }
  if (a.shape.length !== 2) {
    throw new DataError(`feature vectors must be a 2-D N×D array, got shape [${a.shape.join(", ")}]${a.shape.length > 2 ? "; flatten it (extract does unless --keep-shape)" : ""}`, file);
  }
  const [n, d] = a.shape;
  if (n === 0 || d === 0) throw new DataError(`the array is empty (shape [${n}, ${d}])`, file);
  const src = a.data as Float32Array | Float64Array;
  const bad = invalidRows(src, n, d);
  if (bad.length && !options.dropInvalid) {
    const shown = bad.slice(0, 5).join(", ");
    throw new DataError(`${bad.length} row${bad.length > 1 ? "s hold" : " holds"} NaN or ±Infinity (row${bad.length > 1 ? "s" : ""} ${shown}${bad.length > 5 ? ", …" : ""}); fix them, or pass --drop-invalid to leave them out`, file);
  }
  if (bad.length === n) throw new DataError(`every row holds NaN or ±Infinity: nothing is left to map`, file);
  if (bad.length === 0 && src instanceof Float32Array) return { points: { n, d, data: src }, rows: Int32Array.from({ length: n }, (_, i) => i), dropped: [] }; // no copy
  const keep = new Int32Array(n - bad.length);
  const badSet = new Set(bad);
  for (let i = 0, r = 0; i < n; i++) if (!badSet.has(i)) keep[r++] = i;
  const data = new Float32Array(keep.length * d);
  keep.forEach((row, r) => {
    for (let j = 0; j < d; j++) data[r * d + j] = src[row * d + j];
  });
  return { points: { n: keep.length, d, data }, rows: keep, dropped: bad };
}

/**
 * Rows of an N×D float array that hold NaN or ±Infinity: values whose exponent bits are all ones,
 * read as 32-bit words (float64: the high word, little-endian), one word compare a value.
 */
function invalidRows(src: Float32Array | Float64Array, n: number, d: number): number[] {
  const wide = src instanceof Float64Array;
  const bits = new Uint32Array(src.buffer, src.byteOffset, wide ? 2 * src.length : src.length);
  return wide ? rowsWithExponent(bits, n, 2 * d, 1, 2, 0x7ff00000) : rowsWithExponent(bits, n, d, 0, 1, 0x7f800000);
}

/** Rows (of `width` words) with a word, from `first` every `step`, whose `mask` bits are all set. */
function rowsWithExponent(bits: Uint32Array, n: number, width: number, first: number, step: number, mask: number): number[] {
  const bad: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i * width + first, end = (i + 1) * width; j < end; j += step) {
      if ((bits[j] & mask) === mask) {
        bad.push(i);
        break;
      }
    }
  }
  return bad;
}

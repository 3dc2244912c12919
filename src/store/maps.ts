import { existsSync, readFileSync } from "node:fs";
import type { PcaModel } from "../analysis/embed/pca.js";
import type { Embedded, EmbedMethod, MapQuality } from "../analysis/node/pipeline.js";
import { decodeMap, encodeMap } from "../analysis/embed/tsne/mapFile.js";
import type { TsneMap } from "../analysis/embed/tsne/transform.js";
import { readNpy, writeNpy } from "../data/npy.js";
import { writeFileAtomic } from "../util/atomic.js";
import { DataError } from "../util/errors.js";
import type { Run } from "./run.js";
import type { MapRecord, Scope } from "./runRecord.js";

/**
 * A scope's maps: `maps/<name>.npy` (N×dims float32, row i = image i of the scope) and
 * `maps/<name>.json` (method, settings, the features it came from, KL and quality measures, the
 * PCA it used). A run's own map also keeps `maps/<name>.ref`: the points it was made from, so
 * another dataset (a domain) can be placed into it later. The files are written first and the map
 * exists once run.json records it, so a killed write never leaves a half-made map. (A PCA map
 * needs no reference points: its axes place new points.)
 */

/** What a map's .json holds. */
export interface MapMeta {
  name: string;
  method: EmbedMethod;
  source: string;
  layer: string;
  n: number;
  dims: 2 | 3;
  params: Record<string, unknown>;
  kl: number | null;
  iterations: number | null;
  quality: MapQuality | null;
  seconds: number;
  /** The PCA the map used: the pre-step of t-SNE/UMAP, or the map itself for method "pca". */
  pca: SerializedPca | null;
  /** For a domain's points: the run map they were placed into. */
  placed_into: string | null;
}

export interface SerializedPca {
  d: number;
  components: number;
  mean: number[];
  basis: number[];
  explainedVariance: number[];
  explainedVarianceRatio: number[];
}

/** The files of a map, relative to the run. */
export function mapFiles(run: Run, name: string, domain?: string): { file: string; meta: string; ref: string } {
  const stem = `${run.scopePrefix(domain)}maps/${name}`;
  return { file: `${stem}.npy`, meta: `${stem}.json`, ref: `${stem}.ref` };
}

/**
 * Writes a map and its sidecars, then records it in the scope: `embedded` is what embed or
 * embedInto returned. The run's own maps keep their reference points for placing domains later.
 */
export function writeMap(
  run: Run,
  scope: Scope,
  m: { name: string; method: EmbedMethod; source: string; layer: string; params: Record<string, unknown>; embedded: Embedded; quality: MapQuality | null; seconds: number; domain?: string; placedInto?: string },
): MapRecord {
  const files = mapFiles(run, m.name, m.domain);
  const e = m.embedded;
  const n = e.embedding.length / e.dims;
  writeNpy(run.path(files.file), { dtype: "float32", shape: [n, e.dims], data: e.embedding });
  const meta: MapMeta = {
    name: m.name, method: m.method, source: m.source, layer: m.layer, n, dims: e.dims, params: m.params, kl: e.kl, iterations: e.iterations,
    quality: m.quality, seconds: m.seconds, pca: e.pca ? serializePca(e.pca) : null, placed_into: m.placedInto ?? null,
  };
  writeFileAtomic(run.path(files.meta), `${JSON.stringify(meta, (_, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v))}\n`);
  const params = { ...m.params, method: m.method, source: m.source };
  if (m.domain === undefined && m.method !== "pca") {
    writeFileAtomic(run.path(files.ref), encodeMap({ dims: e.dims, embedding: e.embedding, points: e.input }));
    run.recordArtifact(scope, { file: files.ref, kind: "map", params });
  }
  run.recordArtifact(scope, { file: files.meta, kind: "map", params });
  run.recordArtifact(scope, { file: files.file, kind: "map", params });
  const rec: MapRecord = {
    name: m.name, method: m.method, source: m.source, dims: e.dims, file: files.file, meta: files.meta, kl: e.kl,
    quality: m.quality as unknown as Record<string, unknown> | null, ...(m.placedInto ? { placed_into: m.placedInto } : {}),
  };
  scope.maps[m.name] = rec;
  run.save();
  return rec;
}

/** A recorded map's coordinates and meta. */
export function readMap(run: Run, scope: Scope, name: string): { record: MapRecord; embedding: Float32Array; meta: MapMeta } {
  const record = scope.maps[name];
  if (!record) {
    const known = Object.keys(scope.maps);
    throw new DataError(`no map named '${name}'${known.length ? `; its maps: ${known.join(", ")}` : "; make one with featurelens analyze --maps tsne"}`, run.dir);
  }
  const a = readNpy(run.path(record.file));
  if (a.dtype !== "float32" || a.shape.length !== 2 || a.shape[1] !== record.dims) {
    throw new DataError(`expected float32 N×${record.dims}, got ${a.dtype} [${a.shape.join(", ")}]: the file was changed or damaged`, run.path(record.file));
  }
  const meta = JSON.parse(readFileSync(run.path(record.meta), "utf8")) as MapMeta;
  return { record, embedding: a.data as Float32Array, meta };
}

/**
 * The reference of a run's own map, for placing new points into it: the map and its input points
 * (t-SNE, UMAP) and the PCA it used (a PCA map is placed by its axes alone).
 */
export function readMapReference(run: Run, name: string): { map: TsneMap | null; pca: PcaModel | null; meta: MapMeta } {
  const { meta } = readMap(run, run.record, name);
  if (meta.method === "pca") return { map: null, pca: meta.pca ? deserializePca(meta.pca) : null, meta };
  const ref = run.path(mapFiles(run, name).ref);
  if (!existsSync(ref)) throw new DataError(`map '${name}' keeps no reference points (${ref} is missing); make it again with featurelens analyze`, run.dir);
  return { map: decodeMap(readFileSync(ref), ref), pca: meta.pca ? deserializePca(meta.pca) : null, meta };
}

export function serializePca(p: PcaModel): SerializedPca {
  return {
    d: p.d, components: p.components, mean: Array.from(p.mean), basis: Array.from(p.basis),
    explainedVariance: Array.from(p.explainedVariance), explainedVarianceRatio: Array.from(p.explainedVarianceRatio),
  };
}

export function deserializePca(j: SerializedPca): PcaModel {
  return {
    d: j.d, components: j.components, mean: Float64Array.from(j.mean), basis: Float64Array.from(j.basis),
    explainedVariance: Float64Array.from(j.explainedVariance), explainedVarianceRatio: Float64Array.from(j.explainedVarianceRatio),
  };
}

import { readNpy, writeNpy } from "../data/npy.js";
import { DataError } from "../util/errors.js";
import type { Run } from "./run.js";
import type { FeatureRecord, Scope } from "./runRecord.js";
import { slug } from "./workspace.js";

/**
 * A scope's features: `features/<slug of the layer>.npy`, float32 N×D (row i = image i of the
 * scope's predictions), with the mapping from the name asked for to the file in run.json.
 */

/** The file a layer's features go to, relative to the run. */
export function featureFile(run: Run, key: string, domain?: string): string {
  return `${run.scopePrefix(domain)}features/${slug(key) || "layer"}.npy`;
}

/** Writes a layer's features and records them (and the artifact) in the scope. */
export function writeFeatures(
  run: Run,
  scope: Scope,
  f: { key: string; layer: string; value: string; n: number; d: number; data: Float32Array; params: Record<string, unknown>; domain?: string },
): FeatureRecord {
  if (f.data.length !== f.n * f.d) throw new RangeError(`features of '${f.key}': ${f.data.length} values for ${f.n}×${f.d}`);
  const file = featureFile(run, f.key, f.domain);
  writeNpy(run.path(file), { dtype: "float32", shape: [f.n, f.d], data: f.data });
  const rec: FeatureRecord = { key: f.key, layer: f.layer, value: f.value, file, n: f.n, d: f.d };
  scope.features[f.key] = rec;
  run.recordArtifact(scope, { file, kind: "features", params: { ...f.params, layer: f.value } });
  return rec;
}

/** Reads a scope's features by key ("penultimate", a layer name), checked against the record. */
export function readFeatures(run: Run, scope: Scope, key = "penultimate"): { record: FeatureRecord; n: number; d: number; data: Float32Array } {
  const record = scope.features[key] ?? Object.values(scope.features).find((f) => f.layer === key || f.value === key);
  if (!record) {
    const known = Object.keys(scope.features);
    throw new DataError(`no features of '${key}'${known.length ? `; it has: ${known.join(", ")}` : "; run featurelens analyze on it first"}`, run.dir);
  }
  const a = readNpy(run.path(record.file));
  if (a.dtype !== "float32" || a.shape.length !== 2 || a.shape[0] !== record.n || a.shape[1] !== record.d) {
    throw new DataError(`expected float32 ${record.n}×${record.d} as run.json records, got ${a.dtype} [${a.shape.join(", ")}]: the file was changed or damaged; run featurelens analyze again`, run.path(record.file));
  }
  return { record, n: record.n, d: record.d, data: a.data as Float32Array };
}

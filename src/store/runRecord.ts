import { DataError } from "../util/errors.js";
import { compareVersions, FEATURELENS_VERSION } from "../util/version.js";

/**
 * run.json: what a run is and what it holds. It is the truth about a run; the files beside it are
 * its artifacts, each recorded here with how it was made. Only store/ reads or writes it.
 *
 * A run is one model on one primary dataset. The part of a run that belongs to one dataset — its
 * predictions, features, maps, evaluation — is a {@link Scope}: the run's own, or a domain's
 * (another dataset seen through the same model, under `domains/<slug>/`).
 */

/** Bump when run.json changes in a way an older featurelens cannot read. */
export const RUN_SCHEMA_VERSION = 1;

export type RunStatus = "complete" | "incomplete";

/** Where a scope's images came from. */
export interface DataRecord {
  /** The `--data` spec as given (e.g. "fashion-mnist:test", "folder:/photos"). */
  spec: string;
  /** The dataset's own name (e.g. "sample:test"). */
  name: string;
  /** "train", "test", "val" or "" when the source has no splits. */
  split: string;
  n: number;
  height: number;
  width: number;
  channels: number;
  /** SHA-256 of the images and labels (data/hash.ts). */
  hash: string;
  /** The options that chose the images: `--limit`, `--only`, `--seed`. */
  limit: number | null;
  only: string | null;
  seed: number;
}

/** One file of a run, and how it was made. */
export interface ArtifactRecord {
  /** Path relative to the run folder, with forward slashes. */
  file: string;
  kind: "model" | "history" | "predictions" | "features" | "map" | "evaluation" | "inspect" | "report" | "checkpoint" | "diagnose" | "label-issues" | "shift" | "compare" | "gradcam" | "other";
  /** The command that wrote it. */
  made_by: string;
  created: string;
  /** The settings that made it; a rerun with other settings makes it again. */
  params: Record<string, unknown>;
  bytes?: number;
}

/** A layer's features: float32 N×D, row i = image i of the scope. */
export interface FeatureRecord {
  /** The name asked for ("penultimate") or the layer's name. */
  key: string;
  /** The layer's name, as `featurelens layers` lists it (e.g. "/relu7/Relu"). */
  layer: string;
  /** The value read in the graph (e.g. "/relu7/Relu_output_0"). */
  value: string;
  file: string;
  n: number;
  d: number;
}

/** A map of a layer's features: `file` N×dims float32, and `meta` with how it was made. */
export interface MapRecord {
  name: string;
  method: "pca" | "tsne" | "umap";
  /** The features it was made from (a FeatureRecord key). */
  source: string;
  dims: 2 | 3;
  file: string;
  meta: string;
  /** KL divergence (t-SNE) and the quality measures, as MapQuality. */
  kl: number | null;
  quality: Record<string, unknown> | null;
  /** For a domain: how its points were placed into the run's map of this name. */
  placed_into?: string;
}

/** What a run (or a domain) holds for one dataset. */
export interface Scope {
  status: RunStatus;
  data: DataRecord | null;
  /** Headline numbers: accuracy, macro F1, log loss, … (from the evaluation). */
  summary: Record<string, number | string | null>;
  /** By path relative to the run folder. */
  artifacts: Record<string, ArtifactRecord>;
  features: Record<string, FeatureRecord>;
  maps: Record<string, MapRecord>;
}

/** The run's model. */
export interface ModelRecord {
  /** Relative to the run folder (normally "model.onnx"). */
  file: string;
  sha256: string;
  /** Where it was copied from, for a model made elsewhere (a PyTorch export). */
  source: string | null;
  /** The architecture it was trained from (train), if featurelens made it. */
  arch: string | null;
  /** The penultimate layer's name, as `featurelens layers` lists it. */
  penultimate: string | null;
}

export interface RunRecord extends Scope {
  schema: number;
  id: string;
  made_by: { command: string; argv: string[] };
  created: string;
  updated: string;
  featurelens_version: string;
  model: ModelRecord | null;
  classes: string[];
  /** The settings of the command that made the run (training settings, …). */
  config: Record<string, unknown>;
  domains: Record<string, Scope & { slug: string; created: string }>;
}

/** An empty scope. */
export function emptyScope(): Scope {
  return { status: "incomplete", data: null, summary: {}, artifacts: {}, features: {}, maps: {} };
}

/** A new run record. */
export function newRunRecord(id: string, command: string, argv: string[], classes: string[] = []): RunRecord {
  const now = new Date().toISOString();
  return {
    schema: RUN_SCHEMA_VERSION,
    id,
    made_by: { command, argv },
    created: now,
    updated: now,
    featurelens_version: FEATURELENS_VERSION,
    model: null,
    classes,
    config: {},
    ...emptyScope(),
    domains: {},
  };
}

/**
 * Reads a run.json's text: refuses a run written by a newer featurelens (naming both versions) and
 * a file that is not a run record (naming what is wrong). `file` names the file in messages.
 */
export function parseRunRecord(text: string, file: string): RunRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new DataError(`not valid JSON (${(err as Error).message}); the run record is damaged — remove the run (featurelens runs rm) or restore run.json`, file);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new DataError("not a run record (expected a JSON object)", file);
  const r = raw as Partial<RunRecord>;
  const version = typeof r.featurelens_version === "string" ? r.featurelens_version : "unknown";
  if (typeof r.schema === "number" && r.schema > RUN_SCHEMA_VERSION) {
    throw new DataError(`written by featurelens ${version} (run format ${r.schema}); this is featurelens ${FEATURELENS_VERSION}, which reads format ${RUN_SCHEMA_VERSION} — upgrade featurelens to open it`, file);
  }
  if (typeof r.schema !== "number" && version !== "unknown" && compareVersions(version, FEATURELENS_VERSION) > 0) {
    throw new DataError(`written by featurelens ${version}; this is featurelens ${FEATURELENS_VERSION} — upgrade featurelens to open it`, file);
  }
  if (typeof r.schema !== "number") return fromLegacy(r as Record<string, unknown>, file);
  const missing = (["id", "made_by", "created", "status", "artifacts", "features", "maps", "domains", "classes"] as const).filter((k) => r[k] === undefined);
  if (missing.length) throw new DataError(`the run record lacks ${missing.join(", ")}; it is damaged — remove the run or restore run.json`, file);
  return r as RunRecord;
}

/**
 * A run.json written before runs had a schema (featurelens train before 0.1's workspace): what it
 * said — data, arch, classes, config, metrics — kept, the artifacts found again by the caller.
 */
function fromLegacy(r: Record<string, unknown>, file: string): RunRecord {
  if (typeof r.what !== "string") throw new DataError("not a run record (no schema, no 'what')", file);
  const id = file.replace(/\/run\.json$/, "").split("/").pop() ?? "run";
  const rec = newRunRecord(id, r.what, []);
  rec.created = typeof r.created === "string" ? r.created : rec.created;
  rec.updated = rec.created;
  rec.featurelens_version = "0.1.0";
  rec.classes = Array.isArray(r.classes) ? (r.classes as string[]) : [];
  rec.config = { ...(typeof r.config === "object" && r.config ? (r.config as Record<string, unknown>) : {}), ...(typeof r.data === "string" ? { data: r.data } : {}) };
  rec.status = "complete";
  return rec;
}

/** run.json's text. */
export function formatRunRecord(r: RunRecord): string {
  return `${JSON.stringify(r, (_, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 1)}\n`;
}

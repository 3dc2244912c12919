import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { sep } from "node:path";
import { type Dataset, sourceIndices } from "../data/dataset.js";
import type { OpenedModel } from "../nn/infer.js";
import { readFeatures } from "../store/features.js";
import { readMap } from "../store/maps.js";
import { readPredictions } from "../store/predictions.js";
import type { PredictionsTable } from "../store/predictionsSchema.js";
import { Run } from "../store/run.js";
import type { Scope } from "../store/runRecord.js";
import { findRun, listRunIds, type Workspace } from "../store/workspace.js";
import { DataError } from "../util/errors.js";
import { openRunModel } from "../workflows/analyzeRun.js";
import { loadRunImages } from "../workflows/runImages.js";
import type { LruCache, Sized } from "./cache.js";
import { notFound } from "./http.js";

/**
 * The runs the server reads, resolved through store/ from ids alone, and what it loads of them
 * (predictions, features, images, maps, the model) kept in the LRU cache. A run's entries are
 * dropped when its run.json's `updated` changes (an analysis added a domain or a map).
 *
 * Row order: `row` i of a scope is row i of its features, maps and images; the predictions table
 * is read ordered by source index (readPredictions), which is the row order for every way
 * featurelens makes a scope (limits, validation splits and class selections keep the source's
 * order; shards are put back by index). When the images are loaded this is checked.
 */

/** Run ids as store/ makes them; anything else (a path, `..`, a NUL byte) is no run. */
const RUN_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

/** A run opened for one request: its record as of now, and the prefix of its cache keys. */
export interface OpenRun {
  id: string;
  run: Run;
  key: string;
}

/** One scope of an open run: the run's own data (domain undefined) or a domain. */
export interface ScopeRef {
  open: OpenRun;
  domain: string | undefined;
  scope: Scope;
  key: string;
}

export class RunStore {
  private readonly seen = new Map<string, string>();
  private readonly recent = new Map<string, string[]>();

  constructor(
    readonly ws: Workspace,
    readonly cache: LruCache,
  ) {}

  /**
   * The run with this id, refused (404) when the id is not one, the run is missing, or its folder
   * leads out of the workspace's runs/ (a symlink: real paths are compared).
   */
  open(id: string): OpenRun {
    if (!RUN_ID.test(id)) throw notFound(`no run '${printable(id)}' (a run id is letters, digits, '.', '_' and '-')`);
    let dir: string;
    try {
      dir = findRun(this.ws, id);
    } catch (err) {
      throw notFound((err as Error).message);
    }
    const real = realpathSync(dir);
    const runs = realpathSync(this.ws.runs);
    if (!real.startsWith(runs + sep)) throw notFound(`run '${id}' leads out of the workspace (${dir} is a link to ${real}); it is not served`);
    const run = Run.read(real);
    const updated = run.record.updated;
    if (this.seen.get(id) !== updated) {
      this.cache.deletePrefix(`${id}\0`);
      this.seen.set(id, updated);
    }
    return { id, run, key: `${id}\0${updated}\0` };
  }

  /** A scope of a run: `domain` must be one of its domains' slugs. */
  scope(open: OpenRun, domain: string | undefined): ScopeRef {
    if (domain !== undefined && !Object.hasOwn(open.run.record.domains, domain)) {
      const known = Object.keys(open.run.record.domains);
      throw notFound(`run ${open.id} has no domain '${printable(domain)}'${known.length ? `; its domains: ${known.join(", ")}` : ""}`);
    }
    return { open, domain, scope: open.run.scope(domain), key: `${open.key}${domain ?? ""}\0` };
  }

  /** Ids of the workspace's runs (symlinked ones are not listed by store/). */
  ids(): string[] {
    return existsSync(this.ws.runs) ? listRunIds(this.ws) : [];
  }

  /** Cached: `load` once per scope and `part`. */
  cached<V>(s: { key: string }, part: string, load: () => Promise<Sized<V>>): Promise<V> {
    return this.cache.get(`${s.key}${part}`, load);
  }

  /** Marks `key` as used in `group`, and drops from the cache the group's keys past the `max` most recent. */
  keepRecent(group: string, key: string, max: number): void {
    const keys = this.recent.get(group) ?? [];
    const at = keys.indexOf(key);
    if (at >= 0) keys.splice(at, 1);
    keys.push(key);
    while (keys.length > max) this.cache.delete(keys.shift()!);
    this.recent.set(group, keys);
  }

  /** The scope's predictions in row order. */
  predictions(s: ScopeRef): Promise<PredictionsTable> {
    return this.cached(s, "predictions", async () => {
      const file = `${s.open.run.scopePrefix(s.domain)}predictions.parquet`;
      if (!s.scope.artifacts[file] || !existsSync(s.open.run.path(file))) throw notFound(`${scopeName(s)} has no predictions (make them with featurelens analyze)`);
      const t = await readPredictions(s.open.run.path(file));
      const bytes = t.n * 7 * 4 + t.probabilities.byteLength;
      return { value: t, bytes };
    });
  }

  /** The predictions' file, for query.ts. */
  predictionsFile(s: ScopeRef): string {
    return s.open.run.path(`${s.open.run.scopePrefix(s.domain)}predictions.parquet`);
  }

  /** The scope's penultimate features, n × d float32. */
  features(s: ScopeRef): Promise<{ n: number; d: number; data: Float32Array }> {
    return this.cached(s, "features", async () => {
      if (!s.scope.features.penultimate) throw notFound(`${scopeName(s)} has no penultimate features`);
      const f = readFeatures(s.open.run, s.scope, "penultimate");
      await this.checkRows(s, f.n, "features");
      return { value: { n: f.n, d: f.d, data: f.data }, bytes: f.data.byteLength };
    });
  }

  /** A map's coordinates, n × dims. */
  map(s: ScopeRef, name: string): Promise<{ embedding: Float32Array; dims: 2 | 3 }> {
    if (!Object.hasOwn(s.scope.maps, name)) {
      const known = Object.keys(s.scope.maps);
      throw notFound(`${scopeName(s)} has no map '${printable(name)}'${known.length ? `; its maps: ${known.join(", ")}` : ""}`);
    }
    return this.cached(s, `map\0${name}`, async () => {
      const m = readMap(s.open.run, s.scope, name);
      await this.checkRows(s, m.embedding.length / m.record.dims, `map '${name}'`);
      return { value: { embedding: m.embedding, dims: m.record.dims }, bytes: m.embedding.byteLength };
    });
  }

  /** The scope's images as analyze saw them (never downloaded here), checked to be in row order. */
  images(s: ScopeRef): Promise<Dataset> {
    return this.cached(s, "images", async () => {
      const [ds, p] = await Promise.all([loadRunImages(s.open.run, s.domain, { download: false }), this.predictions(s)]);
      const idx = sourceIndices(ds);
      if (idx.length !== p.n || idx.some((v, i) => v !== p.index[i])) {
        throw new DataError(`the images of ${scopeName(s)} are not in the order of its predictions (by source index); analyze them again`, s.open.run.dir);
      }
      return { value: ds, bytes: ds.images.byteLength + ds.labels.byteLength * 2 };
    });
  }

  /** The run's model, opened with its recorded preprocessing. */
  model(open: OpenRun): Promise<OpenedModel> {
    return this.cached(open, "model", async () => {
      const opened = openRunModel(open.run);
      const file = open.run.path(open.run.record.model!.file);
      return { value: opened, bytes: 2 * statSync(file).size };
    });
  }

  /** A JSON file of the run (relative path made by the server, never by the client), or null. */
  readJson(open: OpenRun, rel: string): unknown {
    const file = open.run.path(rel);
    if (!existsSync(file)) return null;
    return JSON.parse(readFileSync(file, "utf8")) as unknown;
  }

  /** Whether a part with `n` rows matches the scope's predictions. */
  private async checkRows(s: ScopeRef, n: number, what: string): Promise<void> {
    const p = await this.predictions(s);
    if (n !== p.n) throw new DataError(`${what} of ${scopeName(s)} has ${n} rows, its predictions ${p.n}; analyze it again`, s.open.run.dir);
  }
}

/** "run seed" or "run seed, domain sample-train". */
export function scopeName(s: Pick<ScopeRef, "open" | "domain">): string {
  return s.domain === undefined ? `run ${s.open.id}` : `run ${s.open.id}, domain ${s.domain}`;
}

/** A client's text as a message may show it: at most 60 characters, control characters escaped. */
export function printable(s: string): string {
  const cut = s.length > 60 ? `${s.slice(0, 57)}…` : s;
  return cut.replace(/\p{Cc}/gu, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

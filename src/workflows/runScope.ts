import { Run } from "../store/run.js";
import type { Scope } from "../store/runRecord.js";
import { findRun, openWorkspace, slug } from "../store/workspace.js";
import { DataError, UsageError } from "../util/errors.js";

/**
 * One scope of a run opened to read, as `samples` and `export` take it: the run's own images or
 * one of its domains (`--domain` by its slug, "sample-train", or by the data spec it was made
 * from, "sample:train"), with the scope's predictions file.
 */
export interface RunScope {
  run: Run;
  /** The domain's slug, or undefined for the run's own images. */
  domain: string | undefined;
  scope: Scope;
  /** Absolute path of the scope's predictions.parquet. */
  predictions: string;
}

/**
 * Opens `--run` in the workspace and the scope `--domain` names; an unknown domain lists the
 * run's domains, a scope without predictions says to analyze it.
 * @example openRunScope({ workspace: "/tmp/ws5", run: "seed", domain: "sample:train" }).domain // "sample-train"
 */
export function openRunScope(o: { workspace?: string; run: string; domain?: string }): RunScope {
  const run = Run.read(findRun(openWorkspace(o.workspace), o.run));
  const domain = o.domain === undefined || run.record.domains[o.domain] ? o.domain : slug(o.domain);
  if (domain !== undefined && !run.record.domains[domain]) {
    const known = Object.keys(run.record.domains);
    throw new UsageError(`--domain ${o.domain}: run ${run.id} has no such domain; ${known.length ? `its domains: ${known.join(", ")}` : `it has none (add one with featurelens analyze --run ${run.id} --data SPEC)`}`);
  }
  const scope = run.scope(domain);
  const file = `${run.scopePrefix(domain)}predictions.parquet`;
  if (!run.hasArtifact(scope, file)) {
    const what = domain === undefined ? `run ${run.id}` : `domain '${domain}' of run ${run.id}`;
    throw new DataError(`${what} has no predictions; make them with featurelens analyze${domain === undefined ? ` --model M --data SPEC --out ${run.id}` : ` --run ${run.id} --data SPEC`}`, run.dir);
  }
  return { run, domain, scope, predictions: run.path(file) };
}

/** "run seed" or "run seed, domain sample-train", for titles and messages. */
export function scopeName(s: Pick<RunScope, "run" | "domain">): string {
  return s.domain === undefined ? `run ${s.run.id}` : `run ${s.run.id}, domain ${s.domain}`;
}

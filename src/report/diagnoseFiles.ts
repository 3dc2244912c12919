import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { LayersJson, SeparationJson, ShiftJson } from "../analysis/diagnose/diagnoseJson.js";
import type { RunRecord } from "../store/runRecord.js";

/**
 * The diagnoses a run holds, read for the report: `diagnose/separation.json` and
 * `diagnose/layers.json` of the run's own images, and each domain's `shift.json`. A file that is
 * missing is null; one that cannot be read gives the reason.
 */

/** The run's folder, when the report's view of the run carries it (RunView.dir). */
export function runDirOf(run: object): string | undefined {
  const dir = (run as { dir?: unknown }).dir;
  return typeof dir === "string" ? dir : undefined;
}

export type Read<T> = { value: T } | { missing: string } | null;

/** One JSON artifact of the run (`rel` relative to the run folder), checked by its `featurelens` tag. */
export function readDiagnosis<T extends { featurelens: string }>(dir: string | undefined, record: RunRecord, rel: string, tag: T["featurelens"]): Read<T> {
  if (!dir) return { missing: "the run's folder is not known to the report" };
  const file = join(dir, rel);
  const recorded = [record, ...Object.values(record.domains)].some((s) => s.artifacts[rel]);
  if (!existsSync(file)) return recorded ? { missing: `${rel} is recorded in run.json but not in the run folder; make it again` } : null;
  try {
    const v = JSON.parse(readFileSync(file, "utf8")) as T;
    if (v?.featurelens !== tag) return { missing: `${rel} is not a ${tag} file` };
    return { value: v };
  } catch (err) {
    return { missing: `${rel} cannot be read (${(err as Error).message})` };
  }
}

/** The run's own separation and layer curve. */
export function readDiagnoses(dir: string | undefined, record: RunRecord): { separation: Read<SeparationJson>; layers: Read<LayersJson> } {
  return {
    separation: readDiagnosis<SeparationJson>(dir, record, "diagnose/separation.json", "diagnose/separation"),
    layers: readDiagnosis<LayersJson>(dir, record, "diagnose/layers.json", "diagnose/layers"),
  };
}

/** Each domain's shift.json, by domain, in the run's order (domains without one left out). */
export function readShifts(dir: string | undefined, record: RunRecord): { domain: string; shift: Read<ShiftJson> }[] {
  return Object.keys(record.domains)
    .map((domain) => ({ domain, shift: readDiagnosis<ShiftJson>(dir, record, `domains/${domain}/shift.json`, "shift") }))
    .filter((d) => d.shift !== null);
}

import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { formatLabelFixes, type LabelFix, parseLabelFixes } from "../analysis/diagnose/labelIssuesFixes.js";
import { type Dataset, sourceIndex, subset } from "../data/dataset.js";
import { writeFileAtomic } from "../util/atomic.js";
import { DataError, UsageError } from "../util/errors.js";
import { describeFsError } from "../util/files.js";
import { checkOutputs, recordOutputs } from "../util/outputs.js";

/**
 * `label-fixes.csv` on disk (its format: analysis/diagnose/labelIssuesFixes.ts) and applying it
 * to a dataset: `featurelens train --label-fixes FILE` relabels or drops those source indices of
 * the training data before training, and records what it did in the run's config.
 */

export type { LabelFix } from "../analysis/diagnose/labelIssuesFixes.js";

/** How many missing indices a message lists. */
const SHOWN = 8;

/**
 * Reads and checks a label-fixes file against the dataset's class names; every problem of the file
 * is in one DataError naming it and each line.
 * @example readLabelFixes("issues/label-fixes.csv", ds.classes) // [{ index: 1234, action: "relabel", newLabel: 0 }, …]
 */
export function readLabelFixes(path: string, classes: readonly string[]): LabelFix[] {
  let text: string;
  try {
    if (!statSync(path).isFile()) throw new DataError("not a file; give the label-fixes CSV", path);
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`cannot read the label fixes (${describeFsError(err)})`, path);
  }
  return parseLabelFixes(text, classes, path);
}

/**
 * Writes a label-fixes file atomically — never over a file featurelens did not write unless
 * `force` — and notes it in the folder's ledger (util/outputs.ts).
 * @example writeLabelFixes("issues/label-fixes.csv", [{ index: 88, action: "drop", newLabel: null }], ds.classes)
 */
export function writeLabelFixes(path: string, fixes: readonly LabelFix[], classes: readonly string[], o: { force?: boolean } = {}): void {
  const text = formatLabelFixes(fixes, classes);
  checkOutputs([{ path, flag: "label fixes" }], [], { command: "label-fixes", ...(o.force ? { force: true } : {}) });
  writeFileAtomic(path, text);
  recordOutputs([path], "label-fixes");
}

/** What applying the fixes did, as the run's config records it. */
export interface LabelFixesRecord {
  file: string;
  sha256: string;
  relabelled: number;
  dropped: number;
  kept: number;
  /** Relabels to the label the image already had. */
  unchanged: number;
}

/**
 * The dataset with the fixes applied: relabelled images get their new label, dropped ones are left
 * out (the others keep their source indices), kept ones are as they were. A fix naming an index
 * that is not in the dataset is refused — all of them listed — since it was meant for other data.
 */
export function applyLabelFixes(ds: Dataset, fixes: readonly LabelFix[], file: string): { dataset: Dataset; record: LabelFixesRecord } {
  const rowOf = new Map<number, number>();
  for (let r = 0; r < ds.n; r++) rowOf.set(sourceIndex(ds, r), r);
  const missing = fixes.filter((f) => !rowOf.has(f.index)).map((f) => f.index);
  if (missing.length) {
    const list = `${missing.slice(0, SHOWN).join(", ")}${missing.length > SHOWN ? ", …" : ""}`;
    throw new UsageError(`--label-fixes ${file}: ${missing.length} of its ${fixes.length} indices are not in the training data ${ds.name} (${ds.n} images): ${list}; the fixes were made for other data, or with another --limit/--only`);
  }
  const labels = ds.labels.slice();
  const drop = new Uint8Array(ds.n);
  const record: LabelFixesRecord = { file: resolve(file), sha256: createHash("sha256").update(readFileSync(file)).digest("hex"), relabelled: 0, dropped: 0, kept: 0, unchanged: 0 };
  for (const f of fixes) {
    const r = rowOf.get(f.index)!;
    if (f.action === "drop") {
      drop[r] = 1;
      record.dropped++;
    } else if (f.action === "keep") record.kept++;
    else if (labels[r] === f.newLabel) record.unchanged++;
    else {
      labels[r] = f.newLabel!;
      record.relabelled++;
    }
  }
  const relabelled: Dataset = { ...ds, labels };
  if (record.dropped === 0) return { dataset: relabelled, record };
  const keep = Int32Array.from({ length: ds.n }, (_, r) => r).filter((r) => !drop[r]);
  return { dataset: subset(relabelled, keep, ds.name), record };
}

/** Reads FILE and applies it to the data (see {@link applyLabelFixes}). */
export function applyLabelFixesFile(ds: Dataset, file: string): { dataset: Dataset; record: LabelFixesRecord } {
  return applyLabelFixes(ds, readLabelFixes(file, ds.classes), file);
}

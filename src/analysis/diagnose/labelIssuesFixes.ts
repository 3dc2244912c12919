import { DataError } from "../../util/errors.js";

/**
 * `label-fixes.csv`: the decisions taken on the review queue of `featurelens label-issues`, one
 * row per reviewed image, which `featurelens train --label-fixes FILE` applies. Written by the
 * app's review view (or by hand), read here; text in and out, browser-safe.
 *
 * The file is CSV (RFC 4180, UTF-8, a header row), with the columns
 *   index      the image's index in the source dataset, as the queue's `index` column gives it
 *   action     keep | relabel | drop
 *   new_label  for relabel: the class name (as the dataset names it) or its index 0..K−1; empty otherwise
 * in any order; other columns (the queue's `path` or `given_name`, a reviewer's note) are ignored.
 * An index appears at most once.
 *
 *   index,action,new_label
 *   1234,relabel,T-shirt/top
 *   88,drop,
 *   512,keep,
 */

export const LABEL_FIX_ACTIONS = ["keep", "relabel", "drop"] as const;
export type LabelFixAction = (typeof LABEL_FIX_ACTIONS)[number];

/** One decision: `newLabel` is a class index for relabel, null otherwise. */
export interface LabelFix {
  index: number;
  action: LabelFixAction;
  newLabel: number | null;
}

export const LABEL_FIX_COLUMNS = ["index", "action", "new_label"] as const;

/** How many problems one error lists before "and N more". */
const SHOWN = 8;

/**
 * Reads the text of a label-fixes file. Every problem (a missing column, an unknown action, a label
 * that is not a class, an index that is not a non-negative integer or appears twice) is reported
 * in one DataError naming `source` and each line.
 * @example
 * parseLabelFixes("index,action,new_label\n7,relabel,Shirt\n9,drop,\n", ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt"], "fixes.csv")
 * // [{ index: 7, action: "relabel", newLabel: 6 }, { index: 9, action: "drop", newLabel: null }]
 */
export function parseLabelFixes(text: string, classes: readonly string[], source = "label-fixes.csv"): LabelFix[] {
  const lines = splitLines(text.replace(/^\uFEFF/, ""));
  const first = lines.findIndex((l) => l.text.trim() !== "");
  if (first < 0) throw new DataError(`empty; expected a header row '${LABEL_FIX_COLUMNS.join(",")}'`, source);
  const header = parseCsvLine(lines[first].text).map((h) => h.trim());
  const at = LABEL_FIX_COLUMNS.map((c) => header.indexOf(c));
  const missing = LABEL_FIX_COLUMNS.filter((_, j) => at[j] < 0);
  if (missing.length) throw new DataError(`line ${lines[first].number}: the header lacks ${missing.map((c) => `'${c}'`).join(", ")}; expected '${LABEL_FIX_COLUMNS.join(",")}'`, source);
  const problems: string[] = [];
  const seen = new Map<number, number>();
  const fixes: LabelFix[] = [];
  for (const line of lines.slice(first + 1)) {
    if (line.text.trim() === "") continue;
    const cells = parseCsvLine(line.text);
    const [index, action, label] = at.map((j) => (cells[j] ?? "").trim());
    const before = problems.length;
    const where = `line ${line.number}`;
    if (!/^\d+$/.test(index) || !Number.isSafeInteger(Number(index))) problems.push(`${where}: index '${index}' is not a non-negative integer`);
    else if (seen.has(Number(index))) problems.push(`${where}: index ${index} appears twice (first on line ${seen.get(Number(index))})`);
    else seen.set(Number(index), line.number);
    if (!(LABEL_FIX_ACTIONS as readonly string[]).includes(action)) problems.push(`${where}: unknown action '${action}' (${LABEL_FIX_ACTIONS.join(", ")})`);
    let newLabel: number | null = null;
    if (action === "relabel") {
      newLabel = classOf(label, classes);
      if (label === "") problems.push(`${where}: relabel needs a new_label (a class name or index)`);
      else if (newLabel === null) problems.push(`${where}: new_label '${label}' is not a class (${describeClasses(classes)})`);
    } else if (label !== "" && action !== "" && problems.length === before) {
      problems.push(`${where}: new_label '${label}' goes only with relabel, not ${action}`);
    }
    if (problems.length === before) fixes.push({ index: Number(index), action: action as LabelFixAction, newLabel });
  }
  if (problems.length) {
    const more = problems.length > SHOWN ? `; and ${problems.length - SHOWN} more` : "";
    throw new DataError(`${problems.length} problem${problems.length === 1 ? "" : "s"} in the label fixes: ${problems.slice(0, SHOWN).join("; ")}${more}`, source);
  }
  return fixes;
}

/**
 * The text of a label-fixes file (header, then one row per fix, class names for new labels).
 * @example formatLabelFixes([{ index: 7, action: "relabel", newLabel: 0 }], ["T-shirt/top"]) // "index,action,new_label\n7,relabel,T-shirt/top\n"
 */
export function formatLabelFixes(fixes: readonly LabelFix[], classes: readonly string[]): string {
  const rows = fixes.map((f) => {
    if (!Number.isSafeInteger(f.index) || f.index < 0) throw new RangeError(`index ${f.index} is not a non-negative integer`);
    if (!(LABEL_FIX_ACTIONS as readonly string[]).includes(f.action)) throw new RangeError(`action '${String(f.action)}' is not one of ${LABEL_FIX_ACTIONS.join(", ")}`);
    if ((f.action === "relabel") !== (f.newLabel !== null)) throw new RangeError(`index ${f.index}: newLabel goes with relabel, and relabel needs one`);
    if (f.newLabel !== null && !(f.newLabel >= 0 && f.newLabel < classes.length)) throw new RangeError(`index ${f.index}: newLabel ${f.newLabel} is not a class 0..${classes.length - 1}`);
    return [String(f.index), f.action, f.newLabel === null ? "" : classes[f.newLabel]].map(csvCell).join(",");
  });
  const dup = duplicateIndex(fixes);
  if (dup !== undefined) throw new RangeError(`index ${dup} appears twice`);
  return `${LABEL_FIX_COLUMNS.join(",")}\n${rows.map((r) => `${r}\n`).join("")}`;
}

/** A class by exact name, else by index; null when neither. */
function classOf(label: string, classes: readonly string[]): number | null {
  const byName = classes.indexOf(label);
  if (byName >= 0) return byName;
  return /^\d+$/.test(label) && Number(label) < classes.length ? Number(label) : null;
}

function describeClasses(classes: readonly string[]): string {
  const names = classes.slice(0, 12).map((c) => `'${c}'`).join(", ");
  return `classes: ${names}${classes.length > 12 ? ", …" : ""}, or an index 0..${classes.length - 1}`;
}

function duplicateIndex(fixes: readonly LabelFix[]): number | undefined {
  const seen = new Set<number>();
  for (const f of fixes) {
    if (seen.has(f.index)) return f.index;
    seen.add(f.index);
  }
  return undefined;
}

/** Physical lines with their 1-based numbers (a quoted field may not span lines here). */
function splitLines(text: string): { number: number; text: string }[] {
  return text.split(/\r?\n/).map((t, i) => ({ number: i + 1, text: t }));
}

/** The fields of one CSV line: commas separate, double quotes quote, "" inside quotes is one quote. */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(cell);
      cell = "";
    } else cell += c;
  }
  out.push(cell);
  return out;
}

/** A CSV field, quoted when it holds a comma, a quote, a line break or leading/trailing space. */
export function csvCell(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

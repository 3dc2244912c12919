import { writeSampleGrid } from "../report/sampleGrid.js";
import { indicesWhere, MAX_QUERY_LIMIT, type PredictionRow, queryPredictions, type SortKey } from "../store/query.js";
import { UsageError } from "../util/errors.js";
import { floatText } from "../util/floatText.js";
import { checkOutputs, recordOutputs } from "../util/outputs.js";
import { resolveClass } from "./classArg.js";
import { openRunScope, type RunScope, scopeName } from "./runScope.js";
import { loadRunImages, rowsByIndex } from "./runImages.js";

/**
 * `featurelens samples`: the images behind a confusion-matrix cell, or behind any filter on the
 * true class, the predicted class and right/wrong — the cases to study, sorted by confidence, loss
 * or margin — as rows, a sentence that says what they are, and (with `grid`) a labelled picture.
 */

/** The keys `samples` sorts by. */
export type SampleSort = Exclude<SortKey, "index">;
export const SAMPLE_SORTS: readonly SampleSort[] = ["confidence", "loss", "margin"];

export interface SamplesOptions {
  workspace?: string;
  run: string;
  /** A domain of the run, by slug or by its data spec. */
  domain?: string;
  /** True class: a name (case-sensitive) or an index. */
  trueClass?: string | number;
  /** Predicted class: a name or an index. */
  predictedClass?: string | number;
  /** Only wrong predictions (labelled images only). */
  wrong?: boolean;
  /** Only right predictions (labelled images only). */
  correct?: boolean;
  /** Default: loss with `wrong`, else confidence (see SAMPLES_DEFAULTS). */
  sort?: SampleSort;
  /** Smallest first (default: largest first). */
  ascending?: boolean;
  /** How many rows to return (default 25). */
  top?: number;
  /** Write a labelled image grid of the rows to this PNG file. */
  grid?: string;
  /** Replace a `grid` file that featurelens did not write. */
  force?: boolean;
  onProgress?: (label: string, done: number, total: number | undefined) => void;
}

export const SAMPLES_DEFAULTS = { top: 25, sortWrong: "loss" as SampleSort, sort: "confidence" as SampleSort, ascending: false };

/** One image that matched: its source index, its row in the run's tables, and its prediction. */
export interface SampleRow {
  /** The image's index in the source dataset (kept through --limit). */
  index: number;
  /** Its row in the scope's predictions, features and maps. */
  row: number;
  /** True class, −1 when unlabelled. */
  label: number;
  label_name: string | null;
  predicted: number;
  predicted_name: string;
  confidence: number;
  margin: number;
  /** null when unlabelled. */
  loss: number | null;
}

export interface SamplesResult {
  run: string;
  domain: string | null;
  /** The scope's data spec ("sample:test"). */
  data: string;
  filter: { label?: number; predicted?: number; correct?: boolean };
  sort: SampleSort;
  descending: boolean;
  /** How many images match in all. */
  total: number;
  /** The first `top` of them in sort order. */
  rows: SampleRow[];
  /** What matched, in words: "Shirt predicted as T-shirt/top". */
  subject: string;
  /** "Shirt predicted as T-shirt/top: 42 images, 25 most confident". */
  description: string;
  grid?: { file: string; width: number; height: number };
}

/**
 * The images matching a filter, sorted, the first `top` of them.
 * @example
 * await findSamples({ workspace: "/tmp/ws5", run: "seed", trueClass: "Shirt", predictedClass: "T-shirt/top" })
 * // { total: 16, rows: [{ index: 775, row: 775, label: 6, label_name: "Shirt", predicted: 0, predicted_name: "T-shirt/top", confidence: 0.8271546, margin: 0.6888159, loss: 1.9780504 }, ...],
 * //   description: "Shirt predicted as T-shirt/top: 16 images, most confident first", ... }
 */
export async function findSamples(o: SamplesOptions): Promise<SamplesResult> {
  if (o.wrong && o.correct) throw new UsageError("--wrong and --correct exclude each other; give one of them, or neither for both");
  const top = o.top ?? SAMPLES_DEFAULTS.top;
  if (!Number.isInteger(top) || top < 1) throw new UsageError(`--top must be a positive integer, got ${top}`);
  if (o.sort !== undefined && !SAMPLE_SORTS.includes(o.sort)) throw new UsageError(`--sort takes ${SAMPLE_SORTS.join(", ")}, got '${String(o.sort)}'`);
  if (o.grid !== undefined && !/\.png$/i.test(o.grid)) throw new UsageError(`--grid ${o.grid}: the grid is written as PNG; give a file name ending in .png`);
  if (o.grid !== undefined) checkOutputs([{ path: o.grid, flag: "--grid" }], [], { command: "samples", ...(o.force ? { force: true } : {}) });
  const rs = openRunScope(o);
  const classes = rs.run.record.classes;
  const filter = {
    ...(o.trueClass !== undefined ? { label: resolveClass(o.trueClass, classes, "--true") } : {}),
    ...(o.predictedClass !== undefined ? { predicted: resolveClass(o.predictedClass, classes, "--pred") } : {}),
    ...(o.wrong ? { correct: false } : o.correct ? { correct: true } : {}),
  };
  const sort = o.sort ?? (o.wrong ? SAMPLES_DEFAULTS.sortWrong : SAMPLES_DEFAULTS.sort);
  const descending = !(o.ascending ?? SAMPLES_DEFAULTS.ascending);
  const { total, rows: found } = await queryTop(rs, filter, sort, descending, top);

  const images = o.grid !== undefined ? await loadRunImages(rs.run, rs.domain, o.onProgress ? { onProgress: o.onProgress } : {}) : undefined;
  const rowOf = images ? rowLookup(rowsByIndex(images)) : await rankLookup(rs);
  const rows = found.map((p) => sampleRow(p, rowOf(p.index), classes));
  const subject = describeFilter(filter, classes);
  const description = `${subject}: ${countWords(total, rows.length, sort, descending)}`;
  const result: SamplesResult = {
    run: rs.run.id, domain: rs.domain ?? null, data: rs.scope.data?.spec ?? "", filter, sort, descending, total, rows, subject, description,
  };
  if (o.grid !== undefined && images) {
    const size = await writeSampleGrid(o.grid, {
      images, classes, title: description, cells: rows,
      notes: [`${scopeName(rs)}: ${result.data}`, "under each image: true class, predicted class (red when wrong), confidence, #index in the source"],
    });
    recordOutputs([o.grid], "samples");
    result.grid = { file: o.grid, ...size };
  }
  return result;
}

/** The first `top` matching rows in order (paged, as one query returns at most MAX_QUERY_LIMIT), and how many match. */
async function queryTop(rs: RunScope, filter: SamplesResult["filter"], sort: SampleSort, descending: boolean, top: number): Promise<{ total: number; rows: PredictionRow[] }> {
  const rows: PredictionRow[] = [];
  let total = 0;
  do {
    const page = await queryPredictions({ sources: [{ file: rs.predictions }], ...filter, sort, descending, limit: Math.min(MAX_QUERY_LIMIT, top - rows.length), offset: rows.length });
    total = page.total;
    rows.push(...page.rows);
    if (page.rows.length === 0) break;
  } while (rows.length < Math.min(top, total));
  return { total, rows };
}

function rowLookup(rows: Map<number, number>): (index: number) => number {
  return (index) => rows.get(index) ?? -1;
}

/**
 * Rows by rank of source index: featurelens keeps a subset's images in source order (--limit,
 * --only and validation splits pick ascending indices), so the i-th smallest index is row i.
 */
async function rankLookup(rs: RunScope): Promise<(index: number) => number> {
  const all = await indicesWhere({ source: { file: rs.predictions } });
  return (index) => {
    let lo = 0;
    let hi = all.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (all[mid] === index) return mid;
      if (all[mid] < index) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  };
}

function sampleRow(p: PredictionRow, row: number, classes: readonly string[]): SampleRow {
  return {
    index: p.index, row, label: p.label, label_name: p.label >= 0 ? (classes[p.label] ?? String(p.label)) : null,
    predicted: p.predicted, predicted_name: classes[p.predicted] ?? String(p.predicted),
    confidence: float32(p.confidence), margin: float32(p.margin), loss: p.loss === null ? null : float32(p.loss),
  };
}

/** A stored float32 as the shortest number that reads back as it (0.8272, not 0.8271999955177307). */
const float32 = (x: number) => Number(floatText(x));

/**
 * The filter in words.
 * @example describeFilter({ label: 6, predicted: 0 }, FASHION) // "Shirt predicted as T-shirt/top"
 * @example describeFilter({ correct: false }, FASHION) // "Misclassified"
 */
export function describeFilter(f: SamplesResult["filter"], classes: readonly string[]): string {
  const t = f.label === undefined ? undefined : classes[f.label];
  const p = f.predicted === undefined ? undefined : classes[f.predicted];
  if (t !== undefined && p !== undefined) {
    if (f.label !== f.predicted) return `${t} predicted as ${p}`;
    return f.correct === false ? `${t} predicted as ${p}, wrong` : `${t} predicted correctly`;
  }
  if (t !== undefined) return f.correct === false ? `${t} misclassified` : f.correct === true ? `${t} classified correctly` : `True class ${t}`;
  if (p !== undefined) return f.correct === false ? `Wrongly predicted as ${p}` : f.correct === true ? `Rightly predicted as ${p}` : `Predicted as ${p}`;
  return f.correct === false ? "Misclassified" : f.correct === true ? "Correctly classified" : "All predictions";
}

const ORDER_WORDS: Record<SampleSort, [string, string]> = {
  confidence: ["most confident", "least confident"],
  loss: ["with the highest loss", "with the lowest loss"],
  margin: ["with the widest margin", "with the narrowest margin"],
};

/**
 * "42 images, 25 most confident"; "12 images, most confident first" when all are shown.
 * @example countWords(42, 25, "loss", true) // "42 images, 25 with the highest loss"
 */
export function countWords(total: number, shown: number, sort: SampleSort, descending: boolean): string {
  const words = ORDER_WORDS[sort][descending ? 0 : 1];
  const n = `${total.toLocaleString("en")} image${total === 1 ? "" : "s"}`;
  if (total === 0) return "no images";
  if (shown >= total) return total === 1 ? n : `${n}, ${words.replace(/^with the /, "")} first`;
  return `${n}, ${shown.toLocaleString("en")} ${words}`;
}

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type LabelIssueQueue, REASON, reasonText } from "../analysis/diagnose/labelIssues.js";
import type { Dataset } from "../data/dataset.js";
import { writeLabelIssuesGrid } from "../report/labelIssuesGrid.js";
import { type ParquetColumn, writeParquet } from "../store/parquet.js";
import { writeFileAtomic } from "../util/atomic.js";
import { floatText } from "../util/floatText.js";
import { csvOf } from "./exportTable.js";

/**
 * The files of `featurelens label-issues`: the review queue as Parquet and CSV (the same columns,
 * listed once in {@link queueColumns}), the grid of the top suspects, and summary.json.
 */

export const LABEL_ISSUES_FILES = { parquet: "queue.parquet", csv: "queue.csv", grid: "suspects.png", summary: "summary.json", fixes: "label-fixes.csv" } as const;

/** One row of the queue, as the JSON summary and the CLI show it. */
export interface QueueRow {
  rank: number;
  /** The image's index in the source dataset. */
  index: number;
  /** The image's file, for a folder dataset. */
  path?: string;
  given: number;
  given_name: string;
  suggested: number;
  suggested_name: string;
  score: number;
  reason: string;
  self_confidence: number;
  suggested_probability: number;
  /** Share of the 10 nearest neighbours with another label; null without features. */
  neighbours_disagree: number | null;
}

/** What the queue's columns are made from. */
export interface QueueSource {
  queue: LabelIssueQueue;
  /** Source index of each input row. */
  index: Int32Array;
  /** File of each source index (folder datasets), else null. */
  paths: string[] | null;
  classes: readonly string[];
  probabilities: Float32Array;
  k: number;
}

/**
 * The queue's columns, in order: rank, index, [path], given, given_name, suggested, suggested_name,
 * score, reason, self_confidence, suggested_probability, neighbours_disagree (NULL without features).
 */
export function queueColumns(s: QueueSource): ParquetColumn[] {
  const q = s.queue;
  const m = q.row.length;
  const name = (y: number) => s.classes[y] ?? String(y);
  const index = Int32Array.from(q.row, (r) => s.index[r]);
  const columns: ParquetColumn[] = [
    { name: "rank", type: "INTEGER", values: Int32Array.from({ length: m }, (_, a) => a + 1) },
    { name: "index", type: "INTEGER", values: index },
  ];
  if (s.paths) columns.push({ name: "path", type: "VARCHAR", values: Array.from(index, (i) => s.paths![i] ?? "") });
  columns.push(
    { name: "given", type: "INTEGER", values: q.given },
    { name: "given_name", type: "VARCHAR", values: Array.from(q.given, name) },
    { name: "suggested", type: "INTEGER", values: q.suggested },
    { name: "suggested_name", type: "VARCHAR", values: Array.from(q.suggested, name) },
    { name: "score", type: "FLOAT", values: q.score },
    { name: "reason", type: "VARCHAR", values: Array.from(q.reason, reasonText) },
    { name: "self_confidence", type: "FLOAT", values: q.selfConfidence },
    { name: "suggested_probability", type: "FLOAT", values: Float32Array.from(q.row, (r, a) => s.probabilities[r * s.k + q.suggested[a]]) },
    { name: "neighbours_disagree", type: "FLOAT", values: q.disagreement, nanAsNull: true },
  );
  return columns;
}

/** The first `top` rows of the queue as objects (floats as the shortest text that reads back as the float32). */
export function queueRows(columns: readonly ParquetColumn[], top: number): QueueRow[] {
  const n = columns[0].values.length;
  const out: QueueRow[] = [];
  for (let a = 0; a < Math.min(n, top); a++) {
    const row: Record<string, unknown> = {};
    for (const c of columns) {
      if (c.type === "FLOAT[]") continue;
      const v = c.values[a];
      row[c.name] = c.type === "FLOAT" ? (Number.isNaN(v as number) ? null : Number(floatText(v as number))) : v;
    }
    out.push(row as unknown as QueueRow);
  }
  return out;
}

/** What the grid shows. */
export interface GridSource {
  images: Dataset;
  /** Row in `images` of each input row of the queue (−1: not there). */
  imageRow: (row: number) => number;
  title: string;
  notes: string[];
  top: number;
}

/**
 * Writes queue.parquet, queue.csv, suspects.png (with `grid`) and summary.json into `dir`, each file
 * atomically; returns the names written.
 */
export async function writeLabelIssueFiles(dir: string, s: QueueSource, grid: GridSource | null, summary: Record<string, unknown>): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const F = LABEL_ISSUES_FILES;
  const columns = queueColumns(s);
  const n = s.queue.row.length;
  await writeParquet(join(dir, F.parquet), n, columns);
  writeFileAtomic(join(dir, F.csv), csvOf(n, columns));
  const names: string[] = [F.parquet, F.csv];
  if (grid) {
    const q = s.queue;
    const m = Math.min(n, grid.top);
    const cells = Array.from({ length: m }, (_, a) => ({
      row: grid.imageRow(q.row[a]), index: s.index[q.row[a]], given: q.given[a], suggested: q.suggested[a], score: q.score[a],
      confident: (q.reason[a] & REASON.confidentLearning) !== 0, neighbours: (q.reason[a] & REASON.neighbours) !== 0,
    }));
    await writeLabelIssuesGrid(join(dir, F.grid), { images: grid.images, cells, classes: s.classes, title: grid.title, notes: grid.notes });
    names.push(F.grid);
  }
  names.push(F.summary);
  writeFileAtomic(join(dir, F.summary), `${JSON.stringify({ ...summary, files: names }, null, 1)}\n`);
  return names;
}

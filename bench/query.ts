/**
 * The predictions table and its queries at N = 1,000,000 images × 10 classes (seeded synthetic
 * softmax outputs, with class 6 often taken for class 0 as Fashion-MNIST's Shirt for T-shirt/top):
 *   - writing it: `writePredictions` (DuckDB data chunks) vs the former value-by-value appender
 *     (bench/query.ts keeps a copy of it), same table, same run; reading it back;
 *   - the app's queries, each the median of R runs after one warm-up: a confusion cell's first page
 *     (label 6, predicted 0, by confidence, 100 rows and the total), that cell's indices, a page of
 *     100,000 chosen indices (a lasso on the map), per-class accuracy and confusion counts, with the process's one DuckDB instance; side by side
 *     with a DuckDB instance created for each query, and with a plain JavaScript scan of the same
 *     table already in memory.
 *
 *   node --import tsx bench/query.ts [N=1000000] [repeats=15] [reference-write=1]
 */
import { DuckDBInstance, FLOAT, LIST, listValue } from "@duckdb/node-api";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { predictionsTable, readPredictions, writePredictions, type PredictionsTable } from "../src/store/predictions.js";
import { closeQueryEngine, confusionCounts, indicesWhere, perClassAccuracy, queryPredictions } from "../src/store/query.js";
import { createRng } from "../src/util/rng.js";

const N = Number(process.argv[2] ?? 1_000_000);
const REPEATS = Number(process.argv[3] ?? 15);
const REFERENCE_WRITE = (process.argv[4] ?? "1") !== "0";
const K = 10;

/** Labels uniform over K classes; logits uniform noise, a margin on the true class, and class 6 leaning to 0. */
function synthetic(n: number, k: number, seed: number): { labels: Int32Array; probs: Float32Array } {
  const rng = createRng(seed);
  const labels = new Int32Array(n);
  const probs = new Float32Array(n * k);
  const row = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const y = rng.int(k);
    labels[i] = y;
    let max = -Infinity;
    for (let j = 0; j < k; j++) {
      row[j] = (rng.next() - 0.5) * 6 + (j === y ? 2 : 0) + (y === 6 && j === 0 ? 1.5 : 0);
      if (row[j] > max) max = row[j];
    }
    let sum = 0;
    for (let j = 0; j < k; j++) sum += row[j] = Math.exp(row[j] - max);
    for (let j = 0; j < k; j++) probs[i * k + j] = row[j] / sum;
  }
  return { labels, probs };
}

/** The former `writeParquet`: one appender call per value, one list value per row. */
async function writeRowByRow(path: string, t: PredictionsTable): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    await conn.run(`CREATE TABLE t ("index" INTEGER, split VARCHAR, label INTEGER, predicted INTEGER, confidence FLOAT, margin FLOAT, loss FLOAT, probabilities FLOAT[])`);
    const appender = await conn.createAppender("t");
    const listType = LIST(FLOAT);
    for (let i = 0; i < t.n; i++) {
      appender.appendInteger(t.index[i]);
      appender.appendVarchar(typeof t.split === "string" ? t.split : t.split[i]);
      appender.appendInteger(t.label[i]);
      appender.appendInteger(t.predicted[i]);
      appender.appendFloat(t.confidence[i]);
      appender.appendFloat(t.margin[i]);
      appender.appendFloat(t.loss[i]);
      appender.appendList(listValue(Array.from(t.probabilities.subarray(i * t.k, (i + 1) * t.k))), listType);
      appender.endRow();
    }
    appender.closeSync();
    await conn.run("COPY t TO $1 (FORMAT parquet)", [path]);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The confusion cell's first page from the table in memory: filter, sort by confidence, take 100. */
function jsCell(t: PredictionsTable): { total: number; rows: number[] } {
  const hits: number[] = [];
  for (let i = 0; i < t.n; i++) if (t.label[i] === 6 && t.predicted[i] === 0) hits.push(i);
  hits.sort((a, b) => t.confidence[b] - t.confidence[a] || t.index[a] - t.index[b]);
  return { total: hits.length, rows: hits.slice(0, 100).map((i) => t.index[i]) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Median milliseconds of `repeats` runs after one warm-up. */
async function time(repeats: number, fn: () => unknown): Promise<number> {
  await fn();
  const ms: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const dir = mkdtempSync(join(tmpdir(), "featurelens-bench-query-"));
try {
  const { labels, probs } = synthetic(N, K, 42);
  const index = Int32Array.from({ length: N }, (_, i) => i);
  let t0 = performance.now();
  const table = predictionsTable({ probabilities: probs, k: K, labels, index, split: "test" });
  const buildMs = performance.now() - t0;
  const file = join(dir, "predictions.parquet");
  const writeMs = await time(2, () => writePredictions(file, table));
  let refWriteMs = NaN;
  if (REFERENCE_WRITE) {
    t0 = performance.now();
    await writeRowByRow(join(dir, "row-by-row.parquet"), table);
    refWriteMs = performance.now() - t0;
  }
  const readMs = await time(2, () => readPredictions(file));

  const source = { file, run: "bench" };
  const cell = { sources: [source], label: 6, predicted: 0, sort: "confidence" as const, descending: true, limit: 100 };
  const page = await queryPredictions(cell);
  const js = jsCell(table);
  if (page.total !== js.total || page.rows.some((r, i) => r.index !== js.rows[i])) throw new Error("DuckDB and the JavaScript scan disagree on the cell");
  const cellMs = await time(REPEATS, () => queryPredictions(cell));
  const cellFreshMs = await time(REPEATS, async () => {
    await closeQueryEngine();
    return queryPredictions(cell);
  });
  const jsMs = await time(REPEATS, () => jsCell(table));
  const indices = await indicesWhere({ source, label: 6, predicted: 0 });
  const indicesMs = await time(REPEATS, () => indicesWhere({ source, label: 6, predicted: 0 }));
  const lasso = createRng(7);
  const selection = Int32Array.from({ length: 100_000 }, () => lasso.int(N));
  const lassoMs = await time(REPEATS, () => queryPredictions({ sources: [source], indices: selection, sort: "loss", descending: true }));
  const accuracyMs = await time(REPEATS, () => perClassAccuracy({ sources: [source] }));
  const confusionMs = await time(REPEATS, () => confusionCounts({ sources: [source] }));
  const instanceMs = await time(REPEATS, async () => (await DuckDBInstance.create(":memory:")).closeSync());
  const held = await DuckDBInstance.create(":memory:");
  const connectMs = await time(REPEATS, async () => (await held.connect()).closeSync());
  held.closeSync();

  const mb = (statSync(file).size / 1e6).toFixed(1);
  const row = (what: string, ms: number, ref?: number) => console.log(`| ${what} | ${fmt(ms)} | ${ref === undefined || Number.isNaN(ref) ? "" : `${(ref / ms).toFixed(1)}×`} |`);
  console.log(`N = ${N.toLocaleString("en")}, K = ${K}, ${mb} MB of Parquet; the cell holds ${page.total.toLocaleString("en")} images (${indices.length} indices)`);
  console.log(`medians: writes and reads of 2 runs, queries of ${REPEATS} runs, each after one warm-up\n`);
  console.log("| operation | time | speed-up vs reference |\n|---|---:|---:|");
  row("predictionsTable (predicted, confidence, margin, loss in JS)", buildMs);
  row("writePredictions (data chunks)", writeMs, refWriteMs);
  if (REFERENCE_WRITE) row("reference: former writeParquet (appender, value by value), 1 run", refWriteMs);
  row("readPredictions (whole table to typed arrays, ordered by index)", readMs);
  row("confusion cell: 100 rows by confidence + total (one instance)", cellMs, cellFreshMs);
  row("reference: the same with a new DuckDB instance per query", cellFreshMs);
  row("reference: the same as a JavaScript scan of the table in memory", jsMs);
  row("indicesWhere, the same cell", indicesMs);
  row("100,000 chosen indices (a lasso): 100 rows by loss + total", lassoMs);
  row("perClassAccuracy", accuracyMs);
  row("confusionCounts", confusionMs);
  row("DuckDBInstance.create + close (alone)", instanceMs);
  row("connect + close on an existing instance", connectMs);
} finally {
  await closeQueryEngine();
  rmSync(dir, { recursive: true, force: true });
}

import { FLOAT, INTEGER, LIST, listValue, VARCHAR } from "@duckdb/node-api";
import type { DuckDBConnection, DuckDBDataChunk, DuckDBListVector, DuckDBMaterializedResult, DuckDBType, DuckDBValue } from "@duckdb/node-api";
import { DataError } from "../util/errors.js";
import { readerPath, withConnection } from "./duckdb.js";
import { appendColumns } from "./parquet.js";
import { PREDICTION_COLUMNS, type PredictionsTable } from "./predictionsSchema.js";
import { checkFilter, checkKeys, checkPage, FILTER_PARAMETERS, QUERY_DEFAULTS, sourceFiles, throwProblems } from "./queryParams.js";
import type { PredictionFilter, PredictionSource, SortKey } from "./queryParams.js";

export { closeQueryEngine } from "./duckdb.js";
export { MAX_FILTER_INDICES, MAX_QUERY_LIMIT, MAX_SOURCES, QUERY_DEFAULTS, SORT_KEYS } from "./queryParams.js";
export type { PredictionFilter, PredictionSource, SortKey } from "./queryParams.js";

/**
 * The one module that writes SQL: queries over predictions tables, run by the process's one
 * in-process DuckDB straight over the Parquet files. The SQL text is made only of this module's
 * own words (column names, the sort column from a fixed table, source numbers it counts itself);
 * every value, file paths included, is a bound parameter ($1, $2, ...), checked first (queryParams.ts).
 */

/** A `queryPredictions` request: a filter, the sources, and which page of rows in what order. */
export interface PredictionQuery extends PredictionFilter {
  sources: readonly PredictionSource[];
  /** Sort column (default "index"); ties are broken by source, then index. NULL losses sort last. */
  sort?: SortKey;
  descending?: boolean;
  /** Rows per page, 0..MAX_QUERY_LIMIT (default 100); more is refused, not cut. */
  limit?: number;
  offset?: number;
  /** Include each row's K probabilities (default false). */
  probabilities?: boolean;
}

/** One image's prediction, with the run and domain of its source when the source names them. */
export interface PredictionRow {
  run?: string;
  domain?: string;
  index: number;
  split: string;
  label: number;
  predicted: number;
  confidence: number;
  margin: number;
  /** null for an unlabelled image. */
  loss: number | null;
  probabilities?: Float32Array;
}

/** Accuracy on the images of one true class in one source. */
export interface ClassAccuracy {
  run?: string;
  domain?: string;
  class: number;
  n: number;
  correct: number;
  accuracy: number;
}

/** One source's K×K confusion counts, row-major, rows the true class (labelled images only). */
export interface SourceConfusion {
  run?: string;
  domain?: string;
  k: number;
  counts: Float64Array;
}

/** Bound parameters in order: `add` returns the placeholder to write into the SQL. */
class Params {
  readonly values: DuckDBValue[] = [];
  readonly types: DuckDBType[] = [];
  add(value: DuckDBValue, type: DuckDBType): string {
    this.values.push(value);
    this.types.push(type);
    return `$${this.values.length}`;
  }
}

interface Part {
  file: string;
  path: string;
}

const SORT_COLUMNS: Record<SortKey, string> = { confidence: "confidence", loss: "loss", margin: "margin", index: '"index"' };
const SCALARS = '"index", split, label, predicted, confidence, margin, loss';
const INDICES_TABLE = "featurelens_indices";

/** The sources as one relation with a `source` column numbering them. */
function unionSql(sources: Part[][], p: Params, columns: string): string {
  return sources
    .map((parts, i) => `SELECT ${i} AS source, ${columns} FROM read_parquet(${p.add(listValue(parts.map((x) => x.path)), LIST(VARCHAR))})`)
    .join(" UNION ALL ");
}

function whereSql(f: PredictionFilter, p: Params, extra: string[] = []): string {
  const terms = [...extra];
  if (f.label !== undefined) terms.push(`label = ${p.add(f.label, INTEGER)}`);
  if (f.predicted !== undefined) terms.push(`predicted = ${p.add(f.predicted, INTEGER)}`);
  if (f.correct !== undefined) terms.push(`label >= 0 AND predicted ${f.correct ? "=" : "<>"} label`);
  if (f.confidence?.min !== undefined) terms.push(`confidence >= ${p.add(f.confidence.min, FLOAT)}`);
  if (f.confidence?.max !== undefined) terms.push(`confidence <= ${p.add(f.confidence.max, FLOAT)}`);
  if (f.split !== undefined) terms.push(`split = ${p.add(f.split, VARCHAR)}`);
  // The indices go to a temporary table of this connection (see `run`): binding them as one list
  // value took 7.7 s for 1,000,000 indices, appending them as data chunks takes milliseconds.
  if (f.indices !== undefined) terms.push(`"index" IN (SELECT i FROM ${INDICES_TABLE})`);
  return terms.length > 0 ? `WHERE ${terms.join(" AND ")}` : "";
}

function resolveSources(sources: readonly PredictionSource[]): Part[][] {
  return sourceFiles(sources).map((files) => files.map((file) => ({ file, path: readerPath(file) })));
}

/** The run and domain a source names, for result rows. */
function sourceTag(s: PredictionSource): { run?: string; domain?: string } {
  return { ...(s.run !== undefined ? { run: s.run } : {}), ...(s.domain !== undefined ? { domain: s.domain } : {}) };
}

/**
 * Runs a query (after loading `indices`, when given, into the connection's temporary table of
 * indices); if DuckDB fails, a file that is not a predictions table is named in a DataError.
 */
async function run(conn: DuckDBConnection, sql: string, p: Params, sources: Part[][], indices?: ArrayLike<number>): Promise<DuckDBMaterializedResult> {
  if (indices !== undefined) {
    await conn.run(`CREATE TEMP TABLE ${INDICES_TABLE} (i INTEGER)`);
    await appendColumns(await conn.createAppender(INDICES_TABLE, "main", "temp"), indices.length, [{ name: "i", type: "INTEGER", values: indices }]);
  }
  try {
    return await conn.run(sql, p.values, p.types);
  } catch (err) {
    await assertSchema(conn, sources.flat());
    throw err;
  }
}

/**
 * A page of predictions matching a filter, over one or several sources, and how many match in all.
 * E.g. the test images of Shirt (6) taken for T-shirt/top (0), most confident first: `{ sources,
 * label: 6, predicted: 0, sort: "confidence", descending: true }`.
 * @example
 * // a.parquet: the 8-image table of query.test.ts. Images of class 1 taken for class 0:
 * await queryPredictions({ sources: [{ file: "a.parquet", run: "a" }], label: 1, predicted: 0, sort: "confidence", descending: true })
 * // { total: 2, rows: [
 * //   { run: "a", index: 106, split: "val", label: 1, predicted: 0, confidence: 0.9, margin: 0.85, loss: 2.9957 },
 * //   { run: "a", index: 101, split: "test", label: 1, predicted: 0, confidence: 0.6, margin: 0.3, loss: 1.2040 } ] }
 */
export async function queryPredictions(query: PredictionQuery): Promise<{ total: number; rows: PredictionRow[] }> {
  const problems: string[] = [];
  checkKeys(query, [...FILTER_PARAMETERS, "sources", "sort", "descending", "limit", "offset", "probabilities"], problems);
  checkFilter(query, problems);
  checkPage(query, problems);
  throwProblems("predictions query", problems);
  const sources = resolveSources(query.sources);
  const sort = query.sort ?? QUERY_DEFAULTS.sort;
  const dir = (query.descending ?? QUERY_DEFAULTS.descending) ? "DESC" : "ASC";
  const withProbs = query.probabilities ?? QUERY_DEFAULTS.probabilities;
  const columns = withProbs ? `${SCALARS}, probabilities` : SCALARS;

  const pc = new Params();
  const countSql = `SELECT count(*)::DOUBLE FROM (${unionSql(sources, pc, SCALARS)}) ${whereSql(query, pc)}`;
  const pp = new Params();
  const pageSql =
    `SELECT source, ${columns} FROM (${unionSql(sources, pp, columns)}) ${whereSql(query, pp)} ` +
    `ORDER BY ${SORT_COLUMNS[sort]} ${dir} NULLS LAST, source, "index" ` +
    `LIMIT ${pp.add(query.limit ?? QUERY_DEFAULTS.limit, INTEGER)} OFFSET ${pp.add(query.offset ?? QUERY_DEFAULTS.offset, INTEGER)}`;
  const [total, page] = await Promise.all([
    withConnection(async (conn) => (await chunksOf(await run(conn, countSql, pc, sources, query.indices)))[0].getColumnVector(0).getItem(0) as number),
    withConnection(async (conn) => chunksOf(await run(conn, pageSql, pp, sources, query.indices))),
  ]);
  const rows: PredictionRow[] = [];
  for (const chunk of page) {
    const v = Array.from({ length: chunk.columnCount }, (_, c) => chunk.getColumnVector(c));
    for (let i = 0; i < chunk.rowCount; i++) {
      rows.push({
        ...sourceTag(query.sources[v[0].getItem(i) as number]),
        index: v[1].getItem(i) as number,
        split: v[2].getItem(i) as string,
        label: v[3].getItem(i) as number,
        predicted: v[4].getItem(i) as number,
        confidence: v[5].getItem(i) as number,
        margin: v[6].getItem(i) as number,
        loss: v[7].getItem(i) as number | null,
        ...(withProbs ? { probabilities: listRow(v[8] as DuckDBListVector, i) } : {}),
      });
    }
  }
  return { total, rows };
}

/**
 * The dataset indices of one source's rows that match a filter, ascending, as an Int32Array (to
 * light up, say, a confusion-matrix cell's points on a map).
 * @example
 * await indicesWhere({ source: { file: "a.parquet" }, label: 1, predicted: 0 }) // Int32Array [101, 106] (query.test.ts's table)
 */
export async function indicesWhere(query: PredictionFilter & { source: PredictionSource }): Promise<Int32Array> {
  const problems: string[] = [];
  checkKeys(query, [...FILTER_PARAMETERS, "source"], problems);
  checkFilter(query, problems);
  throwProblems("indices query", problems);
  const sources = resolveSources([query.source]);
  const p = new Params();
  const sql = `SELECT "index" FROM (${unionSql(sources, p, SCALARS)}) ${whereSql(query, p)}`;
  const chunks = await withConnection(async (conn) => chunksOf(await run(conn, sql, p, sources, query.indices)));
  const out = new Int32Array(chunks.reduce((s, c) => s + c.rowCount, 0));
  let at = 0;
  for (const chunk of chunks) {
    const v = chunk.getColumnVector(0);
    for (let i = 0; i < chunk.rowCount; i++) out[at++] = v.getItem(i) as number;
  }
  return out.sort();
}

/** Options of `perClassAccuracy` and `confusionCounts`: the sources, and optionally one split. */
export interface SummaryQuery {
  sources: readonly PredictionSource[];
  split?: string;
}

function checkSummary(query: SummaryQuery, what: string): Part[][] {
  const problems: string[] = [];
  checkKeys(query, ["sources", "split"], problems);
  checkFilter({ ...(query.split !== undefined ? { split: query.split } : {}) }, problems);
  throwProblems(what, problems);
  return resolveSources(query.sources);
}

/**
 * Accuracy per true class in each source (labelled images only; a class without images is left out),
 * e.g. every run on the same dataset, side by side. Rows come by source, then class.
 * @example
 * await perClassAccuracy({ sources: [{ file: "a.parquet", run: "a" }] }) // query.test.ts's table
 * // [{ run: "a", class: 0, n: 2, correct: 2, accuracy: 1 }, { run: "a", class: 1, n: 3, correct: 1, accuracy: 0.3333 },
 * //  { run: "a", class: 2, n: 2, correct: 1, accuracy: 0.5 }]
 */
export async function perClassAccuracy(query: SummaryQuery): Promise<ClassAccuracy[]> {
  const sources = checkSummary(query, "per-class accuracy query");
  const p = new Params();
  const sql =
    `SELECT source, label, count(*)::INTEGER, count_if(predicted = label)::INTEGER FROM (${unionSql(sources, p, SCALARS)}) ` +
    `${whereSql(query, p, ["label >= 0"])} GROUP BY source, label ORDER BY source, label`;
  const chunks = await withConnection(async (conn) => chunksOf(await run(conn, sql, p, sources)));
  const out: ClassAccuracy[] = [];
  for (const chunk of chunks) {
    const v = [0, 1, 2, 3].map((c) => chunk.getColumnVector(c));
    for (let i = 0; i < chunk.rowCount; i++) {
      const n = v[2].getItem(i) as number;
      const correct = v[3].getItem(i) as number;
      out.push({ ...sourceTag(query.sources[v[0].getItem(i) as number]), class: v[1].getItem(i) as number, n, correct, accuracy: correct / n });
    }
  }
  return out;
}

/**
 * Each source's K×K confusion counts (labelled images), K being the length of its probability lists;
 * row-major with rows the true class, as `confusionMatrix` (analysis/metrics/confusion.ts).
 * @example
 * await confusionCounts({ sources: [{ file: "a.parquet", run: "a" }] }) // query.test.ts's table
 * // [{ run: "a", k: 3, counts: Float64Array [2, 0, 0, 2, 1, 0, 1, 0, 1] }]
 */
export async function confusionCounts(query: SummaryQuery): Promise<SourceConfusion[]> {
  const sources = checkSummary(query, "confusion query");
  const pk = new Params();
  const kSql = sources.map((_, i) => `(SELECT ${i} AS source, len(probabilities)::INTEGER AS k FROM (${unionSql([sources[i]], pk, "probabilities")}) LIMIT 1)`).join(" UNION ALL ");
  const p = new Params();
  const sql =
    `SELECT source, label, predicted, count(*)::INTEGER FROM (${unionSql(sources, p, SCALARS)}) ` +
    `${whereSql(query, p, ["label >= 0"])} GROUP BY source, label, predicted`;
  const [kChunks, chunks] = await withConnection(async (conn) => [await chunksOf(await run(conn, kSql, pk, sources)), await chunksOf(await run(conn, sql, p, sources))]);
  const out: SourceConfusion[] = query.sources.map((s) => ({ ...sourceTag(s), k: 0, counts: new Float64Array(0) }));
  for (const chunk of kChunks) {
    for (let i = 0; i < chunk.rowCount; i++) {
      const o = out[chunk.getColumnVector(0).getItem(i) as number];
      o.k = chunk.getColumnVector(1).getItem(i) as number;
      o.counts = new Float64Array(o.k * o.k);
    }
  }
  for (const chunk of chunks) {
    const v = [0, 1, 2, 3].map((c) => chunk.getColumnVector(c));
    for (let i = 0; i < chunk.rowCount; i++) {
      const s = v[0].getItem(i) as number;
      const [y, yhat] = [v[1].getItem(i) as number, v[2].getItem(i) as number];
      const { k, counts } = out[s];
      if (y >= k || yhat >= k) throw new DataError(`label ${y} or predicted class ${yhat} is not below K = ${k}, the length of the probability lists`, sources[s][0].file);
      counts[y * k + yhat] = v[3].getItem(i) as number;
    }
  }
  return out;
}

/** All of a result's data chunks. */
async function chunksOf(result: DuckDBMaterializedResult): Promise<DuckDBDataChunk[]> {
  return result.fetchAllChunks();
}

/** One row of a FLOAT[] column as a Float32Array. */
function listRow(v: DuckDBListVector, i: number): Float32Array {
  const offset = v.getEntryOffset(i);
  const out = new Float32Array(v.getEntryLength(i));
  const child = v.childVector;
  for (let j = 0; j < out.length; j++) out[j] = (child.getItem(offset + j) as number | null) ?? NaN;
  return out;
}

/**
 * What is wrong with a file as a predictions table: missing columns, wrong types, or not Parquet.
 */
async function schemaProblems(conn: DuckDBConnection, part: Part): Promise<string[]> {
  let names: string[];
  let types: string[];
  try {
    const r = await conn.runAndReadAll("SELECT * FROM read_parquet($1) LIMIT 0", [part.path]);
    names = r.columnNames();
    types = r.columnTypes().map(String);
  } catch (err) {
    return [`cannot be read as Parquet (${String((err as Error).message).split("\n")[0]})`];
  }
  const problems: string[] = [];
  for (const c of PREDICTION_COLUMNS) {
    const at = names.indexOf(c.name);
    if (at < 0) problems.push(`missing column '${c.name}' (${c.type})`);
    else if (types[at] !== c.type) problems.push(`column '${c.name}' is ${types[at]}, expected ${c.type}`);
  }
  return problems;
}

/** Throws one DataError naming every file that is not a predictions table, and what is wrong with each. */
async function assertSchema(conn: DuckDBConnection, parts: Part[]): Promise<void> {
  const bad: { file: string; problems: string[] }[] = [];
  for (const part of parts) {
    const problems = await schemaProblems(conn, part);
    if (problems.length > 0) bad.push({ file: part.file, problems });
  }
  if (bad.length === 1) throw new DataError(`not a predictions table: ${bad[0].problems.join("; ")}`, bad[0].file);
  if (bad.length > 1) {
    throw new DataError(`${bad.length} files are not predictions tables: ${bad.map((b) => `${b.file}: ${b.problems.join("; ")}`).join(" | ")}`, bad[0].file);
  }
}

/**
 * Reads one predictions file, or several part files as one table, ordered by index: the SQL side of
 * `readPredictions` (store/predictions.ts). Throws a DataError naming the file when a column is
 * missing or of the wrong type, a value is NULL where none may be, the probability lists differ in
 * length, or an index appears twice.
 */
export async function scanPredictions(files: readonly string[]): Promise<PredictionsTable> {
  if (files.length === 0) throw new RangeError("readPredictions needs at least one file");
  const parts = files.map((file) => ({ file, path: readerPath(file) }));
  const paths = listValue(parts.map((x) => x.path));
  const where = parts.length === 1 ? parts[0].file : `${parts.length} part files (${parts[0].file}, ...)`;
  return withConnection(async (conn) => {
    await assertSchema(conn, parts);
    const meta = await conn.runAndReadAll(
      `SELECT split, count(*)::DOUBLE, count(*) FILTER (${PREDICTION_COLUMNS.filter((c) => c.name !== "loss").map((c) => `"${c.name}" IS NULL`).join(" OR ")})::DOUBLE, ` +
        "min(len(probabilities))::INTEGER, max(len(probabilities))::INTEGER FROM read_parquet($1) GROUP BY split ORDER BY split NULLS FIRST",
      [paths], [LIST(VARCHAR)],
    );
    const groups = meta.getRowsJS() as [string | null, number, number, number, number][];
    const n = groups.reduce((s, g) => s + g[1], 0);
    const nulls = groups.reduce((s, g) => s + g[2], 0);
    if (nulls > 0) throw new DataError(`${nulls} rows have NULL where only loss may be NULL`, where);
    const k = n === 0 ? 0 : groups[0][3];
    if (groups.some((g) => g[3] !== k || g[4] !== k)) throw new DataError("the probability lists differ in length from row to row", where);
    const names = groups.map((g) => g[0] as string);
    const result = await conn.run(
      `SELECT "index", list_position($2, split)::INTEGER - 1, label, predicted, confidence, margin, loss, probabilities FROM read_parquet($1) ORDER BY "index"`,
      [paths, listValue(names)], [LIST(VARCHAR), LIST(VARCHAR)],
    );
    const t: PredictionsTable = {
      n, k, index: new Int32Array(n), split: names.length === 1 ? names[0] : [], label: new Int32Array(n), predicted: new Int32Array(n),
      confidence: new Float32Array(n), margin: new Float32Array(n), loss: new Float32Array(n), probabilities: new Float32Array(n * k),
    };
    const splitCode = new Int32Array(n);
    let row = 0;
    for (const chunk of await chunksOf(result)) {
      const m = chunk.rowCount;
      const ints = [t.index, splitCode, t.label, t.predicted] as const;
      ints.forEach((a, c) => readInts(chunk, c, a, row, m));
      [t.confidence, t.margin, t.loss].forEach((a, c) => readFloats(chunk, 4 + c, a, row, m));
      const lv = chunk.getColumnVector(7) as DuckDBListVector;
      const child = lv.childVector;
      for (let i = 0; i < m; i++) {
        const from = lv.getEntryOffset(i);
        const to = (row + i) * k;
        for (let j = 0; j < k; j++) t.probabilities[to + j] = (child.getItem(from + j) as number | null) ?? NaN;
      }
      row += m;
    }
    for (let i = 1; i < n; i++) {
      if (t.index[i] === t.index[i - 1]) throw new DataError(`index ${t.index[i]} appears more than once`, where);
    }
    if (names.length > 1) t.split = Array.from(splitCode, (c) => names[c]);
    return t;
  });
}

function readInts(chunk: DuckDBDataChunk, column: number, out: Int32Array, at: number, m: number): void {
  const v = chunk.getColumnVector(column);
  for (let i = 0; i < m; i++) out[at + i] = v.getItem(i) as number;
}

function readFloats(chunk: DuckDBDataChunk, column: number, out: Float32Array, at: number, m: number): void {
  const v = chunk.getColumnVector(column);
  for (let i = 0; i < m; i++) out[at + i] = (v.getItem(i) as number | null) ?? NaN;
}

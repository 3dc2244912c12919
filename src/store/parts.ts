import { LIST, listValue, VARCHAR } from "@duckdb/node-api";
import type { DuckDBConnection, DuckDBListVector } from "@duckdb/node-api";
import { renameSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { DataError } from "../util/errors.js";
import { FEATURELENS_VERSION } from "../util/version.js";
import { readerPath, withConnection } from "./duckdb.js";
import { writeParquet } from "./parquet.js";
import { type PredictionsTable, writePredictions } from "./predictions.js";

/**
 * Part files: what one worker of `predict --shard i/n` or `extract --shard i/n` writes, as Parquet
 * that DuckDB (and pandas, polars) read together as one table. A predictions part has exactly the
 * columns of predictions.parquet; a features part has `index` INTEGER, `label` INTEGER and
 * `features` FLOAT[] (one flat list per image). Each part carries a {@link PartInfo} as JSON in the
 * Parquet key-value metadata under the key "featurelens" (DuckDB's COPY … KV_METADATA; read back
 * with `SELECT decode(value) FROM parquet_kv_metadata('p-0.parquet')`), so that `assemble` can
 * check every part came from the same model, images and preprocessing.
 */

/** The key of the parts' key-value metadata. */
export const PART_METADATA_KEY = "featurelens";
const PART_FORMAT = "featurelens-part-1";

/** What a part records about how it was made. */
export interface PartInfo {
  format: typeof PART_FORMAT;
  kind: "predictions" | "features";
  /** Which strided part of the dataset (0/1 for a whole one). */
  shard: { index: number; count: number };
  /** The model file's name and SHA-256. */
  model: { file: string; sha256: string };
  /** The whole dataset the shard was cut from (after --only and --limit), hashed as `datasetHash`. */
  data: { spec: string; hash: string; n: number; limit: number | null; only: string | null; seed: number };
  /** Pixel scaling and normalisation the model was fed. */
  preprocess: { scale: number; mean: number[]; std: number[] };
  /** Features parts: the layer as asked (`--layer`), its value in the graph, its name, and one row's dims. */
  layer?: { arg: string; value: string; name: string; dims: number[] };
  featurelens: string;
}

/** A features part's rows, ordered as written. */
export interface FeatureRows {
  /** Each row's index in the source dataset. */
  index: Int32Array;
  labels: Int32Array;
  /** N×D row-major. */
  data: Float32Array;
  d: number;
}

/** A PartInfo as the writers take it: the format and version are filled in. */
export type PartInfoInput = Omit<PartInfo, "format" | "featurelens">;

let writes = 0;

/**
 * Writes a predictions part: `writePredictions`' columns, plus the part's info in the metadata.
 * @example await writePredictionsPart("parts/p-1.parquet", predictionsTable({ ... }), { kind: "predictions", shard: { index: 1, count: 4 }, ... })
 */
export async function writePredictionsPart(path: string, table: PredictionsTable, info: PartInfoInput): Promise<void> {
  await withMetadata(path, info, (tmp) => writePredictions(tmp, table));
}

/**
 * Writes a features part: `index`, `label`, `features` FLOAT[] (D floats a row), plus the part's info.
 * @example await writeFeaturesPart("parts/f-1.parquet", { index, labels, data, d: 64 }, { kind: "features", layer: { ... }, ... })
 */
export async function writeFeaturesPart(path: string, rows: FeatureRows, info: PartInfoInput): Promise<void> {
  const n = rows.index.length;
  if (rows.labels.length !== n || rows.data.length !== n * rows.d) throw new RangeError(`features part: ${n} indices, ${rows.labels.length} labels and ${rows.data.length} values for D = ${rows.d}`);
  await withMetadata(path, info, (tmp) =>
    writeParquet(tmp, n, [
      { name: "index", type: "INTEGER", values: rows.index },
      { name: "label", type: "INTEGER", values: rows.labels },
      // An empty part has no rows to give the width; 1 keeps writeParquet's row count at 0.
      { name: "features", type: "FLOAT[]", values: rows.data, width: Math.max(1, rows.d) },
    ]),
  );
}

/**
 * Writes the table with `write` to a temporary file, then copies it to `path` with the info in the
 * key-value metadata, atomically (temp file, then rename).
 * NOTE: the second pass exists because writeParquet's COPY takes no options; once it takes a
 * `metadata` argument, the part writers pass it and this copy goes (~30 ms per 10,000 rows × 64 floats).
 */
async function withMetadata(path: string, info: PartInfoInput, write: (tmp: string) => Promise<void>): Promise<void> {
  const stem = `${path}.tmp-${process.pid}-${(writes++).toString(36)}`;
  const [table, copy] = [`${stem}-a`, `${stem}-b`];
  const full: PartInfo = { format: PART_FORMAT, ...info, featurelens: FEATURELENS_VERSION };
  try {
    await write(table);
    await withConnection((conn) =>
      conn.run(`COPY (SELECT * FROM read_parquet($1)) TO $2 (FORMAT parquet, KV_METADATA {${PART_METADATA_KEY}: $3})`, [readerPath(table), copy, JSON.stringify(full)]),
    );
    renameSync(copy, path);
  } finally {
    rmSync(table, { force: true });
    rmSync(copy, { force: true });
  }
}

/**
 * The files that patterns name, each pattern a file or a glob (`parts/p-*.parquet`, expanded by
 * DuckDB as its readers would), sorted and without repeats. A pattern that names nothing is a
 * DataError naming it and the flag.
 * @example await expandParts(["parts/p-*.parquet"], "--predictions") // ["/abs/parts/p-0.parquet", "/abs/parts/p-1.parquet", ...]
 */
export async function expandParts(patterns: readonly string[], flag: string): Promise<string[]> {
  const files = new Set<string>();
  const nothing: string[] = [];
  await withConnection(async (conn) => {
    for (const pattern of patterns) {
      const r = await conn.runAndReadAll("SELECT file FROM glob($1) ORDER BY file", [resolve(pattern)]);
      const got = (r.getRowsJS() as [string][]).map((row) => row[0]);
      if (got.length === 0) nothing.push(pattern);
      for (const f of got) files.add(f);
    }
  });
  if (nothing.length > 0) throw new DataError(`${flag}: no files match ${nothing.map((p) => `'${p}'`).join(", ")}`);
  return [...files].sort();
}

/**
 * Each part's info, or null for a Parquet file that records none (written by another tool).
 * A file that is not Parquet is a DataError naming it.
 */
export async function readPartInfo(files: readonly string[]): Promise<(PartInfo | null)[]> {
  return withConnection(async (conn) => {
    const out: (PartInfo | null)[] = [];
    for (const file of files) {
      let rows: [string][];
      try {
        const r = await conn.runAndReadAll("SELECT decode(value) FROM parquet_kv_metadata($1) WHERE decode(key) = $2", [readerPath(file), PART_METADATA_KEY]);
        rows = r.getRowsJS() as [string][];
      } catch (err) {
        throw new DataError(`cannot be read as Parquet (${String((err as Error).message).split("\n")[0]})`, file);
      }
      out.push(rows.length ? parseInfo(rows[0][0], file) : null);
    }
    return out;
  });
}

function parseInfo(text: string, file: string): PartInfo {
  let info: unknown;
  try {
    info = JSON.parse(text);
  } catch {
    throw new DataError(`its '${PART_METADATA_KEY}' metadata is not JSON`, file);
  }
  const i = info as Partial<PartInfo> | null;
  if (!i || i.format !== PART_FORMAT || !i.shard || !i.model || !i.data) throw new DataError(`its '${PART_METADATA_KEY}' metadata is not a ${PART_FORMAT} record`, file);
  return i as PartInfo;
}

/** The `index` column of each file, as written (for checking that parts cover a dataset). */
export async function partIndices(files: readonly string[]): Promise<Int32Array[]> {
  return withConnection(async (conn) => {
    const out: Int32Array[] = [];
    for (const file of files) {
      await expectColumns(conn, file, [["index", "INTEGER"]]);
      const chunks = await (await conn.run('SELECT "index" FROM read_parquet($1)', [readerPath(file)])).fetchAllChunks();
      const a = new Int32Array(chunks.reduce((s, c) => s + c.rowCount, 0));
      let at = 0;
      for (const c of chunks) {
        const v = c.getColumnVector(0);
        for (let i = 0; i < c.rowCount; i++) a[at++] = v.getItem(i) as number;
      }
      out.push(a);
    }
    return out;
  });
}

/**
 * Features parts read as one table, ordered by index. Throws a DataError naming the file when a
 * column is missing or of the wrong type, or when rows differ in width.
 */
export async function readFeatureParts(files: readonly string[]): Promise<FeatureRows> {
  if (files.length === 0) throw new RangeError("readFeatureParts needs at least one file");
  const where = files.length === 1 ? files[0] : `${files.length} features parts (${files[0]}, ...)`;
  return withConnection(async (conn) => {
    for (const f of files) await expectColumns(conn, f, [["index", "INTEGER"], ["label", "INTEGER"], ["features", "FLOAT[]"]]);
    const paths = [listValue(files.map(readerPath))];
    const types = [LIST(VARCHAR)];
    const meta = await conn.runAndReadAll("SELECT count(*)::DOUBLE, min(len(features))::INTEGER, max(len(features))::INTEGER, count(*) FILTER (features IS NULL OR \"index\" IS NULL)::DOUBLE FROM read_parquet($1)", paths, types);
    const [n, lo, hi, nulls] = meta.getRowsJS()[0] as [number, number | null, number | null, number];
    if (nulls > 0) throw new DataError(`${nulls} rows have a NULL index or features`, where);
    if (lo !== hi) throw new DataError(`the features lists differ in length from row to row (${lo} to ${hi})`, where);
    const d = lo ?? 0;
    const out: FeatureRows = { index: new Int32Array(n), labels: new Int32Array(n), data: new Float32Array(n * d), d };
    let row = 0;
    for (const chunk of await (await conn.run('SELECT "index", label, features FROM read_parquet($1) ORDER BY "index"', paths, types)).fetchAllChunks()) {
      const [iv, lv] = [chunk.getColumnVector(0), chunk.getColumnVector(1)];
      const fv = chunk.getColumnVector(2) as DuckDBListVector;
      const child = fv.childVector;
      for (let i = 0; i < chunk.rowCount; i++, row++) {
        out.index[row] = iv.getItem(i) as number;
        out.labels[row] = (lv.getItem(i) as number | null) ?? -1;
        const from = fv.getEntryOffset(i);
        for (let j = 0; j < d; j++) out.data[row * d + j] = (child.getItem(from + j) as number | null) ?? NaN;
      }
    }
    return out;
  });
}

/** Throws a DataError naming the file when it lacks one of the columns or has it as another type. */
async function expectColumns(conn: DuckDBConnection, file: string, columns: [string, string][]): Promise<void> {
  let names: string[];
  let types: string[];
  try {
    const r = await conn.runAndReadAll("SELECT * FROM read_parquet($1) LIMIT 0", [readerPath(file)]);
    names = r.columnNames();
    types = r.columnTypes().map(String);
  } catch (err) {
    throw new DataError(`cannot be read as Parquet (${String((err as Error).message).split("\n")[0]})`, file);
  }
  const problems = columns.flatMap(([name, type]) => {
    const at = names.indexOf(name);
    return at < 0 ? [`missing column '${name}' (${type})`] : types[at] !== type ? [`column '${name}' is ${types[at]}, expected ${type}`] : [];
  });
  if (problems.length > 0) throw new DataError(`not a featurelens part: ${problems.join("; ")}`, file);
}

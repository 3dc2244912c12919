import { DOUBLE, DuckDBDataChunk, DuckDBListValue, DuckDBVector, FLOAT, INTEGER, LIST, quotedIdentifier, VARCHAR } from "@duckdb/node-api";
import type { DuckDBAppender, DuckDBType, DuckDBValue } from "@duckdb/node-api";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { withConnection } from "./duckdb.js";

/**
 * Parquet files through DuckDB, so that pandas, polars and DuckDB read our tables directly.
 */

export type ParquetColumn =
  | { name: string; type: "INTEGER"; values: ArrayLike<number> }
  /** `nanAsNull`: a NaN is written as NULL (e.g. the loss of an unlabelled image). */
  | { name: string; type: "FLOAT" | "DOUBLE"; values: ArrayLike<number>; nanAsNull?: boolean }
  | { name: string; type: "VARCHAR"; values: readonly string[] }
  /** One list of `width` floats per row, from a row-major N×width array. */
  | { name: string; type: "FLOAT[]"; values: Float32Array; width: number };

const DUCKDB_TYPES: Record<ParquetColumn["type"], DuckDBType> = {
  INTEGER: INTEGER,
  FLOAT: FLOAT,
  DOUBLE: DOUBLE,
  VARCHAR: VARCHAR,
  "FLOAT[]": LIST(FLOAT),
};

let writes = 0;

/**
 * Writes `n` rows as a Parquet file, atomically (temp file, then rename). The rows go to DuckDB a
 * data chunk (2,048 rows) at a time, column by column: a 1,000,000-row predictions table with 10
 * probabilities a row in 2–5 s, 13× faster than appending it value by value (60 s; BENCHMARKS.md,
 * "Predictions table and queries").
 * @example await writeParquet("p.parquet", 2, [{ name: "label", type: "INTEGER", values: [3, 1] }])
 */
export async function writeParquet(path: string, n: number, columns: ParquetColumn[]): Promise<void> {
  for (const c of columns) {
    const len = c.type === "FLOAT[]" ? c.values.length / c.width : c.values.length;
    if (len !== n) throw new RangeError(`column '${c.name}' has ${len} rows, expected ${n}`);
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${(writes++).toString(36)}`;
  try {
    await withConnection(async (conn) => {
      // A temporary table belongs to this connection alone, so concurrent writes do not meet.
      const ddl = columns.map((c) => `${quotedIdentifier(c.name)} ${c.type}`).join(", ");
      await conn.run(`CREATE TEMP TABLE featurelens_write (${ddl})`);
      await appendColumns(await conn.createAppender("featurelens_write", "main", "temp"), n, columns);
      await conn.run("COPY featurelens_write TO $1 (FORMAT parquet)", [tmp]);
    });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Appends `n` rows, given as columns, through an appender whose table has these columns' types, a
 * data chunk (2,048 rows) at a time; closes the appender.
 */
export async function appendColumns(appender: DuckDBAppender, n: number, columns: ParquetColumn[]): Promise<void> {
  const types = columns.map((c) => DUCKDB_TYPES[c.type]);
  const size = DuckDBVector.standardSize();
  for (let start = 0; start < n; start += size) {
    const rows = Math.min(size, n - start);
    const chunk = DuckDBDataChunk.create(types, rows);
    for (let c = 0; c < columns.length; c++) fillVector(chunk.getColumnVector(c), columns[c], start, rows);
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
}

/** Sets rows start..start+rows−1 of `column` into a data chunk's vector. */
function fillVector(vector: DuckDBVector, column: ParquetColumn, start: number, rows: number): void {
  switch (column.type) {
    case "INTEGER":
      for (let i = 0; i < rows; i++) vector.setItem(i, column.values[start + i]);
      break;
    case "FLOAT":
    case "DOUBLE": {
      const nanAsNull = column.nanAsNull === true;
      for (let i = 0; i < rows; i++) {
        const x = column.values[start + i];
        vector.setItem(i, nanAsNull && x !== x ? null : x);
      }
      break;
    }
    case "VARCHAR":
      for (let i = 0; i < rows; i++) vector.setItem(i, column.values[start + i]);
      break;
    case "FLOAT[]": {
      const w = column.width;
      // NOTE: DuckDBListVector.flush reads only `items.length` and `items[j]` of each list, so a
      // Float32Array view serves as the items without a copy into a JS array (3× faster; pinned
      // @duckdb/node-api 1.5.5-r.5, and the round trip is tested in parquet.test.ts).
      for (let i = 0; i < rows; i++) {
        const row = column.values.subarray((start + i) * w, (start + i + 1) * w);
        vector.setItem(i, new DuckDBListValue(row as unknown as readonly DuckDBValue[]));
      }
      break;
    }
  }
  vector.flush();
}

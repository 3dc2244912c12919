import { DuckDBInstance, FLOAT, listValue, LIST } from "@duckdb/node-api";
import { mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Parquet files through DuckDB, so that pandas, polars and DuckDB read our tables directly.
 */

export type ParquetColumn =
  | { name: string; type: "INTEGER"; values: ArrayLike<number> }
  | { name: string; type: "FLOAT" | "DOUBLE"; values: ArrayLike<number> }
  | { name: string; type: "VARCHAR"; values: readonly string[] }
  /** One list of `width` floats per row, from a row-major N×width array. */
  | { name: string; type: "FLOAT[]"; values: Float32Array; width: number };

/**
 * Writes `n` rows as a Parquet file, atomically (temp file, then rename).
 * @example await writeParquet("p.parquet", 2, [{ name: "label", type: "INTEGER", values: [3, 1] }])
 */
export async function writeParquet(path: string, n: number, columns: ParquetColumn[]): Promise<void> {
  for (const c of columns) {
    const len = c.type === "FLOAT[]" ? c.values.length / c.width : c.values.length;
    if (len !== n) throw new RangeError(`column '${c.name}' has ${len} rows, expected ${n}`);
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    const ddl = columns.map((c) => `"${c.name.replace(/"/g, '""')}" ${c.type}`).join(", ");
    await conn.run(`CREATE TABLE t (${ddl})`);
    const appender = await conn.createAppender("t");
    const listType = LIST(FLOAT);
    for (let i = 0; i < n; i++) {
      for (const c of columns) {
        switch (c.type) {
          case "INTEGER": appender.appendInteger(c.values[i]); break;
          case "FLOAT": appender.appendFloat(c.values[i]); break;
          case "DOUBLE": appender.appendDouble(c.values[i]); break;
          case "VARCHAR": appender.appendVarchar(c.values[i]); break;
          case "FLOAT[]": appender.appendList(listValue(Array.from(c.values.subarray(i * c.width, (i + 1) * c.width))), listType); break;
        }
      }
      appender.endRow();
    }
    appender.closeSync();
    await conn.run(`COPY t TO '${tmp.replace(/'/g, "''")}' (FORMAT parquet)`);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Runs a query with DuckDB (e.g. over Parquet files) and returns the rows as objects. */
export async function queryRows(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    const reader = await conn.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

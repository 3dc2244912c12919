import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { DataError } from "../util/errors.js";

/**
 * The process's one DuckDB instance (in memory), created on first use and shared by every query and
 * Parquet write: creating an instance costs ~20 ms (a confusion-cell query over 1,000,000 rows took
 * 96 ms with an instance of its own, 40 ms with the shared one) and a connection to it ~0.05 ms
 * (bench/query.ts), so each operation opens its own connection to the one instance and closes it
 * when done, and operations may run concurrently.
 */

/** Settings of the instance: DuckDB never installs or loads extensions behind our back (Parquet is built in). */
const ENGINE_CONFIG: Record<string, string> = {
  autoinstall_known_extensions: "false",
  autoload_known_extensions: "false",
};

let instance: Promise<DuckDBInstance> | undefined;
const inFlight = new Set<Promise<unknown>>();

/**
 * Runs `fn` on a fresh connection to the shared instance (created on first use), closing the
 * connection afterwards.
 * @example await withConnection(async (c) => (await c.runAndReadAll("SELECT 42 AS x")).getRowsJS()) // [[42]]
 */
export function withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const run = (async () => {
    instance ??= DuckDBInstance.create(":memory:", ENGINE_CONFIG).catch((err: unknown) => {
      instance = undefined;
      throw err;
    });
    const conn = await (await instance).connect();
    try {
      return await fn(conn);
    } finally {
      conn.closeSync();
    }
  })();
  inFlight.add(run);
  const forget = () => inFlight.delete(run);
  run.then(forget, forget);
  return run;
}

/**
 * Waits for running queries and writes to finish, then closes the shared DuckDB instance; the next
 * query creates a new one. For tests and servers that shut down; a CLI process need not call it.
 * @example await closeQueryEngine()
 */
export async function closeQueryEngine(): Promise<void> {
  await Promise.allSettled([...inFlight]);
  const current = instance;
  instance = undefined;
  if (current) (await current).closeSync();
}

/**
 * A file path as DuckDB's file readers should receive it (always as a bound parameter, never in
 * the SQL text): absolute, and with the glob characters `*`, `?` and `[` made literal as
 * one-character classes (`[*]`, `[?]`, `[[]`), since DuckDB expands a pattern even when a file of
 * that very name exists. Throws a DataError when the file does not exist.
 * @example readerPath("/runs/a*b/predictions.parquet") // "/runs/a[*]b/predictions.parquet" (when it exists)
 */
export function readerPath(file: string): string {
  if (typeof file !== "string" || file.length === 0) throw new TypeError(`a file path must be a non-empty string, got ${String(file)}`);
  const abs = resolve(file);
  if (!existsSync(abs)) throw new DataError("no such file", file);
  return abs.replace(/[*?[]/g, (c) => `[${c}]`);
}

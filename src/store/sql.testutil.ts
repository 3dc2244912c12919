import { withConnection } from "./duckdb.js";

/**
 * Tests only: runs SQL text with DuckDB and returns the rows as objects, to check what files hold.
 * The library never runs SQL text it was given (src/store/query.ts builds its own, from typed
 * parameters).
 */
export async function queryRows(sql: string): Promise<Record<string, unknown>[]> {
  return withConnection(async (conn) => {
    const reader = await conn.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  });
}

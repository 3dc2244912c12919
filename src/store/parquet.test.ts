import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { closeQueryEngine } from "./duckdb.js";
import { writeParquet } from "./parquet.js";
import { queryRows } from "./sql.testutil.js";

const dir = mkdtempSync(join(tmpdir(), "fl-parquet-"));
afterAll(async () => {
  await closeQueryEngine();
  rmSync(dir, { recursive: true, force: true });
});

describe("writeParquet", () => {
  it("writeParquet(path, n, columns) round-trips every column type over several data chunks", async () => {
    const n = 5000; // more than two DuckDB data chunks of 2,048 rows
    const w = 3;
    const probs = Float32Array.from({ length: n * w }, (_, i) => (i % 97) / 97);
    const file = join(dir, "all.parquet");
    await writeParquet(file, n, [
      { name: "i", type: "INTEGER", values: Int32Array.from({ length: n }, (_, i) => i - 7) },
      { name: "f", type: "FLOAT", values: Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? NaN : i / 4)), nanAsNull: true },
      { name: "d", type: "DOUBLE", values: Float64Array.from({ length: n }, (_, i) => i / 3) },
      { name: "s", type: "VARCHAR", values: Array.from({ length: n }, (_, i) => `r'${i}`) },
      { name: "p", type: "FLOAT[]", values: probs, width: w },
    ]);
    const rows = await queryRows(`SELECT * FROM '${file}' ORDER BY i`);
    expect(rows).toHaveLength(n);
    for (const i of [0, 1, 2047, 2048, 4999]) {
      const r = rows[i] as { i: number; f: number | null; d: number; s: string; p: number[] };
      expect(r.i).toBe(i - 7);
      expect(r.f).toBe(i % 3 === 0 ? null : i / 4);
      expect(r.d).toBe(i / 3);
      expect(r.s).toBe(`r'${i}`);
      expect(r.p).toEqual(Array.from(probs.subarray(i * w, (i + 1) * w)));
    }
  });

  it("writeParquet(path, ...) writes NaN as NaN without nanAsNull, leaves no temp file, and refuses a short column", async () => {
    const file = join(dir, "nan.parquet");
    await writeParquet(file, 1, [{ name: "x", type: "FLOAT", values: [NaN] }]);
    const rows = await queryRows(`SELECT isnan(x) AS nan FROM '${file}'`);
    expect(rows[0].nan).toBe(true);
    await expect(writeParquet(file, 2, [{ name: "x", type: "INTEGER", values: [1] }])).rejects.toThrow(/column 'x' has 1 rows, expected 2/);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });
});

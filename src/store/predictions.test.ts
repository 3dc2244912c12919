import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataError } from "../util/errors.js";
import { writeParquet } from "./parquet.js";
import { queryRows } from "./sql.testutil.js";
import { PREDICTION_COLUMNS, predictionsTable, readPredictions, writePredictions } from "./predictions.js";
import { closeQueryEngine } from "./query.js";

const root = mkdtempSync(join(tmpdir(), "fl-predictions-"));
/** A folder whose name has a quote and glob characters, which DuckDB must take literally. */
const dir = join(root, "it's [a]*?");
mkdirSync(dir);

/** A path as a quoted SQL literal for read_parquet, glob characters made literal (test-only raw SQL). */
const literal = (file: string) => `'${file.replaceAll("'", "''").replace(/[*?[]/g, (c) => `[${c}]`)}'`;

afterAll(async () => {
  await closeQueryEngine();
  rmSync(root, { recursive: true, force: true });
});

// 6 images, 3 classes; image 4 is unlabelled.
const probabilities = new Float32Array([0.7, 0.2, 0.1, 0.6, 0.3, 0.1, 0.1, 0.8, 0.1, 0.5, 0.1, 0.4, 0.2, 0.2, 0.6, 0.4, 0.4, 0.2]);
const labels = new Int32Array([0, 1, 1, 2, -1, 0]);
const index = new Int32Array([100, 102, 104, 106, 108, 110]);

describe("predictions table", () => {
  it("predictionsTable({...}) fills predicted, confidence, margin and loss, and index 0..N−1 by default", () => {
    const t = predictionsTable({ probabilities, k: 3, labels, split: "test" });
    expect(t.n).toBe(6);
    expect(Array.from(t.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(t.predicted)).toEqual([0, 0, 1, 0, 2, 0]);
    expect(t.margin[5]).toBe(0);
    expect(t.loss[1]).toBeCloseTo(-Math.log(0.3), 5);
    expect(Number.isNaN(t.loss[4])).toBe(true);
    expect(() => predictionsTable({ probabilities, k: 3, labels, index: new Int32Array(5), split: "test" })).toThrow(RangeError);
    expect(() => predictionsTable({ probabilities, k: 3, labels, split: ["test"] })).toThrow(/split has 1 entries/);
  });

  it("writePredictions(path, table) writes exactly the schema's columns, in order, with NULL loss when unlabelled", async () => {
    const file = join(dir, "p'1.parquet");
    await writePredictions(file, predictionsTable({ probabilities, k: 3, labels, index, split: "test" }));
    const rows = await queryRows(`SELECT * FROM read_parquet(${literal(file)})`);
    expect(Object.keys(rows[0])).toEqual(PREDICTION_COLUMNS.map((c) => c.name));
    const types = await queryRows(`DESCRIBE SELECT * FROM read_parquet(${literal(file)})`);
    expect(types.map((r) => r.column_type)).toEqual(PREDICTION_COLUMNS.map((c) => c.type));
    expect(rows[4].loss).toBeNull();
    expect(rows[0]).toMatchObject({ index: 100, split: "test", label: 0, predicted: 0 });
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("readPredictions(path) gives back the table that was written", async () => {
    const t = predictionsTable({ probabilities, k: 3, labels, index, split: "test" });
    const file = join(dir, "round.parquet");
    await writePredictions(file, t);
    const r = await readPredictions(file);
    expect(r.n).toBe(6);
    expect(r.k).toBe(3);
    expect(r.split).toBe("test");
    expect(Array.from(r.index)).toEqual(Array.from(index));
    expect(Array.from(r.label)).toEqual(Array.from(labels));
    expect(Array.from(r.predicted)).toEqual(Array.from(t.predicted));
    expect(Array.from(r.confidence)).toEqual(Array.from(t.confidence));
    expect(Array.from(r.margin)).toEqual(Array.from(t.margin));
    expect(Array.from(r.loss)).toEqual(Array.from(t.loss));
    expect(Array.from(r.probabilities)).toEqual(Array.from(probabilities));
  });

  it("readPredictions([part files]) reads them as one table ordered by index, with a split per row when they differ", async () => {
    const whole = predictionsTable({ probabilities, k: 3, labels, index, split: ["a", "b", "a", "b", "a", "b"] });
    const rows = (keep: (i: number) => boolean) => Array.from({ length: 6 }, (_, i) => i).filter(keep);
    const part = (ix: number[]) =>
      predictionsTable({
        probabilities: Float32Array.from(ix.flatMap((i) => Array.from(probabilities.subarray(i * 3, i * 3 + 3)))),
        k: 3,
        labels: Int32Array.from(ix, (i) => labels[i]),
        index: Int32Array.from(ix, (i) => index[i]),
        split: ix.map((i) => (whole.split as string[])[i]),
      });
    // Written in reverse so that the order comes from the index, not the files.
    await writePredictions(join(dir, "part-0.parquet"), part(rows((i) => i >= 3).reverse()));
    await writePredictions(join(dir, "part-1.parquet"), part(rows((i) => i < 3).reverse()));
    const r = await readPredictions([join(dir, "part-0.parquet"), join(dir, "part-1.parquet")]);
    expect(Array.from(r.index)).toEqual(Array.from(index));
    expect(r.split).toEqual(["a", "b", "a", "b", "a", "b"]);
    expect(Array.from(r.probabilities)).toEqual(Array.from(probabilities));
    expect(Array.from(r.loss)).toEqual(Array.from(whole.loss));
  });

  it("readPredictions(path) of zero rows gives an empty table", async () => {
    const file = join(dir, "empty.parquet");
    await writePredictions(file, predictionsTable({ probabilities: new Float32Array(0), k: 3, labels: new Int32Array(0), split: "test" }));
    const r = await readPredictions(file);
    expect(r.n).toBe(0);
    expect(r.index.length).toBe(0);
  });

  it("readPredictions(path) names the file and every missing or mistyped column in a DataError", async () => {
    const file = join(dir, "wrong.parquet");
    await writeParquet(file, 1, [
      { name: "index", type: "DOUBLE", values: [0] },
      { name: "label", type: "INTEGER", values: [0] },
      { name: "probabilities", type: "FLOAT[]", values: new Float32Array([1, 0]), width: 2 },
    ]);
    const err = await readPredictions(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).file).toBe(file);
    const msg = (err as Error).message;
    expect(msg).toContain("column 'index' is DOUBLE, expected INTEGER");
    for (const name of ["split", "predicted", "confidence", "margin", "loss"]) expect(msg).toContain(`missing column '${name}'`);
    await expect(readPredictions(join(dir, "absent.parquet"))).rejects.toThrow(/absent\.parquet: no such file/);
  });

  it("readPredictions([part files]) refuses an index that appears in two parts", async () => {
    const t = predictionsTable({ probabilities, k: 3, labels, index, split: "test" });
    await writePredictions(join(dir, "dup-0.parquet"), t);
    await writePredictions(join(dir, "dup-1.parquet"), t);
    await expect(readPredictions([join(dir, "dup-0.parquet"), join(dir, "dup-1.parquet")])).rejects.toThrow(/index 100 appears more than once/);
  });

  it("writePredictions(path, table) refuses a table whose columns do not match n and k", async () => {
    const t = predictionsTable({ probabilities, k: 3, labels, split: "test" });
    await expect(writePredictions(join(dir, "bad.parquet"), { ...t, margin: new Float32Array(2) })).rejects.toThrow(/'margin' has 2 values, expected 6/);
  });
});

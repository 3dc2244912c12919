import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confusionMatrix } from "../analysis/metrics/confusion.js";
import { DataError, UsageError } from "../util/errors.js";
import { writeParquet } from "./parquet.js";
import { predictionsTable, writePredictions, type PredictionsTable } from "./predictions.js";
import { closeQueryEngine, confusionCounts, indicesWhere, MAX_QUERY_LIMIT, perClassAccuracy, queryPredictions } from "./query.js";

const root = mkdtempSync(join(tmpdir(), "fl-query-"));
/** A quote and glob characters in the folder's name: DuckDB must read exactly these files. */
const dir = join(root, "it's [b]*");
const fileA = join(dir, "a.parquet");
const fileB = join(dir, "b'.parquet");
const parts = [join(dir, "part-0.parquet"), join(dir, "part-1.parquet")];

// 8 images, 3 classes. Row: label, probabilities → predicted, confidence.
//   0: 0 [.7 .2 .1] → 0 .7 right     4: −1 [.2 .2 .6] → 2 .6 unlabelled
//   1: 1 [.6 .3 .1] → 0 .6 wrong     5:  2 [.05 .05 .9] → 2 .9 right
//   2: 1 [.1 .8 .1] → 1 .8 right     6:  1 [.9 .05 .05] → 0 .9 wrong
//   3: 2 [.5 .1 .4] → 0 .5 wrong     7:  0 [.4 .4 .2] → 0 .4 right (tie)
const probs = new Float32Array([0.7, 0.2, 0.1, 0.6, 0.3, 0.1, 0.1, 0.8, 0.1, 0.5, 0.1, 0.4, 0.2, 0.2, 0.6, 0.05, 0.05, 0.9, 0.9, 0.05, 0.05, 0.4, 0.4, 0.2]);
const labels = new Int32Array([0, 1, 1, 2, -1, 2, 1, 0]);
const index = Int32Array.from({ length: 8 }, (_, i) => 100 + i);
const splits = ["test", "test", "test", "test", "test", "val", "val", "val"];
let table: PredictionsTable;

/** The rows of `t` whose positions are `rows`, as their own table. */
function subset(t: PredictionsTable, rows: number[]): PredictionsTable {
  return predictionsTable({
    probabilities: Float32Array.from(rows.flatMap((i) => Array.from(t.probabilities.subarray(i * t.k, (i + 1) * t.k)))),
    k: t.k,
    labels: Int32Array.from(rows, (i) => t.label[i]),
    index: Int32Array.from(rows, (i) => t.index[i]),
    split: rows.map((i) => (t.split as string[])[i]),
  });
}

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  table = predictionsTable({ probabilities: probs, k: 3, labels, index, split: splits });
  await writePredictions(fileA, table);
  // Run B: the same images, every prediction shifted to the next class.
  const shifted = Float32Array.from({ length: probs.length }, (_, j) => probs[j - (j % 3) + ((j % 3) + 2) % 3]);
  await writePredictions(fileB, predictionsTable({ probabilities: shifted, k: 3, labels, index, split: splits }));
  await writePredictions(parts[0], subset(table, [7, 5, 3, 1]));
  await writePredictions(parts[1], subset(table, [6, 4, 2, 0]));
});

afterAll(async () => {
  await closeQueryEngine();
  rmSync(root, { recursive: true, force: true });
});

const A = { file: fileA, run: "a" };
const idx = (rows: { index: number }[]) => rows.map((r) => r.index);

describe("queryPredictions", () => {
  it("queryPredictions({label, predicted, sort: confidence, descending}) gives a confusion cell's images, most confident first, and the total", async () => {
    const r = await queryPredictions({ sources: [A], label: 1, predicted: 0, sort: "confidence", descending: true });
    expect(r.total).toBe(2);
    expect(idx(r.rows)).toEqual([106, 101]);
    expect(r.rows[0]).toMatchObject({ run: "a", index: 106, split: "val", label: 1, predicted: 0 });
    expect(r.rows[0].confidence).toBeCloseTo(0.9, 6);
    expect(r.rows[0].loss).toBeCloseTo(-Math.log(0.05), 5);
    expect(r.rows[0].margin).toBeCloseTo(0.85, 6);
    expect(r.rows[0]).not.toHaveProperty("probabilities");
    expect(r.rows[0]).not.toHaveProperty("domain");
  });

  it("queryPredictions({correct, confidence, split, indices}) applies every condition", async () => {
    expect(idx((await queryPredictions({ sources: [A], correct: false })).rows)).toEqual([101, 103, 106]);
    expect(idx((await queryPredictions({ sources: [A], correct: true })).rows)).toEqual([100, 102, 105, 107]);
    // Bounds compare in float32, as stored: 0.6 and 0.8 are included.
    expect(idx((await queryPredictions({ sources: [A], confidence: { min: 0.6, max: 0.8 } })).rows)).toEqual([100, 101, 102, 104]);
    expect(idx((await queryPredictions({ sources: [A], split: "val" })).rows)).toEqual([105, 106, 107]);
    expect(idx((await queryPredictions({ sources: [A], indices: [107, 101, 5000], label: 1 })).rows)).toEqual([101]);
    expect(idx((await queryPredictions({ sources: [A], indices: new Int32Array([103, 100, 103]) })).rows)).toEqual([100, 103]);
    expect(idx((await queryPredictions({ sources: [A], label: -1 })).rows)).toEqual([104]);
    expect((await queryPredictions({ sources: [A], indices: [] })).total).toBe(0);
  });

  it("queryPredictions({sort, descending}) sorts by loss, margin or index, NULL losses last, ties by index", async () => {
    const byLoss = (await queryPredictions({ sources: [A], sort: "loss" })).rows;
    expect(byLoss.at(-1)).toMatchObject({ index: 104, loss: null });
    const losses = byLoss.slice(0, -1).map((r) => r.loss as number);
    expect(losses).toEqual([...losses].sort((a, b) => a - b));
    expect((await queryPredictions({ sources: [A], sort: "loss", descending: true })).rows.at(-1)?.loss).toBeNull();
    const byMargin = (await queryPredictions({ sources: [A], sort: "margin" })).rows;
    expect(byMargin[0]).toMatchObject({ index: 107, margin: 0 });
    expect(idx((await queryPredictions({ sources: [A], sort: "index", descending: true, limit: 3 })).rows)).toEqual([107, 106, 105]);
  });

  it("queryPredictions({limit, offset}) pages through the rows; the total counts them all", async () => {
    const r = await queryPredictions({ sources: [A], limit: 3, offset: 2 });
    expect(r.total).toBe(8);
    expect(idx(r.rows)).toEqual([102, 103, 104]);
    const past = await queryPredictions({ sources: [A], limit: 3, offset: 50 });
    expect(past).toEqual({ total: 8, rows: [] });
    expect((await queryPredictions({ sources: [A], limit: 0 })).rows).toEqual([]);
  });

  it("queryPredictions({probabilities: true}) adds each row's K probabilities", async () => {
    const r = await queryPredictions({ sources: [A], indices: [103], probabilities: true });
    expect(r.rows[0].probabilities).toBeInstanceOf(Float32Array);
    expect(Array.from(r.rows[0].probabilities!)).toEqual(Array.from(probs.subarray(9, 12)));
  });

  it("queryPredictions({sources: [a, b]}) reads several runs at once; rows carry their run and domain", async () => {
    const sources = [A, { file: fileB, run: "b", domain: "shifted" }];
    // Run b predicts the next class with the same confidences: ties go by source order.
    const r = await queryPredictions({ sources, label: 1, sort: "confidence", descending: true });
    expect(r.total).toBe(6);
    expect(r.rows.map((x) => [x.run, x.index])).toEqual([["a", 106], ["b", 106], ["a", 102], ["b", 102], ["a", 101], ["b", 101]]);
    expect(r.rows.find((x) => x.run === "b")).toMatchObject({ domain: "shifted" });
    expect(r.rows.find((x) => x.run === "a")).not.toHaveProperty("domain");
  });

  it("queryPredictions({sources: [{file: [part files]}]}) reads the parts as one table", async () => {
    const whole = await queryPredictions({ sources: [A], sort: "confidence", probabilities: true });
    const split = await queryPredictions({ sources: [{ file: parts, run: "a" }], sort: "confidence", probabilities: true });
    expect(split).toEqual(whole);
  });

  it("queryPredictions(...) refuses bad parameters with one UsageError naming each", async () => {
    const bad = async (q: object, pattern: RegExp) => {
      const err = await queryPredictions({ sources: [A], ...q }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(pattern);
    };
    await bad({ confidence: { min: NaN } }, /confidence\.min must be a number in \[0, 1\], got NaN/);
    await bad({ label: 2.5 }, /label must be a class .* got 2\.5/);
    await bad({ label: "6" }, /label must be .* got "6"/);
    await bad({ sort: "label; DROP TABLE x" }, /sort must be one of confidence, loss, margin, index, got "label; DROP TABLE x"/);
    await bad({ limit: -1 }, /limit must be an integer in 0\.\.10000/);
    await bad({ limit: 1e9 }, /limit must be an integer in 0\.\.10000 \(page through more rows with offset\), got 1000000000/);
    await bad({ offset: 1.5 }, /offset must be an integer/);
    await bad({ indices: [1, -2] }, /indices\[1\] is -2/);
    await bad({ split: "x' OR 1=1" }, /split must be a name/);
    await bad({ confidence: { min: 0.9, max: 0.1 } }, /confidence\.min \(0\.9\) must not exceed confidence\.max \(0\.1\)/);
    await bad({ sortBy: "confidence" }, /unknown parameter 'sortBy'/);
    await bad({ label: 1.5, predicted: -3, limit: 1e9 }, /label .*; predicted .*; limit /);
    expect(MAX_QUERY_LIMIT).toBe(10_000);
  });

  it("queryPredictions(...) names a missing file, or a file that is not a predictions table, in a DataError", async () => {
    await expect(queryPredictions({ sources: [{ file: join(dir, "none.parquet") }] })).rejects.toThrow(DataError);
    const other = join(dir, "other.parquet");
    await writeParquet(other, 1, [{ name: "index", type: "INTEGER", values: [1] }]);
    const err = await queryPredictions({ sources: [A, { file: other }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).file).toBe(other);
    expect((err as Error).message).toContain("missing column 'confidence' (FLOAT)");
    await expect(queryPredictions({ sources: [] })).rejects.toThrow(RangeError);
  });
});

describe("indicesWhere", () => {
  it("indicesWhere({source, label, predicted}) gives a cell's dataset indices, ascending, as an Int32Array", async () => {
    const ix = await indicesWhere({ source: A, label: 1, predicted: 0 });
    expect(ix).toBeInstanceOf(Int32Array);
    expect(Array.from(ix)).toEqual([101, 106]);
    expect(Array.from(await indicesWhere({ source: { file: parts }, correct: true }))).toEqual([100, 102, 105, 107]);
    await expect(indicesWhere({ source: A, predicted: 0.5 })).rejects.toThrow(/predicted must be a class/);
  });
});

describe("perClassAccuracy and confusionCounts", () => {
  it("perClassAccuracy({sources}) gives n, correct and accuracy per true class of each run", async () => {
    const rows = await perClassAccuracy({ sources: [A, { file: fileB, run: "b" }] });
    expect(rows.filter((r) => r.run === "a")).toEqual([
      { run: "a", class: 0, n: 2, correct: 2, accuracy: 1 },
      { run: "a", class: 1, n: 3, correct: 1, accuracy: 1 / 3 },
      { run: "a", class: 2, n: 2, correct: 1, accuracy: 0.5 },
    ]);
    expect(rows.filter((r) => r.run === "b").map((r) => r.class)).toEqual([0, 1, 2]);
    expect(await perClassAccuracy({ sources: [A], split: "val" })).toEqual([
      { run: "a", class: 0, n: 1, correct: 1, accuracy: 1 },
      { run: "a", class: 1, n: 1, correct: 0, accuracy: 0 },
      { run: "a", class: 2, n: 1, correct: 1, accuracy: 1 },
    ]);
  });

  it("confusionCounts({sources}) equals confusionMatrix on each source's labelled images", async () => {
    const [a, parted] = await confusionCounts({ sources: [A, { file: parts, domain: "parts" }] });
    const labelled = Array.from({ length: 8 }, (_, i) => i).filter((i) => labels[i] >= 0);
    const expected = confusionMatrix(Int32Array.from(labelled, (i) => labels[i]), Int32Array.from(labelled, (i) => table.predicted[i]), 3);
    expect(a).toEqual({ run: "a", k: 3, counts: expected });
    expect(parted).toEqual({ domain: "parts", k: 3, counts: expected });
    await expect(confusionCounts({ sources: [A], split: "" })).rejects.toThrow(UsageError);
  });

  it("closeQueryEngine() closes the shared instance; the next query opens a new one", async () => {
    await closeQueryEngine();
    expect((await queryPredictions({ sources: [A], limit: 1 })).total).toBe(8);
  });
});

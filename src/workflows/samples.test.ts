import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WRONG } from "../report/sampleGrid.js";
import { closeQueryEngine } from "../store/query.js";
import { readPredictions, type PredictionsTable } from "../store/predictions.js";
import { Run } from "../store/run.js";
import { findRun, openWorkspace } from "../store/workspace.js";
import { resolveClass } from "./classArg.js";
import { countWords, findSamples, type SampleSort, type SamplesOptions } from "./samples.js";
import { makeSmallRun } from "./smallRun.testutil.js";

let fx: { workspace: string; run: string; domain: string };
let table: PredictionsTable;
let classes: string[];

beforeAll(async () => {
  fx = await makeSmallRun("fl-samples-");
  const run = Run.read(findRun(openWorkspace(fx.workspace), fx.run));
  classes = run.record.classes;
  table = await readPredictions(run.path("predictions.parquet"));
}, 120_000);
afterAll(() => closeQueryEngine());

/** The same selection done by hand over the whole table: filter, sort (NULL losses last, ties by index), cut. */
function bruteForce(f: { label?: number; predicted?: number; correct?: boolean }, sort: SampleSort, descending: boolean, top: number): { total: number; indices: number[] } {
  const t = table;
  const rows = Array.from({ length: t.n }, (_, i) => i).filter(
    (i) => (f.label === undefined || t.label[i] === f.label) && (f.predicted === undefined || t.predicted[i] === f.predicted) &&
      (f.correct === undefined || (t.label[i] >= 0 && (t.predicted[i] === t.label[i]) === f.correct)),
  );
  const key = (i: number) => t[sort][i];
  rows.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (Number.isNaN(ka) !== Number.isNaN(kb)) return Number.isNaN(ka) ? 1 : -1;
    return (descending ? kb - ka : ka - kb) || t.index[a] - t.index[b];
  });
  return { total: rows.length, indices: rows.slice(0, top).map((i) => t.index[i]) };
}

describe("findSamples", () => {
  const cases: { name: string; o: Partial<SamplesOptions>; f: { label?: number; predicted?: number; correct?: boolean }; sort: SampleSort; descending: boolean; top: number }[] = [
    { name: "Shirt predicted as T-shirt/top, by name", o: { trueClass: "Shirt", predictedClass: "T-shirt/top" }, f: { label: 6, predicted: 0 }, sort: "confidence", descending: true, top: 25 },
    { name: "--wrong (loss, highest first)", o: { wrong: true, top: 40 }, f: { correct: false }, sort: "loss", descending: true, top: 40 },
    { name: "--correct --sort margin --asc", o: { correct: true, sort: "margin", ascending: true, top: 7 }, f: { correct: true }, sort: "margin", descending: false, top: 7 },
    { name: "--pred by index", o: { predictedClass: "8", sort: "loss" }, f: { predicted: 8 }, sort: "loss", descending: true, top: 25 },
    { name: "--true --wrong --asc", o: { trueClass: 4, wrong: true, ascending: true, top: 3 }, f: { label: 4, correct: false }, sort: "loss", descending: false, top: 3 },
    { name: "no filter, every row", o: { top: 5000 }, f: {}, sort: "confidence", descending: true, top: 5000 },
  ];
  for (const c of cases) {
    it(`findSamples(${c.name}) equals a brute-force filter and sort of readPredictions`, async () => {
      const r = await findSamples({ workspace: fx.workspace, run: fx.run, ...c.o });
      const want = bruteForce(c.f, c.sort, c.descending, c.top);
      expect(r.total).toBe(want.total);
      expect(r.rows.map((s) => s.index)).toEqual(want.indices);
      expect([r.sort, r.descending]).toEqual([c.sort, c.descending]);
      for (const s of r.rows) {
        const i = table.index.indexOf(s.index);
        expect(s.row).toBe(i); // the predictions are read in source-index order, the order of the features
        expect([s.label, s.predicted, s.label_name, s.predicted_name]).toEqual([table.label[i], table.predicted[i], classes[table.label[i]], classes[table.predicted[i]]]);
        expect(Math.fround(s.confidence)).toBe(table.confidence[i]); // printed in the fewest digits that give back the float32
      }
    });
  }

  it("findSamples({ trueClass, predictedClass }) of the fullest off-diagonal cell equals the brute force", async () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < table.n; i++) if (table.label[i] !== table.predicted[i]) counts.set(`${table.label[i]},${table.predicted[i]}`, (counts.get(`${table.label[i]},${table.predicted[i]}`) ?? 0) + 1);
    const [label, predicted] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0].split(",").map(Number);
    const r = await findSamples({ workspace: fx.workspace, run: fx.run, trueClass: classes[label], predictedClass: classes[predicted], top: 4, sort: "margin" });
    const want = bruteForce({ label, predicted }, "margin", true, 4);
    expect(want.total).toBeGreaterThan(1);
    expect([r.total, r.rows.map((s) => s.index)]).toEqual([want.total, want.indices]);
  });

  it("findSamples({ trueClass, predictedClass }) says the filter in words", async () => {
    const r = await findSamples({ workspace: fx.workspace, run: fx.run, trueClass: "Shirt", predictedClass: "T-shirt/top", top: 2 });
    expect(r.subject).toBe("Shirt predicted as T-shirt/top");
    expect(r.description).toBe(`Shirt predicted as T-shirt/top: ${countWords(r.total, r.rows.length, "confidence", true)}`);
    expect(countWords(42, 25, "confidence", true)).toBe("42 images, 25 most confident");
    expect(countWords(12, 12, "loss", true)).toBe("12 images, highest loss first");
    expect(countWords(0, 0, "margin", false)).toBe("no images");
    expect((await findSamples({ workspace: fx.workspace, run: fx.run, wrong: true, top: 1 })).subject).toBe("Misclassified");
  });

  it("findSamples({ domain }) reads the domain, named by its slug or by its data spec", async () => {
    const a = await findSamples({ workspace: fx.workspace, run: fx.run, domain: fx.domain, top: 3 });
    const b = await findSamples({ workspace: fx.workspace, run: fx.run, domain: "sample:train", top: 3 });
    expect(a.total).toBe(300);
    expect(b.rows).toEqual(a.rows);
    expect(a.domain).toBe("sample-train");
    await expect(findSamples({ workspace: fx.workspace, run: fx.run, domain: "cifar" })).rejects.toThrow("--domain cifar: run small has no such domain; its domains: sample-train");
  });

  it("findSamples refuses an unknown class (listing the names, suggesting the close one), --wrong with --correct, and --grid without .png", async () => {
    const base = { workspace: fx.workspace, run: fx.run };
    await expect(findSamples({ ...base, trueClass: "shirt" })).rejects.toThrow(/^--true 'shirt': no class of that name; did you mean 'Shirt'\? The classes: 0 T-shirt\/top, 1 Trouser, .*, 9 Ankle boot$/);
    await expect(findSamples({ ...base, predictedClass: "Hat" })).rejects.toThrow(/^--pred 'Hat': no class of that name; the classes: 0 T-shirt\/top/);
    await expect(findSamples({ ...base, trueClass: "10" })).rejects.toThrow("--true 10: class indices are 0..9");
    await expect(findSamples({ ...base, wrong: true, correct: true })).rejects.toThrow("--wrong and --correct exclude each other");
    await expect(findSamples({ ...base, grid: "x.jpg" })).rejects.toThrow("--grid x.jpg: the grid is written as PNG");
  });

  it("findSamples({ grid }) writes a PNG of the rows with a red frame around each wrong one, and never over a file it did not write", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "fl-samples-grid-")), "wrong.png");
    const r = await findSamples({ workspace: fx.workspace, run: fx.run, wrong: true, top: 12, grid: file });
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([r.grid!.width, r.grid!.height]);
    let red = 0;
    for (let p = 0; p < data.length; p += info.channels) if (data[p] === WRONG[0] && data[p + 1] === WRONG[1] && data[p + 2] === WRONG[2]) red++;
    expect(red).toBeGreaterThan(12 * 4 * 112 * 2); // a 2-px frame of 112 px around each of the 12 wrong thumbnails
    // White paper with dark thumbnails on it: neither blank nor all image.
    const mean = data.reduce((s, v) => s + v, 0) / data.length;
    expect(mean).toBeGreaterThan(100);
    expect(mean).toBeLessThan(245);
    await findSamples({ workspace: fx.workspace, run: fx.run, correct: true, top: 3, grid: file }); // its own file: written again
    const foreign = join(mkdtempSync(join(tmpdir(), "fl-samples-grid-")), "photo.png");
    writeFileSync(foreign, "not ours");
    await expect(findSamples({ workspace: fx.workspace, run: fx.run, grid: foreign })).rejects.toThrow(`--grid ${foreign} exists and featurelens did not write it; choose another name, or pass --force to replace it`);
  });
});

describe("resolveClass", () => {
  const names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
  it("resolveClass(value, classes, flag) takes an exact name or an index, and suggests a close name", () => {
    expect(resolveClass("Ankle boot", names, "--true")).toBe(9);
    expect(resolveClass("9", names, "--true")).toBe(9);
    expect(resolveClass(3, names, "--true")).toBe(3);
    expect(() => resolveClass("Snaeker", names, "--pred")).toThrow("did you mean 'Sneaker'?");
    expect(() => resolveClass("ankle", names, "--pred")).toThrow("did you mean 'Ankle boot'?");
    expect(() => resolveClass(-1, names, "--pred")).toThrow("--pred -1: class indices are 0..9");
    expect(resolveClass("7", ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], "--true")).toBe(7);
  });
});

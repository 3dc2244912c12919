import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFeatures } from "../store/features.js";
import { readMap } from "../store/maps.js";
import { queryRows } from "../store/sql.testutil.js";
import { readPredictions, type PredictionsTable } from "../store/predictions.js";
import { closeQueryEngine } from "../store/query.js";
import { openRunForWrite, Run } from "../store/run.js";
import { findRun, openWorkspace } from "../store/workspace.js";
import { LEDGER } from "../util/outputs.js";
import { exportRun } from "./export.js";
import { projectorConfig } from "./exportProjector.js";
import { csvField } from "./exportTable.js";
import { floatText } from "../util/floatText.js";
import { makeSmallRun } from "./smallRun.testutil.js";

/** A class name that needs CSV quoting. */
const ODD = 'Shirt, "formal"';

let fx: { workspace: string; run: string; domain: string };
let run: Run;
let table: PredictionsTable;
const tmp = () => join(mkdtempSync(join(tmpdir(), "fl-export-")), "out");

beforeAll(async () => {
  fx = await makeSmallRun("fl-export-run-");
  const w = openRunForWrite(findRun(openWorkspace(fx.workspace), fx.run), { command: "test" });
  w.record.classes[6] = ODD;
  w.save();
  w.release();
  run = Run.read(w.dir);
  table = await readPredictions(run.path("predictions.parquet"));
}, 120_000);
afterAll(() => closeQueryEngine());

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted && ch === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && ch === ",") {
      endField();
    } else if (!quoted && ch === "\r" && text[i + 1] === "\n") {
      endField();
      rows.push(row);
      row = [];
      i++;
    } else {
      field += ch;
    }
  }
  return rows;
}

describe("exportRun --format projector", () => {
  it("exportRun({ format: 'projector' }) writes tensors, metadata, sprite and config that agree with the run", async () => {
    const out = tmp();
    const r = await exportRun({ workspace: fx.workspace, run: fx.run, format: "projector", out });
    const f = readFeatures(run, run.record, "penultimate");
    const tensors = readFileSync(join(out, "tensors.tsv"), "utf8").trimEnd().split("\n").map((l) => l.split("\t"));
    expect([tensors.length, tensors[0].length]).toEqual([f.n, f.d]);
    for (const i of [0, 1, f.n - 1]) for (let j = 0; j < f.d; j++) expect(Math.fround(Number(tensors[i][j]))).toBe(f.data[i * f.d + j]);
    const meta = readFileSync(join(out, "metadata.tsv"), "utf8").trimEnd().split("\n").map((l) => l.split("\t"));
    expect(meta).toHaveLength(f.n + 1);
    expect(meta[0]).toEqual(["index", "label", "predicted", "correct", "confidence", "loss"]);
    for (const i of [0, 5, f.n - 1]) {
      // sample:test is whole, so row i is image i: source index i, the i-th prediction.
      expect(meta[i + 1]).toEqual([String(table.index[i]), run.record.classes[table.label[i]], run.record.classes[table.predicted[i]], String(table.label[i] === table.predicted[i]), floatText(table.confidence[i]), floatText(table.loss[i])]);
    }
    expect(meta.some((m) => m[1] === ODD)).toBe(true); // a comma or a quote needs no escape in TSV
    const png = await sharp(join(out, "sprite.png")).metadata();
    const side = Math.ceil(Math.sqrt(f.n));
    expect([png.width, png.height]).toEqual([side * 28, side * 28]);
    expect(png.width).toBeLessThanOrEqual(8192);
    const config = readFileSync(join(out, "projector_config.pbtxt"), "utf8");
    for (const s of ['tensor_path: "tensors.tsv"', 'metadata_path: "metadata.tsv"', 'image_path: "sprite.png"', "single_image_dim: 28"]) expect(config).toContain(s);
    expect(r.files.map((x) => x.file)).toEqual(["tensors.tsv", "metadata.tsv", "sprite.png", "projector_config.pbtxt"]);
    expect(r.notes.join("\n")).not.toMatch(/shrunk/);
    // Checked once against projector_config.proto with protobuf's text_format: it reads back 'run "x"\\y z'.
    expect(projectorConfig('run "x"\\y\tz', { width: 25, height: 30 })).toContain('tensor_name: "run \\"x\\"\\\\y z"');
  });

  it("exportRun({ domain, maxSpriteSide }) exports the domain's rows, shrinking the thumbnails to fit, and says so", async () => {
    const out = tmp();
    const r = await exportRun({ workspace: fx.workspace, run: fx.run, domain: "sample:train", format: "projector", out, maxSpriteSide: 300 });
    expect(r.n).toBe(300);
    const png = await sharp(join(out, "sprite.png")).metadata();
    expect(png.width).toBeLessThanOrEqual(300);
    expect(png.width).toBe(18 * 16); // ⌈√300⌉ = 18 thumbnails of ⌊300/18⌋ = 16 px
    expect(readFileSync(join(out, "projector_config.pbtxt"), "utf8")).toContain("single_image_dim: 16");
    expect(r.notes.join("\n")).toContain("thumbnails were shrunk from 28×28 to 16×16 px");
    expect(readFileSync(join(out, "metadata.tsv"), "utf8").trimEnd().split("\n")).toHaveLength(301);
  });
});

describe("exportRun --format parquet|csv", () => {
  it("exportRun({ format: 'parquet' }) writes the predictions with class names and every map's coordinates, read back by DuckDB", async () => {
    const out = tmp();
    const r = await exportRun({ workspace: fx.workspace, run: fx.run, format: "parquet", out });
    const rows = await queryRows(`SELECT * FROM read_parquet('${join(out, "map.parquet")}') ORDER BY "index"`);
    expect(rows).toHaveLength(table.n);
    expect(Object.keys(rows[0])).toEqual(["index", "split", "label", "label_name", "predicted", "predicted_name", "confidence", "margin", "loss", "tsne_x", "tsne_y", "pca_x", "pca_y"]);
    const tsne = readMap(run, run.record, "tsne").embedding;
    const pca = readMap(run, run.record, "pca").embedding;
    for (const i of [0, 17, table.n - 1]) {
      const x = rows[i];
      expect([x.index, x.split, x.label, x.predicted, x.confidence, x.loss]).toEqual([table.index[i], "test", table.label[i], table.predicted[i], table.confidence[i], table.loss[i]]);
      expect([x.label_name, x.predicted_name]).toEqual([run.record.classes[table.label[i]], run.record.classes[table.predicted[i]]]);
      expect([x.tsne_x, x.tsne_y, x.pca_x, x.pca_y]).toEqual([tsne[2 * i], tsne[2 * i + 1], pca[2 * i], pca[2 * i + 1]]);
    }
    expect(rows.filter((x) => x.label_name === ODD)).toHaveLength(100);
    expect(r.notes[0]).toMatch(/^columns: index, split, .*, tsne_x, tsne_y, pca_x, pca_y$/);
  });

  it("exportRun({ format: 'csv' }) writes RFC 4180 CSV whose fields equal the Parquet table's, a class name with a comma and quotes included", async () => {
    const out = tmp();
    await exportRun({ workspace: fx.workspace, run: fx.run, format: "csv", out });
    await exportRun({ workspace: fx.workspace, run: fx.run, format: "parquet", out }); // the same folder takes another format
    const text = readFileSync(join(out, "map.csv"), "utf8");
    expect(text).toContain(`,"Shirt, ""formal""",`);
    const [head, ...body] = parseCsv(text);
    expect(body).toHaveLength(table.n);
    const rows = await queryRows(`SELECT * FROM read_parquet('${join(out, "map.parquet")}') ORDER BY "index"`);
    for (let i = 0; i < table.n; i++) {
      const want = head.map((h) => rows[i][h]);
      const got = body[i].map((v, j) => (typeof want[j] === "number" ? Math.fround(Number(v)) : v));
      expect(got).toEqual(want);
    }
    expect(body.filter((b) => b[3] === ODD)).toHaveLength(100);
    expect(csvField("a\nb")).toBe('"a\nb"');
  });
});

describe("exportRun --out", () => {
  it("exportRun writes only into a folder of featurelens' own files, unless force, and never over its input", async () => {
    const base = { workspace: fx.workspace, run: fx.run, format: "csv" as const };
    const foreign = tmp();
    mkdirSync(foreign);
    writeFileSync(join(foreign, "notes.txt"), "mine");
    await expect(exportRun({ ...base, out: foreign })).rejects.toThrow(`--out ${foreign} holds 1 file(s) featurelens did not write (notes.txt); give a new folder, or pass --force`);
    await expect(exportRun({ ...base, out: join(foreign, "notes.txt") })).rejects.toThrow("is a file; give a folder");
    await exportRun({ ...base, out: foreign, force: true });
    expect(readFileSync(join(foreign, "notes.txt"), "utf8")).toBe("mine");
    await expect(exportRun({ ...base, out: run.dir })).rejects.toThrow(`--out ${run.dir} would write over --run ${run.dir}`);

    const ours = tmp();
    await exportRun({ ...base, out: ours });
    await exportRun({ ...base, format: "projector", out: ours }); // its own files: it may write again
    await exportRun({ ...base, out: ours });
    writeFileSync(join(ours, "sprite.png"), "someone else's");
    await expect(exportRun({ ...base, out: ours })).rejects.toThrow("featurelens did not write (sprite.png)");
    expect(readFileSync(join(ours, "sprite.png"), "utf8")).toBe("someone else's");
    const ledger = JSON.parse(readFileSync(join(ours, LEDGER), "utf8")) as Record<string, { command: string; size: number }>;
    expect(Object.keys(ledger).sort()).toEqual(["map.csv", "metadata.tsv", "projector_config.pbtxt", "sprite.png", "tensors.tsv"]);
    expect(ledger["map.csv"]).toMatchObject({ command: "export", size: readFileSync(join(ours, "map.csv")).length });
    expect(existsSync(join(ours, "map.parquet"))).toBe(false);
  });

  it("exportRun refuses an unknown format and names the run's domains for an unknown --domain", async () => {
    await expect(exportRun({ workspace: fx.workspace, run: fx.run, format: "xlsx" as "csv", out: tmp() })).rejects.toThrow("--format takes projector, parquet, csv, got 'xlsx'");
    await expect(exportRun({ workspace: fx.workspace, run: fx.run, domain: "nope", format: "csv", out: tmp() })).rejects.toThrow("its domains: sample-train");
  });
});

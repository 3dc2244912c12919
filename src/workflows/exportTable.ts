import { type MapColumns, mapTableColumns, type MapTable } from "../store/exportTable.js";
import { readMap } from "../store/maps.js";
import type { ParquetColumn } from "../store/parquet.js";
import { readPredictions } from "../store/predictions.js";
import { DataError } from "../util/errors.js";
import { floatText } from "../util/floatText.js";
import type { RunScope } from "./runScope.js";

/**
 * The map table of a scope (store/exportTable.ts) made from its predictions and maps, and its CSV
 * encoding.
 */

/**
 * A scope's predictions with class names and the coordinates of each of its maps. Rows are in
 * source-index order, which is the order of the features and maps: featurelens keeps a subset's
 * images in source order (--limit, --only and validation splits pick ascending indices).
 */
export async function buildMapTable(rs: RunScope): Promise<MapTable> {
  const p = await readPredictions(rs.predictions);
  const classes = rs.run.record.classes;
  const name = (y: number) => (y < 0 ? "" : (classes[y] ?? String(y)));
  const maps: MapColumns[] = Object.keys(rs.scope.maps).map((m) => {
    const { record, embedding } = readMap(rs.run, rs.scope, m);
    if (embedding.length !== p.n * record.dims) {
      throw new DataError(`map '${m}' has ${embedding.length / record.dims} points but the predictions have ${p.n} rows; analyze the run again`, rs.run.path(record.file));
    }
    return { name: m, dims: record.dims, data: embedding };
  });
  return {
    n: p.n, index: p.index, split: typeof p.split === "string" ? new Array<string>(p.n).fill(p.split) : p.split,
    label: p.label, labelName: Array.from(p.label, name), predicted: p.predicted, predictedName: Array.from(p.predicted, name),
    confidence: p.confidence, margin: p.margin, loss: p.loss, maps,
  };
}

/**
 * The table as CSV (RFC 4180): a header row, CRLF line ends, a field quoted when it holds a comma,
 * a double quote or a line break (quotes doubled inside); floats in the fewest digits that give
 * back the same float32; NaN (an unlabelled image's loss) as an empty field.
 * @example mapTableCsv(t).toString().split("\r\n")[1] // "0,test,2,Pullover,2,Pullover,0.32549113,0.018120378,1.1224201,-20.571226,34.740444,-13.7507925,14.669413"
 */
export function mapTableCsv(t: MapTable): Buffer {
  return csvOf(t.n, mapTableColumns(t));
}

/** Rows of CSV text from typed columns, a block of rows at a time (large tables stay out of one string). */
export function csvOf(n: number, columns: readonly ParquetColumn[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`${columns.map((c) => csvField(c.name)).join(",")}\r\n`)];
  const block = 4096;
  for (let start = 0; start < n; start += block) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(n, start + block); i++) lines.push(columns.map((c) => cell(c, i)).join(","));
    parts.push(Buffer.from(`${lines.join("\r\n")}\r\n`));
  }
  return Buffer.concat(parts);
}

function cell(c: ParquetColumn, i: number): string {
  switch (c.type) {
    case "VARCHAR":
      return csvField(c.values[i]);
    case "INTEGER":
      return String(c.values[i]);
    case "FLOAT":
      return floatText(c.values[i]);
    case "DOUBLE":
      return Number.isNaN(c.values[i]) ? "" : String(c.values[i]);
    case "FLOAT[]":
      return csvField(Array.from(c.values.subarray(i * c.width, (i + 1) * c.width), floatText).join(" "));
  }
}

/**
 * A field as RFC 4180 writes it: quoted when it holds a comma, a quote, CR or LF, quotes doubled.
 * @example csvField('Shirt, "formal"') // '"Shirt, ""formal"""'
 */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

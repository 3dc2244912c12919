import { statSync } from "node:fs";
import { join, resolve } from "node:path";
import { SPRITE_DEFAULTS } from "../report/sprite.js";
import { writeMapTable } from "../store/exportTable.js";
import { removeStaleTemporaries, writeFileAtomic } from "../util/atomic.js";
import { UsageError } from "../util/errors.js";
import { checkOutputs, recordOutputs } from "../util/outputs.js";
import { PROJECTOR_FILES, writeProjector } from "./exportProjector.js";
import { buildMapTable, mapTableCsv } from "./exportTable.js";
import { openRunScope } from "./runScope.js";

/**
 * `featurelens export`: a scope of a run as files other tools read — TensorBoard's Embedding
 * Projector (`projector`), or one table of predictions and map coordinates (`parquet`, `csv`) for
 * pandas, polars, R or a spreadsheet. The out folder must be new, empty, or hold only files that
 * featurelens wrote (the ledger of util/outputs.ts lists them), unless `force`.
 */

export type ExportFormat = "projector" | "parquet" | "csv";
export const EXPORT_FORMATS: readonly ExportFormat[] = ["projector", "parquet", "csv"];

const FILES: Record<ExportFormat, readonly string[]> = { projector: PROJECTOR_FILES, parquet: ["map.parquet"], csv: ["map.csv"] };

export interface ExportOptions {
  workspace?: string;
  run: string;
  /** A domain of the run, by slug or by its data spec. */
  domain?: string;
  format: ExportFormat;
  /** The folder to write into. */
  out: string;
  /** Write into a folder that holds files featurelens did not write (files of the same names are replaced). */
  force?: boolean;
  /** Largest sprite side in pixels (default 8192, the projector's limit). */
  maxSpriteSide?: number;
  onProgress?: (label: string, done: number, total: number | undefined) => void;
}

export interface ExportResult {
  run: string;
  domain: string | null;
  data: string;
  format: ExportFormat;
  /** Absolute path of the folder. */
  out: string;
  /** Rows (images) exported. */
  n: number;
  /** The files written, in the folder, with their sizes. */
  files: { file: string; bytes: number }[];
  /** What the columns are, and anything the export changed (thumbnails shrunk to fit). */
  notes: string[];
}

/**
 * Exports a run's (or a domain's) images, predictions, features and maps.
 * @example
 * await exportRun({ workspace: "/tmp/ws5", run: "seed", format: "csv", out: "/tmp/seed-csv" })
 * // { n: 1000, files: [{ file: "map.csv", bytes: 101968 }],
 * //   notes: ["columns: index, split, label, label_name, predicted, predicted_name, confidence, margin, loss, tsne_x, tsne_y, pca_x, pca_y"], ... }
 */
export async function exportRun(o: ExportOptions): Promise<ExportResult> {
  if (!EXPORT_FORMATS.includes(o.format)) throw new UsageError(`--format takes ${EXPORT_FORMATS.join(", ")}, got '${String(o.format)}'`);
  const rs = openRunScope(o);
  const out = resolve(o.out);
  const names = FILES[o.format];
  for (const f of names) removeStaleTemporaries(join(out, f));
  checkOutputs([{ path: out, flag: "--out", kind: "folder" }], [{ path: rs.run.dir, flag: "--run" }], { command: "export", ...(o.force ? { force: true } : {}) });
  // Each file is entered in the folder's ledger once written, so that a killed export still owns what it wrote.
  const written = (file: string) => recordOutputs([join(out, file)], "export");
  const notes: string[] = [];
  let n: number;
  if (o.format === "projector") {
    const p = await writeProjector(rs, out, { ...(o.maxSpriteSide ? { maxSpriteSide: o.maxSpriteSide } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}), onWritten: written });
    n = p.n;
    const s = p.sprite;
    notes.push(`tensors: ${p.n} × ${p.d} penultimate features; metadata: index, label, predicted, correct, confidence, loss`);
    notes.push(`sprite: ${s.side}×${s.side} thumbnails of ${s.width}×${s.height} px (${s.pixelWidth}×${s.pixelHeight} px)`);
    const limit = o.maxSpriteSide ?? SPRITE_DEFAULTS.maxSide;
    if (s.shrunk) notes.push(`thumbnails were shrunk from ${p.imageWidth}×${p.imageHeight} to ${s.width}×${s.height} px so that the sprite fits the projector's ${limit}×${limit} px limit`);
    notes.push(`view with: tensorboard --logdir ${out}   (the Projector tab)`);
  } else {
    const table = await buildMapTable(rs);
    n = table.n;
    if (o.format === "parquet") await writeMapTable(join(out, "map.parquet"), table);
    else writeFileAtomic(join(out, "map.csv"), mapTableCsv(table));
    written(names[0]);
    notes.push(`columns: index, split, label, label_name, predicted, predicted_name, confidence, margin, loss${table.maps.map((m) => `, ${m.name}_x, ${m.name}_y${m.dims === 3 ? `, ${m.name}_z` : ""}`).join("")}`);
    if (table.maps.length === 0) notes.push("the scope has no maps yet (featurelens analyze makes them); the table holds the predictions only");
  }
  const files = names.map((file) => ({ file, bytes: statSync(join(out, file)).size }));
  return { run: rs.run.id, domain: rs.domain ?? null, data: rs.scope.data?.spec ?? "", format: o.format, out, n, files, notes };
}

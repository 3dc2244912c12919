import { join } from "node:path";
import { type SpriteLayout, spriteLayout, spritePng } from "../report/sprite.js";
import { readFeatures } from "../store/features.js";
import { readPredictions } from "../store/predictions.js";
import { writeFileAtomic } from "../util/atomic.js";
import { DataError } from "../util/errors.js";
import { floatText } from "../util/floatText.js";
import { loadRunImages, rowsByIndex } from "./runImages.js";
import type { RunScope } from "./runScope.js";

/**
 * A scope as files for TensorBoard's Embedding Projector (tensorboard/plugins/projector): the
 * penultimate features as `tensors.tsv`, `metadata.tsv`, the thumbnails as `sprite.png`, and the
 * `projector_config.pbtxt` that ties them together (a text-format ProjectorConfig, paths relative
 * to its folder). `tensorboard --logdir OUT` shows them in its Projector tab.
 */

export const PROJECTOR_FILES = ["tensors.tsv", "metadata.tsv", "sprite.png", "projector_config.pbtxt"] as const;

/** The metadata columns, in order. */
export const PROJECTOR_METADATA_COLUMNS = ["index", "label", "predicted", "correct", "confidence", "loss"] as const;

export interface ProjectorExport {
  n: number;
  d: number;
  /** The images' own size. */
  imageWidth: number;
  imageHeight: number;
  /** The sprite's layout and its size in pixels. */
  sprite: SpriteLayout & { pixelWidth: number; pixelHeight: number };
}

/** Writes the four projector files into `dir` (each atomically); rows in the order of the features. */
export async function writeProjector(
  rs: RunScope,
  dir: string,
  o: { maxSpriteSide?: number; onProgress?: (label: string, done: number, total: number | undefined) => void; onWritten?: (file: string) => void } = {},
): Promise<ProjectorExport> {
  const f = readFeatures(rs.run, rs.scope, "penultimate");
  const p = await readPredictions(rs.predictions);
  const ds = await loadRunImages(rs.run, rs.domain, o.onProgress ? { onProgress: o.onProgress } : {});
  if (f.n !== ds.n || p.n !== ds.n) throw new DataError(`the scope holds ${ds.n} images but ${f.n} feature rows and ${p.n} predictions; analyze it again`, rs.run.dir);
  // Row of the features (= image of ds) → row of the predictions table, which is ordered by index.
  const rows = rowsByIndex(ds);
  const predictionOf = new Int32Array(ds.n).fill(-1);
  for (let j = 0; j < p.n; j++) {
    const r = rows.get(p.index[j]);
    if (r === undefined) throw new DataError(`the predictions hold image ${p.index[j]}, which is not among the scope's images; analyze it again`, rs.predictions);
    predictionOf[r] = j;
  }
  const write = (file: string, data: Uint8Array | string) => {
    writeFileAtomic(join(dir, file), data);
    o.onWritten?.(file);
  };
  write("tensors.tsv", tensorsTsv(f.data, f.n, f.d));
  write("metadata.tsv", metadataTsv(p, predictionOf, rs.run.record.classes));
  const layout = spriteLayout(ds.n, ds.height, ds.width, o.maxSpriteSide);
  write("sprite.png", await spritePng(ds, layout));
  const name = `${rs.run.id}${rs.domain === undefined ? "" : `/${rs.domain}`}: ${f.record.key} (${f.record.layer})`;
  write("projector_config.pbtxt", projectorConfig(name, layout));
  return { n: ds.n, d: f.d, imageWidth: ds.width, imageHeight: ds.height, sprite: { ...layout, pixelWidth: layout.side * layout.width, pixelHeight: layout.side * layout.height } };
}

/**
 * N×D features as TSV, one row per image, no header; refuses NaN or ±Infinity (the projector would
 * read a row starting with "NaN" as a label).
 */
export function tensorsTsv(data: Float32Array, n: number, d: number): Buffer {
  const parts: Buffer[] = [];
  const row = new Array<string>(d);
  let bad = 0;
  for (let start = 0; start < n; start += 1024) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(n, start + 1024); i++) {
      for (let j = 0; j < d; j++) {
        const x = data[i * d + j];
        if (!Number.isFinite(x)) bad++;
        row[j] = floatText(x);
      }
      lines.push(row.join("\t"));
    }
    parts.push(Buffer.from(`${lines.join("\n")}\n`));
  }
  if (bad > 0) throw new DataError(`${bad} feature values are NaN or ±Infinity; the projector cannot read them`);
  return Buffer.concat(parts);
}

/**
 * The metadata TSV: a header row (the projector takes the first line as one when it holds a tab),
 * then one row per feature row. Tabs and line breaks in class names become spaces; an unlabelled
 * image has empty label, correct and loss cells (the projector reads them as missing).
 */
function metadataTsv(p: Awaited<ReturnType<typeof readPredictions>>, predictionOf: Int32Array, classes: readonly string[]): Buffer {
  const clean = (s: string) => s.replace(/[\t\r\n]+/g, " ");
  const name = (y: number) => clean(classes[y] ?? String(y));
  const lines = [PROJECTOR_METADATA_COLUMNS.join("\t")];
  for (const j of predictionOf) {
    const y = p.label[j];
    const labelled = y >= 0;
    lines.push([p.index[j], labelled ? name(y) : "", name(p.predicted[j]), labelled ? String(y === p.predicted[j]) : "", floatText(p.confidence[j]), floatText(p.loss[j])].join("\t"));
  }
  return Buffer.from(`${lines.join("\n")}\n`);
}

/**
 * projector_config.pbtxt (ProjectorConfig in protobuf text format, projector_config.proto):
 * `single_image_dim` is [width, height] of one thumbnail; the name is quoted with `\` and `"` escaped.
 * @example projectorConfig("seed: penultimate", { width: 28, height: 28 }).split("\n")[1] // '  tensor_name: "seed: penultimate"'
 */
export function projectorConfig(name: string, layout: Pick<SpriteLayout, "width" | "height">): string {
  return [
    "embeddings {",
    `  tensor_name: "${textFormatString(name)}"`,
    '  tensor_path: "tensors.tsv"',
    '  metadata_path: "metadata.tsv"',
    "  sprite {",
    '    image_path: "sprite.png"',
    `    single_image_dim: ${layout.width}`,
    `    single_image_dim: ${layout.height}`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/** A string's content as protobuf text format quotes it: `\\` and `"` escaped, control characters as spaces. */
function textFormatString(s: string): string {
  let out = "";
  for (const ch of s) out += ch === "\\" || ch === '"' ? `\\${ch}` : ch.charCodeAt(0) < 32 ? " " : ch;
  return out;
}

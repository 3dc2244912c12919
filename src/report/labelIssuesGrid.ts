import type { Dataset } from "../data/dataset.js";
import { GLYPH } from "./font-data.js";
import { createRaster, drawImage, drawText, fitText, INK, MUTED, type Raster, type Rgb, textSize, writePng } from "./raster.js";

/**
 * The picture of `featurelens label-issues`: the most suspect images in a grid, each captioned with
 * its given label, the label suggested instead, its score and why it is suspect, and its index in
 * the source dataset, under a title that says how many were flagged.
 */

/** One image of the grid: its row in `images` and what the queue says about it. */
export interface LabelIssueCell {
  /** Row in `images`; −1 leaves the picture blank (the image could not be loaded). */
  row: number;
  index: number;
  given: number;
  suggested: number;
  score: number;
  /** Flagged by confident learning, by its neighbours, or both. */
  confident: boolean;
  neighbours: boolean;
}

/** Options of {@link renderLabelIssuesGrid}; defaults in {@link LABEL_ISSUES_GRID_DEFAULTS}. */
export interface LabelIssuesGridOptions {
  images: Pick<Dataset, "height" | "width" | "channels" | "images">;
  cells: readonly LabelIssueCell[];
  classes: readonly string[];
  title: string;
  /** Lines in small type under the title. */
  notes?: readonly string[];
  /** Pixel magnification; by default the smallest integer that makes a thumbnail `minCellPixels` wide. */
  scale?: number;
}

export const LABEL_ISSUES_GRID_DEFAULTS = { minCellPixels: 96, maxColumns: 8, gap: 10, margin: 12, pad: 2, minCaptionChars: 18 } as const;

/** The suggested label's colour. */
export const SUGGESTED: Rgb = [0, 90, 170];

const LINE = GLYPH.height + 1;
const CAPTION_LINES = 3;

/**
 * Lays the cells out (rows of up to 8, evened out) and draws them; returns an RGB raster.
 * @example renderLabelIssuesGrid({ images: ds, cells, classes: ds.classes, title: "Labels that may be wrong" }).width // 1002 for 8 images of 28×28
 */
export function renderLabelIssuesGrid(o: LabelIssuesGridOptions): Raster {
  const { height, width, channels } = o.images;
  const d = LABEL_ISSUES_GRID_DEFAULTS;
  const n = o.cells.length;
  const scale = o.scale ?? Math.max(1, Math.ceil(d.minCellPixels / width));
  const cellW = Math.max(width * scale, d.minCaptionChars * GLYPH.width);
  const cellH = height * scale + 2 * d.pad + CAPTION_LINES * LINE;
  const notes = n === 0 ? [...(o.notes ?? []), "no image is flagged"] : (o.notes ?? []);
  const widest = Math.min(Math.max(n, 1), d.maxColumns);
  const columns = Math.max(1, Math.ceil(n / Math.ceil(n / widest)) || 1);
  const rows = Math.ceil(n / columns);
  const titleH = textSize(o.title, 2).height;
  const headH = titleH + 2 + notes.length * LINE + d.gap;
  const gridW = columns * cellW + (columns - 1) * d.gap;
  const textW = Math.max(textSize(o.title, 2).width, ...notes.map((s) => textSize(s).width));
  const r = createRaster(2 * d.margin + Math.max(gridW, textW), 2 * d.margin + headH + (n === 0 ? 0 : rows * cellH + (rows - 1) * d.gap));
  drawText(r, o.title, d.margin, d.margin, INK, 2);
  notes.forEach((s, i) => drawText(r, s, d.margin, d.margin + titleH + 2 + i * LINE, MUTED));
  const chars = Math.floor(cellW / GLYPH.width);
  const size = height * width * channels;
  const name = (c: number) => o.classes[c] ?? String(c);
  o.cells.forEach((c, i) => {
    const x = d.margin + (i % columns) * (cellW + d.gap);
    const y = d.margin + headH + Math.floor(i / columns) * (cellH + d.gap);
    const ix = x + Math.floor((cellW - width * scale) / 2);
    if (c.row >= 0) drawImage(r, { data: o.images.images.subarray(c.row * size, (c.row + 1) * size), width, height, channels }, ix, y + d.pad, scale);
    const ty = y + height * scale + 2 * d.pad + 1;
    drawText(r, fitText(`given: ${name(c.given)}`, chars), x, ty, INK);
    drawText(r, fitText(`maybe: ${name(c.suggested)}`, chars), x, ty + LINE, SUGGESTED);
    const why = c.confident && c.neighbours ? "CL+NN" : c.confident ? "CL" : "NN";
    drawText(r, fitText(`${c.score.toFixed(2)} ${why} #${c.index}`, chars), x, ty + 2 * LINE, MUTED);
  });
  return r;
}

/** Renders the grid and writes it as PNG (atomically); returns its size in pixels. */
export async function writeLabelIssuesGrid(path: string, o: LabelIssuesGridOptions): Promise<{ width: number; height: number }> {
  const r = renderLabelIssuesGrid(o);
  await writePng(path, r);
  return { width: r.width, height: r.height };
}

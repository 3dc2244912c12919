import type { Dataset } from "../data/dataset.js";
import { GLYPH } from "./font-data.js";
import { createRaster, drawImage, drawText, fillRect, fitText, INK, MUTED, type Raster, type Rgb, textSize, writePng } from "./raster.js";

/**
 * The picture of `featurelens samples`: the chosen images in a grid, each captioned with its true
 * class, its predicted class (red when wrong, with a red frame around the image), its confidence
 * and its index in the source dataset, under a title that says what they are.
 */

/** One image of the grid: its row in `images` and its prediction. */
export interface SampleCell {
  row: number;
  index: number;
  /** −1 when unlabelled. */
  label: number;
  predicted: number;
  confidence: number;
}

/** Options for {@link renderSampleGrid}; defaults in {@link SAMPLE_GRID_DEFAULTS}. */
export interface SampleGridOptions {
  images: Pick<Dataset, "height" | "width" | "channels" | "images">;
  cells: readonly SampleCell[];
  classes: readonly string[];
  /** The filter in words, drawn large. */
  title: string;
  /** Lines in small type under the title. */
  notes?: readonly string[];
  /** Default: √n rounded up, at most `maxColumns`. */
  columns?: number;
  /** Pixel magnification; by default the smallest integer that makes a thumbnail `minCellPixels` wide. */
  scale?: number;
}

export const SAMPLE_GRID_DEFAULTS = { minCellPixels: 96, maxColumns: 10, gap: 8, margin: 12, frame: 2 } as const;

export const RIGHT: Rgb = [0, 120, 50];
export const WRONG: Rgb = [200, 30, 30];

const LINE = GLYPH.height + 1;
const CAPTION_LINES = 3;

/**
 * Lays the cells out and draws them; returns an RGB raster.
 * @example renderSampleGrid({ images: ds, cells, classes: ds.classes, title: "Shirt predicted as T-shirt/top: 16 images, 8 most confident" })
 * // 732×396 px for 8 images of 28×28: two rows of four 112-px thumbnails under the title
 */
export function renderSampleGrid(o: SampleGridOptions): Raster {
  const { height, width, channels } = o.images;
  const d = SAMPLE_GRID_DEFAULTS;
  const n = o.cells.length;
  const scale = o.scale ?? Math.max(1, Math.ceil(d.minCellPixels / width));
  const cellW = Math.max(width * scale, 10 * GLYPH.width);
  const cellH = height * scale + d.frame + CAPTION_LINES * LINE;
  const notes = n === 0 ? [...(o.notes ?? []), "no images match"] : (o.notes ?? []);
  const textW = Math.max(textSize(o.title, 2).width, ...notes.map((s) => textSize(s).width));
  // A square-ish grid, widened up to the title's width when there are images enough, then with its
  // rows evened out (6 images as 3 + 3, not 5 + 1).
  const fill = Math.floor((textW + d.gap) / (cellW + d.gap));
  const widest = Math.min(n, d.maxColumns, Math.max(Math.ceil(Math.sqrt(n)), fill));
  const columns = Math.max(1, o.columns ?? (n === 0 ? 1 : Math.ceil(n / Math.ceil(n / widest))));
  const rows = Math.max(1, Math.ceil(n / columns));
  const headH = textSize(o.title, 2).height + notes.length * LINE + d.gap;
  const gridW = columns * cellW + (columns - 1) * d.gap;
  const r = createRaster(2 * d.margin + Math.max(gridW, textW), 2 * d.margin + headH + (n === 0 ? 0 : rows * cellH + (rows - 1) * d.gap));
  drawText(r, o.title, d.margin, d.margin, INK, 2);
  notes.forEach((s, i) => drawText(r, s, d.margin, d.margin + textSize(o.title, 2).height + 2 + i * LINE, MUTED));
  const maxChars = Math.floor(cellW / GLYPH.width);
  const size = height * width * channels;
  o.cells.forEach((c, i) => {
    const x = d.margin + (i % columns) * (cellW + d.gap);
    const y = d.margin + headH + Math.floor(i / columns) * (cellH + d.gap);
    const wrong = c.label >= 0 && c.label !== c.predicted;
    const ix = x + Math.floor((cellW - width * scale) / 2);
    if (wrong) fillRect(r, ix - d.frame, y - d.frame, width * scale + 2 * d.frame, height * scale + 2 * d.frame, WRONG);
    if (c.row >= 0) drawImage(r, { data: o.images.images.subarray(c.row * size, (c.row + 1) * size), width, height, channels }, ix, y, scale);
    const ty = y + height * scale + d.frame + 1;
    const trueName = c.label >= 0 ? (o.classes[c.label] ?? String(c.label)) : "(unlabelled)";
    drawText(r, fitText(trueName, maxChars), x, ty, c.label >= 0 ? INK : MUTED);
    drawText(r, fitText(o.classes[c.predicted] ?? String(c.predicted), maxChars), x, ty + LINE, wrong ? WRONG : c.label >= 0 ? RIGHT : INK);
    drawText(r, fitText(`${c.confidence.toFixed(2)}  #${c.index}`, maxChars), x, ty + 2 * LINE, MUTED);
  });
  return r;
}

/** Renders the grid and writes it as PNG (atomically); returns its size in pixels. */
export async function writeSampleGrid(path: string, o: SampleGridOptions): Promise<{ width: number; height: number }> {
  const r = renderSampleGrid(o);
  await writePng(path, r);
  return { width: r.width, height: r.height };
}

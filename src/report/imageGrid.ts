import { createRaster, drawImage, drawText, fitText, INK, MUTED, type Raster, type Rgb, textSize, writePng } from "./raster.js";
import { GLYPH } from "./font-data.js";

/** One picture in a grid, with an optional caption under it. */
export interface GridCell {
  /** height·width·channels bytes, channels last. */
  image: Uint8Array;
  caption?: string;
  captionColor?: Rgb;
}

/** Options for {@link renderImageGrid}; defaults in {@link IMAGE_GRID_DEFAULTS}. */
export interface ImageGridOptions {
  /** Size and channel count (1 or 3) shared by every image. */
  height: number;
  width: number;
  channels: number;
  /** Cells in reading order; a row may end early. */
  cells: GridCell[];
  columns: number;
  /** Pixel magnification; by default the smallest integer that makes a cell at least 56 px wide. */
  scale?: number;
  /** A label at the left of each row (e.g. the class name). */
  rowLabels?: string[];
  title?: string;
  /** Space between cells, in pixels. */
  gap?: number;
}

export const IMAGE_GRID_DEFAULTS = { minCellPixels: 56, gap: 4, margin: 8, maxRowLabelChars: 20 } as const;

/**
 * Lays images out in a grid with row labels, captions and a title; returns an RGB raster.
 * @example renderImageGrid({ height: 28, width: 28, channels: 1, cells, columns: 10 }).width // 662
 */
export function renderImageGrid(options: ImageGridOptions): Raster {
  const { height, width, channels, cells, columns } = options;
  if (!(columns >= 1)) throw new RangeError(`columns must be at least 1, got ${columns}`);
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new RangeError(`channels must be 1, 3 or 4, got ${channels}`);
  const scale = options.scale ?? Math.max(1, Math.ceil(IMAGE_GRID_DEFAULTS.minCellPixels / width));
  const gap = options.gap ?? IMAGE_GRID_DEFAULTS.gap;
  const margin = IMAGE_GRID_DEFAULTS.margin;
  const rows = Math.ceil(cells.length / columns);
  const cellW = width * scale;
  const hasCaptions = cells.some((c) => c.caption);
  const captionH = hasCaptions ? GLYPH.height + 2 : 0;
  const cellH = height * scale + captionH;
  const labelChars = Math.min(
    IMAGE_GRID_DEFAULTS.maxRowLabelChars,
    Math.max(0, ...(options.rowLabels ?? []).map((l) => l.length)),
  );
  const labelW = labelChars > 0 ? textSize("x".repeat(labelChars)).width + gap * 2 : 0;
  const titleH = options.title ? GLYPH.height * 2 + gap : 0;
  const gridW = columns * cellW + (columns - 1) * gap;
  const titleW = options.title ? textSize(options.title, 2).width : 0;
  const r = createRaster(
    Math.max(margin * 2 + labelW + gridW, margin * 2 + titleW),
    margin * 2 + titleH + rows * cellH + (rows - 1) * gap,
  );
  if (options.title) drawText(r, options.title, margin, margin, INK, 2);
  const top = margin + titleH;
  options.rowLabels?.forEach((label, row) => {
    const y = top + row * (cellH + gap) + Math.floor((height * scale - GLYPH.height) / 2);
    drawText(r, fitText(label, labelChars), margin, y, INK);
  });
  const maxCaption = Math.floor(cellW / GLYPH.width);
  cells.forEach((cell, i) => {
    const x = margin + labelW + (i % columns) * (cellW + gap);
    const y = top + Math.floor(i / columns) * (cellH + gap);
    drawImage(r, { data: cell.image, width, height, channels }, x, y, scale);
    if (cell.caption) drawText(r, fitText(cell.caption, maxCaption), x, y + height * scale + 1, cell.captionColor ?? MUTED);
  });
  return r;
}

/** Renders an image grid and writes it as PNG. */
export async function writeImageGrid(path: string, options: ImageGridOptions): Promise<void> {
  await writePng(path, renderImageGrid(options));
}

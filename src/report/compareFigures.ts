import type { Dataset } from "../data/dataset.js";
import { imageAt } from "../data/dataset.js";
import { renderFeatureMaps } from "./featureMaps.js";
import { GLYPH } from "./font-data.js";
import { renderImageGrid } from "./imageGrid.js";
import { createRaster, drawImage, drawText, INK, MUTED, type Raster, type Rgb } from "./raster.js";

/**
 * The raster pictures of `featurelens compare`: one image's feature maps in both models on one
 * colour scale, example images of each cell of the agreement table, and a shifted image beside its
 * nearest images of the run's own data.
 */

/** One model's output of one layer for one image (channels first). */
export interface MapsSide {
  run: string;
  values: Float32Array;
  /** [C, H, W]. */
  dims: number[];
}

/** The smallest and largest finite value of both sides: the one colour range both are drawn in. */
export function sharedRange(...sides: MapsSide[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const s of sides) for (const v of s.values) if (Number.isFinite(v)) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return Number.isFinite(min) ? { min, max: max > min ? max : min + 1 } : { min: 0, max: 1 };
}

/** Places rasters side by side (top-aligned) with `gap` pixels between them. */
export function sideBySide(parts: Raster[], gap = 16): Raster {
  const r = createRaster(parts.reduce((s, p) => s + p.width, 0) + gap * (parts.length - 1), Math.max(...parts.map((p) => p.height)));
  let x = 0;
  for (const p of parts) {
    drawImage(r, { data: p.data, width: p.width, height: p.height, channels: 3 }, x, 0);
    x += p.width + gap;
  }
  return r;
}

/**
 * A layer's maps for one image in model A and in model B, side by side, on ONE colour scale (the
 * range of both): the model whose maps are darker really has smaller (or more zero) activations.
 */
export function renderMapsPair(a: MapsSide, b: MapsSide, layer: string, o: { maxChannels?: number } = {}): Raster {
  const range = sharedRange(a, b);
  const one = (s: MapsSide) => {
    const [c, h, w] = s.dims;
    return renderFeatureMaps({ maps: s.values, channels: c, height: h, width: w, title: `${s.run}: ${layer}`, range, ...(o.maxChannels ? { maxChannels: o.maxChannels } : {}) });
  };
  return sideBySide([one(a), one(b)]);
}

/** One row of example images with what the row is. */
export interface ExampleRow {
  label: string;
  /** Rows of `images`. */
  rows: number[];
  /** A caption under each image (short: a cell is ~10 characters wide). */
  captions: string[];
  color?: Rgb;
}

/**
 * Example images of each cell of the agreement table, one row per cell, each row labelled with its
 * cell and count; an empty cell says so.
 */
export function renderExampleRows(images: Pick<Dataset, "height" | "width" | "channels" | "images" | "n" | "name" | "classes" | "labels">, rows: ExampleRow[], title: string): Raster {
  const columns = Math.max(1, ...rows.map((r) => r.rows.length));
  const scale = Math.max(1, Math.ceil(72 / images.width));
  const blank = new Uint8Array(images.height * images.width * images.channels).fill(238);
  const cells = rows.flatMap((r) =>
    Array.from({ length: columns }, (_, j) => (j < r.rows.length ? { image: imageAt(images as Dataset, r.rows[j]), caption: r.captions[j], ...(r.color ? { captionColor: r.color } : {}) } : { image: blank, caption: j === 0 ? "(none)" : "" })),
  );
  return renderImageGrid({ height: images.height, width: images.width, channels: images.channels, cells, columns, scale, rowLabels: rows.map((r) => r.label), title });
}

/** A picture with a line of notes under it. */
export function withNotes(r: Raster, notes: string[]): Raster {
  if (notes.length === 0) return r;
  const line = GLYPH.height + 2;
  const out = createRaster(Math.max(r.width, 16 + Math.max(...notes.map((n) => n.length * GLYPH.width))), r.height + line * notes.length + 8);
  drawImage(out, { data: r.data, width: r.width, height: r.height, channels: 3 }, 0, 0);
  notes.forEach((n, i) => drawText(out, n, 8, r.height + 2 + i * line, i === 0 ? INK : MUTED));
  return out;
}

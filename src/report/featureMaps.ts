import { type ColormapName, colormapTable } from "./colormap.js";
import { GLYPH } from "./font-data.js";
import { type GridCell, IMAGE_GRID_DEFAULTS, renderImageGrid } from "./imageGrid.js";
import { createRaster, drawImage, drawText, MUTED, type Raster, textSize, writePng } from "./raster.js";

/** Options for {@link renderFeatureMaps}; defaults in {@link FEATURE_MAPS_DEFAULTS}. */
export interface FeatureMapsOptions {
  /** One layer's output for one image: channels·height·width values, channels first (NCHW without N). */
  maps: Float32Array;
  channels: number;
  height: number;
  width: number;
  title: string;
  /** Channels drawn, from channel 0 on; the rest are counted under the grid. */
  maxChannels?: number;
  columns?: number;
  colormap?: ColormapName;
  /**
   * `per-channel`: each map spans the whole colour map from its own min to its own max, so every
   * map shows its pattern (a constant map is uniformly the lowest colour). `layer`: one range for
   * all channels, so maps can be compared with each other.
   */
  normalize?: "per-channel" | "layer";
  /**
   * One fixed colour range for every map, overriding `normalize`: values at or below `min` get the
   * lowest colour, at or above `max` the highest — so two models' maps drawn with the same range
   * can be compared (which one's are darker).
   */
  range?: { min: number; max: number };
}

export const FEATURE_MAPS_DEFAULTS = {
  maxChannels: 16,
  columns: 4,
  colormap: "viridis",
  normalize: "per-channel",
  /** Each map is magnified (nearest neighbour) to at least this many pixels across. */
  minCellPixels: 64,
} as const;

/** Colour for values that are NaN or infinite. */
const NON_FINITE = 128;
const COLOR_BAR = { width: 128, height: 10 } as const;

/**
 * Draws a layer's feature maps as a grid of false-colour images ("slice the CNN and look at what
 * each layer sees"), each captioned with its channel index and its largest value, with a colour
 * bar underneath.
 * @example renderFeatureMaps({ maps: new Float32Array(32 * 14 * 14), channels: 32, height: 14, width: 14, title: "conv2" }).width
 * // 308: 16 maps in 4 columns, each 14 px magnified 5× to 70 px, 4 px apart, 8 px margins
 */
export function renderFeatureMaps(options: FeatureMapsOptions): Raster {
  const d = FEATURE_MAPS_DEFAULTS;
  const o: Required<Omit<FeatureMapsOptions, "range">> & Pick<FeatureMapsOptions, "range"> = {
    ...options,
    maxChannels: options.maxChannels ?? d.maxChannels,
    columns: options.columns ?? d.columns,
    colormap: options.colormap ?? d.colormap,
    normalize: options.normalize ?? d.normalize,
  };
  checkOptions(o);
  const { channels, height, width } = o;
  const shown = Math.min(channels, o.maxChannels);
  const ranges = channelRanges(o.maps, channels, height * width);
  const layer = o.range ?? layerRange(ranges, channels);
  const table = colormapTable(o.colormap);
  const cells: GridCell[] = [];
  for (let c = 0; c < shown; c++) {
    const range = o.range || o.normalize === "layer" ? layer : { min: ranges[2 * c], max: ranges[2 * c + 1] };
    const image = colorize(o.maps.subarray(c * height * width, (c + 1) * height * width), range, table);
    cells.push({ image, caption: caption(c, ranges[2 * c], ranges[2 * c + 1]) });
  }
  const captionPixels = Math.max(...cells.map((cell) => textSize(cell.caption ?? "").width));
  const scale = Math.max(1, Math.ceil(Math.max(d.minCellPixels, captionPixels) / width));
  const grid = renderImageGrid({ height, width, channels: 3, cells, columns: Math.min(o.columns, shown), scale, title: o.title });
  return withFooter(grid, footerLines(o, shown, layer), table);
}

/** Renders feature maps and writes them as a PNG file, atomically. */
export async function writeFeatureMaps(path: string, options: FeatureMapsOptions): Promise<void> {
  await writePng(path, renderFeatureMaps(options));
}

function checkOptions(o: Required<Omit<FeatureMapsOptions, "range">> & Pick<FeatureMapsOptions, "range">): void {
  const problems: string[] = [];
  if (!(o.maps instanceof Float32Array)) throw new TypeError(`maps must be a Float32Array, got ${typeof o.maps}`);
  for (const key of ["channels", "height", "width", "maxChannels", "columns"] as const) {
    if (!(Number.isInteger(o[key]) && o[key] >= 1)) problems.push(`${key} must be a positive integer, got ${o[key]}`);
  }
  if (problems.length === 0 && o.maps.length !== o.channels * o.height * o.width) {
    problems.push(`maps must hold channels·height·width = ${o.channels}·${o.height}·${o.width} = ${o.channels * o.height * o.width} values, got ${o.maps.length}`);
  }
  if (o.colormap !== "viridis" && o.colormap !== "gray") problems.push(`colormap must be "viridis" or "gray", got ${JSON.stringify(o.colormap)}`);
  if (o.normalize !== "per-channel" && o.normalize !== "layer") problems.push(`normalize must be "per-channel" or "layer", got ${JSON.stringify(o.normalize)}`);
  if (o.range && !(Number.isFinite(o.range.min) && Number.isFinite(o.range.max) && o.range.max >= o.range.min)) problems.push(`range must be finite numbers with max >= min, got ${JSON.stringify(o.range)}`);
  if (problems.length > 0) throw new RangeError(problems.join("; "));
}

/** [min0, max0, min1, max1, …] over the finite values of each channel; NaN for a channel with none. */
function channelRanges(maps: Float32Array, channels: number, size: number): Float64Array {
  const out = new Float64Array(2 * channels);
  for (let c = 0; c < channels; c++) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = c * size; i < (c + 1) * size; i++) {
      const v = maps[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    out[2 * c] = Number.isFinite(min) ? min : NaN;
    out[2 * c + 1] = Number.isFinite(max) ? max : NaN;
  }
  return out;
}

function layerRange(ranges: Float64Array, channels: number): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let c = 0; c < channels; c++) {
    if (ranges[2 * c] < min) min = ranges[2 * c];
    if (ranges[2 * c + 1] > max) max = ranges[2 * c + 1];
  }
  return Number.isFinite(min) ? { min, max } : { min: NaN, max: NaN };
}

/** RGB bytes of one map through the colour table; a flat map gets the lowest colour. */
function colorize(map: Float32Array, range: { min: number; max: number }, table: Uint8Array): Uint8Array {
  const out = new Uint8Array(map.length * 3);
  const span = range.max - range.min;
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    if (!Number.isFinite(v)) {
      out.fill(NON_FINITE, 3 * i, 3 * i + 3);
      continue;
    }
    const t = span > 0 ? (v - range.min) / span : 0;
    const k = 3 * Math.round(Math.min(1, Math.max(0, t)) * 255);
    out[3 * i] = table[k];
    out[3 * i + 1] = table[k + 1];
    out[3 * i + 2] = table[k + 2];
  }
  return out;
}

/** "#3 max 0.82"; "#5 all 0" for a constant map (a dead ReLU channel, say). */
function caption(c: number, min: number, max: number): string {
  return min === max ? `#${c} all ${short(max)}` : `#${c} max ${short(max)}`;
}

function footerLines(o: Required<Omit<FeatureMapsOptions, "range">> & Pick<FeatureMapsOptions, "range">, shown: number, layer: { min: number; max: number }): { low: string; high: string; notes: string[] } {
  const notes = [o.range ? "a fixed colour scale (shared with the maps it is compared with)" : o.normalize === "layer" ? "one colour scale for all maps" : "each map scaled to its own range"];
  if (shown < o.channels) notes.push(`channels 0-${shown - 1} of ${o.channels}`);
  return o.range || o.normalize === "layer" ? { low: short(layer.min), high: short(layer.max), notes } : { low: "min", high: "max", notes };
}

/** The grid with a colour bar ("min ▮▮▮ max") and notes under it. */
function withFooter(grid: Raster, footer: { low: string; high: string; notes: string[] }, table: Uint8Array): Raster {
  const margin = IMAGE_GRID_DEFAULTS.margin;
  const line = GLYPH.height + 2;
  const barX = margin + textSize(`${footer.low} `).width;
  const barWidth = barX + COLOR_BAR.width + textSize(` ${footer.high}`).width + margin;
  const notesWidth = margin * 2 + Math.max(...footer.notes.map((n) => textSize(n).width));
  const r = createRaster(Math.max(grid.width, barWidth, notesWidth), grid.height + line * (1 + footer.notes.length) + margin);
  drawImage(r, { ...grid, channels: 3 }, 0, 0);
  const y = grid.height;
  drawText(r, footer.low, margin, y, MUTED);
  const bar = new Uint8Array(COLOR_BAR.width * 3);
  for (let x = 0; x < COLOR_BAR.width; x++) {
    const k = 3 * Math.round((x / (COLOR_BAR.width - 1)) * 255);
    bar.set(table.subarray(k, k + 3), 3 * x);
  }
  for (let row = 0; row < COLOR_BAR.height; row++) drawImage(r, { data: bar, width: COLOR_BAR.width, height: 1, channels: 3 }, barX, y + 1 + row);
  drawText(r, footer.high, barX + COLOR_BAR.width + GLYPH.width, y, MUTED);
  footer.notes.forEach((note, i) => drawText(r, note, margin, y + line * (i + 1), MUTED));
  return r;
}

/** A value in at most 3 significant digits, ASCII only: 0.823, 12.3, 1.5e+4, -0.01. */
function short(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-2 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

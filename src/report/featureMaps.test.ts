import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { colormapTable } from "./colormap.js";
import { FEATURE_MAPS_DEFAULTS, type FeatureMapsOptions, renderFeatureMaps, writeFeatureMaps } from "./featureMaps.js";
import { GLYPH } from "./font-data.js";
import { IMAGE_GRID_DEFAULTS } from "./imageGrid.js";
import type { Raster } from "./raster.js";

const hex = (r: Raster, x: number, y: number): string =>
  Array.from(r.data.subarray((y * r.width + x) * 3, (y * r.width + x) * 3 + 3), (v) => v.toString(16).padStart(2, "0")).join("");

/** Maps of `channels` channels, h×w each, channel c filled by `value(c, y, x)`. */
function maps(channels: number, h: number, w: number, value: (c: number, y: number, x: number) => number): Float32Array {
  const out = new Float32Array(channels * h * w);
  for (let c = 0; c < channels; c++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(c * h + y) * w + x] = value(c, y, x);
  return out;
}

/**
 * Top-left pixel of cell i, from the grid layout of renderImageGrid: margin, a title of
 * double-size glyphs, cells of size·scale plus a caption line, a gap between cells.
 */
function cellOrigin(i: number, o: { size: number; scale: number; columns: number }): { x: number; y: number } {
  const { margin, gap } = IMAGE_GRID_DEFAULTS;
  const cell = o.size * o.scale;
  const top = margin + GLYPH.height * 2 + gap;
  return { x: margin + (i % o.columns) * (cell + gap), y: top + Math.floor(i / o.columns) * (cell + GLYPH.height + 2 + gap) };
}

describe("colormapTable", () => {
  it("colormapTable('viridis') runs from #440154 to #fde725 through matplotlib's middle teal", () => {
    const t = colormapTable("viridis");
    const at = (i: number) => Array.from(t.subarray(3 * i, 3 * i + 3), (v) => v.toString(16).padStart(2, "0")).join("");
    expect(t).toHaveLength(768);
    expect(at(0)).toBe("440154");
    expect(at(255)).toBe("fde725");
    expect(at(128)).toBe("21918c"); // matplotlib: viridis(128 / 255) = (0.128729, 0.567573, 0.551864)
  });

  it("colormapTable('gray') maps entry i to (i, i, i)", () => {
    const t = colormapTable("gray");
    expect([t[0], t[3 * 77], t[3 * 77 + 2], t[765]]).toEqual([0, 77, 77, 255]);
  });
});

describe("renderFeatureMaps", () => {
  it("renderFeatureMaps(channel c = constant c) shows every map uniformly dark, captioned 'all c'", () => {
    const r = renderFeatureMaps({ maps: maps(16, 8, 8, (c) => c), channels: 16, height: 8, width: 8, title: "const" });
    const scale = FEATURE_MAPS_DEFAULTS.minCellPixels / 8; // 8 px maps magnified to 64 px
    for (let c = 0; c < 16; c++) {
      const { x, y } = cellOrigin(c, { size: 8, scale, columns: 4 });
      expect(hex(r, x + 32, y + 32)).toBe("440154");
      expect(hex(r, x, y)).toBe("440154");
      expect(hex(r, x + 63, y + 63)).toBe("440154");
      expect(hex(r, x + 64, y + 32)).toBe("ffffff"); // the gap right of the cell
    }
    expect(r.data.every((v) => Number.isFinite(v))).toBe(true);
  });

  it("renderFeatureMaps(channel c = constant c, {normalize: 'layer'}) spans viridis from channel 0 to the last", () => {
    const r = renderFeatureMaps({ maps: maps(4, 8, 8, (c) => c), channels: 4, height: 8, width: 8, title: "layer", normalize: "layer" });
    const table = colormapTable("viridis");
    const expected = (t: number) => {
      const k = 3 * Math.round(t * 255);
      return Array.from(table.subarray(k, k + 3), (v) => v.toString(16).padStart(2, "0")).join("");
    };
    for (let c = 0; c < 4; c++) {
      const { x, y } = cellOrigin(c, { size: 8, scale: 8, columns: 4 });
      expect(hex(r, x + 32, y + 32)).toBe(expected(c / 3));
    }
    expect(expected(0)).toBe("440154");
    expect(expected(1)).toBe("fde725");
  });

  it("renderFeatureMaps(gradient channel) runs from viridis(0) at the left edge to viridis(1) at the right", () => {
    const r = renderFeatureMaps({ maps: maps(1, 8, 8, (_c, _y, x) => -2 + x * 0.5), channels: 1, height: 8, width: 8, title: "ramp" });
    const { x, y } = cellOrigin(0, { size: 8, scale: 8, columns: 1 });
    expect(hex(r, x + 3, y + 32)).toBe("440154");
    expect(hex(r, x + 60, y + 32)).toBe("fde725");
    // nearest-neighbour magnification: each source pixel is an 8×8 block
    expect(hex(r, x + 8, y + 32)).toBe(hex(r, x + 15, y + 5));
    expect(hex(r, x + 8, y + 32)).not.toBe(hex(r, x + 7, y + 32));
  });

  it("renderFeatureMaps(64 channels) draws the first 16 in a 4×4 grid with captions and a colour bar", () => {
    const o: FeatureMapsOptions = { maps: maps(64, 6, 6, (c, y, x) => c * (x + y)), channels: 64, height: 6, width: 6, title: "conv2" };
    const r = renderFeatureMaps(o);
    const scale = Math.ceil(FEATURE_MAPS_DEFAULTS.minCellPixels / 6); // 11: 66 px, just room for "#15 max 150"
    const cell = 6 * scale;
    expect(r.width).toBe(IMAGE_GRID_DEFAULTS.margin * 2 + 4 * cell + 3 * IMAGE_GRID_DEFAULTS.gap);
    const last = cellOrigin(15, { size: 6, scale, columns: 4 });
    expect(hex(r, last.x + cell - 1, last.y + cell - 1)).toBe("fde725"); // its largest value, bottom-right
    // a caption is dark text just under each cell
    const captionInk = (i: number) => {
      const { x, y } = cellOrigin(i, { size: 6, scale, columns: 4 });
      let n = 0;
      for (let yy = y + cell; yy < y + cell + GLYPH.height; yy++) for (let xx = x; xx < x + cell; xx++) if (r.data[(yy * r.width + xx) * 3] < 160) n++;
      return n;
    };
    for (const i of [0, 5, 15]) expect(captionInk(i)).toBeGreaterThan(20);
    // below the grid: the colour bar, viridis from left to right
    const gridBottom = last.y + cell + GLYPH.height + 2 + IMAGE_GRID_DEFAULTS.margin;
    const row = gridBottom + 5;
    const bar: string[] = [];
    for (let x = 0; x < r.width; x++) bar.push(hex(r, x, row));
    expect(bar).toContain("440154");
    expect(bar).toContain("fde725");
    expect(bar.indexOf("440154")).toBeLessThan(bar.indexOf("fde725"));
  });

  it("renderFeatureMaps(maps with NaN) draws the NaN pixels grey and scales the rest", () => {
    const r = renderFeatureMaps({ maps: maps(1, 2, 2, (_c, y, x) => (x === 0 && y === 0 ? NaN : x + y)), channels: 1, height: 2, width: 2, title: "nan" });
    const { x, y } = cellOrigin(0, { size: 2, scale: 32, columns: 1 });
    expect(hex(r, x + 5, y + 5)).toBe("808080");
    expect(hex(r, x + 40, y + 5)).toBe("440154");
    expect(hex(r, x + 40, y + 40)).toBe("fde725");
  });

  it("renderFeatureMaps(bad options) reports every problem at once", () => {
    const call = () =>
      renderFeatureMaps({ maps: new Float32Array(10), channels: 2, height: 2, width: 2, title: "x", normalize: "global" as "layer", colormap: "jet" as "gray" });
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/maps must hold channels·height·width = 2·2·2 = 8 values, got 10; colormap must be "viridis" or "gray", got "jet"; normalize must be/);
    expect(() => renderFeatureMaps({ maps: new Float32Array(4), channels: 1, height: 2, width: 2, title: "x", columns: 0 })).toThrow(/columns must be a positive integer, got 0/);
  });
});

describe("writeFeatureMaps", () => {
  it("writeFeatureMaps(path, options) writes a PNG of the rendered size", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "fmaps-")), "conv1.png");
    const o: FeatureMapsOptions = { maps: maps(8, 28, 28, (c, y, x) => Math.sin((x + c) / 4) * Math.cos(y / 5)), channels: 8, height: 28, width: 28, title: "conv1", colormap: "gray" };
    await writeFeatureMaps(file, o);
    const meta = await sharp(file).metadata();
    const r = renderFeatureMaps(o);
    expect([meta.format, meta.width, meta.height]).toEqual(["png", r.width, r.height]);
    expect(r.width).toBeGreaterThanOrEqual(4 * 64);
  });
});

describe("renderFeatureMaps({ range })", () => {
  it("renderFeatureMaps({ range }) draws every map on the fixed range: a map of half the range's top is mid-colour, not the top colour", () => {
    const half = new Float32Array(4 * 4).fill(5);
    half[0] = 0;
    const own = renderFeatureMaps({ maps: half, channels: 1, height: 4, width: 4, title: "x", colormap: "gray" });
    const fixed = renderFeatureMaps({ maps: half, channels: 1, height: 4, width: 4, title: "x", colormap: "gray", range: { min: 0, max: 10 } });
    // a pixel inside the map (not pixel 0, which is 0): its own range makes it white, the fixed one mid-grey
    const at = (r: { data: Uint8Array; width: number }, x: number, y: number) => r.data[(y * r.width + x) * 3];
    const y = FEATURE_MAPS_DEFAULTS.minCellPixels; // well inside the first cell, below the title
    const x = 8 + FEATURE_MAPS_DEFAULTS.minCellPixels - 4;
    expect(at(own, x, y)).toBe(255);
    expect(Math.abs(at(fixed, x, y) - 128)).toBeLessThanOrEqual(1);
    expect(() => renderFeatureMaps({ maps: half, channels: 1, height: 4, width: 4, title: "x", range: { min: 1, max: 0 } })).toThrow(/range must be finite numbers with max >= min/);
  });
});

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { loadDataset } from "../data/load.js";
import { renderImageGrid, writeImageGrid } from "./imageGrid.js";
import { createRaster, drawText, textSize } from "./raster.js";
import { classSampleGrid } from "./samples.js";

describe("drawText", () => {
  it("drawText(raster, text) inks pixels inside the text box only", () => {
    const r = createRaster(40, 20);
    drawText(r, "Ag", 2, 3, [0, 0, 0]);
    const { width, height } = textSize("Ag");
    let inked = 0;
    for (let y = 0; y < r.height; y++) {
      for (let x = 0; x < r.width; x++) {
        if (r.data[(y * r.width + x) * 3] < 255) {
          inked++;
          expect(x >= 2 && x < 2 + width && y >= 3 && y < 3 + height).toBe(true);
        }
      }
    }
    expect(inked).toBeGreaterThan(15);
  });
});

describe("renderImageGrid", () => {
  it("renderImageGrid(options) places each image at its cell, scaled by nearest neighbour", () => {
    const img = (v: number) => new Uint8Array(4).fill(v); // 2×2 gray
    const r = renderImageGrid({ height: 2, width: 2, channels: 1, cells: [{ image: img(10) }, { image: img(200) }, { image: img(90) }], columns: 2, scale: 3, gap: 4 });
    // margin 8, no labels, no title: cell (0,0) at (8,8), cell (0,1) at (8+6+4, 8), cell (1,0) at (8, 8+6+4)
    const px = (x: number, y: number) => r.data[(y * r.width + x) * 3];
    expect(px(8, 8)).toBe(10);
    expect(px(13, 13)).toBe(10);
    expect(px(18, 8)).toBe(200);
    expect(px(8, 18)).toBe(90);
    expect(px(14, 8)).toBe(255); // the gap
    expect([r.width, r.height]).toEqual([8 * 2 + 6 * 2 + 4, 8 * 2 + 6 * 2 + 4]);
  });

  it("writeImageGrid(path, classSampleGrid(ds)) writes a PNG of one row per class", async () => {
    const ds = await loadDataset("sample:test");
    const grid = classSampleGrid(ds, { perClass: 8, seed: 1 });
    expect(grid.cells).toHaveLength(80);
    expect(grid.rowLabels?.[9]).toBe("Ankle boot (100)");
    for (let k = 0; k < 80; k++) expect(grid.cells[k].caption).toMatch(/^#\d+$/);
    const file = join(mkdtempSync(join(tmpdir(), "grid-")), "g.png");
    await writeImageGrid(file, grid);
    const meta = await sharp(file).metadata();
    expect(meta.format).toBe("png");
    expect(meta.width).toBeGreaterThan(8 * 56);
    expect(meta.height).toBeGreaterThan(10 * 56);
    const stats = await sharp(file).stats();
    // mostly white page with dark garments: mean well below 255, wide spread
    expect(stats.channels[0].mean).toBeGreaterThan(60);
    expect(stats.channels[0].mean).toBeLessThan(240);
    expect(stats.channels[0].stdev).toBeGreaterThan(40);
  });
});

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { RIGHT, renderSampleGrid, SAMPLE_GRID_DEFAULTS, writeSampleGrid, WRONG } from "./sampleGrid.js";
import { formatSamples } from "./samplesText.js";

/** Four 4×4 gray images, image k filled with 40·(k+1). */
const images = { height: 4, width: 4, channels: 1, images: Uint8Array.from({ length: 4 * 16 }, (_, i) => 40 * (Math.floor(i / 16) + 1)) };
const classes = ["cat", "dog, big", "bird"];
const cells = [
  { row: 2, index: 102, label: 0, predicted: 0, confidence: 0.9 },
  { row: 0, index: 100, label: 0, predicted: 1, confidence: 0.8 },
  { row: 3, index: 103, label: -1, predicted: 2, confidence: 0.5 },
];

const count = (data: Uint8Array, c: readonly number[]) => {
  let n = 0;
  for (let p = 0; p < data.length; p += 3) if (data[p] === c[0] && data[p + 1] === c[1] && data[p + 2] === c[2]) n++;
  return n;
};

describe("renderSampleGrid", () => {
  it("renderSampleGrid(options) draws each image scaled, framed in red when wrong, with its captions", () => {
    const r = renderSampleGrid({ images, cells, classes, title: "t", columns: 3 });
    const scale = Math.ceil(SAMPLE_GRID_DEFAULTS.minCellPixels / 4); // 24: 96-px thumbnails
    const side = 4 * scale;
    const { margin, gap, frame } = SAMPLE_GRID_DEFAULTS;
    const top = margin + 24 + gap; // the title at scale 2 is 24 px high
    const px = (x: number, y: number) => r.data[(y * r.width + x) * 3];
    for (let c = 0; c < 3; c++) {
      const x = margin + c * (side + gap);
      expect(px(x, top)).toBe(40 * (cells[c].row + 1));
      expect(px(x + side - 1, top + side - 1)).toBe(40 * (cells[c].row + 1));
    }
    // Only the second cell is wrong: a red frame of `frame` px around its thumbnail.
    expect(count(r.data, WRONG)).toBeGreaterThanOrEqual(4 * side * frame);
    const x1 = margin + side + gap;
    expect(Array.from(r.data.subarray(((top - 1) * r.width + x1) * 3, ((top - 1) * r.width + x1) * 3 + 3))).toEqual([...WRONG]);
    expect(r.data[((top - 1) * r.width + margin) * 3]).toBe(255); // no frame around the right one
    let green = 0; // the right one's predicted class is written in green (anti-aliased, so near RIGHT)
    for (let p = 0; p < r.data.length; p += 3) if (r.data[p + 1] - r.data[p] > RIGHT[1] / 2 && r.data[p + 1] > r.data[p + 2]) green++;
    expect(green).toBeGreaterThan(10);
    expect(r.width).toBe(2 * margin + 3 * side + 2 * gap);
  });

  it("renderSampleGrid(options) widens the grid toward the title, evens out its rows, and says so when no image matches", () => {
    const n = (k: number) => Array.from({ length: k }, (_, i) => ({ ...cells[0], index: i }));
    const { margin, gap } = SAMPLE_GRID_DEFAULTS;
    const width = (columns: number) => 2 * margin + columns * 96 + (columns - 1) * gap;
    const title = "x".repeat(60); // 720 px at scale 2: room for seven 96-px cells
    expect(renderSampleGrid({ images, cells: n(14), classes, title }).width).toBe(width(7)); // 7 + 7, not 4 × 4
    expect(renderSampleGrid({ images, cells: n(8), classes, title }).width).toBe(2 * margin + 720); // 4 + 4 under the title, not 7 + 1
    expect(renderSampleGrid({ images, cells: n(6), classes, title: "t" }).width).toBe(width(3)); // 3 + 3
    const empty = renderSampleGrid({ images, cells: [], classes, title: "none" });
    expect(empty.height).toBeLessThan(80);
  });

  it("writeSampleGrid(path, options) writes a PNG of the size it reports", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "fl-sample-grid-")), "g.png");
    const size = await writeSampleGrid(file, { images, cells, classes, title: "three", notes: ["a note"] });
    const meta = await sharp(file).metadata();
    expect([meta.width, meta.height]).toEqual([size.width, size.height]);
  });
});

describe("formatSamples", () => {
  it("formatSamples(result) prints the description and one aligned line per row", () => {
    const text = formatSamples({
      run: "seed", domain: null, data: "sample:test", description: "Shirt predicted as T-shirt/top: 2 images, most confident first",
      rows: [
        { index: 775, label_name: "Shirt", predicted_name: "T-shirt/top", confidence: 0.82719, margin: 0.6888, loss: 1.97812 },
        { index: 12, label_name: null, predicted_name: "T-shirt/top", confidence: 0.5, margin: 0.1, loss: null },
      ],
    });
    expect(text.split("\n")).toEqual([
      "Shirt predicted as T-shirt/top: 2 images, most confident first (run seed: sample:test)",
      "",
      "index  true   predicted    confidence  margin    loss",
      "  775  Shirt  T-shirt/top      0.8272  0.6888  1.9781",
      "   12  -      T-shirt/top      0.5000  0.1000       -",
      "",
    ]);
  });
});

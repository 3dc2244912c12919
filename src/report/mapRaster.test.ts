import { describe, expect, it } from "vitest";
import { hexRgb, MAP_STYLE } from "./charts/mapPoints.js";
import { CHART_THEME, classColor } from "./charts/theme.js";
import { ascii, MAP_RASTER_DEFAULTS, renderMapRaster } from "./mapRaster.js";
import { mapPointCount, renderMapForPage, renderMapPng } from "./mapPicture.js";
import type { Raster } from "./raster.js";

const PLOT = 480;
const base = {
  embedding: [0, 0, 1, 1, 2, 2, 3, 3],
  dims: 2,
  labels: [0, 1, 1, 0],
  predicted: [0, 1, 0, 0],
  classes: ["cat", "dog"],
  title: "t-SNE of net's penultimate features · pets (4 images)",
};

function pixel(r: Raster, x: number, y: number): [number, number, number] {
  const t = (Math.round(y) * r.width + Math.round(x)) * 3;
  return [r.data[t], r.data[t + 1], r.data[t + 2]];
}

/** Where data point (x, y) of a 0..3 extent lands in the PLOT-sized plot area, whose top is found from its frame's left edge. */
function locate(r: Raster, x: number, y: number): [number, number] {
  const left = MAP_RASTER_DEFAULTS.margin;
  const frame = hexRgb(CHART_THEME.color.grid).join();
  let top = 0;
  while (pixel(r, left - 1, top).join() !== frame) top++;
  return [left + (x / 3) * (PLOT - 1), top + 1 + (1 - y / 3) * (PLOT - 1)];
}

describe("renderMapRaster", () => {
  it("renderMapRaster(o) draws each point in its class colour at the spec's opacity, and a dark ring only around the misclassified one", () => {
    const r = renderMapRaster({ ...base, color: "true" }, { plot: PLOT });
    expect(r.width).toBeGreaterThan(PLOT + 2 * MAP_RASTER_DEFAULTS.margin);
    const blend = (hex: string, a: number) => hexRgb(hex).map((c) => Math.round(c * a + 255 * (1 - a)));
    const [x0, y0] = locate(r, 0, 0);
    const got = pixel(r, x0, y0);
    blend(classColor(0), 0.8).forEach((c, k) => expect(Math.abs(got[k] - c)).toBeLessThan(40));
    const darkAround = (cx: number, cy: number) => {
      let dark = 0;
      for (let dy = -8; dy <= 8; dy++) for (let dx = -8; dx <= 8; dx++) if (pixel(r, cx + dx, cy + dy).reduce((s, v) => s + v, 0) < 250) dark++;
      return dark;
    };
    const [x2, y2] = locate(r, 2, 2);
    expect(darkAround(x2, y2)).toBeGreaterThan(4);
    expect(darkAround(x0, y0)).toBe(0);
  });

  it("renderMapRaster(reference) draws the reference points in grey, and the sequential colourings follow the ramp", () => {
    const r = renderMapRaster({ ...base, embedding: [0, 0, 1, 1, 2, 2, 2.5, 2.5], reference: { embedding: [3, 3], dims: 2 } }, { plot: PLOT });
    const [xr, yr] = locate(r, 3, 3);
    const g = pixel(r, xr, yr);
    const grey = hexRgb(MAP_STYLE.reference);
    expect(Math.abs(g[0] - g[2])).toBeLessThan(6); // grey, not a class colour
    expect(g[0]).toBeGreaterThanOrEqual(grey[0] - 5);
    const conf = renderMapRaster({ ...base, color: "confidence", confidence: [0.5, 1, 0.5, 1] }, { plot: PLOT });
    const [xa, ya] = locate(conf, 0, 0);
    const [xb, yb] = locate(conf, 1, 1);
    const lum = (p: number[]) => p[0] + p[1] + p[2];
    expect(lum(pixel(conf, xa, ya))).toBeLessThan(lum(pixel(conf, xb, yb))); // low confidence is dark
  });

  it("renderMapPng / renderMapForPage choose the raster above their thresholds", async () => {
    expect(mapPointCount({ ...base, reference: { embedding: [3, 3, 4, 4], dims: 2 } })).toBe(6);
    expect((await renderMapPng(base, 3)).renderer).toBe("raster");
    expect((await renderMapPng(base)).renderer).toBe("vega");
    expect("svg" in (await renderMapForPage(base))).toBe(true);
  });

  it("ascii(text) keeps the raster font's characters", () => {
    expect(ascii("t-SNE · 1,000 × 2 − 1 …")).toBe("t-SNE - 1,000 x 2 - 1 ...");
  });
});

import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderAsync } from "@resvg/resvg-js";
import sharp from "sharp";
import { afterEach, describe, expect, it, vi } from "vitest";
import { probabilityBarsSpec } from "./charts/bars.js";
import { histogramSpec } from "./charts/histogram.js";
import { readFontMetrics, textWidth } from "./fontMetrics.js";
import { CHART_THEME, chartFontFiles, renderPng, renderSvg, resvgOptions, svgToPng, writeChart } from "./vega.js";

const CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
const barsSpec = () =>
  probabilityBarsSpec({ classes: CLASSES, probabilities: [0.01, 0, 0.02, 0.003, 0.015, 0.03, 0.05, 0.61, 0.001, 0.261], label: 9, title: "Softmax of test image 17" });
const reluSpec = () =>
  histogramSpec({ values: Float32Array.from({ length: 5000 }, (_, i) => Math.max(0, Math.sin(i * 0.37) * 2)), bins: 30, title: "Activations of relu1" });

/** RGB pixels of a PNG, read back with sharp. */
async function pixels(png: Buffer): Promise<{ width: number; height: number; at: (x: number, y: number) => [number, number, number] }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number): [number, number, number] => {
    const p = (y * info.width + x) * info.channels;
    return [data[p], data[p + 1], data[p + 2]];
  };
  return { width: info.width, height: info.height, at };
}

/** Pixels in a box that pass a test. */
function count(img: Awaited<ReturnType<typeof pixels>>, box: { x0: number; y0: number; x1: number; y1: number }, test: (rgb: [number, number, number]) => boolean): number {
  let n = 0;
  for (let y = box.y0; y < Math.min(box.y1, img.height); y++) for (let x = box.x0; x < Math.min(box.x1, img.width); x++) if (test(img.at(x, y))) n++;
  return n;
}
const isDark = ([r, g, b]: [number, number, number]) => r < 100 && g < 100 && b < 100;
const isNotWhite = ([r, g, b]: [number, number, number]) => r < 245 || g < 245 || b < 245;

/** The `<path>`s of one role-mark group in Vega's SVG: one per drawn bar, rule or text. */
function markCount(svg: string, markClass: string): number {
  const start = svg.indexOf(`<g class="${markClass} role-mark`);
  if (start < 0) return 0;
  const group = svg.slice(start, svg.indexOf("</g>", start));
  return (group.match(/<(path|line|text)\b/g) ?? []).length;
}

afterEach(() => vi.restoreAllMocks());

describe("renderSvg", () => {
  it("renderSvg(probabilityBarsSpec) draws the title, one rect per class and one text per bar", async () => {
    const warn = vi.spyOn(console, "warn");
    const svg = await renderSvg(barsSpec());
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain(">Softmax of test image 17</text>");
    expect(svg).toContain(">Ankle boot</text>");
    expect(svg).toContain(">61.0%</text>");
    expect(svg).toContain('font-family="DejaVu Sans, Verdana, sans-serif"');
    expect(markCount(svg, "mark-rect")).toBe(10);
    expect(markCount(svg, "mark-text")).toBe(10);
    expect(warn).not.toHaveBeenCalled();
  });

  it("renderSvg(histogramSpec) draws one rect per bin plus the zero line and its label", async () => {
    const warn = vi.spyOn(console, "warn");
    const svg = await renderSvg(reluSpec());
    expect(svg).toContain(">Activations of relu1</text>");
    expect(markCount(svg, "mark-rect")).toBe(30);
    expect(markCount(svg, "mark-rule")).toBe(1);
    expect(svg).toMatch(/>exactly 0: \d+\.\d%<\/text>/);
    expect(warn).not.toHaveBeenCalled();
  });

  it("renderSvg(spec) lays text out with DejaVu Sans widths, not Vega's 0.8 em per character guess", async () => {
    // the plot starts right of the widest class name, "T-shirt/top" (57 px at 11 px; the guess is 97)
    const svg = await renderSvg(barsSpec());
    const left = Number(/<g fill="none"[^>]* transform="translate\(([\d.]+),/.exec(svg)?.[1]);
    expect(left).toBeGreaterThan(70);
    expect(left).toBeLessThan(100);
  });

  it("renderSvg(spec) is about 600 px wide, as the theme intends", async () => {
    for (const spec of [barsSpec(), reluSpec()]) {
      const width = Number(/<svg[^>]* width="(\d+(\.\d+)?)"/.exec(await renderSvg(spec))?.[1]);
      expect(width).toBeGreaterThan(CHART_THEME.width);
      expect(width).toBeLessThan(700);
    }
  });
});

describe("renderPng", () => {
  it("renderPng(spec) is a mostly white picture with bars and dark title text", async () => {
    const img = await pixels(await renderPng(barsSpec()));
    expect(img.width).toBeGreaterThan(540);
    expect(img.width).toBeLessThan(700);
    expect(img.height).toBeGreaterThan(250);
    const all = { x0: 0, y0: 0, x1: img.width, y1: img.height };
    const inked = count(img, all, isNotWhite) / (img.width * img.height);
    expect(inked).toBeGreaterThan(0.03);
    expect(inked).toBeLessThan(0.4);
    // the title, bold and dark, in the top-left corner (anchor "start", padding 12)
    expect(count(img, { x0: 0, y0: 0, x1: 260, y1: 30 }, isDark)).toBeGreaterThan(150);
    // the predicted bar is orange: many pixels of exactly the theme colour
    const orange = [0xff, 0x7f, 0x0e];
    expect(count(img, all, (p) => p.every((v, k) => Math.abs(v - orange[k]) <= 2))).toBeGreaterThan(2000);
  });

  it("renderPng(spec, {scale: 2}) doubles both sides", async () => {
    const spec = reluSpec();
    const one = await sharp(await renderPng(spec)).metadata();
    const two = await sharp(await renderPng(spec, { scale: 2 })).metadata();
    expect(two.width).toBe(2 * (one.width ?? 0));
    expect(two.height).toBe(2 * (one.height ?? 0));
  });
});

describe("svgToPng", () => {
  const textSvg = (text: string) =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="40"><text x="10" y="28" font-family="No Such Font, sans-serif" font-size="20">${text}</text></svg>`;

  it("svgToPng(svg) draws text with the bundled DejaVu Sans and never loads system fonts", async () => {
    const options = resvgOptions(1);
    expect(options.font?.loadSystemFonts).toBe(false);
    expect(options.font?.fontFiles?.map((f) => f.split(/[\\/]/).pop())).toEqual(["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"]);
    for (const f of options.font?.fontFiles ?? []) expect(existsSync(f)).toBe(true);
    const img = await pixels(await svgToPng(textSvg("Hello, chart")));
    expect(count(img, { x0: 0, y0: 0, x1: 240, y1: 40 }, isDark)).toBeGreaterThan(100);
    // and the same text with no font loaded at all draws nothing: the ink above came from our file
    const bare = await pixels((await renderAsync(textSvg("Hello, chart"), { font: { loadSystemFonts: false }, background: "white" })).asPng());
    expect(count(bare, { x0: 0, y0: 0, x1: 240, y1: 40 }, isDark)).toBe(0);
  });

  it("svgToPng(svg) draws text as wide as textWidth() measures it, so Vega's layout matches the picture", async () => {
    const regular = readFontMetrics(readFileSync(chartFontFiles().regular));
    for (const text of ["Ankle boot", "probability", "WWWW mmmm iiii"]) {
      const img = await pixels(await svgToPng(textSvg(text)));
      let x0 = img.width;
      let x1 = 0;
      for (let x = 0; x < img.width; x++) {
        if (count(img, { x0: x, y0: 0, x1: x + 1, y1: img.height }, isNotWhite) > 0) {
          x0 = Math.min(x0, x);
          x1 = Math.max(x1, x + 1);
        }
      }
      // ink is the advance width minus the side bearings of the first and last glyph
      const advance = textWidth(regular, text, 20);
      expect(x1 - x0).toBeLessThanOrEqual(advance + 1);
      expect(x1 - x0).toBeGreaterThan(advance - 6);
    }
  });

  it("svgToPng(svg, {scale}) rejects a scale outside (0, 16]", async () => {
    await expect(svgToPng(textSvg("x"), { scale: 0 })).rejects.toThrow(/scale must be a number in \(0, 16\], got 0/);
  });
});

describe("writeChart", () => {
  const dir = () => mkdtempSync(join(tmpdir(), "chart-"));

  it("writeChart(base, spec) writes base.svg and base.png and leaves no temporary files", async () => {
    const d = dir();
    const written = await writeChart(join(d, "softmax"), barsSpec());
    expect(written).toEqual([join(d, "softmax.svg"), join(d, "softmax.png")]);
    expect(readdirSync(d).sort()).toEqual(["softmax.png", "softmax.svg"]);
    expect(readFileSync(join(d, "softmax.svg"), "utf8")).toContain("Softmax of test image 17");
    expect((await sharp(join(d, "softmax.png")).metadata()).format).toBe("png");
  });

  it("writeChart(path.png, spec) writes only the format its extension names, unless told otherwise", async () => {
    const d = dir();
    expect(await writeChart(join(d, "h.png"), reluSpec())).toEqual([join(d, "h.png")]);
    expect(await writeChart(join(d, "k.svg"), reluSpec(), { formats: ["svg", "png"] })).toEqual([join(d, "k.svg"), join(d, "k.png")]);
    expect(readdirSync(d).sort()).toEqual(["h.png", "k.png", "k.svg"]);
  });

  it("writeChart(path, spec, {formats: ['pdf']}) throws a RangeError naming the allowed formats", async () => {
    await expect(writeChart(join(dir(), "x"), reluSpec(), { formats: ["pdf" as "svg"] })).rejects.toThrow(
      "formats must be a non-empty list of svg, png, got [pdf]",
    );
  });
});

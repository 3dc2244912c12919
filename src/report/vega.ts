/**
 * Renders Vega-Lite specs to SVG (Vega's headless renderer) and PNG (resvg), in Node, with no
 * system fonts: text is measured and drawn with DejaVu Sans loaded from the `dejavu-fonts-ttf`
 * package, so a chart looks the same on every machine.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { extname } from "node:path";
import { renderAsync, type ResvgRenderOptions } from "@resvg/resvg-js";
import type { TopLevelSpec } from "vega-lite";
import { writeFileAtomic } from "../util/atomic.js";
import { type FontMetrics, readFontMetrics, textWidth } from "./fontMetrics.js";

export { CHART_THEME, chartConfig } from "./charts/theme.js";
export type { TopLevelSpec } from "vega-lite";

export type ChartFormat = "svg" | "png";
const FORMATS: readonly ChartFormat[] = ["svg", "png"];

/** The font files every chart is drawn with; nothing else is loaded. */
export const CHART_FONT = {
  family: "DejaVu Sans",
  regular: "dejavu-fonts-ttf/ttf/DejaVuSans.ttf",
  bold: "dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf",
} as const;

const require = createRequire(import.meta.url);

/** Absolute paths of the regular and bold chart font files. */
export function chartFontFiles(): { regular: string; bold: string } {
  return { regular: require.resolve(CHART_FONT.regular), bold: require.resolve(CHART_FONT.bold) };
}

/**
 * The SVG of a Vega-Lite spec.
 * @example (await renderSvg(histogramSpec({ values: Float32Array.of(1, 2, 3), title: "conv1" }))).slice(0, 4) // "<svg"
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import("vega"), import("vega-lite")]);
  useChartFontMetrics(vega);
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Options for {@link renderPng} and {@link svgToPng}. */
export interface PngOptions {
  /** Pixels per CSS pixel of the chart: 2 for high-density screens and print. Default 1. */
  scale?: number;
}

/** PNG bytes of a Vega-Lite spec, on a white background. */
export async function renderPng(spec: TopLevelSpec, options: PngOptions = {}): Promise<Buffer> {
  return svgToPng(await renderSvg(spec), options);
}

/** Rasterises an SVG with the chart font only (system fonts are never loaded). */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Buffer> {
  const scale = options.scale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 16)) {
    throw new RangeError(`scale must be a number in (0, 16], got ${scale}`);
  }
  const image = await renderAsync(svg, resvgOptions(scale));
  return image.asPng();
}

/** resvg's options: only the chart font files, never system fonts, so output is the same everywhere. */
export function resvgOptions(scale: number): ResvgRenderOptions {
  const files = chartFontFiles();
  return {
    font: {
      loadSystemFonts: false,
      fontFiles: [files.regular, files.bold],
      defaultFontFamily: CHART_FONT.family,
      sansSerifFamily: CHART_FONT.family,
    },
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    shapeRendering: 2,
    textRendering: 1,
  };
}

/** Options for {@link writeChart}. */
export interface WriteChartOptions {
  /** Files to write; by default the one named by the path's extension, else both. */
  formats?: readonly ChartFormat[];
  scale?: number;
}

/**
 * Writes a chart as `path.svg` and/or `path.png`, each atomically; `path` may end in `.svg` or
 * `.png` (then that format alone is written unless `formats` says otherwise). Returns the files.
 * @example await writeChart("out/softmax", spec) // ["out/softmax.svg", "out/softmax.png"]
 */
export async function writeChart(path: string, spec: TopLevelSpec, options: WriteChartOptions = {}): Promise<string[]> {
  const ext = extname(path).toLowerCase().slice(1);
  const hasFormatExt = (FORMATS as readonly string[]).includes(ext);
  const base = hasFormatExt ? path.slice(0, -ext.length - 1) : path;
  const formats = options.formats ?? (hasFormatExt ? [ext as ChartFormat] : FORMATS);
  const bad = formats.filter((f) => !FORMATS.includes(f));
  if (bad.length > 0 || formats.length === 0) {
    throw new RangeError(`formats must be a non-empty list of ${FORMATS.join(", ")}, got [${formats.join(", ")}]`);
  }
  const svg = await renderSvg(spec);
  const written: string[] = [];
  for (const format of new Set(formats)) {
    const file = `${base}.${format}`;
    writeFileAtomic(file, format === "svg" ? svg : await svgToPng(svg, { scale: options.scale }));
    written.push(file);
  }
  return written;
}

/** The part of vega-scenegraph's `textMetrics` hook that layout calls (not in vega's typings). */
interface TextMetricsHook {
  width: (item: TextItem, text?: unknown) => number;
}
interface TextItem {
  fontSize?: number | string;
  fontWeight?: number | string;
  limit?: number;
}

let metrics: { regular: FontMetrics; bold: FontMetrics } | undefined;

/**
 * Makes Vega measure text with the chart font's real advance widths. Without a canvas, Vega guesses
 * 0.8 em per character, which spreads axis titles and legends far from what is drawn.
 * NOTE: this sets Vega's process-wide `textMetrics.width` hook, as vl-convert does; it is idempotent.
 */
function useChartFontMetrics(vega: unknown): void {
  const hook = (vega as { textMetrics: TextMetricsHook }).textMetrics;
  if (metrics === undefined) {
    const files = chartFontFiles();
    metrics = { regular: readFontMetrics(readFileSync(files.regular)), bold: readFontMetrics(readFileSync(files.bold)) };
  }
  const fonts = metrics;
  hook.width = (item, text) => {
    const size = item.fontSize == null ? 11 : Number(item.fontSize) || 0;
    const weight = item.fontWeight;
    const bold = weight === "bold" || weight === "bolder" || Number(weight) >= 600;
    const w = textWidth(bold ? fonts.bold : fonts.regular, text == null ? "" : String(text).trim(), size);
    // Vega truncates text longer than `limit` before drawing it, so it is never wider than that.
    return item.limit != null && item.limit > 0 ? Math.min(w, item.limit) : w;
  };
}

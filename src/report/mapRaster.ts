import { COLOR_CAPTION, type MapScatterOptions, misclassifiedLabel, pointStyle, ringStyle } from "./charts/scatter.js";
import { hexRgb, MAP_STYLE, type MapPoints, mapPoints, rampColor } from "./charts/mapPoints.js";
import { CHART_THEME } from "./charts/theme.js";
import { GLYPH } from "./font-data.js";
import { createRaster, drawText, fillRect, INK, MUTED, type Raster, type Rgb, textSize } from "./raster.js";

/**
 * The map of charts/scatter.ts drawn straight into an RGB raster: the same points, colours,
 * drawing order and rings as the Vega-Lite spec, the legend as text. For maps of tens of
 * thousands of points, where an SVG scatter is slow to draw and many megabytes large.
 */

export const MAP_RASTER_DEFAULTS = {
  /** Side of the square plot area in pixels (the Vega chart's 480 px, 1.5×). */
  plot: 720,
  margin: 12,
  legendGap: 16,
} as const;

/** The size the Vega chart's plot area has; point sizes are scaled from it. */
const VEGA_PLOT = CHART_THEME.height + 200;

/**
 * Draws the map of {@link MapScatterOptions} as a raster.
 * @example renderMapRaster({ embedding, dims: 2, labels, classes, title: "t-SNE" }).height // 720 px plot + title and margins
 */
export function renderMapRaster(o: MapScatterOptions, options: { plot?: number } = {}): Raster {
  const p = mapPoints(o);
  const plot = options.plot ?? MAP_RASTER_DEFAULTS.plot;
  const { margin, legendGap } = MAP_RASTER_DEFAULTS;
  const title = ascii(o.title);
  const subtitle = ascii([o.subtitle, p.reference ? `grey: ${p.reference.label}` : "", o.subtitle ? "" : COLOR_CAPTION[p.color]].filter(Boolean).join(" - "));
  const titleScale = textSize(title, 2).width + 2 * margin <= plot + 240 ? 2 : 1;
  const legend = legendLines(p);
  const legendW = Math.max(0, ...legend.map((l) => 16 + textSize(l.text).width));
  const top = margin + GLYPH.height * titleScale + (subtitle ? GLYPH.height + 6 : 0) + 10;
  const width = Math.max(margin * 2 + plot + legendGap + legendW, margin * 2 + textSize(title, titleScale).width, margin * 2 + textSize(subtitle).width);
  const r = createRaster(width, top + plot + margin);
  drawText(r, title, margin, margin, INK, titleScale);
  if (subtitle) drawText(r, subtitle, margin, margin + GLYPH.height * titleScale + 4, MUTED);
  const grid = hexRgb(CHART_THEME.color.grid);
  fillRect(r, margin - 1, top - 1, plot + 2, 1, grid);
  fillRect(r, margin - 1, top + plot, plot + 2, 1, grid);
  fillRect(r, margin - 1, top, 1, plot, grid);
  fillRect(r, margin + plot, top, 1, plot, grid);
  const view = { x0: margin, y0: top, size: plot, ...extent(p) };
  drawPoints(r, p, view);
  drawLegend(r, legend, margin + plot + legendGap, top);
  return r;
}

interface View {
  x0: number;
  y0: number;
  size: number;
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
}

/** The data range over the points and the reference, as Vega's shared, un-niced scales take it. */
function extent(p: MapPoints): { xmin: number; xmax: number; ymin: number; ymax: number } {
  let [xmin, xmax, ymin, ymax] = [Infinity, -Infinity, Infinity, -Infinity];
  const take = (x: Float32Array, y: Float32Array) => {
    for (let i = 0; i < x.length; i++) {
      if (x[i] < xmin) xmin = x[i];
      if (x[i] > xmax) xmax = x[i];
      if (y[i] < ymin) ymin = y[i];
      if (y[i] > ymax) ymax = y[i];
    }
  };
  take(p.x, p.y);
  if (p.reference) take(p.reference.x, p.reference.y);
  if (!(xmax > xmin)) [xmin, xmax] = [xmin - 1, xmin + 1];
  if (!(ymax > ymin)) [ymin, ymax] = [ymin - 1, ymin + 1];
  return { xmin, xmax, ymin, ymax };
}

function drawPoints(r: Raster, p: MapPoints, v: View): void {
  const scale = v.size / VEGA_PLOT;
  const px = (x: number) => v.x0 + ((x - v.xmin) / (v.xmax - v.xmin)) * (v.size - 1);
  const py = (y: number) => v.y0 + (1 - (y - v.ymin) / (v.ymax - v.ymin)) * (v.size - 1);
  if (p.reference) {
    const s = pointStyle(p.reference.n);
    const color = hexRgb(MAP_STYLE.reference);
    for (let i = 0; i < p.reference.n; i++) disc(r, px(p.reference.x[i]), py(p.reference.y[i]), radius(s.size) * scale, color, Math.min(s.opacity, 0.6));
  }
  const s = pointStyle(p.n);
  const rad = radius(s.size) * scale;
  const palette = p.legend.map((e) => hexRgb(e.color));
  const single = hexRgb(MAP_STYLE.single);
  const missing = hexRgb(MAP_STYLE.unlabelled);
  const colorOf = (i: number) => (p.category ? palette[p.category[i]] : p.value ? (Number.isFinite(p.value[i]) ? rampColor(p.ramp, p.domain, p.value[i]) : missing) : single);
  for (const i of p.order) disc(r, px(p.x[i]), py(p.y[i]), rad, colorOf(i), s.opacity);
  if (p.wrong) {
    const c = ringStyle(p.n);
    const ink = hexRgb(MAP_STYLE.mark);
    for (let i = 0; i < p.n; i++) if (p.wrong[i]) ring(r, px(p.x[i]), py(p.y[i]), radius(c.size) * scale, Math.max(0.8, c.strokeWidth * scale), ink, c.opacity);
    // the misclassified points again, over their rings, so each keeps its class colour
    for (const i of p.order) if (p.wrong[i]) disc(r, px(p.x[i]), py(p.y[i]), rad, colorOf(i), 1);
  }
}

/** The radius of a Vega circle of area `size`. */
function radius(size: number): number {
  return Math.sqrt(size / Math.PI);
}

/** Blends `color` over the pixel at (x, y) with weight `alpha`. */
function blend(r: Raster, x: number, y: number, color: Rgb, alpha: number): void {
  if (alpha <= 0 || x < 0 || y < 0 || x >= r.width || y >= r.height) return;
  const t = (y * r.width + x) * 3;
  for (let k = 0; k < 3; k++) r.data[t + k] = Math.round(r.data[t + k] * (1 - alpha) + color[k] * alpha);
}

/** An anti-aliased filled circle. */
function disc(r: Raster, cx: number, cy: number, rad: number, color: Rgb, opacity: number): void {
  const reach = Math.max(0.75, rad);
  for (let y = Math.floor(cy - reach - 0.5); y <= Math.ceil(cy + reach + 0.5); y++) {
    for (let x = Math.floor(cx - reach - 0.5); x <= Math.ceil(cx + reach + 0.5); x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      blend(r, x, y, color, Math.min(1, Math.max(0, reach + 0.5 - d)) * opacity);
    }
  }
}

/** An anti-aliased circle outline of radius `rad` and line width `w`. */
function ring(r: Raster, cx: number, cy: number, rad: number, w: number, color: Rgb, opacity: number): void {
  const reach = rad + w / 2 + 1;
  for (let y = Math.floor(cy - reach); y <= Math.ceil(cy + reach); y++) {
    for (let x = Math.floor(cx - reach); x <= Math.ceil(cx + reach); x++) {
      const d = Math.abs(Math.hypot(x + 0.5 - cx, y + 0.5 - cy) - rad);
      blend(r, x, y, color, Math.min(1, Math.max(0, w / 2 + 0.5 - d)) * opacity);
    }
  }
}

interface LegendLine {
  text: string;
  swatch: "disc" | "ring" | "ramp" | "none";
  color: Rgb;
  /** For "ramp": the scale, drawn as a bar from `text` (high) down to `low`. */
  ramp?: { stops: string[]; domain: [number, number]; low: string };
}

const RAMP_HEIGHT = 120;

function legendLines(p: MapPoints): LegendLine[] {
  const lines: LegendLine[] = p.legend.map((e) => ({ text: ascii(e.label), swatch: "disc", color: hexRgb(e.color) }));
  if (p.value) {
    const fmt = (v: number) => String(Number(v.toPrecision(2)));
    lines.push({ text: p.color, swatch: "none", color: INK });
    const high = `${fmt(p.domain[1])}${p.color === "loss" ? " and above" : ""}`;
    lines.push({ text: high, swatch: "ramp", color: INK, ramp: { stops: p.ramp, domain: p.domain, low: fmt(p.domain[0]) } });
  }
  if (p.wrong && p.wrongCount > 0) lines.push({ text: misclassifiedLabel(p.wrongCount), swatch: "ring", color: hexRgb(MAP_STYLE.mark) });
  if (p.reference) lines.push({ text: ascii(p.reference.label), swatch: "disc", color: hexRgb(MAP_STYLE.reference) });
  return lines;
}

function drawLegend(r: Raster, lines: LegendLine[], x: number, y: number): void {
  const step = GLYPH.height + 6;
  let row = y;
  for (const l of lines) {
    const mid = row + GLYPH.height / 2;
    if (l.swatch === "disc") disc(r, x + 5, mid, 4.5, l.color, 1);
    if (l.swatch === "ring") ring(r, x + 5, mid, 4, 1.5, l.color, 1);
    drawText(r, l.text, x + (l.swatch === "none" ? 0 : 16), row, INK);
    if (l.ramp) {
      const { stops, domain, low } = l.ramp;
      for (let k = 0; k < RAMP_HEIGHT; k++) fillRect(r, x, row + k, 10, 1, rampColor(stops, domain, domain[1] - ((domain[1] - domain[0]) * k) / (RAMP_HEIGHT - 1)));
      drawText(r, low, x + 16, row + RAMP_HEIGHT - GLYPH.height, INK);
      row += RAMP_HEIGHT - step + 6;
    }
    row += step;
  }
}

/** Text in the raster font's ASCII: "·" "×" "−" "–" "…" become "-", "x", "-", "-", "...". */
export function ascii(text: string): string {
  return text.replace(/·/g, "-").replace(/×/g, "x").replace(/[−–—]/g, "-").replace(/…/g, "...").replace(/[^\x20-\x7e]/g, "?");
}

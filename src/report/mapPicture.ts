import { mapScatterSpec, type MapScatterOptions } from "./charts/scatter.js";
import { renderMapRaster } from "./mapRaster.js";
import { encodePng } from "./raster.js";
import { renderSvg, svgToPng } from "./vega.js";
import { writeFileAtomic } from "../util/atomic.js";

/**
 * A map as a picture, by the renderer that suits its size: the Vega-Lite spec (SVG, or PNG through
 * resvg) up to {@link MAP_RASTER_THRESHOLD} points, the direct raster above it. Measured here (2
 * shared cores) on t-SNE maps coloured by class with the misclassified ringed — 1,000 points: Vega
 * SVG 0.13 s (0.28 MB) + PNG 0.07 s, raster 0.06 s + PNG 0.10 s; 70,000 points: Vega SVG 1.7 s
 * (20 MB) + PNG 1.8 s, raster 0.27 s + PNG 0.10 s (0.6 MB, its plot 1.5× larger).
 */

/** Above this many points (map plus reference), PNGs are drawn by the raster renderer. */
export const MAP_RASTER_THRESHOLD = 20_000;

/** Above this many points, the HTML report embeds the map as a PNG rather than an SVG (an SVG has ~150 bytes a point). */
export const MAP_SVG_LIMIT = 5_000;

/** Points a map picture draws: its own and its reference layer's. */
export function mapPointCount(o: MapScatterOptions): number {
  return Math.floor(o.embedding.length / o.dims) + (o.reference ? Math.floor(o.reference.embedding.length / o.reference.dims) : 0);
}

/** PNG bytes of a map: Vega's rendering up to `threshold` points, the raster above. */
export async function renderMapPng(o: MapScatterOptions, threshold = MAP_RASTER_THRESHOLD): Promise<{ png: Buffer; renderer: "vega" | "raster" }> {
  if (mapPointCount(o) > threshold) return { png: await encodePng(renderMapRaster(o)), renderer: "raster" };
  return { png: await svgToPng(await renderSvg(mapScatterSpec(o))), renderer: "vega" };
}

/** Writes a map as a PNG file (atomically), by the renderer that suits its size. */
export async function writeMapPng(file: string, o: MapScatterOptions): Promise<"vega" | "raster"> {
  const { png, renderer } = await renderMapPng(o);
  writeFileAtomic(file, png);
  return renderer;
}

/** A map for a web page: an SVG while it stays small, else a PNG drawn as a raster. */
export async function renderMapForPage(o: MapScatterOptions): Promise<{ svg: string } | { png: Buffer }> {
  if (mapPointCount(o) > MAP_SVG_LIMIT) return { png: await encodePng(renderMapRaster(o)) };
  return { svg: await renderSvg(mapScatterSpec(o)) };
}

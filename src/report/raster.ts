import sharp from "sharp";
import { writeFileAtomic } from "../util/atomic.js";
import { ATLAS_BASE64, GLYPH } from "./font-data.js";

/** An RGB picture: `data` is height·width·3 bytes, row-major. */
export interface Raster {
  width: number;
  height: number;
  data: Uint8Array;
}

export type Rgb = readonly [number, number, number];

export const WHITE: Rgb = [255, 255, 255];
export const BLACK: Rgb = [0, 0, 0];
export const INK: Rgb = [34, 34, 34];
export const MUTED: Rgb = [110, 110, 110];

/** A new raster filled with `background`. */
export function createRaster(width: number, height: number, background: Rgb = WHITE): Raster {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new RangeError(`raster size must be positive integers, got ${width}×${height}`);
  }
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < data.length; p += 3) data.set(background, p);
  return { width, height, data };
}

/** Fills a rectangle, clipped to the raster. */
export function fillRect(r: Raster, x: number, y: number, w: number, h: number, color: Rgb): void {
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(r.width, x + w);
  const y1 = Math.min(r.height, y + h);
  for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) r.data.set(color, (yy * r.width + xx) * 3);
}

/**
 * Draws an image (1 channel: gray; 3: RGB; 4: RGB with alpha ignored) with its top-left corner at
 * (x, y), each pixel as a `scale`×`scale` block (nearest neighbour, so pixels stay crisp).
 */
export function drawImage(
  r: Raster,
  img: { data: Uint8Array; width: number; height: number; channels: number },
  x: number,
  y: number,
  scale = 1,
): void {
  const { width, height, channels, data } = img;
  for (let sy = 0; sy < height * scale; sy++) {
    const ty = y + sy;
    if (ty < 0 || ty >= r.height) continue;
    const row = Math.floor(sy / scale) * width;
    for (let sx = 0; sx < width * scale; sx++) {
      const tx = x + sx;
      if (tx < 0 || tx >= r.width) continue;
      const s = (row + Math.floor(sx / scale)) * channels;
      const t = (ty * r.width + tx) * 3;
      if (channels < 3) {
        r.data[t] = r.data[t + 1] = r.data[t + 2] = data[s];
      } else {
        r.data[t] = data[s];
        r.data[t + 1] = data[s + 1];
        r.data[t + 2] = data[s + 2];
      }
    }
  }
}

let atlas: Uint8Array | undefined;
function glyphAtlas(): Uint8Array {
  atlas ??= Uint8Array.from(Buffer.from(ATLAS_BASE64, "base64"));
  return atlas;
}

/** Pixel width and height of `text` drawn at `scale` (monospace: every character is one cell). */
export function textSize(text: string, scale = 1): { width: number; height: number } {
  return { width: text.length * GLYPH.width * scale, height: GLYPH.height * scale };
}

/** Draws `text` with its top-left corner at (x, y), blending the anti-aliased glyphs over the raster. */
export function drawText(r: Raster, text: string, x: number, y: number, color: Rgb = INK, scale = 1): void {
  const a = glyphAtlas();
  const rowStride = GLYPH.width * GLYPH.count;
  for (let c = 0; c < text.length; c++) {
    let code = text.charCodeAt(c) - GLYPH.first;
    if (code < 0 || code >= GLYPH.count) code = "?".charCodeAt(0) - GLYPH.first;
    for (let gy = 0; gy < GLYPH.height * scale; gy++) {
      const ty = y + gy;
      if (ty < 0 || ty >= r.height) continue;
      for (let gx = 0; gx < GLYPH.width * scale; gx++) {
        const tx = x + c * GLYPH.width * scale + gx;
        if (tx < 0 || tx >= r.width) continue;
        const cov = a[Math.floor(gy / scale) * rowStride + code * GLYPH.width + Math.floor(gx / scale)] / 255;
        if (cov === 0) continue;
        const t = (ty * r.width + tx) * 3;
        for (let k = 0; k < 3; k++) r.data[t + k] = Math.round(r.data[t + k] * (1 - cov) + color[k] * cov);
      }
    }
  }
}

/** Cuts `text` to at most `maxChars` characters, ending in "…" rendered as "..". */
export function fitText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return maxChars <= 2 ? text.slice(0, maxChars) : `${text.slice(0, maxChars - 2)}..`;
}

/** PNG bytes of a raster. */
export async function encodePng(r: Raster): Promise<Buffer> {
  return sharp(r.data, { raw: { width: r.width, height: r.height, channels: 3 } }).png({ compressionLevel: 9 }).toBuffer();
}

/** Writes a raster as a PNG file, atomically. */
export async function writePng(path: string, r: Raster): Promise<void> {
  writeFileAtomic(path, await encodePng(r));
}

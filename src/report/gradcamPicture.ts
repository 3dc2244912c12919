import { type GradCamMap, normalize, upsampleBilinear } from "../nn/gradcam.js";
import { colormapTable } from "./colormap.js";
import { GLYPH } from "./font-data.js";
import { createRaster, drawImage, drawText, fitText, INK, MUTED, type Raster, textSize, writePng } from "./raster.js";

/**
 * Pictures of Grad-CAM and saliency maps (nn/gradcam.ts): the image in grey, the map in viridis
 * laid over it (the hotter a pixel, the more of the colour shows), and the map alone — each panel
 * magnified, Grad-CAM smoothly (it is a bilinear upsampling of a coarse map), the image and the
 * saliency with crisp pixels.
 */

export const GRADCAM_PICTURE_DEFAULTS = {
  /** Each panel is at least this many pixels across. */
  minPanelPixels: 168,
  /** Opacity of the colour over the grey image: `floor` where the map is 0, `floor + gain` where it is 1. */
  floor: 0.12,
  gain: 0.7,
  gap: 8,
  margin: 10,
} as const;

/** The image as it is drawn under a map. */
export interface PictureImage {
  height: number;
  width: number;
  channels: number;
  pixels: Uint8Array;
}

/** Options for {@link renderGradCamPicture}. */
export interface GradCamPictureOptions {
  image: PictureImage;
  map: GradCamMap;
  /** Which map: Grad-CAM (`heatmap`) or saliency. */
  kind: "gradcam" | "saliency";
  /** The title: what was explained ("Grad-CAM of /relu6/Relu for Trouser"). */
  title: string;
  /** Lines in small type under the title. */
  notes?: string[];
}

/** Grey values (0..255) of an image of 1, 3 or 4 channels (ITU-R BT.601 luma for colour). */
export function greyOf(img: PictureImage): Float32Array {
  const n = img.height * img.width;
  const out = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const c = img.channels;
    out[p] = c === 1 ? img.pixels[p] : 0.299 * img.pixels[p * c] + 0.587 * img.pixels[p * c + 1] + 0.114 * img.pixels[p * c + 2];
  }
  return out;
}

/**
 * RGB bytes of `heat` (values in [0, 1], `size`×`size` of the panel) in viridis over `grey` (the
 * image at the same size): colour · a + grey · (1 − a), with a rising with the heat, so the cold
 * parts keep the image readable.
 */
export function overlay(grey: Float32Array, heat: Float32Array): Uint8Array {
  const table = colormapTable("viridis");
  const { floor, gain } = GRADCAM_PICTURE_DEFAULTS;
  const out = new Uint8Array(heat.length * 3);
  for (let p = 0; p < heat.length; p++) {
    const h = Math.min(1, Math.max(0, heat[p]));
    const k = 3 * Math.round(h * 255);
    const a = floor + gain * h;
    for (let c = 0; c < 3; c++) out[3 * p + c] = Math.round(table[k + c] * a + grey[p] * (1 - a));
  }
  return out;
}

/** RGB bytes of values in [0, 1] through viridis. */
export function colorize(heat: Float32Array): Uint8Array {
  const table = colormapTable("viridis");
  const out = new Uint8Array(heat.length * 3);
  for (let p = 0; p < heat.length; p++) {
    const k = 3 * Math.round(Math.min(1, Math.max(0, heat[p])) * 255);
    out.set(table.subarray(k, k + 3), 3 * p);
  }
  return out;
}

/** Nearest-neighbour magnification of a one-channel map. */
function magnify(x: Float32Array, h: number, w: number, scale: number): Float32Array {
  const out = new Float32Array(h * scale * w * scale);
  for (let y = 0; y < h * scale; y++) for (let xx = 0; xx < w * scale; xx++) out[y * w * scale + xx] = x[Math.floor(y / scale) * w + Math.floor(xx / scale)];
  return out;
}

/**
 * Three panels side by side — the image, the map over it, the map alone — under a title, with a
 * colour bar ("low ▮▮▮ high") at the bottom.
 * @example renderGradCamPicture({ image, map, kind: "gradcam", title: "Grad-CAM" }).height // 28-px images: 3 panels of 168 px
 */
export function renderGradCamPicture(o: GradCamPictureOptions): Raster {
  const d = GRADCAM_PICTURE_DEFAULTS;
  const { height: H, width: W } = o.image;
  const scale = Math.max(1, Math.ceil(d.minPanelPixels / Math.max(H, W)));
  const ph = H * scale;
  const pw = W * scale;
  const grey = magnify(greyOf(o.image), H, W, scale);
  const m = o.map;
  // the map at the image's size: Grad-CAM smooth (bilinear), saliency crisp (nearest) and scaled to [0, 1] for display
  const heat = o.kind === "gradcam" ? clamp01(upsampleBilinear(m.heatmap, m.height, m.width, ph, pw)) : magnify(resizeTo(normalize(m.saliency), m.height, m.width, H, W), H, W, scale);
  const flat = o.kind === "gradcam" ? !m.cam.some((v) => v > 0) : !m.saliency.some((v) => v > 0);
  const notes = [...(o.notes ?? []), ...(flat ? [o.kind === "gradcam" ? "all 0: the weighted sum of the maps is negative everywhere (ReLU)" : "all 0: no pixel changes the logit"] : [])];
  const line = GLYPH.height + 2;
  const titleH = GLYPH.height * 2 + d.gap + notes.length * line;
  const captionH = line;
  const barH = line + 4;
  const panels = [
    { caption: "image", data: greyBytes(grey) },
    { caption: o.kind === "gradcam" ? "Grad-CAM over the image" : "saliency over the image", data: overlay(grey, heat) },
    { caption: o.kind === "gradcam" ? "Grad-CAM alone" : "saliency alone", data: colorize(heat) },
  ];
  const width = Math.max(d.margin * 2 + 3 * pw + 2 * d.gap, d.margin * 2 + textSize(o.title, 2).width, d.margin * 2 + Math.max(0, ...notes.map((n) => textSize(n).width)));
  const r = createRaster(width, d.margin * 2 + titleH + ph + captionH + barH);
  drawText(r, o.title, d.margin, d.margin, INK, 2);
  notes.forEach((n, i) => drawText(r, n, d.margin, d.margin + GLYPH.height * 2 + 4 + i * line, MUTED));
  const top = d.margin + titleH;
  panels.forEach((p, i) => {
    const x = d.margin + i * (pw + d.gap);
    drawImage(r, { data: p.data, width: pw, height: ph, channels: 3 }, x, top);
    drawText(r, fitText(p.caption, Math.floor(pw / GLYPH.width)), x, top + ph + 1, MUTED);
  });
  colourBar(r, d.margin, top + ph + captionH + 2, "0", o.kind === "gradcam" ? "1 (most important)" : "largest |dy/dx|");
  return r;
}

/** Writes {@link renderGradCamPicture} as a PNG file, atomically. */
export async function writeGradCamPicture(path: string, o: GradCamPictureOptions): Promise<void> {
  await writePng(path, renderGradCamPicture(o));
}

function clamp01(x: Float32Array): Float32Array {
  return x.map((v) => Math.min(1, Math.max(0, v)));
}

function greyBytes(grey: Float32Array): Uint8Array {
  const out = new Uint8Array(grey.length * 3);
  for (let p = 0; p < grey.length; p++) out.fill(Math.round(grey[p]), 3 * p, 3 * p + 3);
  return out;
}

/** A map of the model's input size at the image's size (they differ when the model resizes its input). */
function resizeTo(x: Float32Array, h: number, w: number, outH: number, outW: number): Float32Array {
  return h === outH && w === outW ? x : upsampleBilinear(x, h, w, outH, outW);
}

function colourBar(r: Raster, x: number, y: number, low: string, high: string): void {
  const table = colormapTable("viridis");
  const width = 128;
  drawText(r, low, x, y, MUTED);
  const bx = x + textSize(`${low} `).width;
  const bar = new Uint8Array(width * 3);
  for (let i = 0; i < width; i++) {
    const k = 3 * Math.round((i / (width - 1)) * 255);
    bar.set(table.subarray(k, k + 3), 3 * i);
  }
  for (let row = 0; row < GLYPH.height - 2; row++) drawImage(r, { data: bar, width, height: 1, channels: 3 }, bx, y + 1 + row);
  drawText(r, high, bx + width + GLYPH.width, y, MUTED);
}

import sharp from "sharp";
import type { AtlasInfo } from "../api/types.js";
import { API_LIMITS } from "../api/types.js";
import type { Dataset } from "../data/dataset.js";

/**
 * Images as PNG for the app: one image magnified, and atlas pages — many thumbnails in one
 * picture, which the map uploads as a texture to draw images in place of points.
 *
 * An atlas page is a square of `perRow` × `perRow` cells of `size` px (perRow·size px a side);
 * thumbnail i of the scope is on page ⌊i / perPage⌋, at cell j = i mod perPage: column j mod
 * perRow, row ⌊j / perRow⌋. Each image is shrunk or grown to fit its cell (aspect kept, centred,
 * area-averaged); cells past the last image are black.
 */

/**
 * The atlas layout of `n` images at thumbnail size `size`: up to 64 × 64 thumbnails a page, fewer
 * for small sets (⌈√n⌉ a side), so a page is never larger than it needs to be.
 * @example atlasInfo(300, 32, 1) // { n: 300, size: 32, perRow: 18, perPage: 324, pages: 1, channels: 1 }
 */
export function atlasInfo(n: number, size: number, channels: number): AtlasInfo {
  const maxPerRow = Math.round(Math.sqrt(API_LIMITS.atlasPerPage));
  const perRow = Math.max(1, Math.min(maxPerRow, Math.ceil(Math.sqrt(n))));
  const perPage = perRow * perRow;
  return { n, size, perRow, perPage, pages: Math.max(1, Math.ceil(n / perPage)), channels: channels === 1 ? 1 : 3 };
}

/** One atlas page as PNG (gray for 1-channel images, else RGB). */
export async function atlasPage(ds: Dataset, info: AtlasInfo, page: number): Promise<Buffer> {
  const { size, perRow, perPage } = info;
  const cout = info.channels;
  const side = perRow * size;
  const out = new Uint8Array(side * side * cout);
  const fit = fitter(ds, size);
  const thumb = new Uint8Array(size * size * cout);
  const first = page * perPage;
  for (let i = first; i < Math.min(ds.n, first + perPage); i++) {
    fit(i, thumb);
    const cell = i - first;
    const x0 = (cell % perRow) * size;
    const y0 = Math.floor(cell / perRow) * size;
    for (let y = 0; y < size; y++) out.set(thumb.subarray(y * size * cout, (y + 1) * size * cout), ((y0 + y) * side + x0) * cout);
  }
  return toPng(out, side, side, cout);
}

/** One image magnified `scale` times (nearest neighbour: pixels stay crisp), as PNG. */
export async function imagePng(ds: Dataset, row: number, scale: number): Promise<Buffer> {
  const { height: h, width: w, channels: c } = ds;
  const cout = c === 1 ? 1 : 3;
  const src = ds.images.subarray(row * h * w * c, (row + 1) * h * w * c);
  const W = w * scale;
  const out = new Uint8Array(h * scale * W * cout);
  for (let y = 0; y < h * scale; y++) {
    const sy = Math.floor(y / scale);
    for (let x = 0; x < W; x++) {
      const s = (sy * w + Math.floor(x / scale)) * c;
      const t = (y * W + x) * cout;
      for (let k = 0; k < cout; k++) out[t + k] = src[s + k];
    }
  }
  return toPng(out, W, h * scale, cout);
}

function toPng(data: Uint8Array, width: number, height: number, channels: number): Promise<Buffer> {
  const img = sharp(data, { raw: { width, height, channels: channels as 1 | 3 } });
  return (channels === 1 ? img.toColourspace("b-w") : img).png({ compressionLevel: 3 }).toBuffer();
}

/**
 * A function that writes image i of `ds` as a size×size thumbnail (gray or RGB): scaled to fit
 * with its aspect kept, centred, each output pixel the mean of the source area it covers — a box
 * filter, applied along the rows and then along the columns.
 */
function fitter(ds: Dataset, size: number): (i: number, out: Uint8Array) => void {
  const { height: h, width: w, channels: c } = ds;
  const cout = c === 1 ? 1 : 3;
  const scale = size / Math.max(h, w);
  const tw = Math.max(1, Math.round(w * scale));
  const th = Math.max(1, Math.round(h * scale));
  const ox = Math.floor((size - tw) / 2);
  const oy = Math.floor((size - th) / 2);
  const xs = spans(w, tw);
  const ys = spans(h, th);
  const rows = new Float64Array(h * tw * cout);
  return (i, out) => {
    out.fill(0);
    rows.fill(0);
    const img = ds.images.subarray(i * h * w * c, (i + 1) * h * w * c);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < tw; x++) {
        const t = (y * tw + x) * cout;
        for (let e = xs.start[x]; e < xs.start[x + 1]; e++) {
          const s = (y * w + xs.source[e]) * c;
          for (let k = 0; k < cout; k++) rows[t + k] += xs.weight[e] * img[s + k];
        }
      }
    }
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        const t = ((oy + y) * size + ox + x) * cout;
        for (let k = 0; k < cout; k++) {
          let v = 0;
          for (let e = ys.start[y]; e < ys.start[y + 1]; e++) v += ys.weight[e] * rows[(ys.source[e] * tw + x) * cout + k];
          out[t + k] = Math.round(v);
        }
      }
    }
  };
}

/**
 * For each of `m` output cells, the source pixels (of `n`) it covers and their weights, summing
 * to 1: cell j's are entries start[j]..start[j+1]−1 of `source` and `weight`.
 */
function spans(n: number, m: number): { start: Int32Array; source: Int32Array; weight: Float64Array } {
  const step = n / m;
  const start = new Int32Array(m + 1);
  const source: number[] = [];
  const weight: number[] = [];
  for (let j = 0; j < m; j++) {
    start[j] = source.length;
    const a = j * step;
    const b = (j + 1) * step;
    for (let k = Math.floor(a); k < Math.min(n, Math.ceil(b)); k++) {
      const cover = Math.min(b, k + 1) - Math.max(a, k);
      if (cover > 1e-9) {
        source.push(k);
        weight.push(cover / step);
      }
    }
  }
  start[m] = source.length;
  return { start, source: Int32Array.from(source), weight: Float64Array.from(weight) };
}

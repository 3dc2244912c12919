import sharp from "sharp";
import type { Dataset } from "../data/dataset.js";
import { DataError } from "../util/errors.js";

/**
 * The sprite of TensorBoard's Embedding Projector: every image as a thumbnail in one square grid,
 * ⌈√N⌉ thumbnails a side, in row order (image i at row ⌊i/side⌋, column i mod side). The projector
 * refuses a sprite wider or higher than 8192 px (MAX_SPRITE_IMAGE_SIZE_PX in its data-provider.ts),
 * so thumbnails shrink (area-averaged) when the grid at full size would not fit.
 */

export const SPRITE_DEFAULTS = { maxSide: 8192 } as const;

/** Where the thumbnails go and how big they are. */
export interface SpriteLayout {
  n: number;
  /** Thumbnails per side of the square grid: ⌈√n⌉. */
  side: number;
  /** One thumbnail's size in pixels (the images' own size unless shrunk). */
  width: number;
  height: number;
  /** Whether the thumbnails are smaller than the images. */
  shrunk: boolean;
}

/**
 * The layout of `n` images of height×width in a sprite at most `maxSide` px a side.
 * @example spriteLayout(1000, 28, 28) // { n: 1000, side: 32, width: 28, height: 28, shrunk: false }: 896×896 px
 * @example spriteLayout(100000, 28, 28) // { n: 100000, side: 317, width: 25, height: 25, shrunk: true }: 7925×7925 px
 */
export function spriteLayout(n: number, height: number, width: number, maxSide: number = SPRITE_DEFAULTS.maxSide): SpriteLayout {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`a sprite needs at least one image, got ${n}`);
  const side = Math.ceil(Math.sqrt(n));
  if (side > maxSide) throw new DataError(`${n.toLocaleString("en")} images do not fit in one ${maxSide}×${maxSide} px sprite even at 1 px each`);
  if (side * Math.max(width, height) <= maxSide) return { n, side, width, height, shrunk: false };
  const s = maxSide / (side * Math.max(width, height));
  return { n, side, width: Math.max(1, Math.floor(width * s)), height: Math.max(1, Math.floor(height * s)), shrunk: true };
}

/**
 * The sprite as PNG bytes: gray for 1-channel images, RGB otherwise (alpha dropped); cells past
 * the last image stay black.
 * @example (await spritePng(ds, spriteLayout(ds.n, ds.height, ds.width))).length // ~600 kB for the 1,000 sample:test images
 */
export async function spritePng(ds: Pick<Dataset, "n" | "height" | "width" | "channels" | "images">, layout: SpriteLayout): Promise<Buffer> {
  const { side, width: tw, height: th } = layout;
  const cin = ds.channels;
  const cout = cin === 1 ? 1 : 3;
  const W = side * tw;
  const out = new Uint8Array(W * side * th * cout);
  const resize = layout.shrunk ? areaResize(ds.height, ds.width, th, tw) : null;
  const size = ds.height * ds.width * cin;
  const thumb = new Float32Array(th * tw * cout);
  for (let i = 0; i < Math.min(ds.n, layout.n); i++) {
    const img = ds.images.subarray(i * size, (i + 1) * size);
    const x0 = (i % side) * tw;
    const y0 = Math.floor(i / side) * th;
    if (resize) resize(img, cin, cout, thumb);
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        const o = ((y0 + y) * W + x0 + x) * cout;
        for (let c = 0; c < cout; c++) out[o + c] = resize ? Math.round(thumb[(y * tw + x) * cout + c]) : img[(y * ds.width + x) * cin + c];
      }
    }
  }
  const img = sharp(out, { raw: { width: W, height: side * th, channels: cout } });
  return (cout === 1 ? img.toColourspace("b-w") : img).png({ compressionLevel: 9 }).toBuffer();
}

/**
 * A box filter from h×w to th×tw: each output pixel is the mean of the source area it covers,
 * partly covered pixels weighted by the part (separable: rows of weights times columns of weights).
 */
function areaResize(h: number, w: number, th: number, tw: number): (img: Uint8Array, cin: number, cout: number, out: Float32Array) => void {
  const xs = spans(w, tw);
  const ys = spans(h, th);
  return (img, cin, cout, out) => {
    out.fill(0);
    for (let y = 0; y < th; y++) {
      for (const [sy, wy] of ys[y]) {
        for (let x = 0; x < tw; x++) {
          for (const [sx, wx] of xs[x]) {
            const s = (sy * w + sx) * cin;
            const t = (y * tw + x) * cout;
            for (let c = 0; c < cout; c++) out[t + c] += wy * wx * img[s + c];
          }
        }
      }
    }
  };
}

/** For each of `m` output cells, the source pixels (of `n`) it covers and their weights, summing to 1. */
function spans(n: number, m: number): [number, number][][] {
  const step = n / m;
  return Array.from({ length: m }, (_, j) => {
    const a = j * step;
    const b = (j + 1) * step;
    const cells: [number, number][] = [];
    for (let k = Math.floor(a); k < Math.min(n, Math.ceil(b)); k++) {
      const cover = Math.min(b, k + 1) - Math.max(a, k);
      if (cover > 1e-9) cells.push([k, cover / step]);
    }
    return cells;
  });
}

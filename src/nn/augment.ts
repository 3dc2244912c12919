import type { Rng } from "../util/rng.js";

/** Augmentations of uint8 H×W×C images, in place, as torchvision's RandomCrop(padding) and RandomHorizontalFlip. */
export interface AugmentOptions {
  /** Zero padding on each side before a random crop back to the original size (0 = off). */
  cropPadding: number;
  /** Mirror left–right with probability 1/2. */
  flip: boolean;
}

export const AUGMENT_NONE: AugmentOptions = { cropPadding: 0, flip: false };

/** Augments `n` images stored one after another in `images`. */
export function augmentImages(images: Uint8Array, n: number, h: number, w: number, c: number, o: AugmentOptions, rng: Rng): void {
  if (o.cropPadding <= 0 && !o.flip) return;
  const size = h * w * c;
  const tmp = new Uint8Array(size);
  for (let i = 0; i < n; i++) {
    const img = images.subarray(i * size, (i + 1) * size);
    const p = o.cropPadding;
    const dy = p > 0 ? rng.int(2 * p + 1) - p : 0;
    const dx = p > 0 ? rng.int(2 * p + 1) - p : 0;
    const flip = o.flip && rng.next() < 0.5;
    if (dy === 0 && dx === 0 && !flip) continue;
    tmp.fill(0);
    for (let y = 0; y < h; y++) {
      const sy = y + dy;
      if (sy < 0 || sy >= h) continue;
      for (let x = 0; x < w; x++) {
        const sx0 = x + dx;
        if (sx0 < 0 || sx0 >= w) continue;
        const sx = flip ? w - 1 - sx0 : sx0;
        for (let k = 0; k < c; k++) tmp[(y * w + x) * c + k] = img[(sy * w + sx) * c + k];
      }
    }
    img.set(tmp);
  }
}

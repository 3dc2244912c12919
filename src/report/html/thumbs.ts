import sharp from "sharp";
import { type Dataset, imageAt } from "../../data/dataset.js";
import { esc, pngImg } from "./html.js";

/**
 * Images of the dataset as small inline PNGs with captions: the report's thumbnails. Pixels stay
 * as they are (28×28 stays 28×28) and the page scales them up without smoothing, so a thumbnail
 * costs a few hundred bytes.
 */

/** PNG bytes of image `i` of a dataset (gray or RGB; a fourth channel is dropped). */
export async function imagePng(ds: Pick<Dataset, "height" | "width" | "channels">, pixels: Uint8Array): Promise<Buffer> {
  const { height, width, channels } = ds;
  if (channels === 4) {
    const rgb = new Uint8Array(height * width * 3);
    for (let p = 0; p < height * width; p++) rgb.set(pixels.subarray(4 * p, 4 * p + 3), 3 * p);
    return imagePng({ height, width, channels: 3 }, rgb);
  }
  return sharp(pixels, { raw: { width, height, channels: channels as 1 | 3 } }).png({ compressionLevel: 9 }).toBuffer();
}

/** One captioned thumbnail; `lines` are text (escaped here), `tone` colours the frame. */
export async function thumbnail(ds: Dataset, i: number, lines: string[], tone: "right" | "wrong" | "plain" = "plain", alt = ""): Promise<string> {
  const png = await imagePng(ds, imageAt(ds, i));
  const caption = lines.map((l) => `<span>${esc(l)}</span>`).join("");
  return `<figure class="thumb ${tone}">${pngImg(png, alt || lines.join(", "))}<figcaption>${caption}</figcaption></figure>`;
}

/** A row of thumbnails. */
export function thumbRow(items: string[], label = ""): string {
  return `<div class="thumbs"${label ? ` aria-label="${esc(label)}"` : ""}>${items.join("")}</div>`;
}

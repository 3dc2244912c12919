import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { spriteLayout, spritePng } from "./sprite.js";

describe("spriteLayout", () => {
  it("spriteLayout(n, h, w) keeps the images' size while ⌈√n⌉·size fits 8192 px, and shrinks them past it", () => {
    expect(spriteLayout(1000, 28, 28)).toEqual({ n: 1000, side: 32, width: 28, height: 28, shrunk: false });
    expect(spriteLayout(85264, 28, 28).shrunk).toBe(false); // 292 × 28 = 8176
    const big = spriteLayout(100000, 28, 28);
    expect(big).toEqual({ n: 100000, side: 317, width: 25, height: 25, shrunk: true });
    expect(big.side * big.width).toBeLessThanOrEqual(8192);
    const wide = spriteLayout(10000, 32, 96);
    expect(wide.side * wide.width).toBeLessThanOrEqual(8192);
    expect(wide.height).toBe(27); // the aspect ratio kept: 96×32 → 81×27
    expect(() => spriteLayout(8193 * 8193, 1, 1)).toThrow("do not fit in one 8192×8192 px sprite");
  });
});

describe("spritePng", () => {
  it("spritePng(ds, layout) puts image i at row ⌊i/side⌋, column i mod side, and area-averages when shrunk", async () => {
    // Five 2×2 gray images, image k filled with 10·(k+1); image 4 a checkerboard of 0 and 200.
    const images = Uint8Array.from({ length: 5 * 4 }, (_, i) => 10 * (Math.floor(i / 4) + 1));
    images.set([0, 200, 200, 0], 16);
    const ds = { n: 5, height: 2, width: 2, channels: 1, images };
    const png = await spritePng(ds, spriteLayout(5, 2, 2));
    expect((await sharp(png).metadata()).channels).toBe(1); // a gray PNG for gray images
    const full = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect([full.info.width, full.info.height]).toEqual([6, 6]);
    const at = (x: number, y: number) => full.data[y * 6 + x];
    expect([at(0, 0), at(2, 0), at(4, 1), at(1, 3), at(2, 2), at(3, 2)]).toEqual([10, 20, 30, 40, 0, 200]);
    expect(at(5, 5)).toBe(0); // past the last image
    const small = await sharp(await spritePng(ds, spriteLayout(5, 2, 2, 3))).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect([small.info.width, small.info.height]).toEqual([3, 3]);
    expect([small.data[0], small.data[1], small.data[2], small.data[3], small.data[4]]).toEqual([10, 20, 30, 40, 100]);
  });
});

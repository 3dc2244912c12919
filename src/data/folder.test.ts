import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../util/errors.js";
import { imageAt } from "./dataset.js";
import { compareCodePoints, loadFolderDataset, writeChannels } from "./folder.js";

// Fixtures are drawn here at test time, so no binary image is committed.
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "featurelens-folder-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

type Format = "png" | "jpeg" | "webp";

/** Writes an image of `channels` (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) from raw HWC bytes. */
async function writeImage(path: string, width: number, height: number, channels: 1 | 2 | 3 | 4, pixels: ArrayLike<number>, format: Format = "png"): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  let img = sharp(Buffer.from(Uint8Array.from(pixels)), { raw: { width, height, channels } });
  if (channels <= 2) img = img.toColourspace("b-w");
  if (format === "png") img = img.png();
  else if (format === "jpeg") img = img.jpeg({ quality: 95 });
  else img = img.webp({ lossless: true });
  await img.toFile(path);
}

/** A solid image of one colour (one value per channel). */
async function writeSolid(path: string, width: number, height: number, colour: number[], format: Format = "png"): Promise<void> {
  const pixels = Array.from({ length: width * height }, () => colour).flat();
  await writeImage(path, width, height, colour.length as 1 | 3 | 4, pixels, format);
}

async function writeText(path: string, text = "not an image"): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/** A fresh empty folder under the temp dir. */
async function folder(name: string): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

function pixel(image: Uint8Array, width: number, channels: number, y: number, x: number): number[] {
  const at = (y * width + x) * channels;
  return Array.from(image.subarray(at, at + channels));
}

describe("loadFolderDataset", () => {
  let pets: string;
  beforeAll(async () => {
    pets = await folder("pets");
    await writeSolid(join(pets, "cat", "a.png"), 4, 4, [255, 0, 0]);
    await writeSolid(join(pets, "cat", "z.PNG"), 4, 4, [0, 255, 0]);
    await writeSolid(join(pets, "cat", "sub", "b.png"), 4, 4, [0, 0, 255]);
    await writeSolid(join(pets, "bird", "x.jpg"), 4, 4, [200, 120, 40], "jpeg");
    await writeSolid(join(pets, "Dog", "y.webp"), 4, 4, [10, 20, 30], "webp");
    await mkdir(join(pets, "empty"), { recursive: true });
    await writeText(join(pets, "README.txt"));
    await writeText(join(pets, "cat", ".DS_Store"));
    await writeText(join(pets, "bird", "notes.txt"));
  });

  it("loadFolderDataset(root) sorts classes by code point and labels images by class", async () => {
    const { dataset, skipped, ignored } = await loadFolderDataset(pets);
    expect(dataset.classes).toEqual(["Dog", "bird", "cat", "empty"]);
    expect(dataset.n).toBe(5);
    expect(Array.from(dataset.labels)).toEqual([0, 1, 2, 2, 2]);
    expect([dataset.height, dataset.width, dataset.channels]).toEqual([4, 4, 3]);
    expect(dataset.images.length).toBe(5 * 4 * 4 * 3);
    expect(dataset.name).toBe(pets);
    expect(skipped).toEqual([]);
    expect(ignored.sort()).toEqual([join(pets, "README.txt"), join(pets, "bird", "notes.txt"), join(pets, "cat", ".DS_Store")].sort());
  });

  it("loadFolderDataset(root) orders files as torchvision does: folder by folder, by name within one", async () => {
    // sorted(os.walk(...)) visits cat/ before cat/sub/, so cat/z.PNG comes before cat/sub/b.png.
    const { dataset } = await loadFolderDataset(pets);
    expect(pixel(imageAt(dataset, 2), 4, 3, 0, 0)).toEqual([255, 0, 0]);
    expect(pixel(imageAt(dataset, 3), 4, 3, 0, 0)).toEqual([0, 255, 0]);
    expect(pixel(imageAt(dataset, 4), 4, 3, 0, 0)).toEqual([0, 0, 255]);
  });

  it("loadFolderDataset(root) reads PNG and lossless WebP exactly and JPEG within a tolerance", async () => {
    const { dataset } = await loadFolderDataset(pets);
    const dog = imageAt(dataset, 0);
    for (let p = 0; p < 16; p++) expect(pixel(dog, 4, 3, p >> 2, p & 3)).toEqual([10, 20, 30]);
    const bird = imageAt(dataset, 1);
    for (let p = 0; p < 16; p++) {
      const [r, g, b] = pixel(bird, 4, 3, p >> 2, p & 3);
      expect(Math.abs(r - 200) + Math.abs(g - 120) + Math.abs(b - 40)).toBeLessThanOrEqual(9);
    }
  });

  it("loadFolderDataset(root, {name}) names the dataset", async () => {
    const { dataset } = await loadFolderDataset(pets, { name: "pets-v1" });
    expect(dataset.name).toBe("pets-v1");
  });

  it("loadFolderDataset(root, {size, fit}) covers, fills or letterboxes an image of another aspect ratio", async () => {
    const root = await folder("wide");
    // 8 wide × 4 high: columns 0-1 red, 2-5 green, 6-7 blue.
    const colours = [[255, 0, 0], [255, 0, 0], [0, 255, 0], [0, 255, 0], [0, 255, 0], [0, 255, 0], [0, 0, 255], [0, 0, 255]];
    await writeImage(join(root, "a", "wide.png"), 8, 4, 3, Array.from({ length: 4 }, () => colours.flat()).flat());
    const size = { height: 4, width: 4 };

    const cover = (await loadFolderDataset(root, { size, fit: "cover" })).dataset;
    expect([cover.height, cover.width, cover.channels]).toEqual([4, 4, 3]);
    for (let p = 0; p < 16; p++) expect(pixel(cover.images, 4, 3, p >> 2, p & 3)).toEqual([0, 255, 0]);

    const contain = (await loadFolderDataset(root, { size, fit: "contain" })).dataset;
    for (let x = 0; x < 4; x++) {
      expect(pixel(contain.images, 4, 3, 0, x)).toEqual([0, 0, 0]);
      expect(pixel(contain.images, 4, 3, 3, x)).toEqual([0, 0, 0]);
    }
    for (const y of [1, 2]) {
      // The 8×4 image shrinks to 4×2 in rows 1-2; resampling blurs the colour edges a little.
      const [r0, g0, b0] = pixel(contain.images, 4, 3, y, 0);
      expect(r0).toBeGreaterThan(200);
      expect(Math.max(g0, b0)).toBeLessThan(40);
      expect(pixel(contain.images, 4, 3, y, 1)[1]).toBeGreaterThan(200);
      const [r3, g3, b3] = pixel(contain.images, 4, 3, y, 3);
      expect(b3).toBeGreaterThan(200);
      expect(Math.max(r3, g3)).toBeLessThan(40);
    }

    const fill = (await loadFolderDataset(root, { size, fit: "fill" })).dataset;
    for (let y = 0; y < 4; y++) {
      const [r0, g0, b0] = pixel(fill.images, 4, 3, y, 0);
      expect(r0).toBeGreaterThan(Math.max(g0, b0));
      const [r3, g3, b3] = pixel(fill.images, 4, 3, y, 3);
      expect(b3).toBeGreaterThan(Math.max(r3, g3));
      expect(pixel(fill.images, 4, 3, y, 1)[1]).toBeGreaterThan(200);
    }
  });

  it("loadFolderDataset(root) takes the size of the first image and resizes the others to it", async () => {
    const root = await folder("sizes");
    await writeSolid(join(root, "a", "1.png"), 6, 3, [50, 60, 70]);
    await writeSolid(join(root, "b", "2.png"), 20, 10, [80, 90, 100]);
    const { dataset } = await loadFolderDataset(root);
    expect([dataset.n, dataset.height, dataset.width]).toEqual([2, 3, 6]);
    expect(pixel(imageAt(dataset, 1), 6, 3, 1, 3)).toEqual([80, 90, 100]);
  });

  it("loadFolderDataset(root, {channels}) converts gray to RGB and RGB to gray", async () => {
    const root = await folder("gray");
    await writeImage(join(root, "a", "g.png"), 2, 2, 1, [0, 100, 200, 255]);
    await writeImage(join(root, "b", "rgb.png"), 2, 2, 3, [90, 90, 90, 255, 0, 0, 0, 255, 0, 0, 0, 255]);

    const byDefault = (await loadFolderDataset(root)).dataset;
    expect(byDefault.channels).toBe(1); // the first image is gray
    expect(Array.from(imageAt(byDefault, 0))).toEqual([0, 100, 200, 255]);
    // PIL's convert("L") values (BT.601 weights on the encoded values), not linear-light luminance.
    expect(Array.from(imageAt(byDefault, 1))).toEqual([90, 76, 150, 29]);

    const rgb = (await loadFolderDataset(root, { channels: 3 })).dataset;
    expect(rgb.channels).toBe(3);
    expect(Array.from(imageAt(rgb, 0))).toEqual([0, 0, 0, 100, 100, 100, 200, 200, 200, 255, 255, 255]);
    expect(Array.from(imageAt(rgb, 1))).toEqual([90, 90, 90, 255, 0, 0, 0, 255, 0, 0, 0, 255]);
  });

  it("loadFolderDataset(root) flattens transparency on black, for RGBA and gray+alpha", async () => {
    const root = await folder("alpha");
    await writeImage(join(root, "a", "rgba.png"), 2, 1, 4, [200, 100, 50, 128, 255, 255, 255, 0]);
    await writeImage(join(root, "b", "ga.png"), 2, 1, 2, [200, 128, 255, 0]);
    const rgb = (await loadFolderDataset(root)).dataset;
    expect(rgb.channels).toBe(3);
    const [r, g, b, ...transparent] = Array.from(imageAt(rgb, 0));
    expect(Math.abs(r - 100) + Math.abs(g - 50) + Math.abs(b - 25)).toBeLessThanOrEqual(3);
    expect(transparent).toEqual([0, 0, 0]);
    const [v, hidden] = Array.from(imageAt(rgb, 1)).filter((_, i) => i % 3 === 0);
    expect(Math.abs(v - 100)).toBeLessThanOrEqual(1);
    expect(hidden).toBe(0);
    const gray = (await loadFolderDataset(root, { channels: 1 })).dataset;
    expect(gray.images.length).toBe(4);
    expect(gray.images[1]).toBe(0);
    expect(Math.abs(gray.images[2] - 100)).toBeLessThanOrEqual(1);
  });

  it("loadFolderDataset(root) skips and reports a corrupt .jpg and a zero-byte .png, keeping the rest in order", async () => {
    const root = await folder("broken");
    await writeSolid(join(root, "a", "1.png"), 2, 2, [10, 10, 10]);
    await writeFile(join(root, "a", "2.jpg"), Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7919 + 13) % 256)));
    await mkdir(join(root, "b"), { recursive: true });
    await writeFile(join(root, "b", "3.png"), Buffer.alloc(0));
    await writeSolid(join(root, "b", "4.png"), 2, 2, [40, 40, 40]);
    await writeText(join(root, "README.txt"));
    const progress: number[] = [];
    const { dataset, skipped, ignored } = await loadFolderDataset(root, { onProgress: (done, total) => progress.push(done, total) });
    expect(dataset.n).toBe(2);
    expect(Array.from(dataset.labels)).toEqual([0, 1]);
    expect(imageAt(dataset, 1)[0]).toBe(40);
    expect(skipped.map((s) => s.file)).toEqual([join(root, "a", "2.jpg"), join(root, "b", "3.png")]);
    expect(skipped[0].reason).toMatch(/not an image|corrupt/);
    expect(skipped[1].reason).toMatch(/empty file/);
    expect(ignored).toEqual([join(root, "README.txt")]);
    expect(progress.slice(0, 2)).toEqual([0, 4]);
    expect(progress.slice(-2)).toEqual([4, 4]);
  });

  it("loadFolderDataset(root) skips a truncated JPEG", async () => {
    const root = await folder("truncated");
    const jpeg = await sharp(Buffer.from(Array.from({ length: 32 * 32 * 3 }, (_, i) => i % 251)), { raw: { width: 32, height: 32, channels: 3 } })
      .jpeg()
      .toBuffer();
    await mkdir(join(root, "a"), { recursive: true });
    await writeFile(join(root, "a", "cut.jpg"), jpeg.subarray(0, jpeg.length >> 1));
    await writeSolid(join(root, "a", "ok.png"), 32, 32, [1, 2, 3]);
    const { dataset, skipped } = await loadFolderDataset(root);
    expect(dataset.n).toBe(1);
    expect(skipped).toHaveLength(1);
    // libvips says "premature end of JPEG file", though under load it has also answered "Unknown error".
    expect(skipped[0].reason.length).toBeGreaterThan(0);
    expect(skipped[0].file).toMatch(/cut\.jpg$/);
  });

  it("loadFolderDataset(root) keeps a class folder with no images as a class", async () => {
    const { dataset } = await loadFolderDataset(pets);
    expect(dataset.classes[3]).toBe("empty");
    expect(dataset.labels.includes(3)).toBe(false);
  });

  it("loadFolderDataset(root) follows symbolic links inside the root, once around a loop, and passes over links out of it", async () => {
    const root = await folder("links");
    const elsewhere = await folder("elsewhere");
    await writeSolid(join(elsewhere, "1.png"), 2, 2, [7, 7, 7]);
    await symlink(elsewhere, join(root, "linked"));
    await writeSolid(join(root, "real", "2.png"), 2, 2, [9, 9, 9]);
    await writeSolid(join(root, "real", "sub", "3.png"), 2, 2, [9, 9, 9]);
    await symlink(join(root, "real"), join(root, "real", "loop"));
    await symlink("sub", join(root, "real", "again"));
    await symlink("real", join(root, "alias"));
    const { dataset, passedOver } = await loadFolderDataset(root);
    expect(dataset.classes).toEqual(["real"]);
    expect(Array.from(dataset.labels)).toEqual([0, 0]);
    const reasons = Object.fromEntries(passedOver.map((p) => [p.path.slice(root.length + 1), p.reason]));
    expect(reasons).toEqual({
      linked: `a symbolic link that leads out of ${root}`,
      alias: expect.stringMatching(/^the same folder as another class/),
      "real/loop": "a folder already read (a link loop, or a second link to it)",
      "real/again": "a folder already read (a link loop, or a second link to it)",
    });
  });

  it("loadFolderDataset(root, {concurrency}) gives the same dataset with 1 or 8 images at once", async () => {
    const root = await folder("many");
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      const side = i % 3 === 0 ? 64 : 8; // mixed sizes so decodes finish out of order
      writes.push(writeSolid(join(root, `c${i % 4}`, `${String(i).padStart(2, "0")}.png`), side, side, [i * 6, 255 - i * 6, i]));
    }
    await Promise.all(writes);
    const size = { height: 8, width: 8 };
    const one = (await loadFolderDataset(root, { size, concurrency: 1 })).dataset;
    const eight = (await loadFolderDataset(root, { size, concurrency: 8 })).dataset;
    expect(one.n).toBe(40);
    expect(Buffer.from(eight.images).equals(Buffer.from(one.images))).toBe(true);
    expect(Array.from(eight.labels)).toEqual(Array.from(one.labels));
    // Class c0 holds images 00, 04, 08, …, in that order.
    expect(Array.from({ length: 10 }, (_, j) => one.images[j * 8 * 8 * 3 + 2])).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36]);
  });

  it("loadFolderDataset(root) throws a DataError for a missing path, a file, an empty folder and no class folders", async () => {
    await expect(loadFolderDataset(join(tmp, "no-such"))).rejects.toThrow(DataError);
    await expect(loadFolderDataset(join(tmp, "no-such"))).rejects.toThrow(/no-such: no such file or folder/);
    const file = join(tmp, "file.png");
    await writeSolid(file, 2, 2, [0, 0, 0]);
    await expect(loadFolderDataset(file)).rejects.toThrow(/file\.png: is a file, not a folder/);
    const empty = await folder("empty-root");
    await expect(loadFolderDataset(empty)).rejects.toThrow(/empty-root: is empty/);
    const flat = await folder("flat");
    await writeSolid(join(flat, "1.png"), 2, 2, [0, 0, 0]);
    await writeSolid(join(flat, "2.png"), 2, 2, [0, 0, 0]);
    await expect(loadFolderDataset(flat)).rejects.toThrow(/flat: has no class sub-folders, only 2 file\(s\)/);
  });

  it("loadFolderDataset(root) throws a DataError when no file is an image, counting the files seen", async () => {
    const root = await folder("texts");
    await writeText(join(root, "a", "1.txt"));
    await writeText(join(root, "a", "2.txt"));
    await writeText(join(root, "b", "3.txt"));
    const err = await loadFolderDataset(root).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe(
      `${root}: holds no images (3 files, none .jpg/.jpeg/.png/.webp/.gif/.tif/.tiff/.avif); put the images in its class sub-folders, e.g. cat/1.jpg, dog/2.jpg`,
    );
    expect((err as DataError).file).toBe(root);
    const bare = await folder("bare");
    await mkdir(join(bare, "a"));
    await expect(loadFolderDataset(bare)).rejects.toThrow(`${bare}: holds no images (its one class sub-folder holds no files); put the images`);
  });

  it("loadFolderDataset(root) throws a DataError when every image fails to decode", async () => {
    const root = await folder("all-bad");
    await mkdir(join(root, "a"));
    await writeFile(join(root, "a", "1.jpg"), "garbage");
    await writeFile(join(root, "a", "2.png"), Buffer.alloc(0));
    await expect(loadFolderDataset(root)).rejects.toThrow(/all-bad: none of its 2 image\(s\) could be decoded \(first: .*1\.jpg: /);
  });

  it("loadFolderDataset(root, options) reports every bad option in one RangeError", async () => {
    const bad = { size: { height: 0, width: 2.5 }, channels: 2 as 1, fit: "crop" as "cover", concurrency: 0 };
    const err = await loadFolderDataset(pets, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RangeError);
    for (const part of ["size", "channels must be 1 or 3, got 2", 'fit must be one of "cover", "fill", "contain"', "concurrency"]) {
      expect((err as Error).message).toContain(part);
    }
  });
});

describe("compareCodePoints", () => {
  it("compareCodePoints(a, b) sorts as Python's sorted: upper case first, astral after U+FFFD", () => {
    expect(["b", "B", "a", "\u{1F600}", "\uFFFD", "A"].sort(compareCodePoints)).toEqual(["A", "B", "a", "b", "\uFFFD", "\u{1F600}"]);
    expect(["ab", "a", "a-b", "a/b"].sort(compareCodePoints)).toEqual(["a", "a-b", "a/b", "ab"]);
  });
});

describe("writeChannels", () => {
  it("writeChannels(src, from, out, offset, to) repeats gray, drops alpha and takes BT.601 luma", () => {
    const out = new Uint8Array(7);
    writeChannels(Uint8Array.of(9, 200, 7, 100), 2, out, 1, 3);
    expect(Array.from(out)).toEqual([0, 9, 9, 9, 7, 7, 7]);
    const rgb = new Uint8Array(3);
    writeChannels(Uint8Array.of(1, 2, 3, 255), 4, rgb, 0, 3);
    expect(Array.from(rgb)).toEqual([1, 2, 3]);
    const luma = new Uint8Array(2);
    writeChannels(Uint8Array.of(255, 0, 0, 0, 255, 0), 3, luma, 0, 1);
    expect(Array.from(luma)).toEqual([76, 150]); // Image.new("RGB", …).convert("L") in Pillow
    const grays = new Uint8Array(256);
    writeChannels(Uint8Array.from({ length: 768 }, (_, i) => Math.floor(i / 3)), 3, grays, 0, 1);
    expect(Array.from(grays)).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });
});

import { UsageError } from "../util/errors.js";
import { createRng, type Rng } from "../util/rng.js";
import { type Dataset, imageSize } from "./dataset.js";

/**
 * Shifted copies of images, to reproduce a domain-shift experiment: inverted, blurred, noisy,
 * rotated, or reduced to their edges (a photo turned drawing). Pure functions on uint8 images
 * (H×W×C, channels last, as a Dataset holds them); noise is seeded.
 */

export type ImageTransform =
  | { kind: "invert" }
  | { kind: "blur"; sigma: number }
  | { kind: "noise"; sigma: number }
  | { kind: "rotate"; degrees: number }
  | { kind: "edges" };

/** The forms `--transform` takes. */
export const TRANSFORM_FORMS = [
  "invert       255 − v: dark on light becomes light on dark",
  "blur:S       Gaussian blur with σ = S pixels (0 < S ≤ 20)",
  "noise:S      Gaussian noise with σ = S grey levels (0 < S ≤ 255), seeded by --seed",
  "rotate:DEG   rotated DEG degrees counter-clockwise about the centre; corners outside filled with 0",
  "edges        Sobel edge strength, each image scaled so its strongest edge is 255",
] as const;

/**
 * Parses `--transform`.
 * @example parseTransform("blur:1.5") // { kind: "blur", sigma: 1.5 }
 */
export function parseTransform(text: string): ImageTransform {
  const m = /^([a-z]+)(?::(.*))?$/.exec(text.trim());
  const bad = (why: string): never => {
    throw new UsageError(`--transform '${text}': ${why}; it takes ${TRANSFORM_FORMS.map((f) => f.split(/\s{2,}/)[0]).join(", ")} (featurelens dataset --help says what each does)`);
  };
  if (!m) return bad("not a transform");
  const [, kind, arg] = m;
  const amount = (lo: number, hi: number, what: string): number => {
    const v = Number(arg);
    if (arg === undefined || arg.trim() === "" || !Number.isFinite(v)) return bad(`${kind} needs ${what}, e.g. ${kind}:${kind === "rotate" ? 15 : kind === "blur" ? 1.5 : 40}`);
    if (!(v > lo && v <= hi)) return bad(`${what} must be in (${lo}, ${hi}], got ${v}`);
    return v;
  };
  switch (kind) {
    case "invert":
    case "edges":
      if (arg !== undefined) bad(`${kind} takes no amount`);
      return { kind };
    case "blur":
      return { kind, sigma: amount(0, 20, "a width σ in pixels") };
    case "noise":
      return { kind, sigma: amount(0, 255, "a σ in grey levels") };
    case "rotate":
      return { kind, degrees: amount(-Infinity, Infinity, "an angle in degrees") };
    default:
      return bad(`unknown transform '${kind}'`);
  }
}

/** The transform in words, for messages and picture titles (ASCII: the grids' font has no σ or °): "inverted", "blurred (sd 1.5 px)". */
export function describeTransform(t: ImageTransform): string {
  switch (t.kind) {
    case "invert":
      return "inverted";
    case "blur":
      return `blurred (sd ${t.sigma} px)`;
    case "noise":
      return `with Gaussian noise (sd ${t.sigma})`;
    case "rotate":
      return `rotated ${t.degrees} degrees`;
    case "edges":
      return "reduced to edges (Sobel)";
  }
}

/** A shape of one image. */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/**
 * One image transformed; a new array, the input is not changed. `rng` draws the noise (needed for
 * "noise" only).
 * @example transformImage(Uint8Array.of(0, 255), { height: 1, width: 2, channels: 1 }, { kind: "invert" }) // Uint8Array [255, 0]
 */
export function transformImage(pixels: Uint8Array, shape: ImageShape, t: ImageTransform, rng?: Rng): Uint8Array {
  const { height: h, width: w, channels: c } = shape;
  if (pixels.length !== h * w * c) throw new RangeError(`an image of ${h}×${w}×${c} has ${h * w * c} bytes, got ${pixels.length}`);
  switch (t.kind) {
    case "invert":
      return pixels.map((v) => 255 - v);
    case "blur":
      return blur(pixels, shape, t.sigma);
    case "noise": {
      if (!rng) throw new RangeError("the noise transform needs an rng");
      return Uint8Array.from(pixels, (v) => clampByte(v + t.sigma * gaussian(rng)));
    }
    case "rotate":
      return rotate(pixels, shape, t.degrees);
    case "edges":
      return edges(pixels, shape);
  }
}

/**
 * Every image of a dataset transformed (labels, classes and source indices kept); the noise is one
 * seeded stream over the images in order, so the same seed gives the same copy.
 * @example transformDataset(await loadDataset("sample:test"), { kind: "noise", sigma: 40 }, 0).n // 1000
 */
export function transformDataset(ds: Dataset, t: ImageTransform, seed: number): Dataset {
  const size = imageSize(ds);
  const rng = createRng(seed);
  const images = new Uint8Array(ds.images.length);
  for (let i = 0; i < ds.n; i++) images.set(transformImage(ds.images.subarray(i * size, (i + 1) * size), ds, t, rng), i * size);
  return { ...ds, name: `${ds.name} ${describeTransform(t)}`, images };
}

/** A standard normal draw (Box–Muller, Box & Muller 1958). */
function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/** Separable Gaussian blur, kernel radius ⌈3σ⌉, edge pixels repeated past the border. */
function blur(src: Uint8Array, { height: h, width: w, channels: c }: ImageShape, sigma: number): Uint8Array {
  const r = Math.ceil(3 * sigma);
  const kernel = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = kernel.reduce((a, b) => a + b, 0);
  for (let i = 0; i < kernel.length; i++) kernel[i] /= sum;
  const tmp = new Float64Array(h * w * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < c; k++) {
        let s = 0;
        for (let i = -r; i <= r; i++) s += kernel[i + r] * src[(y * w + clampIndex(x + i, w)) * c + k];
        tmp[(y * w + x) * c + k] = s;
      }
    }
  }
  const out = new Uint8Array(h * w * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < c; k++) {
        let s = 0;
        for (let i = -r; i <= r; i++) s += kernel[i + r] * tmp[(clampIndex(y + i, h) * w + x) * c + k];
        out[(y * w + x) * c + k] = clampByte(s);
      }
    }
  }
  return out;
}

/** Rotation about the image centre by inverse mapping with bilinear sampling; outside the image reads 0. */
function rotate(src: Uint8Array, { height: h, width: w, channels: c }: ImageShape, degrees: number): Uint8Array {
  const a = (degrees * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const out = new Uint8Array(h * w * c);
  const at = (x: number, y: number, k: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : src[(y * w + x) * c + k]);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Counter-clockwise on screen (y grows downwards): the source of (x, y) is (x, y) turned clockwise.
      const dx = x - cx;
      const dy = y - cy;
      const sx = cx + cos * dx - sin * dy;
      const sy = cy + sin * dx + cos * dy;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let k = 0; k < c; k++) {
        const v = (1 - fy) * ((1 - fx) * at(x0, y0, k) + fx * at(x0 + 1, y0, k)) + fy * ((1 - fx) * at(x0, y0 + 1, k) + fx * at(x0 + 1, y0 + 1, k));
        out[(y * w + x) * c + k] = clampByte(v);
      }
    }
  }
  return out;
}

/** Sobel gradient magnitude per channel (Sobel & Feldman 1968), edge pixels repeated, scaled so the image's largest is 255. */
function edges(src: Uint8Array, { height: h, width: w, channels: c }: ImageShape): Uint8Array {
  const mag = new Float64Array(h * w * c);
  let max = 0;
  const p = (x: number, y: number, k: number) => src[(clampIndex(y, h) * w + clampIndex(x, w)) * c + k];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let k = 0; k < c; k++) {
        const gx = p(x + 1, y - 1, k) + 2 * p(x + 1, y, k) + p(x + 1, y + 1, k) - p(x - 1, y - 1, k) - 2 * p(x - 1, y, k) - p(x - 1, y + 1, k);
        const gy = p(x - 1, y + 1, k) + 2 * p(x, y + 1, k) + p(x + 1, y + 1, k) - p(x - 1, y - 1, k) - 2 * p(x, y - 1, k) - p(x + 1, y - 1, k);
        const m = Math.sqrt(gx * gx + gy * gy);
        mag[(y * w + x) * c + k] = m;
        if (m > max) max = m;
      }
    }
  }
  return Uint8Array.from(mag, (m) => (max > 0 ? clampByte((255 * m) / max) : 0));
}

function clampIndex(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

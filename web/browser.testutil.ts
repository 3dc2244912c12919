import { join } from "node:path";
import type { Browser } from "playwright-core";

/** Debian's Chromium, with WebGL on SwiftShader (the CPU): how the app's tests and benchmark see it. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * WebGL on SwiftShader; the page itself rasterized by Skia on the CPU, since rasterizing it through
 * SwiftShader too takes up to a second a frame on the SVG-heavy views (the metrics view's charts ran
 * at 1–2 frames a second with it, 50–60 without; WebGL is unaffected).
 */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
  "--disable-gpu-rasterization",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];

/** Where the tests leave their screenshots (git-ignored). */
export const ARTIFACTS = join(import.meta.dirname, ".artifacts");

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Builds the app into dist/web from the current sources (about 2 s), so the tests see what they test. */
export async function ensureAppBuilt(): Promise<void> {
  const { build } = await import("vite");
  await build({ configFile: join(import.meta.dirname, "vite.config.ts"), logLevel: "warn" });
}

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { readFontMetrics, textWidth } from "./fontMetrics.js";

const font = (file: string) => readFontMetrics(readFileSync(createRequire(import.meta.url).resolve(`dejavu-fonts-ttf/ttf/${file}`)));

describe("readFontMetrics", () => {
  it("readFontMetrics(DejaVuSans.ttf) reads the em size and per-character advances", () => {
    const m = font("DejaVuSans.ttf");
    expect(m.unitsPerEm).toBe(2048);
    expect(m.advances["i".charCodeAt(0)]).toBeLessThan(m.advances["m".charCodeAt(0)]);
    // a space is 651 units in DejaVu Sans (its hmtx entry for glyph "space")
    expect(m.advances[32]).toBe(651);
  });

  it("readFontMetrics(bold) gives wider text than regular", () => {
    expect(textWidth(font("DejaVuSans-Bold.ttf"), "Ankle boot", 11)).toBeGreaterThan(textWidth(font("DejaVuSans.ttf"), "Ankle boot", 11));
  });

  it("readFontMetrics(bytes that are not a font) throws a RangeError naming what is missing", () => {
    expect(() => readFontMetrics(new Uint8Array(64))).toThrow(/font file has no head, hhea, hmtx, cmap table/);
  });
});

describe("textWidth", () => {
  it("textWidth(metrics, text, size) adds advances and scales by size / em", () => {
    const m = font("DejaVuSans.ttf");
    expect(textWidth(m, "", 12)).toBe(0);
    expect(textWidth(m, "  ", 2048)).toBe(2 * 651);
    expect(textWidth(m, "abc", 22)).toBeCloseTo(2 * textWidth(m, "abc", 11), 10);
  });
});

/**
 * Advance widths read from a TrueType/OpenType font file, so text can be laid out in Node without
 * a canvas. Reads only the tables that widths need: `head`, `hhea`, `hmtx` and a format-4 `cmap`
 * (OpenType spec 1.9, "cmap — Character to Glyph Index Mapping Table", format 4).
 */

/** Widths of one font's glyphs for the Basic Multilingual Plane. */
export interface FontMetrics {
  unitsPerEm: number;
  /** Advance width in font units of each BMP code point (the missing glyph's width where unmapped). */
  advances: Uint16Array;
}

/**
 * Reads the advance widths of a font file.
 * @example textWidth(readFontMetrics(readFileSync("DejaVuSans.ttf")), "Hello", 10) // 25.3466796875
 */
export function readFontMetrics(bytes: Uint8Array): FontMetrics {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tables = tableOffsets(view);
  const unitsPerEm = view.getUint16(tables.head + 18);
  const numberOfHMetrics = view.getUint16(tables.hhea + 34);
  const advanceOf = (glyph: number): number =>
    view.getUint16(tables.hmtx + 4 * Math.min(glyph, numberOfHMetrics - 1));
  const advances = new Uint16Array(0x10000).fill(advanceOf(0));
  const sub = format4Subtable(view, tables.cmap);
  const segCount = view.getUint16(sub + 6) / 2;
  const ends = sub + 14;
  const starts = ends + 2 * segCount + 2;
  const deltas = starts + 2 * segCount;
  const rangeOffsets = deltas + 2 * segCount;
  for (let i = 0; i < segCount; i++) {
    const end = view.getUint16(ends + 2 * i);
    const start = view.getUint16(starts + 2 * i);
    const delta = view.getInt16(deltas + 2 * i);
    const rangeOffset = view.getUint16(rangeOffsets + 2 * i);
    for (let c = start; c <= end && c !== 0xffff; c++) {
      let glyph: number;
      if (rangeOffset === 0) {
        glyph = (c + delta) & 0xffff;
      } else {
        const at = rangeOffsets + 2 * i + rangeOffset + 2 * (c - start);
        glyph = view.getUint16(at);
        if (glyph !== 0) glyph = (glyph + delta) & 0xffff;
      }
      advances[c] = advanceOf(glyph);
    }
  }
  return { unitsPerEm, advances };
}

/**
 * Width in pixels of `text` set at `fontSize` px.
 * NOTE: kerning is not applied, so a string may come out a pixel or two wider than drawn.
 */
export function textWidth(metrics: FontMetrics, text: string, fontSize: number): number {
  let units = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    units += metrics.advances[c < 0x10000 ? c : 0xfffd];
  }
  return (units / metrics.unitsPerEm) * fontSize;
}

function tableOffsets(view: DataView): Record<"head" | "hhea" | "hmtx" | "cmap", number> {
  const found: Record<string, number> = {};
  const numTables = view.getUint16(4);
  for (let i = 0; i < numTables; i++) {
    const record = 12 + 16 * i;
    const tag = String.fromCharCode(...[0, 1, 2, 3].map((k) => view.getUint8(record + k)));
    found[tag] = view.getUint32(record + 8);
  }
  const missing = ["head", "hhea", "hmtx", "cmap"].filter((tag) => found[tag] === undefined);
  if (missing.length > 0) throw new RangeError(`font file has no ${missing.join(", ")} table; expected a TrueType/OpenType font`);
  return { head: found.head, hhea: found.hhea, hmtx: found.hmtx, cmap: found.cmap };
}

/** Offset of the Unicode BMP format-4 subtable: Windows (3, 1) or Unicode (0, *). */
function format4Subtable(view: DataView, cmap: number): number {
  const count = view.getUint16(cmap + 2);
  for (let i = 0; i < count; i++) {
    const record = cmap + 4 + 8 * i;
    const platform = view.getUint16(record);
    const encoding = view.getUint16(record + 2);
    const sub = cmap + view.getUint32(record + 4);
    if ((platform === 3 && encoding === 1) || platform === 0) {
      if (view.getUint16(sub) === 4) return sub;
    }
  }
  throw new RangeError("font file has no Unicode format-4 cmap subtable");
}

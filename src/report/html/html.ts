/**
 * The small pieces every section of the HTML report is made of: escaping, data URLs, figures,
 * notes and tables. Every picture is inlined (SVG as markup, rasters as base64 PNG data URLs), so
 * the page opens offline and refers to nothing outside itself.
 */
import { renderSvg, type TopLevelSpec } from "../vega.js";

/** Text made safe for HTML content and attribute values. */
export function esc(text: unknown): string {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** A `data:` URL of PNG bytes. */
export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString("base64")}`;
}

/** An <img> of PNG bytes, with its alt text. */
export function pngImg(png: Uint8Array, alt: string, className = ""): string {
  return `<img${className ? ` class="${className}"` : ""} alt="${esc(alt)}" src="${pngDataUrl(png)}">`;
}

/** The SVG attributes that hold coordinates and sizes (never text). */
const GEOMETRY = /(\s(?:d|transform|points|x|y|x1|x2|y1|y2|cx|cy|r|width|height|viewBox|stroke-width|opacity|fill-opacity|stroke-opacity)=)"([^"]*)"/g;

/**
 * An SVG made safe to inline beside others: its ids (Vega's `clip3`, `gradient_0`) and the
 * references to them get the prefix `key` (unique in the page), so two charts never clip by each
 * other's paths; the XML prolog is dropped; `role="img"` and a label make it readable by screen
 * readers. Coordinates keep two decimals (a hundredth of a pixel), which makes a scatter plot's SVG a third smaller.
 */
export function inlineSvg(svg: string, label: string, key: string): string {
  const prefix = `${key.replace(/[^A-Za-z0-9_-]/g, "-")}-`;
  return svg
    .replace(/^<\?xml[^>]*>\s*/, "")
    .replace(GEOMETRY, (_, name: string, value: string) => `${name}"${value.replace(/(\d\.\d\d)\d+/g, "$1")}"`)
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/(xlink:)?href="#([^"]+)"/g, (_, x: string | undefined, id: string) => `${x ?? ""}href="#${prefix}${id}"`)
    .replace(/^<svg\b/, `<svg role="img" aria-label="${esc(label)}"`);
}

/** A Vega-Lite chart rendered to SVG and inlined (see {@link inlineSvg}). */
export async function chart(spec: TopLevelSpec, label: string, key: string): Promise<string> {
  return inlineSvg(await renderSvg(spec), label, key);
}

/** A figure: a picture (SVG or <img> markup) with an optional caption under it. */
export function figure(picture: string, caption = "", className = ""): string {
  return `<figure${className ? ` class="${className}"` : ""}>${picture}${caption ? `<figcaption>${caption}</figcaption>` : ""}</figure>`;
}

/** A visible note: what is missing in a section and why, so the reader knows the gap is not an oversight. */
export function note(text: string): string {
  return `<p class="note" role="note"><strong>Missing:</strong> ${esc(text)}</p>`;
}

/** A table; cells are HTML (escape text first). A `num` column is right-aligned. */
export function table(head: string[], rows: string[][], o: { numeric?: boolean[]; className?: string; caption?: string } = {}): string {
  const cls = (j: number) => (o.numeric?.[j] ? ' class="num"' : "");
  return [
    `<table${o.className ? ` class="${o.className}"` : ""}>`,
    o.caption ? `<caption>${o.caption}</caption>` : "",
    `<thead><tr>${head.map((h, j) => `<th${cls(j)}>${h}</th>`).join("")}</tr></thead>`,
    `<tbody>${rows.map((r) => `<tr>${r.map((c, j) => `<td${cls(j)}>${c}</td>`).join("")}</tr>`).join("")}</tbody>`,
    "</table>",
  ].join("");
}

/** A share as a percentage: "68.7%"; "n/a" for NaN. */
export function pct(v: number | null | undefined, digits = 1): string {
  return typeof v === "number" && Number.isFinite(v) ? `${(v * 100).toFixed(digits)}%` : "n/a";
}

/** A number in fixed digits: "0.668"; "n/a" for NaN or absent. */
export function num(v: number | null | undefined, digits = 3): string {
  return typeof v === "number" && Number.isFinite(v) ? v.toFixed(digits) : "n/a";
}

/** An integer with thousands separators: "70,000". */
export function int(v: number): string {
  return v.toLocaleString("en-US");
}

/** A difference in percentage points with its sign: "+3.1", "−0.4". */
export function points(delta: number, digits = 1): string {
  if (!Number.isFinite(delta)) return "n/a";
  const s = (Math.abs(delta) * 100).toFixed(digits);
  return delta > 0 ? `+${s}` : delta < 0 && Number(s) !== 0 ? `−${s}` : s;
}

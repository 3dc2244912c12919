import { esc } from "./html.js";
import type { Section } from "./types.js";

/**
 * The page around the sections: one self-contained HTML document with its CSS and a few lines of
 * JavaScript inline (tabs, click to enlarge a picture). No fonts, scripts or styles are loaded
 * from anywhere; without JavaScript every tab's content simply shows one after the other.
 */

export interface PageOptions {
  title: string;
  /** A line under the title: the model and the data. */
  subtitle: string;
  /** Small print in the header and the footer: when, which featurelens. */
  meta: string;
  sections: Section[];
}

/** The whole document. */
export function renderPage(o: PageOptions): string {
  const nav = o.sections.map((s) => `<li><a href="#${esc(s.id)}">${esc(s.title)}</a></li>`).join("");
  const body = o.sections.map((s) => `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>${s.html}</section>`).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="featurelens">
<title>${esc(o.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(o.title)}</h1><p class="subtitle">${esc(o.subtitle)}</p><p class="meta">${esc(o.meta)}</p>
<nav aria-label="Sections"><ol>${nav}</ol></nav></header>
<main>
${body}
</main>
<footer><p class="meta">${esc(o.meta)} · one file, no network needed: every chart and image is inside it.</p></footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

const CSS = `
:root { --ink: #222; --muted: #5c5c5c; --line: #e3e3e3; --soft: #f6f7f9; --right: #4c78a8; --wrong: #e45756; --note: #fff6e0; --note-line: #e0b040; }
* { box-sizing: border-box; }
html { font-family: "DejaVu Sans", Verdana, system-ui, sans-serif; font-size: 15px; color: var(--ink); background: #fff; }
body { margin: 0 auto; max-width: 1280px; padding: 0 28px 40px; line-height: 1.45; }
header { padding: 24px 0 8px; border-bottom: 1px solid var(--line); }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.35rem; margin: 0 0 10px; padding-top: 10px; }
h3 { font-size: 1.05rem; margin: 18px 0 8px; }
.subtitle { font-size: 1.1rem; margin: 0; }
.meta { color: var(--muted); font-size: 0.85rem; margin: 4px 0; }
nav ol { display: flex; flex-wrap: wrap; gap: 4px 6px; list-style: none; padding: 0; margin: 12px 0 4px; }
nav a { display: inline-block; padding: 3px 10px; border: 1px solid var(--line); border-radius: 14px; color: var(--ink); text-decoration: none; font-size: 0.85rem; background: var(--soft); }
nav a:hover { border-color: var(--right); }
section { padding: 18px 0 22px; border-bottom: 1px solid var(--line); }
p.lead { font-size: 1.08rem; max-width: 70em; }
ul.headline { font-size: 1.08rem; max-width: 70em; padding-left: 1.2em; margin: 8px 0; }
ul.headline li { margin: 3px 0; }
p.explain { color: var(--muted); max-width: 70em; margin: 6px 0; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 150px; background: var(--soft); }
.card .value { font-size: 1.8rem; font-weight: bold; }
.card .label { color: var(--muted); font-size: 0.85rem; }
.card .delta { font-size: 0.9rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.figures { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
figure { margin: 8px 0; max-width: 100%; }
figure > svg, figure > img { max-width: 100%; height: auto; display: block; cursor: zoom-in; }
figure.zoomed > svg, figure.zoomed > img { cursor: zoom-out; width: 100%; max-width: none; }
figcaption { color: var(--muted); font-size: 0.85rem; max-width: 46em; }
img.pixelated, .thumb img { image-rendering: pixelated; }
img.input { width: 140px; border: 1px solid var(--line); image-rendering: pixelated; }
figure.map { width: min(100%, 760px); }
figure.map > svg, figure.map > img { width: 100%; }
.thumbs { display: flex; flex-wrap: wrap; gap: 6px; margin: 4px 0 10px; }
.thumb { margin: 0; width: 100px; text-align: center; }
.thumb img { width: 72px; height: 72px; border: 3px solid var(--line); border-radius: 4px; cursor: default; margin: 0 auto; }
.thumb.right img { border-color: var(--right); }
.thumb.wrong img { border-color: var(--wrong); }
.thumb figcaption { font-size: 0.72rem; line-height: 1.25; color: var(--ink); }
.thumb figcaption span { display: block; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.thumb figcaption span + span { color: var(--muted); }
.class-row { display: grid; grid-template-columns: 140px 1fr; gap: 10px; align-items: center; }
.class-row > .name { font-weight: bold; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 8px 0 12px; font-size: 0.9rem; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; }
th { background: var(--soft); font-weight: bold; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr.total td { font-weight: bold; background: #fbfbfb; }
.better { color: #1f6f3a; } .worse { color: #b3261e; }
p.note { background: var(--note); border-left: 4px solid var(--note-line); padding: 8px 12px; max-width: 70em; }
.pair { margin: 6px 0 14px; }
.pair h3 { margin-bottom: 4px; }
.tabs { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0; }
.tabs button { font: inherit; font-size: 0.9rem; padding: 4px 12px; border: 1px solid var(--line); border-radius: 6px; background: var(--soft); cursor: pointer; }
.tabs button[aria-selected="true"] { border-color: var(--right); background: #e8f0f8; font-weight: bold; }
.js .tab-panel[hidden] { display: none; }
.layer { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; border-top: 1px dashed var(--line); padding-top: 8px; }
.side-by-side { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
@media (max-width: 900px) { .side-by-side { grid-template-columns: 1fr; } body { padding: 0 12px; } }
@media print { nav, .tabs { display: none; } .tab-panel[hidden] { display: block !important; } }
`;

/** Tabs (buttons with data-tab naming a panel) and click to enlarge. */
const SCRIPT = `
document.documentElement.classList.add("js");
for (const group of document.querySelectorAll(".tabs")) {
  const buttons = [...group.querySelectorAll("button[data-tab]")];
  const show = (b) => buttons.forEach((o) => { const on = o === b; o.setAttribute("aria-selected", String(on)); document.getElementById(o.dataset.tab).hidden = !on; });
  buttons.forEach((b) => b.addEventListener("click", () => show(b)));
  if (buttons.length) show(buttons[0]);
}
for (const f of document.querySelectorAll("figure:not(.thumb)")) f.addEventListener("click", () => f.classList.toggle("zoomed"));
`;

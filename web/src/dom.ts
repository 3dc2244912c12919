/** A few DOM helpers: the app builds its elements with {@link h} and no framework. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/**
 * An element with attributes (`on…` keys add listeners; `class`, `style`, data-… as given) and children.
 * @example h("button", { class: "tab", onclick: () => go("map") }, "Map")
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  append(el, children);
}

/** "1,234" (by hand: the first toLocaleString of a page sets up ICU's formatting, ~0.1 s). */
export const fmtInt = (n: number): string => {
  const s = String(Math.round(Math.abs(n)));
  return `${n < 0 ? "-" : ""}${s.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}`;
};

/** "87.5%" */
export const fmtPct = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined || !Number.isFinite(x) ? "–" : `${(100 * x).toFixed(digits)}%`);

/** A number with 3 significant digits, or "–". */
export const fmtNum = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? "–" : Math.abs(x) >= 1000 ? fmtInt(x) : x.toPrecision(3));

/** Starts a download of `text` as a file. */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Shows a one-line message in the status bar (an error in red); it fades after a while. */
export function status(message: string, kind: "info" | "error" = "info"): void {
  const el = document.getElementById("status");
  if (!el) return;
  el.textContent = message;
  el.className = kind;
  el.hidden = !message;
  clearTimeout(statusTimer);
  if (message && kind === "info") statusTimer = window.setTimeout(() => (el.hidden = true), 4000);
}
let statusTimer = 0;

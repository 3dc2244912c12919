import { h } from "./dom.js";

/** The keyboard shortcuts, as the help (?) lists them. */
export const SHORTCUTS: [string, string][] = [
  ["1 – 6", "map · image · metrics · compare · diagnose · review"],
  ["c / C", "next / previous colouring"],
  ["m", "next map (t-SNE, PCA, UMAP)"],
  ["w", "ring the misclassified points, or not"],
  ["p · l · b", "pan · lasso · box (shift-drag always lassoes)"],
  ["0 or f", "the whole map"],
  ["+ −", "zoom in, out"],
  ["← ↑ → ↓", "step through the grid (the image view: the previous, next image)"],
  ["Enter", "open the grid's current image"],
  ["Esc", "clear the selection (again: show every class)"],
  ["?", "this help"],
];

/** The review view's keys (there, number keys pick a class, not a view). */
export const REVIEW_SHORTCUTS: [string, string][] = [
  ["j k  or  → ←", "next, previous suspect"],
  ["n", "next suspect not decided yet"],
  ["o", "keep the given label"],
  ["r", "relabel as the suggested class"],
  ["0 – 9", "relabel as that class (or the menu)"],
  ["d", "drop the image from training"],
  ["u", "undo the decision"],
];

/** The help dialog: built once, shown and hidden by `?` and Esc. */
export function helpDialog(): HTMLDialogElement {
  const dialog = h(
    "dialog",
    { class: "help", "aria-label": "keyboard shortcuts" },
    h("h2", {}, "Keys"),
    h("table", {}, h("tbody", {}, SHORTCUTS.map(([k, what]) => h("tr", {}, h("th", {}, k), h("td", {}, what))))),
    h("h3", {}, "Review (6)"),
    h("table", { class: "review-keys" }, h("tbody", {}, REVIEW_SHORTCUTS.map(([k, what]) => h("tr", {}, h("th", {}, k), h("td", {}, what))))),
    h("p", { class: "muted" }, "Each decision is saved at once in the run's label-issues/label-fixes.csv, which featurelens train --label-fixes applies."),
    h("p", { class: "muted" }, "Hover a point for its image and top-3 probabilities; drag to pan, scroll to zoom; double-click empty space to clear the selection."),
    h("form", { method: "dialog" }, h("button", {}, "close")),
  );
  document.body.append(dialog);
  return dialog;
}

/** Whether a key event belongs to a text field or a menu rather than to the app. */
export function typing(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return !!t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
}

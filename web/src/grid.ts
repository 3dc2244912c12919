import type { PredictionRow, PredictionsResponse } from "../../src/api/types.js";
import { classColor } from "../../src/report/charts/theme.js";
import type { Api, LoadedPoints } from "./api.js";
import { download, fill, fmtInt, fmtPct, h, status } from "./dom.js";
import type { Thumbs } from "./thumbs.js";

/**
 * The selected images as a grid: how many, how many are right, their mix of true classes (from
 * the predictions endpoint's classCounts and correct, over the whole selection), then the images
 * page by page, wrong ones framed in red. Arrow keys move a cursor through it; Enter opens the
 * image; the selection's indices download as CSV or JSON.
 */

const PAGE = 240;
const SIDE = 56;

export interface GridScope {
  api: Api;
  run: string;
  domain: string | null;
  classes: string[];
  points: LoadedPoints;
  thumbs: Thumbs;
}

export interface GridEvents {
  /** The cursor moved to `row` (null: no cursor). */
  cursor(row: number | null): void;
  /** Open `row` in the image view. */
  open(row: number): void;
}

type Sort = "index" | "confidence" | "loss" | "margin";

export class SelectionGrid {
  readonly element = h("section", { class: "grid-panel", "aria-label": "selected images" });
  private scope: GridScope | null = null;
  private rows: Int32Array | null = null;
  private shown: PredictionRow[] = [];
  private total = 0;
  private cursorAt = -1;
  private sort: Sort = "index";
  private token = 0;
  private cells: HTMLElement[] = [];
  private body = h("div", { class: "grid" });
  private more = h("button", { class: "more", hidden: true, onclick: () => void this.page() }, "more");

  constructor(private readonly events: GridEvents) {
    this.empty();
  }

  /** Shows `rows` of `scope` (null: nothing selected); `cursor` puts the cursor on that row once it is shown. */
  async show(scope: GridScope, rows: Int32Array | null, o: { title?: string; cursor?: number | null } = {}): Promise<void> {
    const same = this.scope === scope && this.rows === rows;
    this.scope = scope;
    this.rows = rows;
    if (same) return;
    const token = ++this.token;
    if (!rows || rows.length === 0) {
      this.empty(rows ? "Nothing in the selection." : undefined);
      return;
    }
    fill(this.element, h("p", { class: "muted" }, `${fmtInt(rows.length)} images selected …`));
    let res: PredictionsResponse;
    try {
      res = await this.fetch(0);
    } catch (e) {
      if (token === this.token) status(`The selection's predictions: ${(e as Error).message}`, "error");
      return;
    }
    if (token !== this.token) return;
    this.total = res.total;
    this.shown = [];
    this.cells = [];
    this.cursorAt = -1;
    this.body = h("div", { class: "grid", role: "listbox", "aria-label": "selected images" });
    fill(this.element, this.header(res, o.title), this.body, this.more);
    this.append(res.rows);
    if (o.cursor !== undefined && o.cursor !== null) {
      const k = this.shown.findIndex((r) => r.row === o.cursor);
      if (k >= 0) this.moveTo(k, false);
    }
  }

  /** The rows shown, in order (tests and the keyboard read it). */
  get shownRows(): number[] {
    return this.shown.map((r) => r.row);
  }

  /** Moves the cursor by `dx` cells across and `dy` rows down; false when there is no grid. */
  step(dx: number, dy: number): boolean {
    if (!this.shown.length) return false;
    const cols = Math.max(1, Math.round(this.body.clientWidth / (SIDE + 6)));
    const from = this.cursorAt < 0 ? -1 : this.cursorAt;
    const to = from < 0 ? 0 : Math.min(this.shown.length - 1, Math.max(0, from + dx + dy * cols));
    this.moveTo(to, true);
    return true;
  }

  /** Opens the image under the cursor; false when there is none. */
  openCursor(): boolean {
    if (this.cursorAt < 0) return false;
    this.events.open(this.shown[this.cursorAt].row);
    return true;
  }

  clearCursor(): void {
    if (this.cursorAt >= 0) this.cells[this.cursorAt]?.classList.remove("cursor");
    this.cursorAt = -1;
  }

  private moveTo(k: number, announce: boolean): void {
    if (this.cursorAt >= 0) this.cells[this.cursorAt]?.classList.remove("cursor");
    this.cursorAt = k;
    const cell = this.cells[k];
    cell.classList.add("cursor");
    cell.scrollIntoView({ block: "nearest" });
    if (announce) this.events.cursor(this.shown[k].row);
  }

  private empty(text = "Select points on the map — shift-drag to lasso, or L (lasso) and B (box) — or click a cell of the confusion matrix."): void {
    this.shown = [];
    this.cells = [];
    this.cursorAt = -1;
    fill(this.element, h("p", { class: "muted hint" }, text));
  }

  private fetch(offset: number): Promise<PredictionsResponse> {
    const s = this.scope!;
    const desc = this.sort === "loss";
    return s.api.predictions(s.run, { rows: Array.from(this.rows!), domain: s.domain ?? undefined, sort: this.sort, desc, limit: PAGE, offset });
  }

  private async page(): Promise<void> {
    const token = this.token;
    const res = await this.fetch(this.shown.length);
    if (token === this.token) this.append(res.rows);
  }

  private append(rows: PredictionRow[]): void {
    const s = this.scope!;
    for (const r of rows) {
      const k = this.shown.length;
      this.shown.push(r);
      const wrong = r.label >= 0 && r.label < s.classes.length && r.predicted !== r.label;
      const cell = s.thumbs.element(r.row, SIDE, `thumb cell${wrong ? " wrong" : ""}`);
      cell.setAttribute("role", "option");
      cell.title = `#${r.index} · ${s.classes[r.label] ?? "unlabelled"} → ${s.classes[r.predicted] ?? r.predicted} (${fmtPct(r.confidence, 0)})`;
      cell.addEventListener("click", () => this.moveTo(k, true));
      cell.addEventListener("dblclick", () => this.events.open(r.row));
      this.cells.push(cell);
      this.body.append(cell);
    }
    this.more.hidden = this.shown.length >= this.total;
    this.more.textContent = `${fmtInt(Math.min(PAGE, this.total - this.shown.length))} more of ${fmtInt(this.total - this.shown.length)}`;
  }

  private header(res: PredictionsResponse, title?: string): HTMLElement {
    const s = this.scope!;
    const labelled = res.classCounts.reduce((a, b) => a + b, 0);
    const mix = res.classCounts.map((count, k) => ({ k, count })).filter((c) => c.count > 0).sort((a, b) => b.count - a.count);
    const bar = h("div", { class: "mix", role: "img", "aria-label": "true classes of the selection" });
    for (const { k, count } of mix) {
      bar.append(h("span", { style: `flex:${count};background:${classColor(k)}`, title: `${s.classes[k]}: ${fmtInt(count)} (${fmtPct(count / labelled)})` }));
    }
    const top = mix.slice(0, 4).map(({ k, count }) => h("span", { class: "mix-item" }, h("i", { style: `background:${classColor(k)}` }), `${s.classes[k]} ${fmtPct(count / labelled, 0)}`));
    const sort = h("select", { "aria-label": "order", onchange: (e: Event) => this.resort((e.target as HTMLSelectElement).value as Sort) });
    for (const [v, t] of [["index", "in map order"], ["confidence", "least confident first"], ["loss", "highest loss first"], ["margin", "smallest margin first"]] as const) {
      sort.append(h("option", { value: v, selected: v === this.sort }, t));
    }
    return h(
      "header",
      { class: "grid-head" },
      h(
        "div",
        { class: "grid-title" },
        h("strong", {}, title ?? `${fmtInt(res.total)} selected`),
        h("span", { class: "acc" }, labelled ? `${fmtPct(res.correct / labelled)} right (${fmtInt(res.correct)} of ${fmtInt(labelled)})` : "no labels"),
      ),
      bar,
      h("div", { class: "mix-list" }, top, mix.length > 4 ? h("span", { class: "muted" }, `+${mix.length - 4} more`) : null),
      h(
        "div",
        { class: "grid-tools" },
        sort,
        h("button", { onclick: () => this.export("csv"), title: "the selection's rows, image indices and predictions as CSV" }, "CSV"),
        h("button", { onclick: () => this.export("json"), title: "the same as JSON" }, "JSON"),
      ),
    );
  }

  private resort(sort: Sort): void {
    this.sort = sort;
    const { scope, rows } = this;
    this.rows = null;
    if (scope) void this.show(scope, rows);
  }

  /** The whole selection (not just the shown page) from the map's own columns. */
  private export(format: "csv" | "json"): void {
    const s = this.scope;
    const rows = this.rows;
    if (!s || !rows) return;
    const p = s.points;
    const name = (k: number) => s.classes[k] ?? "";
    const records = Array.from(rows, (r) => ({
      row: r,
      index: p.index[r],
      label: name(p.label[r]),
      predicted: name(p.predicted[r]),
      confidence: round(p.confidence[r]),
      loss: round(p.loss[r]),
      margin: round(p.margin[r]),
    }));
    const base = `${s.run}${s.domain ? `-${s.domain}` : ""}-selection-${rows.length}`;
    if (format === "json") {
      download(`${base}.json`, JSON.stringify({ run: s.run, domain: s.domain, map: p.header.map, rows: records }, null, 1), "application/json");
    } else {
      const q = (t: string) => (/[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t);
      const lines = ["row,index,label,predicted,confidence,loss,margin", ...records.map((r) => [r.row, r.index, q(r.label), q(r.predicted), r.confidence, r.loss, r.margin].join(","))];
      download(`${base}.csv`, `${lines.join("\n")}\n`, "text/csv");
    }
  }
}

const round = (x: number): number | null => (Number.isFinite(x) ? Number(x.toPrecision(6)) : null);

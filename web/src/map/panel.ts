import type { ColorBy, RunDetail } from "../../../src/api/types.js";
import type { LoadedPoints } from "../api.js";
import type { App } from "../app.js";
import { fill, fmtInt, fmtNum, fmtPct, h, status } from "../dom.js";
import { SelectionGrid, type GridScope } from "../grid.js";
import { HoverCard } from "../hover.js";
import { COLORINGS, formatSelection, type AppState, type Selection } from "../state.js";
import { Thumbs } from "../thumbs.js";
import { AUTO_MARKS_UP_TO, coloring, type Coloring } from "./colors.js";
import { MapCanvas, type MouseMode } from "./scatter.js";

/**
 * A run's map with everything around it: the toolbar (map, scope, colouring, marks, mouse mode),
 * the legend that isolates classes, the hover card, and the grid of the selection. The map view
 * shows it large; the metrics view beside its charts. It follows the state: update(state) loads
 * what changed and nothing else.
 */

const COLOR_NAMES: Record<ColorBy, string> = { true: "true class", predicted: "predicted", wrong: "right / wrong", confidence: "confidence", loss: "loss", margin: "margin" };

export interface Loaded {
  run: string;
  domain: string | null;
  map: string;
  detail: RunDetail;
  points: LoadedPoints;
  thumbs: Thumbs | null;
  scope: GridScope | null;
  /** Settles once the thumbnails are known (or known to be missing). */
  ready: Promise<void>;
}

export class MapPanel {
  readonly element = h("div", { class: "map-panel" });
  readonly canvas = new MapCanvas();
  readonly grid: SelectionGrid;
  private readonly hoverCard: HoverCard;
  private readonly toolbar = h("div", { class: "map-toolbar" });
  private readonly legend = h("div", { class: "legend" });
  private readonly controls = h("div", { class: "map-controls" });
  private readonly caption = h("div", { class: "map-caption" });
  private readonly side = h("aside", { class: "map-side" });
  private loaded: Loaded | null = null;
  private loadKey = "";
  private drawKey = "";
  private selKey = "";
  private filterKey = "";
  private coloring: Coloring | null = null;
  private selectedRows: Int32Array | null = null;
  private mode: MouseMode = "pan";
  /** performance.now() of the first frame drawn after the points arrived (the benchmark reads it). */
  firstFrame: { arrived: number; drawn: number; n: number; bytes: number } | null = null;

  constructor(private readonly app: App) {
    this.hoverCard = HoverCard.shared(app.api);
    this.grid = new SelectionGrid({
      cursor: (row) => {
        this.canvas.hover(row);
        this.app.go({ at: row });
      },
      open: (row) => this.app.go({ view: "image", row }, { push: true }),
    });
    const area = h("div", { class: "map-area" }, this.toolbar, this.canvas.element);
    this.canvas.element.append(this.controls, this.caption);
    this.side.append(this.legend, this.grid.element);
    this.element.append(area, this.side);
    this.canvas.on({
      hover: (row, x, y) => this.onHover(row, x, y),
      select: (rows, polygon) => this.onSelect(rows, polygon),
      deselect: () => this.app.go({ sel: null, at: null }),
    });
  }

  get current(): Loaded | null {
    return this.loaded;
  }

  /** The selected rows, ascending (null: no selection). */
  get selection(): number[] | null {
    return this.selectedRows ? Array.from(this.selectedRows).sort((a, b) => a - b) : null;
  }

  /** Follows the state: loads the run's points, colours, isolates and selects as it says. */
  async update(s: AppState): Promise<void> {
    if (!s.run) return;
    const key = `${s.run}|${s.map ?? ""}|${s.domain ?? ""}`;
    if (key !== this.loadKey) {
      this.loadKey = key;
      this.drawKey = this.selKey = this.filterKey = "";
      this.loaded = null;
      this.selectedRows = null;
      this.hoverCard.hide();
      fill(this.caption, "loading the map …");
      try {
        const loaded = await this.load(s);
        if (key !== this.loadKey) return;
        this.loaded = loaded;
        // A URL without a map gets the run's default one: the same points, nothing to load again.
        this.loadKey = `${s.run}|${loaded.map}|${s.domain ?? ""}`;
      } catch (e) {
        if (key === this.loadKey) {
          fill(this.caption, h("span", { class: "error" }, (e as Error).message));
          status((e as Error).message, "error");
        }
        return;
      }
    }
    const L = this.loaded;
    if (!L) return;
    this.renderToolbar(s, L);
    const marks = s.marks === "on" || (s.marks === "auto" && L.points.header.n <= AUTO_MARKS_UP_TO);
    const drawKey = `${s.color}|${marks}`;
    if (drawKey !== this.drawKey) {
      this.drawKey = drawKey;
      this.filterKey = "";
      // User Timing marks (devtools' Performance panel, bench/app.ts): colouring, then drawing.
      const t0 = performance.now();
      this.coloring = coloring(L.points, s.color, L.detail.classes, { marks });
      const t1 = performance.now();
      const first = !this.firstFrame;
      await this.canvas.draw({ xy: L.points.xy, dims: L.points.header.dims, bounds: L.points.header.bounds }, this.coloring, { selected: this.selectedRows });
      performance.measure("featurelens colour", { start: t0, end: t1 });
      performance.measure("featurelens draw", { start: t1, end: performance.now() });
      if (first) this.firstFrame = { arrived: L.points.arrived, drawn: performance.now(), n: L.points.header.n, bytes: L.points.bytes };
      this.renderCaption(L, this.coloring);
    }
    this.renderLegend(s);
    this.applyFilter(s);
    await this.applySelection(s, L);
  }

  /** Clears the selection (Esc). */
  clearSelection(): void {
    this.app.go({ sel: null, at: null });
  }

  setMode(mode: MouseMode): void {
    this.mode = mode;
    this.canvas.setMode(mode);
    for (const b of this.controls.querySelectorAll<HTMLButtonElement>("[data-mode]")) b.setAttribute("aria-pressed", String(b.dataset.mode === mode));
  }

  /** The next colouring (c). */
  cycleColor(back = false): void {
    const i = COLORINGS.indexOf(this.app.state.color);
    this.app.go({ color: COLORINGS[(i + (back ? COLORINGS.length - 1 : 1)) % COLORINGS.length], only: [] });
  }

  /** The next of the run's maps (m). */
  cycleMap(): void {
    const L = this.loaded;
    if (!L) return;
    const maps = this.mapsOf(L.detail, L.domain);
    const i = maps.indexOf(L.map);
    if (maps.length > 1) this.app.go({ map: maps[(i + 1) % maps.length], sel: null, at: null });
  }

  toggleMarks(): void {
    const L = this.loaded;
    if (!L) return;
    const on = this.app.state.marks === "on" || (this.app.state.marks === "auto" && L.points.header.n <= AUTO_MARKS_UP_TO);
    this.app.go({ marks: on ? "off" : "on" });
  }

  private async load(s: AppState): Promise<Loaded> {
    const api = this.app.api;
    // The map the URL names is asked for at once, beside the run's detail (the payload is the large part).
    const early = s.map ? api.points(s.run!, s.map, s.domain) : null;
    early?.catch(() => undefined);
    const detail = await api.run(s.run!, s.domain);
    const maps = this.mapsOf(detail, s.domain);
    if (!maps.length) throw new Error(s.domain ? `The domain ${s.domain} has not been placed into a map of ${s.run}.` : `The run ${s.run} has no map yet: featurelens analyze --run ${s.run} makes one.`);
    const map = s.map && maps.includes(s.map) ? s.map : maps.includes("tsne") ? "tsne" : maps[0];
    if (s.map !== map) this.app.go({ map });
    const side = detail.image ? Math.max(detail.image.height, detail.image.width) : 32;
    const points = await (early && map === s.map ? early : api.points(s.run!, map, s.domain));
    const loaded: Loaded = { run: s.run!, domain: s.domain, map, detail, points, thumbs: null, scope: null, ready: Promise.resolve() };
    // The thumbnails are for the hover card and the grid: the first frame does not wait for them.
    loaded.ready = Thumbs.open(api, s.run!, s.domain, side).then(
      (thumbs) => {
        loaded.thumbs = thumbs;
        loaded.scope = { api, run: s.run!, domain: s.domain, classes: detail.classes, points, thumbs };
      },
      (e: Error) => status(`No thumbnails: ${e.message}`, "error"),
    );
    return loaded;
  }

  private mapsOf(detail: RunDetail, domain: string | null): string[] {
    if (!domain) return detail.maps;
    return detail.domains.find((d) => d.slug === domain)?.maps ?? [];
  }

  private onHover(row: number | null, x: number, y: number): void {
    const L = this.loaded;
    if (row === null || !L) return this.hoverCard.hide();
    this.hoverCard.show({ run: L.run, domain: L.domain, row, points: L.points, classes: L.detail.classes, thumbs: L.thumbs, x, y });
  }

  private onSelect(rows: Int32Array, polygon: number[] | null): void {
    let sel: Selection;
    if (polygon) {
      sel = { kind: "lasso", polygon: polygon.map((v) => Number(v.toPrecision(4))) };
    } else {
      sel = { kind: "rows", rows: Array.from(rows) };
    }
    this.app.go({ sel, at: null });
  }

  private applyFilter(s: AppState): void {
    const key = `${this.drawKey}|${s.only.join(",")}`;
    if (key === this.filterKey || !this.coloring) return;
    this.filterKey = key;
    const c = this.coloring;
    if (!s.only.length || c.ramp) return this.canvas.filter(null);
    const keep = new Uint8Array(c.palette.length);
    for (const j of s.only) keep[j] = 1;
    const rows: number[] = [];
    for (let i = 0; i < c.category.length; i++) if (keep[c.category[i]]) rows.push(i);
    this.canvas.filter(Int32Array.from(rows));
  }

  private async applySelection(s: AppState, L: Loaded): Promise<void> {
    const key = `${this.loadKey}|${s.sel ? formatSelection(s.sel) : ""}`;
    if (key === this.selKey) return;
    this.selKey = key;
    let rows: Int32Array | null = null;
    let title: string | undefined;
    const sel = s.sel;
    if (sel?.kind === "lasso") rows = this.canvas.rowsInPolygon(sel.polygon);
    else if (sel?.kind === "rows") rows = Int32Array.from(sel.rows.filter((r) => r < L.points.header.n));
    else if (sel?.kind === "cell") {
      const names = L.detail.classes;
      title = `true ${names[sel.label] ?? sel.label}, predicted ${names[sel.predicted] ?? sel.predicted}`;
      try {
        const res = await this.app.api.rows(L.run, { label: sel.label, predicted: sel.predicted, domain: L.domain ?? undefined });
        rows = Int32Array.from(res.rows);
      } catch (e) {
        status((e as Error).message, "error");
        rows = new Int32Array(0);
      }
      if (key !== this.selKey) return;
    } else if (sel?.kind === "pair") {
      const names = L.detail.classes;
      title = `${names[sel.a] ?? sel.a} ↔ ${names[sel.b] ?? sel.b}, mixed by ${sel.by === "neighbors" ? "neighbours" : "predictions"}`;
      try {
        const res = await this.app.api.mixed(L.run, { a: sel.a, b: sel.b, by: sel.by, domain: L.domain });
        rows = Int32Array.from(res.rows);
        title = `${names[sel.a] ?? sel.a} ↔ ${names[sel.b] ?? sel.b}: ${fmtInt(res.ofA)} + ${fmtInt(res.ofB)} mixed (${sel.by === "neighbors" ? "by neighbours" : "by predictions"})`;
      } catch (e) {
        status((e as Error).message, "error");
        rows = new Int32Array(0);
      }
      if (key !== this.selKey) return;
    }
    this.selectedRows = rows;
    this.canvas.select(rows);
    this.element.dataset.selected = String(rows?.length ?? 0);
    await L.ready;
    if (key !== this.selKey) return;
    if (L.scope) await this.grid.show(L.scope, rows, { title, cursor: s.at });
  }

  private renderToolbar(s: AppState, L: Loaded): void {
    const maps = this.mapsOf(L.detail, L.domain);
    const mapSelect = h("select", { "aria-label": "map", title: "the map (m)", onchange: (e: Event) => this.app.go({ map: (e.target as HTMLSelectElement).value, sel: null, at: null }) });
    for (const m of maps) {
      const info = L.detail.mapsDetail.find((d) => d.name === m);
      mapSelect.append(h("option", { value: m, selected: m === L.map }, info ? `${methodName(info.method)}${info.name !== info.method ? ` (${info.name})` : ""}` : m));
    }
    const scope = h("select", { "aria-label": "images", title: "the run's own images, or a domain seen through it", onchange: (e: Event) => this.app.go({ domain: (e.target as HTMLSelectElement).value || null, sel: null, at: null, only: [] }) });
    scope.append(h("option", { value: "", selected: !s.domain }, `images: ${L.detail.data ?? "the run's own"}`));
    for (const d of L.detail.domains) scope.append(h("option", { value: d.slug, selected: d.slug === s.domain, disabled: !d.maps.length }, `domain ${d.slug}`));
    const colors = h("div", { class: "segmented", role: "group", "aria-label": "colour by" });
    for (const c of COLORINGS) {
      colors.append(h("button", { "aria-pressed": String(c === s.color), "data-color": c, title: `colour by ${COLOR_NAMES[c]} (c cycles)`, onclick: () => this.app.go({ color: c, only: [] }) }, COLOR_NAMES[c]));
    }
    const modes = h("div", { class: "segmented", role: "group", "aria-label": "mouse" });
    for (const [m, label, key] of [["pan", "pan", "p"], ["lasso", "lasso", "l"], ["box", "box", "b"]] as const) {
      modes.append(h("button", { "aria-pressed": String(m === this.mode), "data-mode": m, title: `${label} (${key}; shift-drag always lassoes)`, onclick: () => this.setMode(m) }, label));
    }
    const marksOn = s.marks === "on" || (s.marks === "auto" && L.points.header.n <= AUTO_MARKS_UP_TO);
    const marks = h("button", { "aria-pressed": String(marksOn), title: "ring the misclassified points (w)", disabled: s.color !== "true" && s.color !== "predicted", onclick: () => this.toggleMarks() }, "ring wrong");
    fill(this.toolbar, mapSelect, L.detail.domains.length ? scope : null, colors, marks);
    fill(this.controls, modes, h("button", { title: "the whole map (0)", onclick: () => this.canvas.fit() }, "fit"));
  }

  private renderLegend(s: AppState): void {
    const c = this.coloring;
    if (!c) return;
    if (c.ramp) {
      const r = c.ramp;
      fill(
        this.legend,
        h("div", { class: "legend-title" }, `colour: ${r.label}`),
        h("div", { class: "ramp", style: `background:linear-gradient(to right, ${r.stops.join(",")})` }),
        h("div", { class: "ramp-ticks" }, h("span", {}, fmtNum(r.domain[0])), h("span", {}, `dark: ${r.dark}`), h("span", {}, fmtNum(r.domain[1]))),
      );
      return;
    }
    const only = new Set(s.only);
    const items = c.legend.flatMap((e, j) => {
      if (!e) return [];
      const off = only.size > 0 && !only.has(j);
      return [
        h(
          "button",
          {
            class: `legend-item${off ? " off" : ""}`,
            "data-entry": j,
            title: "click: only this; shift-click: add or remove; click again: all",
            onclick: (ev: Event) => this.isolate(j, (ev as MouseEvent).shiftKey),
          },
          h("i", { style: `background:${e.color}` }),
          h("span", { class: "name" }, e.label),
          h("span", { class: "count" }, fmtInt(e.count)),
        ),
      ];
    });
    const ring = c.ring ? h("div", { class: "legend-note" }, h("i", { class: "ring" }), "ringed: misclassified") : null;
    const title = h("div", { class: "legend-title" }, `colour: ${COLOR_NAMES[c.by]} — click to show one, shift-click for more`, only.size ? h("button", { class: "link", onclick: () => this.app.go({ only: [] }) }, " · show all") : null);
    fill(this.legend, title, h("div", { class: "legend-items" }, items), ring);
  }

  private isolate(j: number, add: boolean): void {
    const only = new Set(this.app.state.only);
    if (add) {
      if (only.has(j)) only.delete(j);
      else only.add(j);
    } else if (only.size === 1 && only.has(j)) only.clear();
    else {
      only.clear();
      only.add(j);
    }
    this.app.go({ only: [...only].sort((a, b) => a - b) });
  }

  private renderCaption(L: Loaded, c: Coloring): void {
    const info = L.detail.mapsDetail.find((m) => m.name === L.map);
    const n = L.points.header.n;
    let wrong = 0;
    let labelled = 0;
    const none = L.points.label instanceof Uint8Array ? 255 : 65535;
    for (let i = 0; i < n; i++) {
      if (L.points.label[i] === none) continue;
      labelled++;
      if (L.points.predicted[i] !== L.points.label[i]) wrong++;
    }
    fill(
      this.caption,
      `${info ? methodName(info.method) : L.map} of ${info?.source ?? "features"} · ${fmtInt(n)} images${L.domain ? ` of domain ${L.domain}` : ""} · `,
      labelled ? `${fmtPct(1 - wrong / labelled)} right, ${fmtInt(wrong)} wrong` : "no labels",
      c.ring ? " (ringed)" : "",
    );
  }
}

export function methodName(method: string): string {
  return method === "tsne" ? "t-SNE" : method === "umap" ? "UMAP" : method === "pca" ? "PCA" : method;
}

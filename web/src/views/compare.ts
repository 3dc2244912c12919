import type { RunDetail, RunListItem } from "../../../src/api/types.js";
import { MAP_STYLE } from "../../../src/report/charts/mapPoints.js";
import { classColor } from "../../../src/report/charts/theme.js";
import type { LoadedPoints } from "../api.js";
import type { App } from "../app.js";
import { fill, fmtInt, fmtPct, h, status } from "../dom.js";
import { HoverCard } from "../hover.js";
import { coloring, type Coloring } from "../map/colors.js";
import { MapCanvas } from "../map/scatter.js";
import { formatSelection, type AppState } from "../state.js";
import { Thumbs } from "../thumbs.js";
import type { View } from "./view.js";

/**
 * Two models on the same images (runs with the same dataHash), side by side: each run's own map,
 * hover and selection linked by the image's index, and the images where they disagree one click
 * away. Or a run's domain — other images placed into the run's map — drawn over the run's own
 * points in grey, coloured by domain or by class.
 */

interface Side {
  run: string;
  detail: RunDetail;
  points: LoadedPoints;
  thumbs: Thumbs | null;
  /** Image index → row (−1: not in this run). */
  rowOf: Int32Array;
  canvas: MapCanvas;
  caption: HTMLElement;
}

export class CompareView implements View {
  readonly element = h("div", { class: "view compare-view" });
  private readonly hoverCard: HoverCard;
  private canvases: MapCanvas[] = [];
  private key_ = "";
  private sides: Side[] = [];
  private summary = h("div", { class: "compare-summary" });

  constructor(private readonly app: App) {
    this.hoverCard = HoverCard.shared(app.api);
  }

  async update(s: AppState): Promise<void> {
    if (!s.run) return;
    const key = `${s.run}|${s.with ?? ""}|${s.domain ?? ""}|${s.by}|${s.map ?? ""}|${s.color}`;
    if (key !== this.key_) {
      this.key_ = key;
      try {
        if (s.with) await this.twoRuns(s, key);
        else if (s.domain) await this.domain(s, key);
        else await this.pick(s);
      } catch (e) {
        fill(this.element, h("p", { class: "error" }, (e as Error).message));
        status((e as Error).message, "error");
        return;
      }
    }
    if (s.with) this.applySelection(s);
  }

  hide(): void {
    this.hoverCard.hide();
  }

  /** The maps on the page: two runs, or one run with a domain over it. */
  get maps(): readonly MapCanvas[] {
    return this.canvases;
  }

  key(e: KeyboardEvent): boolean {
    if (e.key === "Escape" && this.app.state.sel) return this.app.go({ sel: null }), true;
    if (e.key === "0" || e.key === "f") {
      for (const c of this.canvases) c.fit();
      return true;
    }
    return false;
  }

  private canvas(i: number): MapCanvas {
    while (this.canvases.length <= i) this.canvases.push(new MapCanvas());
    return this.canvases[i];
  }

  /** Nothing chosen yet: the runs on the same images, and the run's domains. */
  private async pick(s: AppState): Promise<void> {
    const [runs, detail] = await Promise.all([this.app.runs(), this.app.api.run(s.run!)]);
    const same = runs.runs.filter((r) => r.id !== s.run && r.dataHash && r.dataHash === detail.dataHash);
    const others = runs.runs.filter((r) => r.id !== s.run && !same.includes(r));
    const runButton = (r: RunListItem) => h("li", {}, h("a", { href: `#/compare/${encodeURIComponent(s.run!)}?with=${encodeURIComponent(r.id)}` }, r.id), h("span", { class: "muted" }, ` ${r.model ?? ""} · ${fmtPct(r.accuracy)} right`));
    fill(
      this.element,
      h("div", { class: "compare-pick" },
        h("h2", {}, `Compare ${s.run} with …`),
        h("h3", {}, "another model on the same images"),
        same.length ? h("ul", {}, same.map(runButton)) : h("p", { class: "muted" }, `No other run on the same images (same dataHash). Analyze another model on ${detail.data ?? "them"}: featurelens analyze --model OTHER --data ${detail.data ?? "SPEC"} --out NAME.`),
        h("h3", {}, "a domain seen through this model, drawn over its map"),
        detail.domains.length
          ? h("ul", {}, detail.domains.map((d) => h("li", {}, h("a", { href: `#/compare/${encodeURIComponent(s.run!)}?domain=${encodeURIComponent(d.slug)}` }, d.slug), h("span", { class: "muted" }, ` ${d.data} · ${fmtInt(d.n)} images · ${fmtPct(d.accuracy)} right${d.maps.length ? "" : " · not placed into a map"}`))))
          : h("p", { class: "muted" }, `No domains. featurelens shift --run ${s.run} --data OTHER adds one.`),
        others.length ? h("p", { class: "muted" }, `Runs on other images (not comparable point by point): ${others.map((r) => r.id).join(", ")}.`) : null,
      ),
    );
  }

  private async twoRuns(s: AppState, key: string): Promise<void> {
    const api = this.app.api;
    const ids = [s.run!, s.with!];
    fill(this.element, h("p", { class: "muted" }, `loading ${ids.join(" and ")} …`));
    const details = await Promise.all(ids.map((id) => api.run(id)));
    if (details[0].dataHash && details[1].dataHash && details[0].dataHash !== details[1].dataHash) {
      throw new Error(`${ids[0]} and ${ids[1]} were run on different images (their dataHash differs): only runs on the same images compare point by point.`);
    }
    const sides = await Promise.all(
      details.map(async (detail, i): Promise<Side> => {
        const map = s.map && detail.maps.includes(s.map) ? s.map : detail.maps.includes("tsne") ? "tsne" : detail.maps[0];
        if (!map) throw new Error(`${ids[i]} has no map.`);
        const side = detail.image ? Math.max(detail.image.height, detail.image.width) : 32;
        const [points, thumbs] = await Promise.all([api.points(ids[i], map), Thumbs.open(api, ids[i], null, side).catch(() => null)]);
        let max = 0;
        for (const v of points.index) max = Math.max(max, v);
        const rowOf = new Int32Array(max + 1).fill(-1);
        points.index.forEach((v, r) => (rowOf[v] = r));
        return { run: ids[i], detail, points, thumbs, rowOf, canvas: this.canvas(i), caption: h("div", { class: "map-caption" }) };
      }),
    );
    if (key !== this.key_) return;
    this.sides = sides;
    const panes = sides.map((side) => h("div", { class: "compare-pane" }, h("h3", {}, side.run, h("span", { class: "muted" }, ` ${side.detail.model ?? ""} · ${fmtPct(side.detail.accuracy)} right`)), side.canvas.element, side.caption));
    fill(this.element, h("div", { class: "compare-head" }, this.toolbar(s), this.summary), h("div", { class: "compare-panes" }, panes));
    sides.forEach((side, i) => {
      const other = sides[1 - i];
      side.canvas.on({
        hover: (row, x, y) => {
          if (row === null) {
            other.canvas.hover(null);
            return this.hoverCard.hide();
          }
          const o = other.rowOf[side.points.index[row]] ?? -1;
          other.canvas.hover(o >= 0 ? o : null);
          const alsoSays = o >= 0 ? `${other.run} predicts ${side.detail.classes[other.points.predicted[o]] ?? "?"}` : `not in ${other.run}`;
          this.hoverCard.show({ run: side.run, domain: null, row, points: side.points, classes: side.detail.classes, thumbs: side.thumbs, x, y, caption: `${side.run} · ${alsoSays}` });
        },
        select: (rows) => this.app.go({ sel: { kind: "rows", rows: Array.from(i === 0 ? rows : this.translate(rows, side, other)) } }),
        deselect: () => this.app.go({ sel: null }),
      });
    });
    await Promise.all(sides.map((side) => side.canvas.draw({ xy: side.points.xy, dims: side.points.header.dims, bounds: side.points.header.bounds }, coloring(side.points, s.color, side.detail.classes, { marks: false }))));
    this.selKey = "";
  }

  private selKey = "";

  private applySelection(s: AppState): void {
    if (this.sides.length !== 2) return;
    const key = `${this.key_}|${s.sel ? formatSelection(s.sel) : ""}`;
    if (key === this.selKey) return;
    this.selKey = key;
    const [a, b] = this.sides;
    const rowsA = s.sel?.kind === "rows" ? Int32Array.from(s.sel.rows.filter((r) => r < a.points.header.n)) : s.sel?.kind === "lasso" ? a.canvas.rowsInPolygon(s.sel.polygon) : null;
    a.canvas.select(rowsA);
    b.canvas.select(rowsA ? this.translate(rowsA, a, b) : null);
    this.renderSummary(rowsA);
  }

  /** Rows of `from` as rows of `to`, by image index (images missing in `to` dropped). */
  private translate(rows: Int32Array, from: Side, to: Side): Int32Array {
    const out: number[] = [];
    for (const r of rows) {
      const o = to.rowOf[from.points.index[r]] ?? -1;
      if (o >= 0) out.push(o);
    }
    return Int32Array.from(out);
  }

  private renderSummary(rows: Int32Array | null): void {
    const [a, b] = this.sides;
    const n = a.points.header.n;
    const pick = rows ?? Int32Array.from({ length: n }, (_, i) => i);
    let rightA = 0;
    let rightB = 0;
    let both = 0;
    let disagree = 0;
    let labelled = 0;
    for (const r of pick) {
      const o = b.rowOf[a.points.index[r]] ?? -1;
      if (o < 0) continue;
      const label = a.points.label[r];
      const pa = a.points.predicted[r];
      const pb = b.points.predicted[o];
      if (pa !== pb) disagree++;
      if (label >= a.detail.classes.length) continue;
      labelled++;
      if (pa === label) rightA++;
      if (pb === label) rightB++;
      if (pa === label && pb === label) both++;
    }
    const disagreeRows = (): number[] => {
      const out: number[] = [];
      for (let r = 0; r < n; r++) {
        const o = b.rowOf[a.points.index[r]] ?? -1;
        if (o >= 0 && a.points.predicted[r] !== b.points.predicted[o]) out.push(r);
      }
      return out;
    };
    fill(
      this.summary,
      h("strong", {}, rows ? `${fmtInt(rows.length)} selected` : `all ${fmtInt(n)} images`),
      ` · ${a.run} ${fmtPct(rightA / labelled)} right · ${b.run} ${fmtPct(rightB / labelled)} right · both right ${fmtPct(both / labelled)} · they disagree on ${fmtInt(disagree)} `,
      h("button", { onclick: () => this.app.go({ sel: { kind: "rows", rows: disagreeRows() } }) }, "select where they disagree"),
      rows ? h("button", { onclick: () => this.app.go({ sel: null }) }, "clear (Esc)") : null,
    );
  }

  private toolbar(s: AppState): HTMLElement {
    const colors = h("div", { class: "segmented", role: "group", "aria-label": "colour by" });
    for (const c of ["true", "predicted", "wrong", "confidence"] as const) {
      colors.append(h("button", { "aria-pressed": String(c === s.color), onclick: () => this.app.go({ color: c }) }, c === "wrong" ? "right / wrong" : c === "true" ? "true class" : c));
    }
    return h("div", { class: "map-toolbar" }, colors, h("span", { class: "muted" }, "hover or lasso (shift-drag) on either map: the same images light up on the other"));
  }

  /** A domain over its run's map: the run's points in grey underneath, the domain's on top. */
  private async domain(s: AppState, key: string): Promise<void> {
    const api = this.app.api;
    const run = s.run!;
    const slug = s.domain!;
    fill(this.element, h("p", { class: "muted" }, `loading ${slug} over ${run} …`));
    const detail = await api.run(run);
    const dom = detail.domains.find((d) => d.slug === slug);
    if (!dom) throw new Error(`${run} has no domain '${slug}'.`);
    const map = s.map && dom.maps.includes(s.map) ? s.map : dom.maps.includes("tsne") ? "tsne" : dom.maps[0];
    if (!map) throw new Error(`The domain ${slug} has not been placed into a map of ${run}.`);
    const side = detail.image ? Math.max(detail.image.height, detail.image.width) : 32;
    const [own, other, thumbsOwn, thumbsDom] = await Promise.all([
      api.points(run, map),
      api.points(run, map, slug),
      Thumbs.open(api, run, null, side).catch(() => null),
      Thumbs.open(api, run, slug, side).catch(() => null),
    ]);
    if (key !== this.key_) return;
    this.sides = [];
    const n0 = own.header.n;
    const n1 = other.header.n;
    const dims = own.header.dims;
    const xy = new Float32Array((n0 + n1) * 2);
    for (let i = 0; i < n0; i++) xy.set([own.xy[i * dims], own.xy[i * dims + 1]], 2 * i);
    for (let i = 0; i < n1; i++) xy.set([other.xy[i * other.header.dims], other.xy[i * other.header.dims + 1]], 2 * (n0 + i));
    const b0 = own.header.bounds;
    const b1 = other.header.bounds;
    const bounds = [Math.min(b0[0], b1[0]), Math.max(b0[1], b1[1]), Math.min(b0[2], b1[2]), Math.max(b0[3], b1[3])];
    const c = domainColoring(n0, other, detail.classes, s.by, slug);
    const canvas = this.canvas(0);
    const by = h("div", { class: "segmented", role: "group", "aria-label": "colour the domain by" },
      h("button", { "aria-pressed": String(s.by === "domain"), onclick: () => this.app.go({ by: "domain" }) }, "one colour"),
      h("button", { "aria-pressed": String(s.by === "class"), onclick: () => this.app.go({ by: "class" }) }, "true class"),
    );
    const legend = h("div", { class: "legend" }, c.legend.flatMap((e) => (e ? [h("div", { class: "legend-item" }, h("i", { style: `background:${e.color}` }), h("span", { class: "name" }, e.label), h("span", { class: "count" }, fmtInt(e.count)))] : [])));
    fill(
      this.element,
      h("div", { class: "compare-head" }, h("div", { class: "map-toolbar" }, h("strong", {}, `${slug} placed into ${run}'s ${map} map`), by)),
      h("div", { class: "compare-panes single" }, h("div", { class: "compare-pane" }, canvas.element, legend, h("div", { class: "map-caption" }, `${fmtInt(n0)} images of ${detail.data ?? run} in grey · ${fmtInt(n1)} of ${dom.data} on top · ${fmtPct(dom.accuracy)} right on the domain`))),
    );
    canvas.on({
      hover: (row, x, y) => {
        if (row === null) return this.hoverCard.hide();
        const mine = row < n0;
        this.hoverCard.show({ run, domain: mine ? null : slug, row: mine ? row : row - n0, points: mine ? own : other, classes: detail.classes, thumbs: mine ? thumbsOwn : thumbsDom, x, y, caption: mine ? `${run}'s own images` : `domain ${slug}` });
      },
    });
    await canvas.draw({ xy, dims: 2, bounds }, c);
  }
}

/** The run's points in grey, then the domain's in one colour or by class. */
function domainColoring(n0: number, other: LoadedPoints, classes: string[], by: "domain" | "class", slug: string): Coloring {
  const n1 = other.header.n;
  const n = n0 + n1;
  const category = new Uint16Array(n);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (by === "domain") {
    category.fill(1, n0);
    return { by: "true", category, palette: [MAP_STYLE.reference, "#d62728"], legend: [{ label: "the run's images", color: MAP_STYLE.reference, count: n0 }, { label: `domain ${slug}`, color: "#d62728", count: n1 }], ramp: null, order, ring: null };
  }
  const k = classes.length;
  const counts = new Array(k + 1).fill(0);
  for (let i = 0; i < n1; i++) {
    const v = other.label[i] < k ? other.label[i] : k;
    category[n0 + i] = v + 1;
    counts[v]++;
  }
  const palette = [MAP_STYLE.reference, ...classes.map((_, j) => classColor(j)), MAP_STYLE.unlabelled];
  const legend = [{ label: "the run's images", color: MAP_STYLE.reference, count: n0 }, ...palette.slice(1).map((color, j) => (counts[j] ? { label: j < k ? classes[j] : "unlabelled", color, count: counts[j] } : null))];
  return { by: "true", category, palette, legend, ramp: null, order, ring: null };
}

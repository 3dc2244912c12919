import type { ChartName, RunDetail } from "../../../src/api/types.js";
import { classColor } from "../../../src/report/charts/theme.js";
import type { App } from "../app.js";
import { chart } from "../charts.js";
import { fill, fmtInt, fmtNum, fmtPct, h, status } from "../dom.js";
import type { MapPanel } from "../map/panel.js";
import type { AppState } from "../state.js";
import { panelKey } from "./map.js";
import type { View } from "./view.js";

/**
 * Every number of the run's evaluation, as the report draws it: the confusion matrix — a click on
 * a cell selects exactly its images, on the map beside it and in the grid —, the per-class table,
 * ROC and precision–recall curves, the reliability diagram and the confidences.
 */

interface PerClass {
  name: string;
  class: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  support: number;
}

type SortKey = "class" | "precision" | "recall" | "f1" | "support" | "auc" | "ap";

export class MetricsView implements View {
  readonly element = h("div", { class: "view metrics-view" });
  private readonly charts = h("div", { class: "metrics-charts" });
  private readonly right = h("div", { class: "metrics-map" });
  private key_ = "";
  private sort: { key: SortKey; desc: boolean } = { key: "class", desc: false };
  private detail: RunDetail | null = null;

  constructor(
    private readonly app: App,
    private readonly panel: MapPanel,
  ) {
    this.element.append(this.charts, this.right);
  }

  async update(s: AppState): Promise<void> {
    if (this.panel.element.parentElement !== this.right) this.right.append(this.panel.element);
    const key = `${s.run}|${s.domain ?? ""}`;
    if (key !== this.key_ && s.run) {
      this.key_ = key;
      void this.render(s.run, s.domain);
    }
    this.markCell(s);
    await this.panel.update(s);
  }

  /** Outlines the confusion-matrix cell that is the selection. */
  private markCell(s: AppState): void {
    for (const p of this.charts.querySelectorAll(".confusion path.chosen")) p.classList.remove("chosen");
    if (s.sel?.kind !== "cell") return;
    const cell = this.charts.querySelector(`.confusion .mark-rect path[aria-label^="predicted class: ${s.sel.predicted}; true class: ${s.sel.label};"]`);
    cell?.classList.add("chosen");
  }

  key(e: KeyboardEvent): boolean {
    return panelKey(this.panel, e, this.app);
  }

  private async render(run: string, domain: string | null): Promise<void> {
    fill(this.charts, h("p", { class: "muted" }, "loading the evaluation …"));
    let detail: RunDetail;
    try {
      detail = await this.app.api.run(run, domain);
    } catch (e) {
      fill(this.charts, h("p", { class: "error" }, (e as Error).message));
      return;
    }
    this.detail = detail;
    const sum = detail.summary;
    const headline = h(
      "div",
      { class: "headline" },
      figure("accuracy", fmtPct(num(sum.accuracy))),
      figure("macro F1", fmtNum(num(sum.macro_f1))),
      figure("log loss", fmtNum(num(sum.log_loss))),
      figure("ECE", fmtNum(num(sum.ece))),
      figure("ROC AUC (macro)", fmtNum(num(sum.roc_auc_macro))),
      figure("images", fmtInt(num(sum.n) ?? detail.n ?? 0)),
    );
    const confusion = h("div", { class: "chart confusion", "data-chart": "confusion" });
    const table = h("div", { class: "per-class" });
    const slots = (["per-class", "roc", "pr", "reliability", "confidence"] as ChartName[]).map((c) => [c, h("div", { class: "chart", "data-chart": c })] as const);
    fill(
      this.charts,
      headline,
      h("h2", {}, "Which classes are confused?"),
      h("p", { class: "muted" }, "Click a cell: exactly its images light up on the map and fill the grid."),
      confusion,
      h("h2", {}, "Each class"),
      table,
      slots[0][1],
      h("h2", {}, "Ranking and calibration"),
      slots.slice(1).map(([, el]) => el),
    );
    this.renderTable(table);
    await this.draw(run, domain, "confusion", confusion, (view) => {
      this.markCell(this.app.state);
      view.addEventListener("click", (_e: unknown, item: { datum?: { true?: number; predicted?: number } } | null | undefined) => {
        const d = item?.datum;
        if (d && typeof d.true === "number" && typeof d.predicted === "number") this.app.go({ sel: { kind: "cell", label: d.true, predicted: d.predicted }, at: null });
      });
    });
    for (const [name, el] of slots) void this.draw(run, domain, name, el);
  }

  private async draw(run: string, domain: string | null, name: ChartName, el: HTMLElement, then?: (view: import("vega-embed").Result["view"]) => void): Promise<void> {
    try {
      const spec = await this.app.api.chart(run, name, domain);
      const result = await chart(el, spec);
      then?.(result.view);
    } catch (e) {
      fill(el, h("p", { class: "muted" }, `${name}: ${(e as Error).message}`));
      if (name === "confusion") status(`The confusion matrix: ${(e as Error).message}`, "error");
    }
  }

  private renderTable(el: HTMLElement): void {
    const ev = this.detail?.evaluation as
      | { per_class?: PerClass[]; roc_auc?: { per_class?: (number | null)[] }; average_precision?: { per_class?: (number | null)[] } }
      | null
      | undefined;
    if (!ev?.per_class) return void fill(el, h("p", { class: "muted" }, "No evaluation for these images (they have no labels, or evaluate has not run)."));
    const rows = ev.per_class.map((r) => ({ ...r, auc: ev.roc_auc?.per_class?.[r.class] ?? null, ap: ev.average_precision?.per_class?.[r.class] ?? null }));
    const { key, desc } = this.sort;
    rows.sort((a, b) => {
      const va = key === "class" ? a.class : (a[key] ?? -1);
      const vb = key === "class" ? b.class : (b[key] ?? -1);
      return (desc ? -1 : 1) * (va - vb);
    });
    const cols: [SortKey, string][] = [["class", "class"], ["precision", "precision"], ["recall", "recall"], ["f1", "F1"], ["support", "images"], ["auc", "ROC AUC"], ["ap", "AP"]];
    const head = h(
      "tr",
      {},
      cols.map(([k, t]) =>
        h("th", { class: k === "class" ? "" : "num", "aria-sort": k === key ? (desc ? "descending" : "ascending") : "none" }, h("button", { class: "link", onclick: () => this.resort(k, el) }, t, k === key ? (desc ? " ↓" : " ↑") : "")),
      ),
    );
    const body = rows.map((r) =>
      h(
        "tr",
        {},
        h("td", {}, h("button", { class: "link class-link", title: "show only this class on the map", onclick: () => this.app.go({ color: "true", only: [r.class] }) }, h("i", { class: "swatch", style: `background:${classColor(r.class)}` }), r.name)),
        h("td", { class: "num" }, fmtNum(r.precision)),
        h("td", { class: "num" }, fmtNum(r.recall)),
        h("td", { class: "num" }, h("span", { class: "f1", style: `--v:${r.f1 ?? 0}` }, fmtNum(r.f1))),
        h("td", { class: "num" }, fmtInt(r.support)),
        h("td", { class: "num" }, fmtNum(r.auc)),
        h("td", { class: "num" }, fmtNum(r.ap)),
      ),
    );
    fill(el, h("table", { class: "table" }, h("thead", {}, head), h("tbody", {}, body)));
  }

  private resort(key: SortKey, el: HTMLElement): void {
    this.sort = { key, desc: this.sort.key === key ? !this.sort.desc : key !== "class" };
    this.renderTable(el);
  }
}

function figure(label: string, value: string): HTMLElement {
  return h("div", { class: "figure" }, h("div", { class: "value" }, value), h("div", { class: "label" }, label));
}

const num = (v: unknown): number | null => (typeof v === "number" ? v : null);

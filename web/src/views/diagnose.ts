import type { ExampleJson, SeparationJson, ShiftJson } from "../../../src/analysis/diagnose/diagnoseJson.js";
import type { CompareSummary, DiagnosisResponse, LabelIssuesResponse } from "../../../src/api/types.js";
import { classColor } from "../../../src/report/charts/theme.js";
import type { App } from "../app.js";
import { chart } from "../charts.js";
import { append, fill, fmtInt, fmtNum, fmtPct, h } from "../dom.js";
import type { MapPanel } from "../map/panel.js";
import type { AppState } from "../state.js";
import { Thumbs } from "../thumbs.js";
import { panelKey } from "./map.js";
import type { View } from "./view.js";

/**
 * What `featurelens diagnose`, `label-issues`, `shift` and `compare` stored for the run, a panel
 * each, beside the map: which classes mix and which separate (in words, per class, the pairs that
 * mix most — a click lights up exactly the images of the pair that sit among the other class, or
 * that the model takes for it —, and the layer curve), the most suspect labels (a click lights the
 * image up; the review view steps through them all), the domains' shifts and the comparisons.
 */

const EXAMPLES = 3;
const SUSPECTS = 12;
const THUMB = 40;

export class DiagnoseView implements View {
  readonly element = h("div", { class: "view metrics-view diagnose-view" });
  private readonly panels = h("div", { class: "metrics-charts diagnose-panels" });
  private readonly right = h("div", { class: "metrics-map" });
  private key_ = "";
  private thumbs: Thumbs | null = null;

  constructor(
    private readonly app: App,
    private readonly panel: MapPanel,
  ) {
    this.element.append(this.panels, this.right);
  }

  async update(s: AppState): Promise<void> {
    if (this.panel.element.parentElement !== this.right) this.right.append(this.panel.element);
    const key = `${s.run}|${s.domain ?? ""}`;
    if (key !== this.key_ && s.run) {
      this.key_ = key;
      void this.render(s.run, s.domain, key);
    }
    this.markChosen(s);
    await this.panel.update(s);
  }

  key(e: KeyboardEvent): boolean {
    return panelKey(this.panel, e, this.app);
  }

  /** Drawn again when shown again: the review may have decided suspects meanwhile. */
  hide(): void {
    this.key_ = "";
  }

  /** Marks the pair or suspect that is the selection. */
  private markChosen(s: AppState): void {
    for (const b of this.panels.querySelectorAll<HTMLElement>("[data-pair], [data-suspect]")) {
      const sel = s.sel;
      const on =
        (sel?.kind === "pair" && b.dataset.pair === `${sel.by}:${sel.a},${sel.b}`) ||
        (sel?.kind === "rows" && sel.rows.length === 1 && b.dataset.suspect === String(sel.rows[0]));
      b.setAttribute("aria-pressed", String(on));
    }
  }

  private async render(run: string, domain: string | null, key: string): Promise<void> {
    const api = this.app.api;
    const slots = { separation: section("Which classes mix?"), suspects: section("Labels that may be wrong"), shift: section("Domain shift"), compare: section("Other models on these images") };
    fill(this.panels, Object.values(slots));
    try {
      const detail = await api.run(run, domain);
      const side = detail.image ? Math.max(detail.image.height, detail.image.width) : 32;
      this.thumbs = await Thumbs.open(api, run, domain, side).catch(() => null);
    } catch {
      this.thumbs = null;
    }
    if (key !== this.key_) return;
    const missing = (el: HTMLElement, e: Error) => el.append(h("p", { class: "muted missing" }, e.message));
    await Promise.all([
      api.diagnosis(run, domain).then((d) => key === this.key_ && this.separation(slots.separation, d), (e: Error) => missing(slots.separation, e)),
      domain
        ? Promise.resolve(slots.suspects.remove())
        : api.labelIssues(run).then((q) => key === this.key_ && this.suspects(slots.suspects, q), (e: Error) => missing(slots.suspects, e)),
      api.shift(run).then((r) => key === this.key_ && this.shift(slots.shift, r.domains), (e: Error) => missing(slots.shift, e)),
      api.compare(run).then((r) => key === this.key_ && this.compare(slots.compare, r.comparisons), (e: Error) => missing(slots.compare, e)),
    ]);
    this.markChosen(this.app.state);
  }

  private separation(el: HTMLElement, d: DiagnosisResponse): void {
    const s = d.separation;
    const dead = s.penultimate_dead;
    el.append(
      h("p", { class: "summary" }, s.summary.text),
      h("details", {}, h("summary", {}, "the numbers behind it"), h("ul", {}, s.summary.details.map((t) => h("li", {}, t))), h("p", { class: "muted" }, s.summary.how)),
      h(
        "div",
        { class: "headline" },
        figure("kNN purity", fmtPct(s.purity.overall), `share of each image's ${s.k} nearest neighbours in feature space of its own class`),
        figure("silhouette", fmtNum(s.silhouette.score), `in feature space, over ${fmtInt(s.silhouette.sample)} images`),
        dead ? figure("dead units", `${fmtInt(dead.dead.length)} of ${fmtInt(dead.units)}`, "penultimate units that are 0 for every image") : null,
        figure("images", fmtInt(s.n), `${s.layer}, d = ${s.d}`),
      ),
      h("h3", {}, "The pairs that mix most"),
      h("p", { class: "muted" }, "Click a pair: the images of each class that sit among the other (by neighbours) or that the model takes for it (by predictions) light up on the map and fill the grid."),
      h("div", { class: "pair-lists" }, this.pairList("by neighbours in feature space", s, "neighbors"), this.pairList("by the model's predictions", s, "predictions")),
      h("h3", {}, "Each class"),
      classTable(s, (c) => this.app.go({ color: "true", only: [c], sel: null, at: null })),
    );
    if (d.layers) {
      const curve = h("div", { class: "chart layer-curve" });
      const L = d.layers;
      append(el, [
        h("h3", {}, "Layer by layer"),
        h("p", { class: "summary" }, L.summary.text),
        curve,
        L.dead.units ? h("p", { class: "muted" }, `Dead units (never above 0 over ${fmtInt(L.images)} images): ${fmtInt(L.dead.dead)} of ${fmtInt(L.dead.units)} in ${L.dead.layers} ReLU layers.`) : null,
      ]);
      if (d.layerChart) void chart(curve, d.layerChart).catch((e: Error) => fill(curve, h("p", { class: "muted" }, e.message)));
    }
  }

  private pairList(title: string, s: SeparationJson, by: "neighbors" | "predictions"): HTMLElement {
    const pairs = by === "neighbors" ? s.neighbor_pairs : s.confusion_pairs;
    const items = pairs.map((p) => {
      const numbers = "mixing" in p ? `${fmtPct(p.share_ab, 0)} · ${fmtPct(p.share_ba, 0)}` : `${fmtInt(p.a_as_b)} · ${fmtInt(p.b_as_a)}`;
      return h(
        "li",
        {},
        h(
          "button",
          { class: "pair", "data-pair": `${by}:${p.a},${p.b}`, "aria-pressed": "false", title: "light up the images of this pair that mix", onclick: () => this.app.go({ sel: { kind: "pair", a: p.a, b: p.b, by }, at: null }) },
          swatch(p.a),
          h("span", { class: "pair-name" }, `${p.classes[0]} ↔ ${p.classes[1]}`),
          swatch(p.b),
          h("span", { class: "muted pair-numbers" }, numbers),
        ),
        this.examples(p.examples),
      );
    });
    const note = by === "neighbors" ? "share of each one's neighbours of the other class" : "images of each class taken for the other";
    return h("div", { class: "pair-list" }, h("h4", {}, title), h("p", { class: "muted pair-note" }, note), items.length ? h("ol", {}, items) : h("p", { class: "muted" }, "none"));
  }

  /** The first example image pairs: a click selects the two images. */
  private examples(examples: ExampleJson[]): HTMLElement | null {
    if (!this.thumbs || !examples.length) return null;
    const thumbs = this.thumbs;
    return h(
      "div",
      { class: "examples" },
      examples.slice(0, EXAMPLES).map((e) =>
        h(
          "button",
          { class: "example", title: `#${e.index} (${e.class}${e.predicted ? `, predicted ${e.predicted}` : ""}) beside #${e.other_index} (${e.other_class}), distance ${fmtNum(e.distance)}`, onclick: () => this.app.go({ sel: { kind: "rows", rows: [e.row, e.other_row] }, at: e.row }) },
          thumbs.element(e.row, THUMB),
          thumbs.element(e.other_row, THUMB),
        ),
      ),
    );
  }

  private suspects(el: HTMLElement, q: LabelIssuesResponse): void {
    const names = q.classes;
    const decided = new Map(q.decisions.map((d) => [d.index, d]));
    const items = q.items.slice(0, SUSPECTS).map((it, j) =>
      h(
        "button",
        {
          class: "suspect", "data-suspect": it.row, "aria-pressed": "false", disabled: it.row < 0,
          title: `#${it.index}: given ${names[it.given]}, suggested ${names[it.suggested]} (score ${fmtNum(it.score)}; ${it.reason})${decided.has(it.index) ? ` — ${decided.get(it.index)!.action}` : ""}`,
          onclick: () => this.app.go({ sel: { kind: "rows", rows: [it.row] }, at: it.row }),
        },
        this.thumbs && it.row >= 0 ? this.thumbs.element(it.row, THUMB * 1.3) : null,
        h("s", { class: "suspect-label" }, names[it.given] ?? it.given),
        h("span", { class: "suspect-label" }, `→ ${names[it.suggested] ?? it.suggested}`),
        h("span", { class: "muted" }, `${j + 1} · ${fmtNum(it.score)}`),
      ),
    );
    const reviewed = q.decisions.length;
    append(el, [
      h("p", {}, `${fmtInt(q.total)} images whose label is probably wrong, most suspect first${q.accuracy !== null ? ` (the scores agree with ${fmtPct(q.accuracy)} of the given labels)` : ""}. Click one to light it up on the map.`),
      q.inSample ? h("p", { class: "muted" }, "The run's model trained on these images: its scores are in-sample, so many wrong labels go unseen.") : null,
      h("div", { class: "suspects" }, items),
      h("p", {}, h("button", { class: "primary", onclick: () => this.app.go({ view: "review" }) }, "Review them (6)"), h("span", { class: "muted" }, ` ${fmtInt(reviewed)} of ${fmtInt(q.total)} reviewed`)),
    ]);
  }

  private shift(el: HTMLElement, domains: ShiftJson[]): void {
    for (const d of domains) {
      const moving = [...d.per_class].sort((x, y) => y.relative_shift - x.relative_shift).slice(0, 5);
      el.append(
        h("h4", {}, `${d.domain}`, h("span", { class: "muted" }, ` · ${d.data}`)),
        h(
          "div",
          { class: "headline" },
          figure("MMD²", fmtNum(d.mmd2), `Gaussian kernel, bandwidth ${fmtNum(d.mmd.bandwidth)}`),
          figure("p-value", d.p_value < 0.001 ? "< 0.001" : fmtNum(d.p_value), `${fmtInt(d.mmd.permutations)} permutations`),
          figure("accuracy", `${fmtPct(d.accuracy.run)} → ${fmtPct(d.accuracy.domain)}`, "the run's images → the domain's"),
        ),
        h("p", { class: "summary" }, d.summary.text),
        h(
          "table",
          { class: "table" },
          h("thead", {}, h("tr", {}, h("th", {}, "class"), h("th", { class: "num" }, "relative shift"), h("th", {}, "moves toward"), h("th", { class: "num" }, "p (Holm)"), h("th", { class: "num" }, "recall"))),
          h(
            "tbody",
            {},
            moving.map((c) =>
              h(
                "tr",
                {},
                h("td", {}, h("span", { class: "class-link" }, swatch(c.index), c.class)),
                h("td", { class: "num" }, fmtNum(c.relative_shift)),
                h("td", {}, c.moves_toward === c.class ? h("span", { class: "muted" }, "itself") : c.moves_toward),
                h("td", { class: "num" }, fmtNum(c.p_holm)),
                h("td", { class: "num" }, `${fmtPct(c.recall_run, 0)} → ${fmtPct(c.recall_domain, 0)}`),
              ),
            ),
          ),
        ),
        h("button", { onclick: () => this.app.go({ domain: d.domain, sel: null, at: null, only: [] }) }, `the domain ${d.domain} on the map`),
      );
    }
  }

  private compare(el: HTMLElement, comparisons: CompareSummary[]): void {
    for (const c of comparisons) {
      const n = c.agreement.counts;
      el.append(
        h("h4", {}, `${c.a.id} and ${c.b.id}`, h("span", { class: "muted" }, ` · ${fmtInt(c.n)} images (${c.how})`)),
        h(
          "div",
          { class: "headline" },
          figure("accuracy", `${fmtPct(c.a.accuracy)} · ${fmtPct(c.b.accuracy)}`, `${c.a.id} · ${c.b.id}`),
          figure("both right", fmtInt(n.both_right)),
          figure(`only ${c.a.id}`, fmtInt(n.only_a)),
          figure(`only ${c.b.id}`, fmtInt(n.only_b)),
          figure("both wrong", fmtInt(n.both_wrong)),
        ),
        h("button", { onclick: () => this.app.go({ view: "compare", with: c.b.id }) }, `compare the maps of ${c.a.id} and ${c.b.id} (4)`),
      );
    }
  }
}

/** The per-class table: purity as a bar, silhouettes, recall, the class most often among its neighbours. */
function classTable(s: SeparationJson, only: (c: number) => void): HTMLElement {
  const rows = [...s.per_class].sort((x, y) => x.purity - y.purity);
  return h(
    "table",
    { class: "table per-class-purity" },
    h("thead", {}, h("tr", {}, ["class", "images", "kNN purity", "silhouette", "recall", "most among its neighbours"].map((t, j) => h("th", { class: j && j < 5 ? "num" : "" }, t)))),
    h(
      "tbody",
      {},
      rows.map((c) =>
        h(
          "tr",
          { "data-class": c.index },
          h("td", {}, h("button", { class: "link class-link", title: "show only this class on the map", onclick: () => only(c.index) }, swatch(c.index), c.class)),
          h("td", { class: "num" }, fmtInt(c.n)),
          h("td", { class: "num" }, h("span", { class: "f1", style: `--v:${c.purity}` }, fmtPct(c.purity))),
          h("td", { class: "num" }, fmtNum(c.silhouette)),
          h("td", { class: "num" }, fmtPct(c.recall)),
          h("td", {}, c.top_neighbor ? `${c.top_neighbor.class} (${fmtPct(c.top_neighbor.share)})` : "–"),
        ),
      ),
    ),
  );
}

function section(title: string): HTMLElement {
  return h("section", { class: "diagnose-panel" }, h("h2", {}, title));
}

function figure(label: string, value: string, title?: string): HTMLElement {
  return h("div", { class: "figure", title: title ?? null }, h("div", { class: "value" }, value), h("div", { class: "label" }, label));
}

function swatch(c: number): HTMLElement {
  return h("i", { class: "swatch", style: `background:${classColor(c)}` });
}

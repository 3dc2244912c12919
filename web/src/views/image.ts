import type { InsideLayer, InsideResponse, NeighborsResponse, RunDetail } from "../../../src/api/types.js";
import { MAP_STYLE } from "../../../src/report/charts/mapPoints.js";
import { classColor } from "../../../src/report/charts/theme.js";
import type { App } from "../app.js";
import { chart } from "../charts.js";
import { fill, fmtNum, fmtPct, h } from "../dom.js";
import { Thumbs } from "../thumbs.js";
import type { AppState } from "../state.js";
import type { View } from "./view.js";

/**
 * One image: large, its softmax bars, its nearest neighbours in feature space beside those in pixel
 * space (does the model see it as the pixels do?), and what each layer of the model makes of it —
 * the feature maps and a histogram of the values.
 */

const NEIGHBOURS = 10;
const THUMB = 52;

export class ImageView implements View {
  readonly element = h("div", { class: "view image-view" });
  private key_ = "";
  private thumbs: Thumbs | null = null;
  private thumbsKey = "";
  private n = 0;

  constructor(private readonly app: App) {}

  async update(s: AppState): Promise<void> {
    if (!s.run) return;
    if (s.row === null) {
      const at = s.at ?? (s.sel?.kind === "rows" ? s.sel.rows[0] : null);
      fill(this.element, h("p", { class: "muted hint" }, "Pick an image: hover the map and click a point, or a cell of the grid, then Enter (or 2)."));
      if (at !== null) this.app.go({ row: at });
      return;
    }
    const key = `${s.run}|${s.domain ?? ""}|${s.row}`;
    if (key === this.key_) return;
    this.key_ = key;
    await this.render(s.run, s.domain, s.row, key);
  }

  key(e: KeyboardEvent): boolean {
    const s = this.app.state;
    if (s.row === null) return false;
    if (e.key === "ArrowLeft" && s.row > 0) return this.app.go({ row: s.row - 1, at: s.row - 1 }), true;
    if (e.key === "ArrowRight" && (!this.n || s.row + 1 < this.n)) return this.app.go({ row: s.row + 1, at: s.row + 1 }), true;
    return false;
  }

  private async render(run: string, domain: string | null, row: number, key: string): Promise<void> {
    const api = this.app.api;
    let detail: RunDetail;
    try {
      detail = await api.run(run, domain);
    } catch (e) {
      return void fill(this.element, h("p", { class: "error" }, (e as Error).message));
    }
    if (key !== this.key_) return;
    const side = detail.image ? Math.max(detail.image.height, detail.image.width) : 32;
    if (this.thumbsKey !== `${run}|${domain ?? ""}`) {
      this.thumbsKey = `${run}|${domain ?? ""}`;
      this.thumbs = await Thumbs.open(api, run, domain, side).catch(() => null);
    }
    this.n = detail.n ?? 0;
    const scale = Math.max(1, Math.min(16, Math.round(240 / side)));
    const head = h("div", { class: "image-head" }, h("h2", {}, `Image row ${row}`), h("span", { class: "muted" }, "← → step through the images · 1 back to the map"));
    const big = h("img", { class: "big-image", src: api.imageUrl(run, row, { domain, scale }), alt: `image row ${row}`, width: (detail.image?.width ?? side) * scale, height: (detail.image?.height ?? side) * scale });
    const facts = h("div", { class: "facts" }, h("p", { class: "muted" }, "…"));
    const softmax = h("div", { class: "chart softmax" });
    const feature = h("section", { class: "neighbours", "data-space": "feature" });
    const pixel = h("section", { class: "neighbours", "data-space": "pixel" });
    const layers = h("section", { class: "layers" }, h("p", { class: "muted" }, "reading the model's layers …"));
    fill(
      this.element,
      head,
      h(
        "div",
        { class: "image-top" },
        h("figure", { class: "image-figure" }, big, facts),
        softmax,
        h(
          "div",
          { class: "image-neighbours" },
          h("h2", {}, "Nearest neighbours"),
          h("p", { class: "muted" }, "as the model sees it (penultimate features) and as the pixels are; click one to open it"),
          feature,
          pixel,
        ),
      ),
      h("h2", {}, "Inside the model: each layer's feature maps and values"),
      layers,
    );
    void this.neighbours(feature, run, domain, row, "feature", detail.classes, key);
    void this.neighbours(pixel, run, domain, row, "pixel", detail.classes, key);
    let inside: InsideResponse;
    try {
      inside = await api.inside(run, row, domain);
    } catch (e) {
      fill(facts, h("p", { class: "error" }, (e as Error).message));
      fill(layers, h("p", { class: "muted" }, `No layers: ${(e as Error).message}`));
      return;
    }
    if (key !== this.key_) return;
    fill(head.firstChild as HTMLElement, `Image #${inside.index}`);
    const names = detail.classes;
    const wrong = inside.label >= 0 && inside.label !== inside.predicted;
    fill(
      facts,
      h("dl", {}, h("dt", {}, "true class"), h("dd", {}, names[inside.label] ?? "unlabelled"), h("dt", {}, "predicted"), h("dd", { style: wrong ? `color:${MAP_STYLE.wrong}` : "" }, `${names[inside.predicted] ?? inside.predicted} (${fmtPct(inside.probabilities[inside.predicted])})`, wrong ? " — wrong" : ""), h("dt", {}, "row"), h("dd", {}, String(row))),
    );
    void chart(softmax, inside.softmax).catch((e: Error) => fill(softmax, h("p", { class: "muted" }, e.message)));
    this.renderLayers(layers, run, domain, row, inside.layers);
  }

  private async neighbours(el: HTMLElement, run: string, domain: string | null, row: number, space: "feature" | "pixel", classes: string[], key: string): Promise<void> {
    const title = space === "feature" ? "in feature space" : "in pixel space";
    fill(el, h("h3", {}, title), h("p", { class: "muted" }, "…"));
    let res: NeighborsResponse;
    try {
      res = await this.app.api.neighbors(run, row, { space, k: NEIGHBOURS, domain });
    } catch (e) {
      return void fill(el, h("h3", {}, title), h("p", { class: "muted" }, (e as Error).message));
    }
    if (key !== this.key_) return;
    const strip = h("div", { class: "strip" });
    for (const nb of res.neighbors) {
      const wrong = nb.label >= 0 && nb.predicted !== nb.label;
      const thumb = this.thumbs ? this.thumbs.element(nb.row, THUMB, `thumb${wrong ? " wrong" : ""}`) : h("img", { src: this.app.api.imageUrl(run, nb.row, { domain, scale: 2 }), class: "thumb", width: THUMB, height: THUMB });
      strip.append(
        h(
          "button",
          { class: "nb", title: `#${nb.index}: ${classes[nb.label] ?? "unlabelled"} → ${classes[nb.predicted] ?? nb.predicted}, distance ${fmtNum(nb.distance)}`, onclick: () => this.app.go({ row: nb.row, at: nb.row }, { push: true }) },
          thumb,
          h("span", { class: "nb-label", style: `border-color:${classColor(nb.label)}` }, classes[nb.label] ?? "?"),
          h("span", { class: "nb-dist" }, fmtNum(nb.distance)),
        ),
      );
    }
    const share = res.neighbors.length ? `${res.sameClass} of ${res.neighbors.length} share its class` : "no neighbours";
    fill(el, h("h3", {}, title, h("span", { class: "muted" }, ` · ${share}`)), strip);
  }

  private renderLayers(el: HTMLElement, run: string, domain: string | null, row: number, layers: InsideLayer[]): void {
    if (!layers.length) return void fill(el, h("p", { class: "muted" }, "The model's layers are not available for this run."));
    const api = this.app.api;
    const items = layers.map((l) => {
      const hist = h("div", { class: "chart hist" });
      const card = h(
        "article",
        { class: "layer", "data-layer": l.index },
        h("header", {}, h("strong", {}, l.name), h("span", { class: "muted" }, ` ${l.op} · ${l.shape.join("×")}`)),
        h("div", { class: "layer-stats muted" }, `mean ${fmtNum(l.mean)} · std ${fmtNum(l.std)} · min ${fmtNum(l.min)} · max ${fmtNum(l.max)} · zeros ${fmtPct(l.zeros, 0)}`),
        h(
          "div",
          { class: "layer-body" },
          l.maps ? h("img", { class: "fmaps", loading: "lazy", src: api.insideLayerUrl(run, row, l.index, domain), alt: `feature maps of ${l.name}` }) : null,
          hist,
        ),
      );
      lazyChart(hist, l.histogram);
      return card;
    });
    fill(el, items);
  }
}

/** Draws a chart once it scrolls near the window: a model has dozens of layers. */
function lazyChart(el: HTMLElement, spec: unknown): void {
  const io = new IntersectionObserver(
    (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      io.disconnect();
      void chart(el, spec).catch((e: Error) => fill(el, h("p", { class: "muted" }, e.message)));
    },
    { rootMargin: "400px" },
  );
  io.observe(el);
}

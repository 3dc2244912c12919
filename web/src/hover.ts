import type { PredictionRow } from "../../src/api/types.js";
import { MAP_STYLE } from "../../src/report/charts/mapPoints.js";
import { CHART_THEME } from "../../src/report/charts/theme.js";
import type { Api, LoadedPoints } from "./api.js";
import { fill, fmtPct, h } from "./dom.js";
import type { Thumbs } from "./thumbs.js";

/**
 * The card beside the pointer over a point: the image (from the atlas), its true class and
 * prediction from the map's own columns at once, then its top-3 probabilities once the server
 * answers (one POST per point rested on, remembered).
 */
export class HoverCard {
  readonly element = h("div", { class: "hover-card", hidden: true, role: "tooltip" });
  private readonly probs = new Map<string, Promise<PredictionRow | undefined>>();
  private current: string | null = null;
  private timer = 0;

  private static one: HoverCard | null = null;

  /** The page's one card (the map and compare views share it). */
  static shared(api: Api): HoverCard {
    HoverCard.one ??= new HoverCard(api);
    return HoverCard.one;
  }

  private constructor(private readonly api: Api) {
    document.body.append(this.element);
  }

  show(o: { run: string; domain: string | null; row: number; points: LoadedPoints; classes: string[]; thumbs: Thumbs | null; x: number; y: number; caption?: string }): void {
    const { points: p, row, classes } = o;
    const key = `${o.run}/${o.domain ?? ""}/${row}`;
    this.current = key;
    const label = p.label[row];
    const predicted = p.predicted[row];
    const known = label < classes.length;
    const wrong = known && predicted !== label;
    const top = h("ol", { class: "top3" }, h("li", { class: "muted" }, "…"));
    fill(
      this.element,
      o.thumbs ? o.thumbs.element(row, 112, "thumb big") : null,
      h(
        "div",
        { class: "hover-text" },
        o.caption ? h("div", { class: "muted" }, o.caption) : null,
        h("div", { class: "muted" }, `image #${p.index[row]} · row ${row}`),
        h("div", {}, "true ", h("b", {}, known ? classes[label] : "unlabelled")),
        h("div", {}, "predicted ", h("b", { style: wrong ? `color:${MAP_STYLE.wrong}` : "" }, classes[predicted] ?? String(predicted)), wrong ? " ✗" : known ? " ✓" : ""),
        top,
      ),
    );
    this.element.hidden = false;
    this.place(o.x, o.y);
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => {
      let req = this.probs.get(key);
      if (!req) {
        req = this.api
          .predictions(o.run, { rows: [row], probabilities: true, domain: o.domain ?? undefined })
          .then((r) => r.rows[0])
          .catch(() => undefined);
        this.probs.set(key, req);
      }
      void req.then((r) => {
        if (this.current !== key) return;
        if (!r?.probabilities) return void fill(top);
        const best = r.probabilities.map((v, k) => ({ v, k })).sort((a, b) => b.v - a.v).slice(0, 3);
        fill(
          top,
          best.map(({ v, k }) =>
            h(
              "li",
              {},
              h("span", { class: "bar", style: `width:${Math.max(1, Math.round(v * 100))}%;background:${barColor(k, label, predicted)}` }),
              h("span", { class: "p" }, `${classes[k] ?? k} ${fmtPct(v)}`),
            ),
          ),
        );
      });
    }, 40);
  }

  hide(): void {
    this.current = null;
    clearTimeout(this.timer);
    this.element.hidden = true;
  }

  private place(x: number, y: number): void {
    const r = this.element.getBoundingClientRect();
    const left = x + 16 + r.width > window.innerWidth ? x - 16 - r.width : x + 16;
    const top = Math.min(Math.max(4, y - r.height / 2), window.innerHeight - r.height - 4);
    this.element.style.transform = `translate(${Math.max(4, left)}px, ${top}px)`;
  }
}

/** The softmax bars' colours of the report: the true class blue, a wrong prediction orange, both at once green. */
function barColor(k: number, label: number, predicted: number): string {
  const c = CHART_THEME.color;
  return k === label && k === predicted ? c.correct : k === label ? c.truth : k === predicted ? c.predicted : c.other;
}

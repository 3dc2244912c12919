import type { LabelFixJson, LabelIssuesResponse, NeighborsResponse, ReviewItem, RunDetail } from "../../../src/api/types.js";
import { classColor } from "../../../src/report/charts/theme.js";
import type { App } from "../app.js";
import { fill, fmtInt, fmtNum, fmtPct, h, status } from "../dom.js";
import type { AppState } from "../state.js";
import { Thumbs } from "../thumbs.js";
import type { View } from "./view.js";

/**
 * The review of a run's label issues: one suspect at a time, most suspect first — the image large,
 * its given and suggested labels, the score and why it was flagged, its nearest neighbours in
 * feature space —, decided with the keyboard: keep, relabel (to the suggested class, or any class
 * by its number or the menu) or drop. Every decision is saved at once as the run's
 * label-issues/label-fixes.csv (the whole set; one save at a time, the latest set last), which
 * `featurelens train --label-fixes` applies; a reload shows them again.
 */

const NEIGHBOURS = 10;
const THUMB = 64;
/** Suspects shown on each side of the current one in the strip. */
const AROUND = 7;

const ACTION_NAMES: Record<LabelFixJson["action"], string> = { keep: "keep", relabel: "relabel", drop: "drop" };

export class ReviewView implements View {
  readonly element = h("div", { class: "view review-view" });
  /** Number keys pick a class here, not a view. */
  readonly ownsDigits = true;
  private key_ = "";
  private queue: LabelIssuesResponse | null = null;
  private detail: RunDetail | null = null;
  private thumbs: Thumbs | null = null;
  private readonly decisions = new Map<number, LabelFixJson>();
  private itemKey = "";
  private saving: Promise<void> | null = null;
  private dirty = false;
  private saveState: "saved" | "saving" | "failed" | "" = "";

  constructor(private readonly app: App) {}

  async update(s: AppState): Promise<void> {
    if (!s.run) return;
    if (s.run !== this.key_) {
      this.key_ = s.run;
      this.queue = null;
      this.decisions.clear();
      this.itemKey = "";
      fill(this.element, h("p", { class: "muted hint" }, "loading the review queue …"));
      try {
        const [queue, detail] = await Promise.all([this.app.api.labelIssues(s.run), this.app.api.run(s.run)]);
        if (s.run !== this.key_) return;
        this.queue = queue;
        this.detail = detail;
        for (const d of queue.decisions) this.decisions.set(d.index, d);
        const side = detail.image ? Math.max(detail.image.height, detail.image.width) : 32;
        this.thumbs = await Thumbs.open(this.app.api, s.run, null, side).catch(() => null);
      } catch (e) {
        this.key_ = "";
        fill(this.element, h("div", { class: "hint" }, h("h2", {}, "Nothing to review"), h("p", { class: "error" }, (e as Error).message)));
        return;
      }
    }
    const q = this.queue;
    if (!q) return;
    if (!q.items.length) return void fill(this.element, h("p", { class: "muted hint" }, "The review queue is empty: label-issues found no suspect label."));
    const at = Math.min(s.item ?? this.firstUndecided(0), q.items.length - 1);
    if (s.item !== at) return this.app.go({ item: at });
    const key = `${s.run}|${at}`;
    if (key === this.itemKey) return;
    this.itemKey = key;
    this.render(s.run, at);
  }

  key(e: KeyboardEvent): boolean {
    const q = this.queue;
    const at = this.app.state.item;
    if (!q || at === null) return false;
    const item = q.items[at];
    switch (e.key) {
      case "j":
      case "ArrowRight":
      case "ArrowDown":
        return this.step(1);
      case "k":
      case "ArrowLeft":
      case "ArrowUp":
        return this.step(-1);
      case "n":
        return this.goTo(this.firstUndecided(at + 1));
      case "o":
        return this.decide(item, { index: item.index, action: "keep", new_label: null });
      case "r":
        return this.decide(item, { index: item.index, action: "relabel", new_label: item.suggested });
      case "d":
        return this.decide(item, { index: item.index, action: "drop", new_label: null });
      case "u":
      case "Backspace":
        return this.decide(item, null);
    }
    if (/^\d$/.test(e.key)) {
      const c = Number(e.key);
      if (c >= q.classes.length) return false;
      return this.decide(item, { index: item.index, action: "relabel", new_label: c });
    }
    return false;
  }

  /** The decisions in the queue's order (what the server is sent). */
  get fixes(): LabelFixJson[] {
    return (this.queue?.items ?? []).flatMap((it) => (this.decisions.has(it.index) ? [this.decisions.get(it.index)!] : []));
  }

  /** Settles once every decision taken so far is on disk (the tests wait for it). */
  async saved(): Promise<void> {
    while (this.saving) await this.saving;
  }

  private step(by: number): boolean {
    const at = this.app.state.item ?? 0;
    return this.goTo(at + by);
  }

  private goTo(at: number): boolean {
    const n = this.queue?.items.length ?? 0;
    if (at < 0 || at >= n) return false;
    this.app.go({ item: at });
    return true;
  }

  private firstUndecided(from: number): number {
    const items = this.queue?.items ?? [];
    for (let j = from; j < items.length; j++) if (!this.decisions.has(items[j].index)) return j;
    return Math.min(from, Math.max(0, items.length - 1));
  }

  /** Takes (or with null, clears) a decision, saves, and moves on to the next suspect. */
  private decide(item: ReviewItem, fix: LabelFixJson | null): boolean {
    if (fix) this.decisions.set(item.index, fix);
    else this.decisions.delete(item.index);
    this.save();
    const at = this.app.state.item ?? 0;
    if (fix && at + 1 < (this.queue?.items.length ?? 0)) this.app.go({ item: at + 1 });
    else {
      this.itemKey = "";
      this.app.go({ item: at });
    }
    return true;
  }

  /** One save at a time; decisions taken meanwhile go in the next one. */
  private save(): void {
    this.dirty = true;
    if (this.saving) return;
    const run = this.key_;
    this.saving = (async () => {
      while (this.dirty) {
        this.dirty = false;
        this.setSaveState("saving");
        try {
          await this.app.api.saveLabelFixes(run, this.fixes);
          this.setSaveState("saved");
        } catch (e) {
          this.setSaveState("failed");
          status(`The decisions were not saved: ${(e as Error).message}`, "error");
          break;
        }
      }
      this.saving = null;
    })();
  }

  private setSaveState(s: ReviewView["saveState"]): void {
    this.saveState = s;
    const el = this.element.querySelector<HTMLElement>(".save-state");
    if (el) this.paintSaveState(el);
  }

  private paintSaveState(el: HTMLElement): void {
    const file = this.queue?.file ?? "label-fixes.csv";
    el.dataset.state = this.saveState;
    fill(el, this.saveState === "saving" ? "saving …" : this.saveState === "failed" ? "not saved" : this.saveState === "saved" ? `saved in ${file}` : `decisions go in ${file}`);
  }

  private render(run: string, at: number): void {
    const q = this.queue!;
    const names = q.classes;
    const item = q.items[at];
    const decision = this.decisions.get(item.index) ?? null;
    const side = this.detail?.image ? Math.max(this.detail.image.height, this.detail.image.width) : 32;
    const scale = Math.max(1, Math.min(16, Math.round(360 / side)));
    const saveState = h("span", { class: "save-state muted" });
    this.paintSaveState(saveState);
    const head = h(
      "div",
      { class: "review-head" },
      h("h2", {}, `Suspect ${fmtInt(at + 1)} of ${fmtInt(q.total)}`),
      h("span", { class: "progress", "data-reviewed": this.decisions.size }, `${fmtInt(this.decisions.size)} of ${fmtInt(q.total)} reviewed`),
      h("span", { class: "progress-bar" }, h("span", { style: `width:${(100 * this.decisions.size) / q.total}%` })),
      saveState,
    );
    const menu = h(
      "select",
      { "aria-label": "relabel as", title: "relabel as another class (or its number key)", onchange: (e: Event) => {
        const v = (e.target as HTMLSelectElement).value;
        if (v !== "") this.decide(item, { index: item.index, action: "relabel", new_label: Number(v) });
      } },
      h("option", { value: "" }, "relabel as …"),
      names.map((c, j) => h("option", { value: j, selected: decision?.action === "relabel" && decision.new_label === j }, `${j < 10 ? `${j} · ` : ""}${c}`)),
    );
    const button = (action: LabelFixJson["action"], label: string, key: string, fix: LabelFixJson) =>
      h("button", { class: `decide decide-${action}`, "data-action": action, "aria-pressed": String(decision?.action === action && (action !== "relabel" || decision.new_label === fix.new_label)), onclick: () => this.decide(item, fix) }, label, h("kbd", {}, key));
    const decided = decision
      ? h("p", { class: "decision", "data-action": decision.action }, "decided: ", h("strong", {}, decision.action === "relabel" ? `relabel as ${names[decision.new_label!]}` : ACTION_NAMES[decision.action]), " ", h("button", { class: "link", onclick: () => this.decide(item, null) }, "undo (u)"))
      : h("p", { class: "decision muted" }, "not decided yet");
    const facts = h(
      "dl",
      { class: "facts review-facts" },
      h("dt", {}, "given label"), h("dd", { class: "given" }, swatch(item.given), names[item.given] ?? String(item.given)),
      h("dt", {}, "suggested"), h("dd", { class: "suggested" }, swatch(item.suggested), names[item.suggested] ?? String(item.suggested), item.suggested_probability !== null ? h("span", { class: "muted" }, ` (${fmtPct(item.suggested_probability)})`) : null),
      h("dt", {}, "score"), h("dd", {}, fmtNum(item.score), h("span", { class: "muted" }, " (1: surely wrong)")),
      h("dt", {}, "why"), h("dd", {}, item.reason),
      item.self_confidence !== null ? [h("dt", {}, "given label's p"), h("dd", {}, fmtPct(item.self_confidence))] : null,
      item.neighbours_disagree !== null ? [h("dt", {}, "neighbours"), h("dd", {}, `${fmtPct(item.neighbours_disagree, 0)} with another label`)] : null,
      h("dt", {}, "image"), h("dd", {}, `#${item.index}`, item.path ? h("span", { class: "muted" }, ` ${item.path}`) : null, item.row >= 0 ? [" ", h("button", { class: "link", onclick: () => this.app.go({ view: "image", row: item.row, at: item.row }, { push: true }) }, "open")] : null),
    );
    const big = item.row >= 0
      ? h("img", { class: "big-image", src: this.app.api.imageUrl(run, item.row, { scale }), alt: `image #${item.index}`, width: (this.detail?.image?.width ?? side) * scale, height: (this.detail?.image?.height ?? side) * scale })
      : h("p", { class: "error" }, `image #${item.index} is not among the run's images`);
    const neighbours = h("section", { class: "neighbours", "data-space": "feature" }, h("h3", {}, "Nearest neighbours in feature space"), h("p", { class: "muted" }, "…"));
    fill(
      this.element,
      head,
      h(
        "div",
        { class: "review-main" },
        h("figure", { class: "review-figure" }, big),
        h(
          "div",
          { class: "review-side" },
          facts,
          decided,
          h(
            "div",
            { class: "decide-buttons" },
            button("keep", "keep the label", "o", { index: item.index, action: "keep", new_label: null }),
            button("relabel", `relabel as ${names[item.suggested] ?? item.suggested}`, "r", { index: item.index, action: "relabel", new_label: item.suggested }),
            button("drop", "drop the image", "d", { index: item.index, action: "drop", new_label: null }),
            menu,
          ),
          h("p", { class: "muted keys-line" }, "j k or ← →: next, previous · n: next undecided · 0–9: relabel as that class · u: undo · ?: all keys"),
          neighbours,
        ),
      ),
      this.strip(at),
      h("p", { class: "muted" }, `The decisions are saved as ${q.file} in run ${run}: featurelens train --label-fixes …/${run}/${q.file} applies them (relabels, drops) before training.`),
    );
    if (item.row >= 0) void this.neighbours(neighbours, run, item, `${run}|${at}`);
  }

  /** The suspects around the current one, each marked with its decision. */
  private strip(at: number): HTMLElement {
    const q = this.queue!;
    const from = Math.max(0, Math.min(at - AROUND, q.items.length - 2 * AROUND - 1));
    const items = q.items.slice(from, from + 2 * AROUND + 1);
    return h(
      "div",
      { class: "queue-strip", "aria-label": "the queue" },
      items.map((it, j) => {
        const d = this.decisions.get(it.index);
        return h(
          "button",
          { class: `queue-item${from + j === at ? " current" : ""}`, "data-action": d?.action ?? "", title: `${from + j + 1}. #${it.index}: ${q.classes[it.given]} → ${q.classes[it.suggested]}${d ? ` — ${d.action}` : ""}`, onclick: () => this.goTo(from + j) },
          this.thumbs && it.row >= 0 ? this.thumbs.element(it.row, 40) : h("span", {}, String(it.index)),
          h("span", { class: "queue-mark" }, d ? (d.action === "relabel" ? `→ ${q.classes[d.new_label!]}` : d.action) : String(from + j + 1)),
        );
      }),
    );
  }

  private async neighbours(el: HTMLElement, run: string, item: ReviewItem, key: string): Promise<void> {
    const names = this.queue!.classes;
    let res: NeighborsResponse;
    try {
      res = await this.app.api.neighbors(run, item.row, { space: "feature", k: NEIGHBOURS });
    } catch (e) {
      return void fill(el, h("h3", {}, "Nearest neighbours in feature space"), h("p", { class: "muted" }, (e as Error).message));
    }
    if (key !== this.itemKey) return;
    const given = res.neighbors.filter((nb) => nb.label === item.given).length;
    const suggested = res.neighbors.filter((nb) => nb.label === item.suggested).length;
    const strip = h(
      "div",
      { class: "strip" },
      res.neighbors.map((nb) =>
        h(
          "button",
          { class: "nb", title: `#${nb.index}: ${names[nb.label] ?? "unlabelled"}, predicted ${names[nb.predicted] ?? nb.predicted}, distance ${fmtNum(nb.distance)}`, onclick: () => this.app.go({ view: "image", row: nb.row, at: nb.row }, { push: true }) },
          this.thumbs ? this.thumbs.element(nb.row, THUMB) : h("img", { src: this.app.api.imageUrl(run, nb.row, { scale: 2 }), class: "thumb", width: THUMB, height: THUMB }),
          h("span", { class: "nb-label", style: `border-color:${classColor(nb.label)}` }, names[nb.label] ?? "?"),
        ),
      ),
    );
    fill(el, h("h3", {}, "Nearest neighbours in feature space", h("span", { class: "muted" }, ` · ${given} ${names[item.given]}, ${suggested} ${names[item.suggested]}`)), strip);
  }
}

function swatch(c: number): HTMLElement {
  return h("i", { class: "swatch", style: `background:${classColor(c)}` });
}

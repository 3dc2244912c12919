import type { RunsResponse } from "../../src/api/types.js";
import { Api } from "./api.js";
import type { App } from "./app.js";
import { fill, h, status } from "./dom.js";
import { helpDialog, typing } from "./keys.js";
import { MapPanel } from "./map/panel.js";
import type { MapCanvas } from "./map/scatter.js";
import { formatHash, parseHash, VIEWS, type AppState, type ViewName } from "./state.js";
import { CompareView } from "./views/compare.js";
import { DiagnoseView } from "./views/diagnose.js";
import { ImageView } from "./views/image.js";
import { MapView } from "./views/map.js";
import { MetricsView } from "./views/metrics.js";
import { ReviewView } from "./views/review.js";
import type { View } from "./views/view.js";

/**
 * The featurelens app: a bar (run, views, help) over one view at a time. The URL's hash is the
 * whole state; every change goes through `go`, which writes the hash and shows it.
 */

const VIEW_NAMES: Record<ViewName, string> = { map: "Map", image: "Image", metrics: "Metrics", compare: "Compare", diagnose: "Diagnose", review: "Review" };

class FeaturelensApp implements App {
  readonly api = new Api("api", new URLSearchParams(location.search).get("token"));
  state: AppState = parseHash(location.hash);
  private runsList: Promise<RunsResponse> | null = null;
  private readonly panel: MapPanel;
  private readonly views: Record<ViewName, View>;
  private shown: View | null = null;
  private readonly bar = document.getElementById("bar")!;
  private readonly main = document.getElementById("view")!;
  private readonly help = helpDialog();
  private rendering = Promise.resolve();

  constructor() {
    this.panel = new MapPanel(this);
    this.views = { map: new MapView(this, this.panel), image: new ImageView(this), metrics: new MetricsView(this, this.panel), compare: new CompareView(this), diagnose: new DiagnoseView(this, this.panel), review: new ReviewView(this) };
    window.addEventListener("hashchange", () => this.show(parseHash(location.hash)));
    window.addEventListener("keydown", (e) => this.onKey(e));
  }

  runs(): Promise<RunsResponse> {
    this.runsList ??= this.api.runs();
    return this.runsList;
  }

  go(change: Partial<AppState>, o: { push?: boolean } = {}): void {
    const next = { ...this.state, ...change };
    if (change.view && change.view !== this.state.view) o.push = true;
    const hash = formatHash(next);
    if (hash !== location.hash) {
      if (o.push) history.pushState(null, "", hash);
      else history.replaceState(null, "", hash);
    }
    this.show(next);
  }

  async start(): Promise<void> {
    // A URL that names its run shows at once; the list of runs (for the bar) comes beside it.
    if (this.state.run) return this.show(this.state);
    let runs: RunsResponse;
    try {
      runs = await this.runs();
    } catch (e) {
      fill(this.main, h("p", { class: "error hint" }, `The server did not answer: ${(e as Error).message}`));
      return;
    }
    const run = runs.newest ?? runs.runs[0]?.id ?? null;
    if (!run) {
      fill(this.main, h("div", { class: "hint" }, h("h2", {}, "No runs in this workspace yet"), h("p", {}, "Make one: ", h("code", {}, "featurelens demo"), " or ", h("code", {}, "featurelens analyze --model M --data D --out NAME"), ", then reload.")));
      return;
    }
    history.replaceState(null, "", formatHash({ ...this.state, run }));
    this.show(parseHash(location.hash));
  }

  private show(s: AppState): void {
    this.state = s;
    this.renderBar(s);
    const view = this.views[s.view];
    if (view !== this.shown) {
      this.shown?.hide?.();
      this.shown = view;
      this.main.replaceChildren(view.element);
      document.body.dataset.view = s.view;
    }
    this.rendering = this.rendering.then(async () => {
      try {
        if (this.shown === view) await view.update(this.state);
      } catch (e) {
        status((e as Error).message, "error");
      }
      document.body.dataset.ready = "true";
    });
  }

  private barKey = "";

  private renderBar(s: AppState): void {
    const key = `${s.view}|${s.run}`;
    if (key === this.barKey) return;
    this.barKey = key;
    const runSelect = h("select", { "aria-label": "run", title: "the run", onchange: (e: Event) => this.go({ run: (e.target as HTMLSelectElement).value, map: null, domain: null, sel: null, at: null, only: [], row: null, with: null, item: null }, { push: true }) });
    void this.runs().then(
      (r) => {
        for (const run of r.runs) runSelect.append(h("option", { value: run.id, selected: run.id === s.run, disabled: run.status === "damaged" }, `${run.id}${run.model && run.model !== run.id ? ` · ${run.model}` : ""}${run.accuracy !== null ? ` · ${(100 * run.accuracy).toFixed(1)}%` : ""}`));
      },
      (e: Error) => status(`The list of runs: ${e.message}`, "error"),
    );
    const tabs = h(
      "nav",
      { class: "tabs", "aria-label": "views" },
      VIEWS.map((v, i) => h("button", { "data-view": v, "aria-current": v === s.view ? "page" : null, title: `${VIEW_NAMES[v]} (${i + 1})`, onclick: () => this.toView(v) }, VIEW_NAMES[v], h("kbd", {}, String(i + 1)))),
    );
    fill(this.bar, h("a", { class: "brand", href: "#/", title: "featurelens" }, "featurelens"), runSelect, tabs, h("button", { class: "help-button", title: "keyboard shortcuts (?)", onclick: () => this.help.showModal() }, "?"));
  }

  /** Another view of the same run; the image view opens the grid's current image. */
  private toView(v: ViewName): void {
    this.go({ view: v, row: v === "image" ? (this.state.at ?? this.state.row) : this.state.row });
  }

  /** The map panel (the tests and the benchmark read its frame counts). */
  get map(): MapPanel {
    return this.panel;
  }

  /** The review view (the tests wait for its saves). */
  get review(): ReviewView {
    return this.views.review as ReviewView;
  }

  /** The compare view's maps (the tests find points on them). */
  get compareMaps(): readonly MapCanvas[] {
    return (this.views.compare as CompareView).maps;
  }

  private onKey(e: KeyboardEvent): void {
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (this.help.open) return;
    const n = Number(e.key);
    if (/^\d$/.test(e.key) && this.shown?.ownsDigits) {
      if (!this.shown.key?.(e)) return;
    } else if (n >= 1 && n <= VIEWS.length) {
      this.toView(VIEWS[n - 1]);
    } else if (e.key === "?") {
      this.help.showModal();
    } else if (!this.shown?.key?.(e)) {
      return;
    }
    e.preventDefault();
  }
}

const app = new FeaturelensApp();
(window as unknown as { featurelens: unknown }).featurelens = app;
void app.start();

import type { App } from "../app.js";
import { h } from "../dom.js";
import type { MapPanel } from "../map/panel.js";
import type { AppState } from "../state.js";
import type { View } from "./view.js";

/** The first screen: a run's map as large as the window allows, the selection's grid beside it. */
export class MapView implements View {
  readonly element = h("div", { class: "view map-view" });

  constructor(
    private readonly app: App,
    private readonly panel: MapPanel,
  ) {}

  update(s: AppState): Promise<void> {
    if (this.panel.element.parentElement !== this.element) this.element.append(this.panel.element);
    return this.panel.update(s);
  }

  key(e: KeyboardEvent): boolean {
    return panelKey(this.panel, e, this.app);
  }
}

/** Keys of a view with the map panel: arrows step through the grid, Enter opens its image, … */
export function panelKey(panel: MapPanel, e: KeyboardEvent, app: App): boolean {
  const steps: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  if (e.key in steps) {
    const [dx, dy] = steps[e.key];
    return panel.grid.step(dx, dy);
  }
  switch (e.key) {
    case "Enter":
      return panel.grid.openCursor();
    case "c":
      panel.cycleColor();
      return true;
    case "C":
      panel.cycleColor(true);
      return true;
    case "m":
      panel.cycleMap();
      return true;
    case "w":
      panel.toggleMarks();
      return true;
    case "l":
      panel.setMode("lasso");
      return true;
    case "b":
      panel.setMode("box");
      return true;
    case "p":
      panel.setMode("pan");
      return true;
    case "0":
    case "f":
      panel.canvas.fit();
      return true;
    case "+":
    case "=":
      panel.canvas.nudge(0, 0, 1.5);
      return true;
    case "-":
      panel.canvas.nudge(0, 0, 1 / 1.5);
      return true;
    case "Escape":
      // First the selection, then the isolated classes.
      if (app.state.sel) app.go({ sel: null, at: null });
      else if (app.state.only.length) app.go({ only: [] });
      else return false;
      return true;
  }
  return false;
}

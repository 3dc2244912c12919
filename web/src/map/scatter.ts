import createScatterplot, { createRegl } from "regl-scatterplot";
import { MAP_STYLE } from "../../../src/report/charts/mapPoints.js";
import { createRng } from "../../../src/util/rng.js";
import type { Coloring } from "./colors.js";
import { onDemandFrames, type FrameLoop } from "./frames.js";
import { MotionDetail } from "./motion.js";
import { drawnPoints, pointsInPolygon } from "./points.js";
import { leanRenderer, type Renderer } from "./renderer.js";

/**
 * One map on the page: regl-scatterplot (WebGL1) drawing a map's points, on demand only (see
 * frames.ts), with the app's colourings, the rings of misclassified points (a dark, larger copy of
 * the point drawn just under it), hover, click, lasso and box selection, and legend isolation.
 * Callers speak in rows (a point's position in the payload); drawn indices stay inside.
 */

export type MouseMode = "pan" | "lasso" | "box";

export interface MapPointsInput {
  /** Map coordinates, n × dims (the first two drawn). */
  xy: Float32Array;
  dims: number;
  /** [min x, max x, min y, max y]: the frame the map is fitted into. */
  bounds: number[];
}

export interface MapEvents {
  /** The pointer is over `row` (null: over nothing); clientX/Y of the pointer. */
  hover?(row: number | null, x: number, y: number): void;
  /** Points clicked (one row) or lassoed: `polygon` is the lasso in map coordinates (null for a click). */
  select?(rows: Int32Array, polygon: number[] | null): void;
  deselect?(): void;
  /** Every drawn frame (the benchmark and tests count them). */
  drawn?(): void;
}

type Scatterplot = ReturnType<typeof createScatterplot>;

/** Point size in CSS pixels by number of points: large points for small maps, small ones where they would cover each other. */
export function pointSizeFor(n: number): number {
  return n <= 2_000 ? 7 : n <= 10_000 ? 5 : n <= 50_000 ? 3.5 : n <= 150_000 ? 2.5 : 2;
}

export class MapCanvas {
  readonly element: HTMLDivElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly scatter: Scatterplot;
  private readonly renderer: Renderer;
  private readonly loop: FrameLoop;
  private readonly resize: ResizeObserver;
  private events: MapEvents = {};
  /** Drawn index → row, and row → drawn index of the point itself (not its ring). */
  private drawnRow = new Int32Array(0);
  private drawnOf = new Int32Array(0);
  private n = 0;
  /** Map coordinates → the scatterplot's [−1, 1]: x' = (x − cx) / s. */
  private frame = { cx: 0, cy: 0, s: 1 };
  private xy: Float32Array = new Float32Array(0);
  private dims = 2;
  private selected: Int32Array | null = null;
  private filtered: Int32Array | null = null;
  private lastPointer = { x: 0, y: 0 };
  /** Half-extents of the drawn points in the scatterplot's coordinates, and whether the user moved the view since it was fitted. */
  private extent = { ax: 1, ay: 1 };
  private moved = false;
  private viewSize = { w: 300, h: 300 };
  private sized = false;
  private drawing: Promise<void> = Promise.resolve();
  private readonly motion = new MotionDetail(this);
  /** Each row's place in a fixed random order: the rows kept when points are thinned. */
  private rank = new Float32Array(0);
  /** The palette drawn, the rings' colour last. */
  private colors: string[] = [];
  private sizes: number[] = [];

  constructor() {
    this.element = document.createElement("div");
    this.element.className = "map-canvas";
    // The WebGL canvas shows the points (see renderer.ts); the scatterplot's own canvas, empty and
    // on top of it, takes the mouse.
    const glCanvas = document.createElement("canvas");
    glCanvas.className = "gl";
    this.canvas = document.createElement("canvas");
    this.canvas.className = "events";
    this.element.append(glCanvas, this.canvas);
    const regl = createRegl(glCanvas);
    this.loop = onDemandFrames(regl);
    this.renderer = leanRenderer(regl, glCanvas);
    this.scatter = createScatterplot({
      renderer: this.renderer,
      canvas: this.canvas,
      width: 300,
      height: 300,
      backgroundColor: "#ffffff",
      pointColorHover: "#000000",
      pointOutlineWidth: 2,
      pointSizeSelected: 2,
      opacityInactiveScale: 0.25,
      lassoColor: "#3b6fd4",
      lassoMinDelay: 10,
      lassoMinDist: 2,
      lassoType: "freeform",
      // Shift-drag lassoes in any mode; no rotation (a map has no up).
      actionKeyMap: { lasso: "shift" } as never,
      deselectOnDblClick: true,
      deselectOnEscape: false,
      pointScaleMode: "asinh",
      sizeBy: "valueA",
      colorBy: "valueA",
    });
    this.scatter.subscribe("drawing", () => {
      this.loop.drew();
      this.motion.drew(performance.now());
      this.events.drawn?.();
    });
    this.scatter.subscribe("pointOver", (i: number) => this.events.hover?.(this.drawnRow[i] ?? null, this.lastPointer.x, this.lastPointer.y));
    this.scatter.subscribe("pointOut", () => this.events.hover?.(null, this.lastPointer.x, this.lastPointer.y));
    this.scatter.subscribe("select", ({ points }: { points: number[] }) => this.onSelect(points));
    this.scatter.subscribe("lassoEnd", ({ coordinates }: { coordinates: [number, number][] }) => this.onLasso(coordinates));
    this.scatter.subscribe("deselect", () => {
      if (this.selected) {
        this.selected = null;
        this.events.deselect?.();
      }
    });
    // Input wakes the frame loop; the scatterplot's own listeners do the rest.
    const wake = () => this.loop.wake();
    // Mouse events too (the camera and the lasso listen to those; a page may dispatch them alone).
    for (const type of ["pointerdown", "pointermove", "pointerup", "mousedown", "mousemove", "wheel", "dblclick", "click"]) this.canvas.addEventListener(type, wake, { passive: true });
    window.addEventListener("mousemove", (e) => void (e.buttons && wake()), { passive: true });
    window.addEventListener("mouseup", wake, { passive: true });
    window.addEventListener("keyup", wake, { passive: true });
    this.canvas.addEventListener("pointermove", (e) => (this.lastPointer = { x: e.clientX, y: e.clientY }), { passive: true });
    // A drag (the camera follows the mouse on the window once it is down) or a wheel moves the view.
    let down = false;
    this.canvas.addEventListener("mousedown", () => (down = true), { passive: true });
    window.addEventListener(
      "mouseup",
      () => {
        down = false;
        this.motion.released();
      },
      { passive: true },
    );
    window.addEventListener(
      "mousemove",
      (e) => {
        if (!down || !e.buttons) return;
        this.moved = true;
        this.motion.moved("drag");
      },
      { passive: true },
    );
    this.canvas.addEventListener(
      "wheel",
      () => {
        this.moved = true;
        this.motion.moved("wheel");
      },
      { passive: true },
    );
    this.canvas.addEventListener("pointerleave", () => this.events.hover?.(null, 0, 0), { passive: true });
    // Resizing reallocates the WebGL canvas and its float framebuffer (slow on a software GPU):
    // at most once a frame, and only for a new size.
    // One white point drawn at once compiles the shaders while the real points are on their way.
    this.drawing = this.scatter.set({ pointColor: "#ffffff" }).then(() => {
      const warm = this.scatter.draw({ x: [0], y: [0], valueA: [0] }, { zDataType: "categorical" });
      this.loop.wake();
      return warm;
    });
    this.resize = new ResizeObserver(() => {
      if (!this.resizing) this.resizing = requestAnimationFrame(() => this.fitToElement());
    });
    this.resize.observe(this.element);
  }

  on(events: MapEvents): void {
    this.events = events;
  }

  /** Frames run by this map so far, whether its loop is running, and the latest drawn frames' times (see FrameLoop.times). */
  get frames(): { count: number; running: boolean; times: FrameLoop["times"] } {
    return { count: this.loop.frames, running: this.loop.running, times: this.loop.times };
  }

  get size(): number {
    return this.n;
  }

  /**
   * Draws the points coloured by `c`, in its order, with rings under the points it marks; keeps the
   * selection and isolation given. Resolves once the points are drawn.
   */
  draw(points: MapPointsInput, c: Coloring, o: { pointSize?: number; selected?: Int32Array | null; filtered?: Int32Array | null } = {}): Promise<void> {
    const n = points.xy.length / points.dims;
    this.n = n;
    this.xy = points.xy;
    this.dims = points.dims;
    const [x0, x1, y0, y1] = points.bounds;
    const s = (Math.max(x1 - x0, y1 - y0) / 2) * 1.04 || 1;
    this.frame = { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, s };
    this.extent = { ax: (x1 - x0) / 2 / s || 1, ay: (y1 - y0) / 2 / s || 1 };
    const { drawnRow, drawnOf, x, y, z } = drawnPoints(this.xy, this.dims, c, this.frame);
    const ringCategory = c.palette.length;
    this.drawnRow = drawnRow;
    this.drawnOf = drawnOf;
    if (this.rank.length !== n) {
      const rng = createRng(7);
      this.rank = Float32Array.from({ length: n }, () => rng.next());
    }
    this.motion.reset();
    this.selected = o.selected ?? null;
    this.filtered = o.filtered ?? null;
    const size = o.pointSize ?? pointSizeFor(n);
    const colors = [...c.palette, MAP_STYLE.mark];
    const sizes = colors.map((_, k) => (k === ringCategory ? size + Math.max(2, size * 0.55) : size));
    this.colors = colors;
    this.sizes = sizes;
    const has = !!this.selected?.length && c.ring;
    const drawColors = has ? [...c.palette, "#ffffff"] : colors;
    const drawSizes = has ? sizes.map(() => size) : sizes;
    const run = async () => {
      await this.scatter.set({ pointColor: drawColors, pointColorActive: colors, pointSize: drawSizes });
      // What was selected among the previous points means nothing among these (draw resets the filter itself).
      this.scatter.deselect({ preventEvent: true });
      const drawn = this.scatter.draw(
        { x, y, valueA: z },
        { zDataType: "categorical", select: this.selected ? this.drawnIndices(this.selected, false) : undefined, filter: this.filtered ? Array.from(Int32Array.from(this.drawnIndices(this.filtered, true)).sort()) : undefined },
      );
      this.loop.wake();
      await drawn;
      if (!this.moved) this.fit();
    };
    this.drawing = this.drawing.then(run, run);
    return this.drawing;
  }

  /** Marks `rows` as selected (null: none); fires no event. The rings step back while a selection shows (selected points have their own outline). */
  select(rows: Int32Array | null): void {
    const had = !!this.selected?.length;
    this.selected = rows;
    const has = !!rows?.length;
    if (had !== has && this.drawnRow.length > this.n && this.colors.length) {
      // Faded points take no colour's alpha, so a ring hides as a white disc the size of its point, behind it.
      const k = this.colors.length - 1;
      void this.scatter.set({
        pointColor: [...this.colors.slice(0, k), has ? "#ffffff" : MAP_STYLE.mark],
        pointSize: this.sizes.map((v, j) => (has && j === k ? this.sizes[0] : v)),
      });
    }
    if (rows && rows.length) this.scatter.select(this.drawnIndices(rows, false), { preventEvent: true });
    else this.scatter.deselect({ preventEvent: true });
    this.loop.wake();
  }

  /** Shows only `rows` (null: all). */
  filter(rows: Int32Array | null): void {
    this.filtered = rows;
    this.showOnly(rows);
    if (this.selected) this.select(this.selected);
    this.loop.wake();
  }

  /** Points drawn (the motion detail's measure). */
  get count(): number {
    return this.n;
  }

  /** While the view moves: only a fixed random share of the shown points (null: all of them again). */
  thin(share: number | null): void {
    if (share === null) {
      this.showOnly(this.filtered);
      if (this.selected?.length) this.scatter.select(this.drawnIndices(this.selected, false), { preventEvent: true });
    } else {
      const keep: number[] = [];
      if (this.filtered) {
        for (const r of this.filtered) if (this.rank[r] < share) keep.push(r);
      } else {
        for (let r = 0; r < this.n; r++) if (this.rank[r] < share) keep.push(r);
      }
      this.showOnly(Int32Array.from(keep));
    }
    this.loop.wake();
  }

  /** The scatterplot's filter, given ascending drawn indices (it sorts them by insertion otherwise: quadratic). */
  private showOnly(rows: Int32Array | null): void {
    if (!rows) return void this.scatter.unfilter({ preventEvent: true });
    const drawn = Int32Array.from(this.drawnIndices(rows, true)).sort();
    void this.scatter.filter(Array.from(drawn), { preventEvent: true });
  }

  /** Highlights `row` as if the pointer were on it (null: none); fires no event. */
  hover(row: number | null): void {
    this.scatter.hover(row === null || row >= this.n ? -1 : this.drawnOf[row], { preventEvent: true });
    this.loop.wake();
  }

  setMode(mode: MouseMode): void {
    void this.scatter.set({ mouseMode: mode === "pan" ? "panZoom" : "lasso", lassoType: mode === "box" ? "rectangle" : "freeform" } as never);
    this.loop.wake();
  }

  /** Back to the whole map: the points' extent fitted into the canvas, with a small margin. */
  fit(): void {
    const { w, h } = this.viewSize;
    const distance = Math.max(this.extent.ay, this.extent.ax / (w / h)) * 1.1;
    void this.scatter.zoomToLocation([0, 0], distance);
    this.moved = false;
    this.loop.wake();
  }

  /** Zooms to `rows`. */
  zoomTo(rows: Int32Array): void {
    if (!rows.length) return;
    void this.scatter.zoomToPoints(this.drawnIndices(rows, false), { padding: 0.3 });
    this.moved = true;
    this.loop.wake();
  }

  /** Pans and zooms by the given amounts (for the keyboard): dx, dy in fractions of the view, zoom a factor. */
  nudge(dx: number, dy: number, zoom = 1): void {
    const camera = this.scatter.get("camera") as { target: number[]; distance: number[] };
    const target = camera.target as [number, number];
    const distance = Array.isArray(camera.distance) ? camera.distance[0] : (camera.distance as unknown as number);
    void this.scatter.set({ cameraTarget: [target[0] + dx * distance, target[1] + dy * distance], cameraDistance: distance / zoom } as never);
    this.moved = true;
    this.loop.wake();
  }

  /** The rows inside a polygon given in map coordinates (x0,y0,x1,y1,…): what a lasso selects. */
  rowsInPolygon(polygon: number[]): Int32Array {
    return pointsInPolygon(this.xy, this.dims, polygon);
  }

  /** The map coordinates of a screen point relative to the canvas, for tests: [x, y]. */
  screenOf(row: number): [number, number] | null {
    const p = this.scatter.getScreenPosition(this.drawnOf[row]);
    return p ? [p[0], p[1]] : null;
  }

  destroy(): void {
    this.resize.disconnect();
    this.loop.destroy();
    this.scatter.destroy();
    this.renderer.destroy();
  }

  private resizing = 0;

  private fitToElement(): void {
    this.resizing = 0;
    const { width, height } = this.element.getBoundingClientRect();
    if (width < 2 || height < 2) return;
    const w = Math.floor(width);
    const hgt = Math.floor(height);
    if (w === this.viewSize.w && hgt === this.viewSize.h && this.sized) return;
    this.sized = true;
    this.renderer.resize(w, hgt);
    this.viewSize = { w, h: hgt };
    void this.scatter.set({ width: w, height: hgt });
    if (!this.moved && this.n) this.fit();
    this.scatter.redraw();
    this.loop.wake();
  }

  private drawnIndices(rows: Int32Array, withRings: boolean): number[] {
    const out: number[] = new Array(rows.length);
    for (let k = 0; k < rows.length; k++) out[k] = this.drawnOf[rows[k]];
    if (withRings && this.drawnRow.length > this.n) {
      const keep = new Uint8Array(this.n);
      for (const r of rows) keep[r] = 1;
      for (let k = 0; k < this.drawnRow.length; k++) if (keep[this.drawnRow[k]] && this.drawnOf[this.drawnRow[k]] !== k) out.push(k);
    }
    return out;
  }

  /**
   * A click or a lasso selected drawn points: report rows (a ring counts as its point). The
   * scatterplot publishes a lasso's "select" just before its "lassoEnd", each in its own task, so
   * the report waits one task and a lasso's polygon, when one follows, decides the rows.
   */
  private onSelect(points: number[]): void {
    const seen = new Uint8Array(this.n);
    const rows: number[] = [];
    for (const k of points) {
      const r = this.drawnRow[k];
      if (r !== undefined && !seen[r]) {
        seen[r] = 1;
        rows.push(r);
      }
    }
    rows.sort((a, b) => a - b);
    this.report({ rows: Int32Array.from(rows), polygon: null });
  }

  /** A lasso ended: the points inside it (in map coordinates, as the URL keeps it) are the selection. */
  private onLasso(coordinates: [number, number][]): void {
    const polygon: number[] = [];
    for (const [gx, gy] of coordinates) polygon.push(gx * this.frame.s + this.frame.cx, gy * this.frame.s + this.frame.cy);
    if (polygon.length < 6) return;
    this.report({ rows: this.rowsInPolygon(polygon), polygon });
  }

  private pending: { rows: Int32Array; polygon: number[] | null } | null = null;

  private report(r: { rows: Int32Array; polygon: number[] | null }): void {
    if (!this.pending || r.polygon || !this.pending.polygon) this.pending = r;
    setTimeout(() => {
      const p = this.pending;
      this.pending = null;
      if (!p) return;
      // The drawn selection is exactly the reported rows (no rings, the lasso's own inside test).
      this.select(p.rows);
      this.events.select?.(p.rows, p.polygon);
    }, 0);
  }
}

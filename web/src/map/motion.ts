/**
 * Fewer points while the view moves, when the machine cannot draw them all in a frame. While a
 * drag or a wheel lasts, frames come as fast as the GPU draws every point: on a software GPU
 * (SwiftShader) 200,000 points take ~170 ms a frame. A gesture's first frames measure the cost of
 * a point; when all of them would take more than a frame's budget, the map shows a fixed random
 * part of its points that fits the budget until the gesture ends, then all of them again. The
 * cost is remembered, so the next gesture starts light; on a machine that draws everything in
 * time nothing changes.
 */

/** A frame's budget, in ms: a 60 Hz display's. */
export const FRAME_BUDGET = 16;
/** Thinning pays only above this many points, and keeps at least this share of them. */
const MIN_POINTS = 20_000;
const MIN_SHARE = 0.05;
/** A wheel gesture ends at least this long after its last turn. */
const END_AFTER = 150;

export interface Thinnable {
  /** How many points are drawn. */
  readonly count: number;
  /** Draws only the share `share` of the points (null: all of them again). */
  thin(share: number | null): void;
}

export class MotionDetail {
  /** Measured ms of drawing per point (a frame's interval over its points), 0 until measured. */
  private costPerPoint = 0;
  private gesture: number[] | null = null;
  private thinned = false;
  private timer = 0;
  private lastInterval = 0;

  constructor(private readonly map: Thinnable) {}

  /**
   * The view moved: by a drag, which ends when the button is released ({@link released}), or by a
   * wheel, which ends when no turn has come for a while (three frames' time, at least 150 ms).
   */
  moved(by: "drag" | "wheel"): void {
    if (!this.gesture) {
      this.gesture = [];
      if (this.costPerPoint) this.thinFor(this.costPerPoint);
    }
    clearTimeout(this.timer);
    if (by === "wheel") this.timer = window.setTimeout(() => this.end(), Math.max(END_AFTER, 3 * this.lastInterval));
  }

  /** The button of a drag was released. */
  released(): void {
    if (this.gesture) this.end();
  }

  /** A frame was drawn at `at` (performance.now()). */
  drew(at: number): void {
    const g = this.gesture;
    if (!g || this.thinned) return;
    g.push(at);
    if (g.length >= 2) this.lastInterval = at - g[g.length - 2];
    if (g.length >= 4) {
      const cost = medianInterval(g) / this.map.count;
      this.costPerPoint = cost;
      this.thinFor(cost);
    }
  }

  /** Points were drawn anew: the measured cost stays (it is per point), any thinning is gone. */
  reset(): void {
    this.thinned = false;
  }

  private thinFor(cost: number): void {
    const n = this.map.count;
    if (n < MIN_POINTS || this.thinned) return;
    const share = FRAME_BUDGET / (cost * n);
    if (share >= 0.8) return;
    this.thinned = true;
    this.map.thin(Math.max(MIN_SHARE, share));
  }

  private end(): void {
    clearTimeout(this.timer);
    const g = this.gesture;
    this.gesture = null;
    if (g && !this.thinned && g.length >= 4) this.costPerPoint = medianInterval(g) / this.map.count;
    if (this.thinned) {
      this.thinned = false;
      this.map.thin(null);
    }
  }
}

/** The median interval between the last few frame times. */
function medianInterval(at: number[]): number {
  const last = at.slice(-6);
  const d = last.slice(1).map((t, i) => t - last[i]).sort((a, b) => a - b);
  return d[Math.floor(d.length / 2)];
}

/**
 * Thinning of long curves (a ROC curve over a million samples has up to a million points) to the
 * few hundred or thousand that a chart needs, keeping the drawn shape the same to well under a
 * pixel. Browser-safe (no Node imports).
 */

/** Options for {@link thinCurve}; defaults in {@link THIN_CURVE_DEFAULTS}. */
export interface ThinCurveOptions {
  /** The points' x and y coordinates, in drawing order (the same length). */
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Most points to keep; the tolerance is raised until the curve fits. At least 2. */
  maxPoints?: number;
  /**
   * How far a dropped point may lie from the line drawn without it, as a fraction of the larger
   * of the x and y ranges: 0.0005 is a quarter of a pixel on a 500 px plot.
   */
  tolerance?: number;
  /**
   * Draw the curve as steps rather than straight lines between points. "before": the value
   * changes at the previous point's x (vertical, then horizontal), as a precision–recall curve
   * over increasing recall; "after": horizontal, then vertical. The steps' corners are put into the
   * result, which is then drawn with straight lines.
   */
  steps?: "before" | "after";
}

export const THIN_CURVE_DEFAULTS = { maxPoints: 2000, tolerance: 0.0005 } as const;

/** A thinned curve: the points to draw with straight lines between them. */
export interface ThinnedCurve {
  x: Float64Array;
  y: Float64Array;
}

/**
 * The points of a curve worth drawing: first drops the points where the curve goes straight on
 * (exact), then the ones within `tolerance` of the line drawn without them (Ramer 1972;
 * Douglas & Peucker 1973), raising the tolerance until at most `maxPoints` remain. The first and
 * last points are always kept, and so is every corner that stands out by more than the tolerance.
 * @example thinCurve({ x: [0, 0, 0.5, 1, 1], y: [0, 0.5, 1, 1, 1] })
 * // { x: Float64Array [0, 0, 0.5, 1], y: Float64Array [0, 0.5, 1, 1] }
 */
export function thinCurve(options: ThinCurveOptions): ThinnedCurve {
  const { x, y, steps } = options;
  const maxPoints = options.maxPoints ?? THIN_CURVE_DEFAULTS.maxPoints;
  const tolerance = options.tolerance ?? THIN_CURVE_DEFAULTS.tolerance;
  checkOptions(x, y, maxPoints, tolerance, steps);
  const [px, py] = steps === undefined ? [Float64Array.from(x), Float64Array.from(y)] : stairs(x, y, steps);
  const n = px.length;
  if (n <= 2) return { x: px, y: py };

  // Distances are in data units, the tolerance a share of the larger range (a square plot's side for ROC and PR).
  let span = 0;
  for (const a of [px, py]) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      lo = Math.min(lo, a[i]);
      hi = Math.max(hi, a[i]);
    }
    span = Math.max(span, hi - lo);
  }
  const straight = dropStraight(px, py);
  if (straight.length <= 2) return pick(px, py, straight);
  let eps = tolerance * span;
  let kept = douglasPeucker(px, py, straight, eps);
  while (kept.length > maxPoints) {
    eps = eps > 0 ? 2 * eps : 1e-4 * span;
    kept = douglasPeucker(px, py, straight, eps);
  }
  return pick(px, py, kept);
}

function checkOptions(x: ArrayLike<number>, y: ArrayLike<number>, maxPoints: number, tolerance: number, steps: unknown): void {
  const problems: string[] = [];
  if (x?.length === undefined || y?.length === undefined) problems.push("x and y must be arrays of numbers");
  else if (x.length !== y.length) problems.push(`x and y must have the same length, got ${x.length} and ${y.length}`);
  else {
    const bad: string[] = [];
    for (let i = 0; i < x.length && bad.length < 3; i++) {
      if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) bad.push(`(${x[i]}, ${y[i]}) at ${i}`);
    }
    if (bad.length > 0) problems.push(`every point must be finite, got ${bad.join(", ")}`);
  }
  if (!(Number.isInteger(maxPoints) && maxPoints >= 2)) problems.push(`maxPoints must be an integer of at least 2, got ${maxPoints}`);
  if (!(tolerance >= 0 && tolerance < 1)) problems.push(`tolerance must be a number in [0, 1), got ${tolerance}`);
  if (steps !== undefined && steps !== "before" && steps !== "after") problems.push(`steps must be "before", "after" or left out, got ${String(steps)}`);
  if (problems.length > 0) throw new RangeError(problems.join("; "));
}

/** The staircase through the points as a polyline: each step's corner put in between two points. */
function stairs(x: ArrayLike<number>, y: ArrayLike<number>, steps: "before" | "after"): [Float64Array, Float64Array] {
  const n = x.length;
  const m = Math.max(0, 2 * n - 1);
  const sx = new Float64Array(m);
  const sy = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    sx[2 * i] = x[i];
    sy[2 * i] = y[i];
    if (i + 1 < n) {
      sx[2 * i + 1] = steps === "before" ? x[i] : x[i + 1];
      sy[2 * i + 1] = steps === "before" ? y[i + 1] : y[i];
    }
  }
  return [sx, sy];
}

/** Indices of the points where the curve turns or stops: repeated points and points on a straight run are left out. */
function dropStraight(x: Float64Array, y: Float64Array): Uint32Array {
  const n = x.length;
  const kept = new Uint32Array(n);
  let m = 0;
  kept[m++] = 0;
  for (let i = 1; i < n; i++) {
    const a = kept[m - 1];
    const dx1 = x[i] - x[a];
    const dy1 = y[i] - y[a];
    if (dx1 === 0 && dy1 === 0) continue; // the same point again
    if (i === n - 1) {
      kept[m++] = i;
      break;
    }
    // drop i when the path a -> i -> next goes straight on in the same direction
    let j = i + 1;
    while (j < n - 1 && x[j] === x[i] && y[j] === y[i]) j++;
    const dx2 = x[j] - x[i];
    const dy2 = y[j] - y[i];
    const straightOn = dx1 * dy2 - dy1 * dx2 === 0 && dx1 * dx2 + dy1 * dy2 > 0;
    if (!straightOn) kept[m++] = i;
  }
  return kept.slice(0, m);
}

/** The points of `candidates` that Ramer–Douglas–Peucker keeps at distance `eps`, in order. */
function douglasPeucker(x: Float64Array, y: Float64Array, candidates: Uint32Array, eps: number): Uint32Array {
  const m = candidates.length;
  const keep = new Uint8Array(m);
  keep[0] = 1;
  keep[m - 1] = 1;
  const stack: number[] = [0, m - 1];
  const eps2 = eps * eps;
  while (stack.length > 0) {
    const last = stack.pop() as number;
    const first = stack.pop() as number;
    const a = candidates[first];
    const b = candidates[last];
    let best = -1;
    let bestD = eps2;
    for (let k = first + 1; k < last; k++) {
      const d = segmentDistance2(x, y, candidates[k], a, b);
      if (d > bestD) {
        bestD = d;
        best = k;
      }
    }
    if (best >= 0) {
      keep[best] = 1;
      stack.push(first, best, best, last);
    }
  }
  let count = 0;
  for (let k = 0; k < m; k++) count += keep[k];
  const out = new Uint32Array(count);
  for (let k = 0, o = 0; k < m; k++) if (keep[k]) out[o++] = candidates[k];
  return out;
}

/** Squared distance from point p to the segment a–b. */
function segmentDistance2(x: Float64Array, y: Float64Array, p: number, a: number, b: number): number {
  const ax = x[a];
  const ay = y[a];
  const dx = x[b] - ax;
  const dy = y[b] - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 === 0 ? 0 : ((x[p] - ax) * dx + (y[p] - ay) * dy) / len2;
  t = Math.max(0, Math.min(1, t));
  const ex = x[p] - (ax + t * dx);
  const ey = y[p] - (ay + t * dy);
  return ex * ex + ey * ey;
}

function pick(x: Float64Array, y: Float64Array, indices: Uint32Array): ThinnedCurve {
  const ox = new Float64Array(indices.length);
  const oy = new Float64Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    ox[k] = x[indices[k]];
    oy[k] = y[indices[k]];
  }
  return { x: ox, y: oy };
}

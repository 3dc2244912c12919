import type { Coloring } from "./colors.js";

/**
 * The points as regl-scatterplot draws them: in the colouring's order, the points that get a ring
 * moved to the end, each after its ring (a dark, larger copy of it), positions in the
 * scatterplot's [−1, 1] frame. `drawnRow[k]` is the row of drawn point k, `drawnOf[row]` the drawn
 * index of the point itself (not its ring).
 */
export function drawnPoints(xy: Float32Array, dims: number, c: Coloring, frame: { cx: number; cy: number; s: number }) {
  const n = c.category.length;
  let rings = 0;
  if (c.ring) for (let i = 0; i < n; i++) rings += c.ring[i];
  const total = n + rings;
  const drawnRow = new Int32Array(total);
  const drawnOf = new Int32Array(n);
  const isRing = new Uint8Array(total);
  let j = 0;
  for (let k = 0; k < n; k++) {
    const row = c.order[k];
    if (!c.ring || !c.ring[row]) drawnRow[j++] = row;
  }
  if (c.ring) {
    for (let k = 0; k < n; k++) {
      const row = c.order[k];
      if (c.ring[row]) {
        isRing[j] = 1;
        drawnRow[j++] = row;
      }
    }
    for (let k = 0; k < n; k++) {
      const row = c.order[k];
      if (c.ring[row]) drawnRow[j++] = row;
    }
  }
  const x = new Float32Array(total);
  const y = new Float32Array(total);
  const z = new Float32Array(total);
  const ringCategory = c.palette.length;
  for (let k = 0; k < total; k++) {
    const row = drawnRow[k];
    x[k] = (xy[row * dims] - frame.cx) / frame.s;
    y[k] = (xy[row * dims + 1] - frame.cy) / frame.s;
    z[k] = isRing[k] ? ringCategory : c.category[row];
    if (!isRing[k]) drawnOf[row] = k;
  }
  return { drawnRow, drawnOf, x, y, z };
}

/** Rows of `xy` (n × dims) inside `polygon` (even–odd rule; Shimrat 1962, "Algorithm 112: position of point relative to polygon"). */
export function pointsInPolygon(xy: Float32Array, dims: number, polygon: number[]): Int32Array {
  const m = polygon.length / 2;
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let k = 0; k < m; k++) {
    x0 = Math.min(x0, polygon[2 * k]);
    x1 = Math.max(x1, polygon[2 * k]);
    y0 = Math.min(y0, polygon[2 * k + 1]);
    y1 = Math.max(y1, polygon[2 * k + 1]);
  }
  const out: number[] = [];
  const n = xy.length / dims;
  for (let i = 0; i < n; i++) {
    const px = xy[i * dims];
    const py = xy[i * dims + 1];
    if (px < x0 || px > x1 || py < y0 || py > y1) continue;
    let inside = false;
    for (let a = 0, b = m - 1; a < m; b = a++) {
      const ax = polygon[2 * a];
      const ay = polygon[2 * a + 1];
      const bx = polygon[2 * b];
      const by = polygon[2 * b + 1];
      if (ay > py !== by > py && px < ((bx - ax) * (py - ay)) / (by - ay) + ax) inside = !inside;
    }
    if (inside) out.push(i);
  }
  return Int32Array.from(out);
}

import { createRng } from "../../util/rng.js";
import type { KnnGraph, Points } from "../neighbors/types.js";

/** n points of d standard normal coordinates shifted by `shift` (Box–Muller on a seeded RNG). */
export function gaussianPoints(n: number, d: number, seed: number, shift = 0): Points {
  const rng = createRng(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next()) + shift;
  return { n, d, data };
}

/** A kNN graph from rows of neighbour indices (distances 1, 2, 3, … along each row unless given). */
export function graphOf(rows: number[][], distances?: number[][]): KnnGraph {
  const k = rows[0].length;
  return {
    n: rows.length, k, metric: "l2",
    indices: Int32Array.from(rows.flat()),
    distances: Float32Array.from(distances ? distances.flat() : rows.flatMap((r) => r.map((_, j) => j + 1))),
  };
}

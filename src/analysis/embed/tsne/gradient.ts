/**
 * The sparse half of the t-SNE gradient and the KL divergence (van der Maaten 2014, eq. 13–14):
 * attraction Σ_j p_ij q̃_ij (y_i − y_j) over the rows of P, row by row so that rows can be split
 * between threads. Browser-safe.
 */
import type { SparseAffinities } from "./types.js";

/** Computes the attraction of rows [from, to) into out (N×dims); may be split over threads. */
export type AttractionMethod = (
  p: SparseAffinities,
  y: Float64Array,
  reference: Float64Array,
  dims: 2 | 3,
  out: Float64Array,
) => void | Promise<void>;

/** One thread, all rows. */
export const attraction: AttractionMethod = (p, y, reference, dims, out) => attractionRows(p, y, reference, dims, 0, p.n, out);

/**
 * out[i] = Σ_j p_ij q̃_ij (y_i − r_j) for rows i in [from, to), where r is `reference` (the map itself,
 * or a frozen reference map when placing new points).
 */
export function attractionRows(
  p: SparseAffinities,
  y: Float64Array,
  reference: Float64Array,
  dims: 2 | 3,
  from: number,
  to: number,
  out: Float64Array,
): void {
  const { rowPtr, cols, vals } = p;
  if (dims === 2) {
    for (let i = from; i < to; i++) {
      const xi = y[2 * i];
      const yi = y[2 * i + 1];
      let fx = 0;
      let fy = 0;
      for (let e = rowPtr[i], end = rowPtr[i + 1]; e < end; e++) {
        const j = cols[e];
        const dx = xi - reference[2 * j];
        const dy = yi - reference[2 * j + 1];
        const pq = vals[e] / (1 + dx * dx + dy * dy);
        fx += pq * dx;
        fy += pq * dy;
      }
      out[2 * i] = fx;
      out[2 * i + 1] = fy;
    }
    return;
  }
  for (let i = from; i < to; i++) {
    const xi = y[3 * i];
    const yi = y[3 * i + 1];
    const zi = y[3 * i + 2];
    let fx = 0;
    let fy = 0;
    let fz = 0;
    for (let e = rowPtr[i], end = rowPtr[i + 1]; e < end; e++) {
      const j = cols[e];
      const dx = xi - reference[3 * j];
      const dy = yi - reference[3 * j + 1];
      const dz = zi - reference[3 * j + 2];
      const pq = vals[e] / (1 + dx * dx + dy * dy + dz * dz);
      fx += pq * dx;
      fy += pq * dy;
      fz += pq * dz;
    }
    out[3 * i] = fx;
    out[3 * i + 1] = fy;
    out[3 * i + 2] = fz;
  }
}

/**
 * KL(P ‖ Q) = Σ p_ij log(p_ij / q_ij) over the stored entries of P, with q_ij = q̃_ij / Z; `z` is
 * one normalisation for all rows, or one per row (new points placed into a frozen map). Exact
 * when Z is (P is zero off its entries, which then contribute nothing).
 */
export function klDivergence(p: SparseAffinities, y: Float64Array, reference: Float64Array, dims: 2 | 3, z: number | Float64Array): number {
  if (dims === 2 && typeof z === "number") return klDivergence2d(p, y, reference, z);
  const { n, rowPtr, cols, vals } = p;
  let kl = 0;
  for (let i = 0; i < n; i++) {
    const logZ = Math.log(typeof z === "number" ? z : z[i]);
    for (let e = rowPtr[i], end = rowPtr[i + 1]; e < end; e++) {
      const pij = vals[e];
      if (!(pij > 0)) continue;
      const j = cols[e];
      let d2 = 0;
      for (let c = 0; c < dims; c++) {
        const d = y[i * dims + c] - reference[j * dims + c];
        d2 += d * d;
      }
      // log(p / (q̃ / Z)) = log(p · (1 + d²)) + log Z
      kl += pij * (Math.log(pij * (1 + d2)) + logZ);
    }
  }
  return kl;
}

/** {@link klDivergence} of a 2-D map with one Z: Σ p_ij log(p_ij (1 + d²_ij)) + log Z · Σ p_ij, unrolled. */
function klDivergence2d(p: SparseAffinities, y: Float64Array, reference: Float64Array, z: number): number {
  const { n, rowPtr, cols, vals } = p;
  let sum = 0;
  let mass = 0;
  for (let i = 0; i < n; i++) {
    const xi = y[2 * i];
    const yi = y[2 * i + 1];
    for (let e = rowPtr[i], end = rowPtr[i + 1]; e < end; e++) {
      const pij = vals[e];
      if (!(pij > 0)) continue;
      const j = cols[e];
      const dx = xi - reference[2 * j];
      const dy = yi - reference[2 * j + 1];
      sum += pij * Math.log(pij * (1 + dx * dx + dy * dy));
      mass += pij;
    }
  }
  return sum + mass * Math.log(z);
}

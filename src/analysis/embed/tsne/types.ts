/**
 * The contract between the t-SNE optimizer and the ways of computing its repulsive forces (exact,
 * Barnes–Hut, FFT-accelerated interpolation): the optimizer owns the attractive forces from the
 * sparse affinities P; a repulsion method returns, for the current map Y, the unnormalised
 * repulsion and the normalisation Z, so that the gradient is
 *   ∂KL/∂y_i = 4 · (exaggeration · Σ_j p_ij q̃_ij (y_i − y_j) − repulsion_i / Z),
 * with q̃_ij = 1 / (1 + ‖y_i − y_j‖²) and Z = Σ_{k≠l} q̃_kl (van der Maaten 2014, eq. 13–14).
 */

/** Symmetric sparse affinities P (Σ p_ij = 1) in CSR form over N points. */
export interface SparseAffinities {
  n: number;
  /** rowPtr[i] … rowPtr[i + 1] index the neighbours of point i in `cols`/`vals`; length N + 1. */
  rowPtr: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

export interface Repulsion {
  /** Σ_j q̃_ij² (y_i − y_j) per point, row-major N×dims. */
  forces: Float64Array;
  /** Z = Σ_{k≠l} q̃_kl. */
  z: number;
}

/**
 * Computes the repulsion of the map `y` (row-major N×dims); `out` may be reused between calls.
 * May answer asynchronously (work split over worker threads; `y` may live on a SharedArrayBuffer).
 */
export type RepulsionMethod = (y: Float64Array, n: number, dims: 2 | 3, out?: Float64Array) => Repulsion | Promise<Repulsion>;

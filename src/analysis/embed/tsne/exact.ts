/**
 * Exact t-SNE repulsion, O(N²) per call: every pair once (van der Maaten 2014, eq. 13–14 without
 * approximation). For small maps and as the oracle of the approximate methods. Browser-safe.
 */
import type { Repulsion, RepulsionMethod } from "./types.js";

/**
 * Σ_{j≠i} q̃_ij² (y_i − y_j) for each point and Z = Σ_{k≠l} q̃_kl, with q̃_ij = 1 / (1 + ‖y_i − y_j‖²).
 * @example exactRepulsion(new Float64Array([0, 0, 1, 0]), 2, 2).z // 1 (two ordered pairs of q̃ = 0.5)
 */
export const exactRepulsion: RepulsionMethod = (y, n, dims, out) => {
  const forces = out && out.length >= n * dims ? out : new Float64Array(n * dims);
  forces.fill(0, 0, n * dims);
  let z = 0;
  if (dims === 2) {
    for (let i = 0; i < n; i++) {
      const xi = y[2 * i];
      const yi = y[2 * i + 1];
      let fx = 0;
      let fy = 0;
      for (let j = i + 1; j < n; j++) {
        const dx = xi - y[2 * j];
        const dy = yi - y[2 * j + 1];
        const q = 1 / (1 + dx * dx + dy * dy);
        z += q;
        const q2 = q * q;
        fx += q2 * dx;
        fy += q2 * dy;
        forces[2 * j] -= q2 * dx;
        forces[2 * j + 1] -= q2 * dy;
      }
      forces[2 * i] += fx;
      forces[2 * i + 1] += fy;
    }
  } else {
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const dx = y[3 * i] - y[3 * j];
        const dy = y[3 * i + 1] - y[3 * j + 1];
        const dz = y[3 * i + 2] - y[3 * j + 2];
        const q = 1 / (1 + dx * dx + dy * dy + dz * dz);
        z += q;
        const q2 = q * q;
        forces[3 * i] += q2 * dx;
        forces[3 * i + 1] += q2 * dy;
        forces[3 * i + 2] += q2 * dz;
        forces[3 * j] -= q2 * dx;
        forces[3 * j + 1] -= q2 * dy;
        forces[3 * j + 2] -= q2 * dz;
      }
    }
  }
  return { forces, z: 2 * z } satisfies Repulsion;
};

/**
 * Barnes–Hut t-SNE repulsion (van der Maaten 2014, §4.2, eq. 14): a cell whose side r and distance
 * d to a point satisfy r / d < θ acts on the point as one body of its size at its centre of mass.
 * Iterative traversal over the flat tree of ./tree.ts. θ = 0 is exact. Browser-safe.
 */
import { UsageError } from "../../../util/errors.js";
import { CHILDREN, COUNT, createTreeBuilder, FIRST_CHILD, NODE, START, WIDTH2, type SpaceTree } from "./tree.js";
import type { RepulsionMethod } from "./types.js";

/** Options of {@link createBarnesHutRepulsion}. */
export interface BarnesHutOptions {
  /** Accuracy/speed trade-off: cell side / distance below which a cell is summarised (default 0.5). */
  theta?: number;
}

export const BARNES_HUT_DEFAULTS = { theta: 0.5 } as const;

/** Deepest traversal stack: 8 children per level over the tree's depth cap, with room to spare. */
const STACK_SIZE = 8 * 64 + 8;

/**
 * A Barnes–Hut RepulsionMethod for 2-D (quadtree) and 3-D (octree) maps. Holds its tree buffers
 * between calls, so use one per optimisation.
 * @example await createBarnesHutRepulsion({ theta: 0.5 })(y, n, 2) // { forces, z }
 */
export function createBarnesHutRepulsion(options: BarnesHutOptions = {}): RepulsionMethod {
  const theta = options.theta ?? BARNES_HUT_DEFAULTS.theta;
  checkTheta(theta);
  const builder = createTreeBuilder();
  let zPer = new Float64Array(0);
  return (y, n, dims, out) => {
    const forces = out && out.length >= n * dims ? out : new Float64Array(n * dims);
    if (zPer.length < n) zPer = new Float64Array(n);
    const tree = builder.build(y, n, dims);
    barnesHutRange(tree, 0, n, theta, forces, zPer);
    let z = 0;
    for (let i = 0; i < n; i++) z += zPer[i];
    return { forces, z };
  };
}

export function checkTheta(theta: number): void {
  if (!(Number.isFinite(theta) && theta >= 0)) {
    throw new UsageError(`theta must be a number ≥ 0 (0 is exact; 0.5 is the usual trade-off), got ${theta}`);
  }
}

/**
 * Repulsion on the points at tree positions [from, to): writes Σ_j q̃_ij² (y_i − y_j) to
 * forces[i·dims …] and Σ_j q̃_ij to zPer[i], for the original index i = tree.order[s].
 */
export function barnesHutRange(tree: SpaceTree, from: number, to: number, theta: number, forces: Float64Array, zPer: Float64Array): void {
  const stack = new Int32Array(STACK_SIZE);
  if (tree.dims === 2) range2(tree, null, from, to, theta * theta, forces, zPer, stack);
  else range3(tree, null, from, to, theta * theta, forces, zPer, stack);
}

/**
 * Repulsion of the tree's points on other points (rows [from, to) of `query`, N×dims, none of them in
 * the tree): forces[i·dims …] = Σ_j q̃_ij² (q_i − y_j) and zPer[i] = Σ_j q̃_ij over all tree points j.
 */
export function barnesHutQuery(tree: SpaceTree, query: Float64Array, from: number, to: number, theta: number, forces: Float64Array, zPer: Float64Array): void {
  const stack = new Int32Array(STACK_SIZE);
  if (tree.dims === 2) range2(tree, query, from, to, theta * theta, forces, zPer, stack);
  else range3(tree, query, from, to, theta * theta, forces, zPer, stack);
}

/** Tree points (query null: position s in tree order, itself excluded) or query rows s. */
function range2(
  t: SpaceTree,
  query: Float64Array | null,
  from: number,
  to: number,
  theta2: number,
  forces: Float64Array,
  zPer: Float64Array,
  stack: Int32Array,
): void {
  const { node, order, pos } = t;
  const src = query ?? pos;
  for (let q = from; q < to; q++) {
    const s = query ? -1 : q;
    const px = src[2 * q];
    const py = src[2 * q + 1];
    let fx = 0;
    let fy = 0;
    let z = 0;
    let sp = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      const o = stack[--sp] * NODE;
      const dx = px - node[o];
      const dy = py - node[o + 1];
      const d2 = dx * dx + dy * dy;
      const st = node[o + START] | 0;
      const cnt = node[o + COUNT] | 0;
      const inside = s >= st && s < st + cnt;
      if (!inside && node[o + WIDTH2] < theta2 * d2) {
        const q = 1 / (1 + d2);
        const cq = cnt * q;
        z += cq;
        fx += cq * q * dx;
        fy += cq * q * dy;
      } else if (node[o + FIRST_CHILD] < 0) {
        for (let u = st, end = st + cnt; u < end; u++) {
          if (u === s) continue;
          const ex = px - pos[2 * u];
          const ey = py - pos[2 * u + 1];
          const q = 1 / (1 + ex * ex + ey * ey);
          z += q;
          fx += q * q * ex;
          fy += q * q * ey;
        }
      } else {
        const first = node[o + FIRST_CHILD] | 0;
        for (let c = first, end = first + (node[o + CHILDREN] | 0); c < end; c++) stack[sp++] = c;
      }
    }
    const i = query ? q : order[q];
    forces[2 * i] = fx;
    forces[2 * i + 1] = fy;
    zPer[i] = z;
  }
}

/** Tree points (query null: position s in tree order, itself excluded) or query rows s. */
function range3(
  t: SpaceTree,
  query: Float64Array | null,
  from: number,
  to: number,
  theta2: number,
  forces: Float64Array,
  zPer: Float64Array,
  stack: Int32Array,
): void {
  const { node, order, pos } = t;
  const src = query ?? pos;
  for (let q = from; q < to; q++) {
    const s = query ? -1 : q;
    const px = src[3 * q];
    const py = src[3 * q + 1];
    const pz = src[3 * q + 2];
    let fx = 0;
    let fy = 0;
    let fz = 0;
    let z = 0;
    let sp = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      const o = stack[--sp] * NODE;
      const dx = px - node[o];
      const dy = py - node[o + 1];
      const dz = pz - node[o + 2];
      const d2 = dx * dx + dy * dy + dz * dz;
      const st = node[o + START] | 0;
      const cnt = node[o + COUNT] | 0;
      const inside = s >= st && s < st + cnt;
      if (!inside && node[o + WIDTH2] < theta2 * d2) {
        const q = 1 / (1 + d2);
        const cq = cnt * q;
        z += cq;
        const cq2 = cq * q;
        fx += cq2 * dx;
        fy += cq2 * dy;
        fz += cq2 * dz;
      } else if (node[o + FIRST_CHILD] < 0) {
        for (let u = st, end = st + cnt; u < end; u++) {
          if (u === s) continue;
          const ex = px - pos[3 * u];
          const ey = py - pos[3 * u + 1];
          const ez = pz - pos[3 * u + 2];
          const q = 1 / (1 + ex * ex + ey * ey + ez * ez);
          z += q;
          const q2 = q * q;
          fx += q2 * ex;
          fy += q2 * ey;
          fz += q2 * ez;
        }
      } else {
        const first = node[o + FIRST_CHILD] | 0;
        for (let c = first, end = first + (node[o + CHILDREN] | 0); c < end; c++) stack[sp++] = c;
      }
    }
    const i = query ? q : order[q];
    forces[3 * i] = fx;
    forces[3 * i + 1] = fy;
    forces[3 * i + 2] = fz;
    zPer[i] = z;
  }
}

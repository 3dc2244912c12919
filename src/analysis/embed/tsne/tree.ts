/**
 * A quadtree (2-D) or octree (3-D) over a t-SNE map in flat typed arrays, for Barnes–Hut
 * (Barnes & Hut 1986; van der Maaten 2014, §4.2). Built top-down, breadth first: each node owns a
 * contiguous range of a permutation of the points, split into its non-empty children by a counting
 * sort on the child code, so children are contiguous and no per-node objects exist. A node of at
 * most `leafSize` points (or of coincident points) is a leaf. Browser-safe.
 */

/**
 * The tree. Node v is one record of {@link NODE} float64 values at node[v·NODE …] (one cache line, so
 * a traversal step touches one line): centre of mass (3 slots; z unused in 2-D), squared cell
 * side, point count, first position of its points in `order`, index of its first child (children
 * are contiguous; −1 for a leaf) and number of (non-empty) children.
 */
export interface SpaceTree {
  dims: 2 | 3;
  /** Number of nodes; node 0 is the root. */
  nodes: number;
  /** nodes × NODE records (may be longer: reused capacity). */
  node: Float64Array;
  /** The points in tree order: order[s] is the point at position s. */
  order: Int32Array;
  /** The points' coordinates in tree order, n × dims. */
  pos: Float64Array;
}

/** Values per node record, and the offsets of its fields. */
export const NODE = 8;
export const COM = 0;
export const WIDTH2 = 3;
export const COUNT = 4;
export const START = 5;
export const FIRST_CHILD = 6;
export const CHILDREN = 7;

/** Points per leaf: a leaf that is not summarised is summed exactly, so larger leaves are both faster and more accurate up to ~32 (measured: 10,000 points, θ = 0.5). */
export const LEAF_SIZE = 16;
/** Depth at which a node stops splitting (coincident or nearly coincident points). */
const MAX_DEPTH = 48;

/** Builds trees, reusing its buffers from one call to the next (one builder per thread). */
export interface TreeBuilder {
  build(y: Float64Array, n: number, dims: 2 | 3): SpaceTree;
}

export function createTreeBuilder(leafSize = LEAF_SIZE): TreeBuilder {
  let b: Buffers | null = null;
  return {
    build(y, n, dims) {
      if (b === null || b.tree.dims !== dims || b.tree.order.length < n) b = allocate(n, dims);
      buildInto(b, y, n, leafSize);
      return b.tree;
    },
  };
}

/** The tree plus the builder's scratch: cell centres (3 per node), half sides, depths, child codes. */
interface Buffers {
  tree: SpaceTree;
  centre: Float64Array;
  half: Float64Array;
  depth: Uint8Array;
  tmp: Int32Array;
  codes: Uint8Array;
  sums: Float64Array;
  counts: Int32Array;
  offsets: Int32Array;
}

function allocate(n: number, dims: 2 | 3): Buffers {
  const capacity = 2 * n + 16;
  return {
    tree: { dims, nodes: 0, node: new Float64Array(capacity * NODE), order: new Int32Array(n), pos: new Float64Array(n * dims) },
    centre: new Float64Array(capacity * 3),
    half: new Float64Array(capacity),
    depth: new Uint8Array(capacity),
    tmp: new Int32Array(n),
    codes: new Uint8Array(n),
    sums: new Float64Array(8 * 3),
    counts: new Int32Array(8),
    offsets: new Int32Array(8),
  };
}

function grow(b: Buffers, capacity: number): void {
  const grown = <A extends Uint8Array | Float64Array>(a: A, len: number): A => {
    const c = new (a.constructor as new (len: number) => A)(len);
    c.set(a.subarray(0, Math.min(a.length, len)));
    return c;
  };
  b.tree.node = grown(b.tree.node, capacity * NODE);
  b.centre = grown(b.centre, capacity * 3);
  b.half = grown(b.half, capacity);
  b.depth = grown(b.depth, capacity);
}

function buildInto(b: Buffers, y: Float64Array, n: number, leafSize: number): void {
  const tree = b.tree;
  const dims = tree.dims;
  const order = tree.order;
  for (let i = 0; i < n; i++) order[i] = i;
  // Root: the bounding cube of all points, centre of mass of all points.
  let side = 0;
  b.centre[2] = 0;
  tree.node[COM + 2] = 0;
  for (let c = 0; c < dims; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = y[i * dims + c];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      sum += v;
    }
    b.centre[c] = (lo + hi) / 2;
    if (hi - lo > side) side = hi - lo;
    tree.node[COM + c] = sum / n;
  }
  side = side * (1 + 1e-9) + 1e-300;
  tree.node[COUNT] = n;
  tree.node[START] = 0;
  b.half[0] = side / 2;
  b.depth[0] = 0;
  let nodes = 1;
  for (let v = 0; v < nodes; v++) {
    if (nodes + 8 > b.half.length) grow(b, 2 * (nodes + 8));
    nodes = split(b, y, v, nodes, leafSize);
  }
  tree.nodes = nodes;
  const pos = tree.pos;
  for (let s = 0; s < n; s++) {
    const p = order[s] * dims;
    for (let k = 0; k < dims; k++) pos[s * dims + k] = y[p + k];
  }
}

/** Makes node v a leaf, or splits its points between new children from index `nodes`; returns the new node count. */
function split(b: Buffers, y: Float64Array, v: number, nodes: number, leafSize: number): number {
  const { tree, centre, half, depth, tmp, codes, sums, counts, offsets } = b;
  const { node, order, dims } = tree;
  const o = v * NODE;
  const cnt = node[o + COUNT] | 0;
  const h = half[v];
  node[o + WIDTH2] = 4 * h * h;
  if (cnt <= leafSize || depth[v] >= MAX_DEPTH) {
    node[o + FIRST_CHILD] = -1;
    node[o + CHILDREN] = 0;
    return nodes;
  }
  // Child codes, counts and coordinate sums of the node's points.
  const from = node[o + START] | 0;
  const end = from + cnt;
  for (let c = 0; c < 8; c++) counts[c] = 0;
  for (let c = 0; c < 24; c++) sums[c] = 0;
  const cx = centre[v * 3];
  const cy = centre[v * 3 + 1];
  const cz = centre[v * 3 + 2];
  if (dims === 2) {
    for (let s = from; s < end; s++) {
      const p = order[s] * 2;
      const px = y[p];
      const py = y[p + 1];
      const code = (px >= cx ? 1 : 0) | (py >= cy ? 2 : 0);
      codes[s] = code;
      counts[code]++;
      sums[code * 3] += px;
      sums[code * 3 + 1] += py;
    }
  } else {
    for (let s = from; s < end; s++) {
      const p = order[s] * 3;
      const px = y[p];
      const py = y[p + 1];
      const pz = y[p + 2];
      const code = (px >= cx ? 1 : 0) | (py >= cy ? 2 : 0) | (pz >= cz ? 4 : 0);
      codes[s] = code;
      counts[code]++;
      sums[code * 3] += px;
      sums[code * 3 + 1] += py;
      sums[code * 3 + 2] += pz;
    }
  }
  // Counting sort of the range by child code.
  const fanout = dims === 2 ? 4 : 8;
  let acc = from;
  for (let c = 0; c < fanout; c++) {
    offsets[c] = acc;
    acc += counts[c];
  }
  for (let s = from; s < end; s++) tmp[offsets[codes[s]]++] = order[s];
  for (let s = from; s < end; s++) order[s] = tmp[s];
  node[o + FIRST_CHILD] = nodes;
  const hh = h / 2;
  const childDepth = depth[v] + 1;
  let s0 = from;
  for (let c = 0; c < fanout; c++) {
    const m = counts[c];
    if (m === 0) continue;
    const u = nodes++;
    const ou = u * NODE;
    node[ou + START] = s0;
    node[ou + COUNT] = m;
    s0 += m;
    half[u] = hh;
    depth[u] = childDepth;
    centre[u * 3] = (c & 1) === 0 ? cx - hh : cx + hh;
    centre[u * 3 + 1] = (c & 2) === 0 ? cy - hh : cy + hh;
    centre[u * 3 + 2] = (c & 4) === 0 ? cz - hh : cz + hh;
    node[ou + COM] = sums[c * 3] / m;
    node[ou + COM + 1] = sums[c * 3 + 1] / m;
    node[ou + COM + 2] = sums[c * 3 + 2] / m;
  }
  node[o + CHILDREN] = nodes - (node[o + FIRST_CHILD] | 0);
  return nodes;
}

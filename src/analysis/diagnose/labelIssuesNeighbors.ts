/**
 * What an image's neighbours in feature space say about its label: the share of its k nearest
 * neighbours (in the penultimate features) that carry another label, and each class's share of
 * them — a kNN vote, as in the label-noise filters of Wilson 1972 ("edited nearest neighbours") and
 * cleanlab's Datalab, which scores labels by their neighbours. Typed arrays in and out, browser-safe.
 */

/** Each image's neighbours as rows of the same label array: N×k row-major, −1 for "no neighbour". */
export interface NeighbourRows {
  k: number;
  indices: Int32Array;
}

/** The vote of each image's neighbours. */
export interface NeighbourVote {
  /** Share of the image's neighbours whose label is not its own (0 when it has none). */
  disagreement: Float32Array;
  /** N×K: share of the image's neighbours with each label. */
  shares: Float32Array;
}

/**
 * Counts each image's neighbours by label.
 * @example
 * // four images labelled 0, 0, 1, 1; image 1's two neighbours are images 2 and 3:
 * neighbourVote(Int32Array.of(0, 0, 1, 1), { k: 2, indices: Int32Array.of(1, 2, 2, 3, 3, 0, 2, 1) }, 2).disagreement
 * // Float32Array [0.5, 1, 0.5, 0.5]
 */
export function neighbourVote(labels: Int32Array, neighbours: NeighbourRows, classes: number): NeighbourVote {
  const n = labels.length;
  const { k, indices } = neighbours;
  if (indices.length !== n * k) throw new RangeError(`neighbour indices hold ${indices.length} values, expected ${n} rows × ${k}`);
  const disagreement = new Float32Array(n);
  const shares = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    let seen = 0;
    let other = 0;
    for (let a = 0; a < k; a++) {
      const j = indices[i * k + a];
      if (j < 0) continue;
      if (j >= n) throw new RangeError(`neighbour ${j} of row ${i} is outside 0..${n - 1}`);
      const y = labels[j];
      if (!(y >= 0 && y < classes)) throw new RangeError(`label ${y} of row ${j} is not a class 0..${classes - 1}`);
      seen++;
      shares[i * classes + y]++;
      if (y !== labels[i]) other++;
    }
    if (seen === 0) continue;
    disagreement[i] = other / seen;
    for (let c = 0; c < classes; c++) shares[i * classes + c] /= seen;
  }
  return { disagreement, shares };
}

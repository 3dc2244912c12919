import type { Points } from "../analysis/neighbors/types.js";
import { readNpy } from "../data/npy.js";
import { DataError } from "../util/errors.js";

/** Feature vectors read for `embed` and `neighbors`: the points, and which rows of the file they are. */
export interface LoadedPoints {
  points: Points;
  /** Row of the file for each point (all rows unless invalid ones were dropped). */
  rows: Int32Array;
  /** Rows dropped for holding NaN or ±Infinity (with `dropInvalid`). */
  dropped: number[];
}

/**
 * Reads N×D feature vectors from a .npy file (float32 or float64, as `featurelens extract` or
 * np.save writes them) as float32 points. Rows holding NaN or ±Infinity are an error naming the
 * first of them, or are dropped with `dropInvalid`.
 * @example readPoints("feats.npy").points.d // 64
 */
export function readPoints(file: string, options: { dropInvalid?: boolean } = {}): LoadedPoints {
  const a = readNpy(file);
  if (a.dtype !== "float32" && a.dtype !== "float64") {
    throw new DataError(`feature vectors must be float32 or float64, got ${a.dtype}; write them with \`featurelens extract\` or np.save(x.astype(np.float32))`, file);
  }
  if (a.shape.length !== 2) {
    throw new DataError(`feature vectors must be a 2-D N×D array, got shape [${a.shape.join(", ")}]${a.shape.length > 2 ? "; flatten it (extract does unless --keep-shape)" : ""}`, file);
  }
  const [n, d] = a.shape;
  if (n === 0 || d === 0) throw new DataError(`the array is empty (shape [${n}, ${d}])`, file);
  const src = a.data as Float32Array | Float64Array;
  const bad: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      if (!Number.isFinite(src[i * d + j])) {
        bad.push(i);
        break;
      }
    }
  }
  if (bad.length && !options.dropInvalid) {
    const shown = bad.slice(0, 5).join(", ");
    throw new DataError(`${bad.length} row${bad.length > 1 ? "s hold" : " holds"} NaN or ±Infinity (row${bad.length > 1 ? "s" : ""} ${shown}${bad.length > 5 ? ", …" : ""}); fix them, or pass --drop-invalid to leave them out`, file);
  }
  const keep = new Int32Array(n - bad.length);
  const badSet = new Set(bad);
  for (let i = 0, r = 0; i < n; i++) if (!badSet.has(i)) keep[r++] = i;
  const data = new Float32Array(keep.length * d);
  keep.forEach((row, r) => {
    for (let j = 0; j < d; j++) data[r * d + j] = src[row * d + j];
  });
  return { points: { n: keep.length, d, data }, rows: keep, dropped: bad };
}

import type { Points } from "../neighbors/types.js";

/**
 * What is worth knowing about feature vectors before mapping them: rows that repeat an earlier
 * row exactly (they lie on top of it in any map) and features that are constant (they carry no
 * information). Browser-safe.
 */
export interface RowChecks {
  /** Rows equal to an earlier row. */
  duplicates: number;
  /** Features with the same value in every row. */
  constant: number;
}

/**
 * @example rowChecks({ n: 3, d: 2, data: Float32Array.of(1, 0, 1, 0, 2, 0) }) // { duplicates: 1, constant: 1 }
 */
export function rowChecks(points: Points): RowChecks {
  const { n, d, data } = points;
  const words = new Uint32Array(data.buffer, data.byteOffset, n * d);
  const seen = new Map<number, number[]>();
  let duplicates = 0;
  for (let i = 0; i < n; i++) {
    const h = rowHash(words, i * d, d);
    const same = seen.get(h);
    if (same?.some((r) => equalRows(words, r, i, d))) duplicates++;
    else if (same) same.push(i);
    else seen.set(h, [i]);
  }
  return { duplicates, constant: constantFeatures(data, n, d) };
}

/**
 * FNV-1a over a row's 32-bit words, in four interleaved streams (words j, j + 4, …) combined at
 * the end: four independent chains of multiplies instead of one.
 */
function rowHash(w: Uint32Array, start: number, d: number): number {
  let h0 = 0x811c9dc5, h1 = 0x811c9dc6, h2 = 0x811c9dc7, h3 = 0x811c9dc8;
  let j = start;
  for (const end = start + d - (d % 4); j < end; j += 4) {
    h0 = Math.imul(h0 ^ w[j], 0x01000193);
    h1 = Math.imul(h1 ^ w[j + 1], 0x01000193);
    h2 = Math.imul(h2 ^ w[j + 2], 0x01000193);
    h3 = Math.imul(h3 ^ w[j + 3], 0x01000193);
  }
  for (; j < start + d; j++) h0 = Math.imul(h0 ^ w[j], 0x01000193);
  return Math.imul(Math.imul(Math.imul(h0 ^ h1, 0x01000193) ^ h2, 0x01000193) ^ h3, 0x01000193) >>> 0;
}

/** Features with one value in every row: row by row against row 0, over the features not yet seen to differ. */
function constantFeatures(data: Points["data"], n: number, d: number): number {
  const open = Int32Array.from({ length: d }, (_, j) => j);
  let count = d;
  for (let i = 1; i < n && count > 0; i++) {
    let kept = 0;
    for (let c = 0; c < count; c++) {
      const j = open[c];
      if (data[i * d + j] === data[j]) open[kept++] = j;
    }
    count = kept;
  }
  return count;
}

function equalRows(w: Uint32Array, a: number, b: number, d: number): boolean {
  for (let j = 0; j < d; j++) if (w[a * d + j] !== w[b * d + j]) return false;
  return true;
}

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
    let h = 0x811c9dc5; // FNV-1a over the row's 32-bit words
    for (let j = 0; j < d; j++) h = Math.imul(h ^ words[i * d + j], 0x01000193) >>> 0;
    const same = seen.get(h);
    if (same?.some((r) => equalRows(words, r, i, d))) duplicates++;
    else if (same) same.push(i);
    else seen.set(h, [i]);
  }
  let constant = 0;
  for (let j = 0; j < d; j++) {
    let same = true;
    for (let i = 1; i < n && same; i++) same = data[i * d + j] === data[j];
    if (same) constant++;
  }
  return { duplicates, constant };
}

function equalRows(w: Uint32Array, a: number, b: number, d: number): boolean {
  for (let j = 0; j < d; j++) if (w[a * d + j] !== w[b * d + j]) return false;
  return true;
}

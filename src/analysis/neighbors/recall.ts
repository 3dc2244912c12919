import { DataError } from "../../util/errors.js";
import type { KnnGraph } from "./types.js";

/**
 * Mean over rows of the fraction of the exact k neighbours that the approximate graph found
 * (recall@k as in ann-benchmarks, Aumüller et al. 2020, §3). Browser-safe.
 * @example recall(approx, exact) // 0.987
 */
export function recall(approx: KnnGraph, exact: KnnGraph): number {
  if (approx.n !== exact.n || approx.k !== exact.k) {
    throw new DataError(`recall needs graphs of the same shape (got ${approx.n}×${approx.k} and ${exact.n}×${exact.k})`);
  }
  const { n, k } = exact;
  let hits = 0;
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    seen.clear();
    for (let m = i * k; m < i * k + k; m++) seen.add(exact.indices[m]);
    for (let m = i * k; m < i * k + k; m++) if (seen.has(approx.indices[m])) hits++;
  }
  return hits / (n * k);
}

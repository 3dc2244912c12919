/** How the diagnoses write numbers and lists in their sentences. Browser-safe. */

/** "A", "A and B", "A, B and C". */
export function listing(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** A share as a whole percentage ("48%"), with one decimal below 10% ("3.5%"); "n/a" for NaN. */
export function pc(v: number): string {
  if (!Number.isFinite(v)) return "n/a";
  const p = v * 100;
  return `${Math.abs(p) < 9.95 && p !== 0 ? p.toFixed(1) : p.toFixed(0)}%`;
}

/** A p-value as written in the summaries: "p = 0.005", "p = 0.015", "p < 0.001", "p = 0.43". */
export function pValue(p: number): string {
  if (!Number.isFinite(p)) return "p = n/a";
  if (p < 0.001) return "p < 0.001";
  return `p = ${p < 0.1 ? p.toFixed(3) : p.toFixed(2)}`;
}

/** A number in three significant digits: "0.0123", "1.23", "123". */
export function sig(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : "n/a";
}

import type { SweepRow } from "../nn/transferSweep.js";

/** The transfer sweep as a Markdown table: baseB's accuracy, then one row per k and one column per variant. */
export function transferTable(rows: SweepRow[]): string {
  const ks = [...new Set(rows.filter((r) => r.k > 0).map((r) => r.k))];
  const variants = [...new Set(rows.filter((r) => r.k > 0).map((r) => r.variant))];
  const base = rows.find((r) => r.variant === "baseB");
  const cell = (v: string, k: number) => {
    const r = rows.find((x) => x.variant === v && x.k === k);
    return r ? `${(100 * r.accuracy).toFixed(2)}%` : "";
  };
  return [
    `baseB: ${base ? (100 * base.accuracy).toFixed(2) : "-"}%`,
    "",
    `| k | ${variants.join(" | ")} |`,
    `|---:|${variants.map(() => "---:").join("|")}|`,
    ...ks.map((k) => `| ${k} | ${variants.map((v) => cell(v, k)).join(" | ")} |`),
    "",
  ].join("\n");
}

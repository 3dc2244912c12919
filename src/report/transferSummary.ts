import type { SweepCell } from "../nn/transferSweep.js";
import { layerLabel } from "./charts/transfer.js";

/**
 * The transfer sweep as a Markdown table: the references (baseB; baseA on task A's own test
 * images), then one row per k — "3 (conv3)": the layer it ends at — and one column per variant, each cell
 * the mean accuracy on task B and, over several seeds, ± its standard deviation.
 * @example transferSummaryTable({ cells, layers: ["/conv1/Conv", "/conv2/Conv"] })
 * // "baseB: 91.20% ± 0.40 (3 seeds)\n\n| k | BnB | AnB |\n|---:|---:|---:|\n| 1 (conv1) | 91.00% ± 0.30 | 90.80% ± 0.50 |\n"
 */
export function transferSummaryTable(o: { cells: SweepCell[]; layers?: string[] }): string {
  const cell = (c: SweepCell | undefined) => (c ? `${(100 * c.mean).toFixed(2)}%${c.n > 1 ? ` ± ${(100 * c.sd).toFixed(2)}` : ""}` : "");
  const seeds = (c: SweepCell) => (c.n > 1 ? ` (${c.n} seeds)` : "");
  const swept = o.cells.filter((c) => c.k > 0);
  const ks = [...new Set(swept.map((c) => c.k))].sort((a, b) => a - b);
  const variants = [...new Set(swept.map((c) => c.variant))];
  const baseB = o.cells.find((c) => c.variant === "baseB");
  const baseA = o.cells.find((c) => c.variant === "baseA");
  return [
    `baseB: ${baseB ? `${cell(baseB)}${seeds(baseB)}` : "-"}`,
    ...(baseA ? [`baseA on task A's test images: ${cell(baseA)}${seeds(baseA)}`] : []),
    "",
    `| k | ${variants.join(" | ")} |`,
    `|---:|${variants.map(() => "---:").join("|")}|`,
    ...ks.map((k) => `| ${k}${o.layers?.[k - 1] ? ` (${layerLabel(o.layers[k - 1])})` : ""} | ${variants.map((v) => cell(swept.find((c) => c.variant === v && c.k === k))).join(" | ")} |`),
    "",
  ].join("\n");
}

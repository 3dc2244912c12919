/** What {@link formatSamples} prints (the result of `findSamples`, workflows/samples.ts). */
export interface SamplesText {
  run: string;
  domain: string | null;
  data: string;
  description: string;
  rows: readonly { index: number; label_name: string | null; predicted_name: string; confidence: number; margin: number; loss: number | null }[];
  grid?: { file: string; width: number; height: number };
}

/**
 * What `featurelens samples` prints: the filter in words, then one line per image (source index,
 * true class, predicted class, confidence, margin, loss).
 * @example formatSamples(result).split("\n").slice(0, 3)
 * // ["Shirt predicted as T-shirt/top: 17 images, most confident first (run seed: sample:test)",
 * //  "",
 * //  "index  true   predicted    confidence  margin    loss"]
 */
export function formatSamples(r: SamplesText): string {
  const where = `${r.domain === null ? `run ${r.run}` : `run ${r.run}, domain ${r.domain}`}: ${r.data}`;
  const lines = [`${r.description} (${where})`];
  if (r.rows.length > 0) {
    const head = ["index", "true", "predicted", "confidence", "margin", "loss"];
    const cells = r.rows.map((s) => [String(s.index), s.label_name ?? "-", s.predicted_name, s.confidence.toFixed(4), s.margin.toFixed(4), s.loss === null ? "-" : s.loss.toFixed(4)]);
    const widths = head.map((h, j) => Math.min(24, Math.max(h.length, ...cells.map((c) => c[j].length))));
    const numeric = [true, false, false, true, true, true];
    const line = (c: string[]) => c.map((v, j) => (numeric[j] ? v.padStart(widths[j]) : v.slice(0, widths[j]).padEnd(widths[j]))).join("  ").trimEnd();
    lines.push("", line(head), ...cells.map(line));
  }
  if (r.grid) lines.push("", `wrote ${r.grid.file} (${r.grid.width}×${r.grid.height} px)`);
  return `${lines.join("\n")}\n`;
}

import type { RunListing } from "../store/workspace.js";
import type { Run } from "../store/run.js";
import type { Scope } from "../store/runRecord.js";

/**
 * Runs as text for a terminal: what an analysis made, and the workspace's runs as a table.
 */

const pct = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : "-");
const num = (x: unknown, digits = 3) => (typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "-");

/**
 * What `featurelens analyze` made: the headline numbers, each map's quality, the stages and where
 * the run is.
 * @example formatAnalysis(run, undefined, [{ stage: "evaluation", seconds: 0.4, skipped: false }]).split("\n")[0]
 * // "run seed-test: seed-cnn on sample:test (1000 images)"
 */
export function formatAnalysis(run: Run, domain: string | undefined, stages: { stage: string; seconds: number; skipped: boolean }[]): string {
  const scope: Scope = run.scope(domain);
  const s = scope.summary;
  const what = `${run.record.model?.arch ?? run.record.model?.source?.split("/").pop() ?? "model"} on ${scope.data?.spec ?? "?"} (${scope.data?.n ?? "?"} images)`;
  const lines = [`${domain === undefined ? `run ${run.id}` : `run ${run.id}, domain ${domain}`}: ${what}`, ""];
  if (s.accuracy !== undefined) {
    lines.push(`accuracy ${pct(s.accuracy)}   balanced ${pct(s.balanced_accuracy)}   macro F1 ${num(s.macro_f1, 4)}   log loss ${num(s.log_loss, 4)}   ECE ${num(s.ece, 4)}`);
  }
  for (const [name, m] of Object.entries(scope.maps)) {
    const q = (m.quality ?? {}) as Record<string, unknown>;
    const parts = [m.kl !== null && m.kl !== undefined ? `KL ${num(m.kl)}` : "", q.trustworthiness !== undefined ? `trustworthiness ${num(q.trustworthiness)}` : "", q.knn_accuracy !== undefined && q.knn_accuracy !== null ? `10-NN label accuracy ${num(q.knn_accuracy)} (features ${num(q.knn_accuracy_input)})` : "", m.placed_into ? `placed into the run's ${m.placed_into} map` : ""].filter(Boolean);
    lines.push(`${name.padEnd(5)} map: ${parts.join(" · ")}`);
  }
  lines.push("", ...stages.map((t) => `  ${t.stage.padEnd(28)} ${t.skipped ? "already done" : `${t.seconds.toFixed(1)} s`}`), "");
  lines.push(`wrote ${run.dir}${domain === undefined ? "" : `/domains/${domain}`}`);
  return `${lines.join("\n")}\n`;
}

/** The workspace's runs as a table: id, model, data, accuracy, status, created; problems under each. */
export function formatRuns(runs: RunListing[], root: string): string {
  if (runs.length === 0) return `no runs in ${root} (make one with featurelens analyze --model M --data SPEC --out ID, or featurelens train)\n`;
  const rows = runs.map((r) => {
    const rec = r.record;
    return [
      r.id,
      rec ? (rec.model?.arch ?? rec.model?.source?.split("/").pop() ?? (rec.model ? "model.onnx" : "-")) : "?",
      rec?.data?.spec ?? "-",
      rec ? pct(rec.summary.accuracy) : "-",
      rec ? `${rec.status}${Object.keys(rec.domains).length ? ` +${Object.keys(rec.domains).length} domain${Object.keys(rec.domains).length > 1 ? "s" : ""}` : ""}` : "damaged",
      rec ? rec.created.slice(0, 16).replace("T", " ") : "-",
    ];
  });
  const head = ["id", "model", "data", "accuracy", "status", "created"];
  const widths = head.map((h, j) => Math.min(40, Math.max(h.length, ...rows.map((r) => r[j].length))));
  const line = (cells: string[]) => cells.map((c, j) => (j === 3 ? c.padStart(widths[j]) : c.slice(0, widths[j]).padEnd(widths[j]))).join("  ").trimEnd();
  const out = [line(head)];
  runs.forEach((r, i) => {
    out.push(line(rows[i]));
    for (const p of r.problems.slice(0, 3)) out.push(`  ! ${p}`);
    if (r.problems.length > 3) out.push(`  ! … and ${r.problems.length - 3} more`);
  });
  return `${out.join("\n")}\n`;
}

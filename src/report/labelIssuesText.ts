/** What {@link formatLabelIssues} prints (the result of `labelIssues`, workflows/labelIssues.ts). */
export interface LabelIssuesText {
  out: string;
  files: string[];
  recordedIn: string | null;
  summary: {
    source: "k-fold" | "run";
    data: string;
    run: string | null;
    n: number;
    accuracy: number;
    issues: { total: number; confident_learning: number; neighbours: number; both: number };
    estimated_noise: { total: number; per_class: { class: string; images: number; noise_rate: number | null; issues: number }[] };
    notes: string[];
  };
  rows: readonly { rank: number; index: number; path?: string; given_name: string; suggested_name: string; score: number; reason: string }[];
}

const pct = (x: number | null) => (x === null ? "-" : `${(100 * x).toFixed(1)}%`);

/**
 * What `featurelens label-issues` prints: how many images are flagged and why, the estimated noise
 * per class, the first rows of the queue and where the files are.
 * @example formatLabelIssues(result).split("\n")[0]
 * // "label issues in sample:train: 412 of 5,000 images (8.2%) — 371 by confident learning, 203 by their neighbours, 162 by both"
 */
export function formatLabelIssues(r: LabelIssuesText): string {
  const s = r.summary;
  const i = s.issues;
  const lines = [
    `label issues in ${s.data}${s.run ? ` (run ${s.run})` : ""}: ${i.total.toLocaleString("en")} of ${s.n.toLocaleString("en")} images (${pct(i.total / Math.max(1, s.n))}) — ` +
      `${i.confident_learning.toLocaleString("en")} by confident learning, ${i.neighbours.toLocaleString("en")} by their neighbours, ${i.both.toLocaleString("en")} by both`,
    `estimated label noise ${pct(s.estimated_noise.total)} (confident joint); ${s.source === "k-fold" ? "held-out" : "the run's"} predictions agree with ${pct(s.accuracy)} of the given labels`,
    ...s.notes.map((n) => `note: ${n}`),
    "",
  ];
  const classes = s.estimated_noise.per_class;
  const w = Math.min(24, Math.max(5, ...classes.map((c) => c.class.length)));
  lines.push(`${"class".padEnd(w)}  images  est. noise  flagged`);
  for (const c of classes) lines.push(`${c.class.slice(0, w).padEnd(w)}  ${String(c.images).padStart(6)}  ${pct(c.noise_rate).padStart(10)}  ${String(c.issues).padStart(7)}`);
  if (r.rows.length) {
    const where = (q: LabelIssuesText["rows"][number]) => q.path ?? `#${q.index}`;
    const ww = Math.min(40, Math.max(5, ...r.rows.map((q) => where(q).length)));
    const gw = Math.min(16, Math.max(5, ...r.rows.map((q) => q.given_name.length)));
    const sw = Math.min(16, Math.max(9, ...r.rows.map((q) => q.suggested_name.length)));
    lines.push("", `${"rank".padStart(4)}  ${"image".padEnd(ww)}  ${"given".padEnd(gw)}  ${"suggested".padEnd(sw)}  score  reason`);
    for (const q of r.rows) {
      lines.push(`${String(q.rank).padStart(4)}  ${where(q).slice(-ww).padEnd(ww)}  ${q.given_name.slice(0, gw).padEnd(gw)}  ${q.suggested_name.slice(0, sw).padEnd(sw)}  ${q.score.toFixed(3)}  ${q.reason}`);
    }
    if (i.total > r.rows.length) lines.push(`   … ${(i.total - r.rows.length).toLocaleString("en")} more in queue.csv`);
  }
  lines.push("", `wrote ${r.files.join(", ")} to ${r.out}${r.recordedIn ? `; recorded in the run (${r.recordedIn}/label-issues)` : ""}`);
  return `${lines.join("\n")}\n`;
}

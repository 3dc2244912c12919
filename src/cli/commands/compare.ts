import { type Command, InvalidArgumentError } from "commander";
import type { Comparison } from "../../analysis/diagnose/compareTypes.js";
import { shortLayer } from "../../report/charts/compareDeep.js";
import { COMPARE_DEFAULTS, compareRuns } from "../../workflows/compareRuns.js";
import { positiveInt, threadsOption } from "../options.js";
import { addForceOption } from "../outputs.js";
import { progressByLabel } from "../progress.js";
import { addWorkspaceOption } from "../workspace.js";

interface CompareCliOptions {
  workspace?: string;
  out?: string;
  json?: boolean;
  domain?: string;
  images?: number;
  seed: number;
  threads?: number;
  force?: boolean;
}

/** `featurelens compare RUN_A RUN_B`: two models on the same images, stored in run A's compare/<B>/. */
export function registerCompare(program: Command): void {
  const cmd = program
    .command("compare")
    .description("two models on the same images: per-class differences, where they agree, confidence, ROC, confusions, activations layer by layer and CKA between their layers")
    .argument("<run_a>", "the first run (an id in the workspace or a folder); the comparison is stored in it, under compare/<run_b>/")
    .argument("<run_b>", "the second run, of another model on the same images")
    .option("--out <dir>", "also copy compare.json and the pictures into this folder")
    .option("--json", "print the comparison as JSON")
    .option("--domain <slug>", "a domain of the runs (a shifted dataset): its images beside their nearest images of each run's own data")
    .option("--images <n>", `images run through both models for activations and CKA (stratified, seeded; default ${COMPARE_DEFAULTS.images})`, positiveInt("--images"))
    .option("--seed <n>", "seed of the sample", positiveIntOrZero, 0)
    .option("--threads <n>", "CPU threads for onnxruntime", threadsOption)
    .addHelpText("after", "\nExamples:\n  featurelens compare seed-50k seed-10k --workspace ws\n  featurelens compare seed-50k seed-10k --domain mnist-test --out 50k-vs-10k --json");
  addForceOption(cmd);
  addWorkspaceOption(cmd).action(async (runA: string, runB: string, opts: CompareCliOptions) => {
    const bars = progressByLabel();
    const r = await compareRuns({
      a: runA, b: runB, ...(opts.workspace ? { workspace: opts.workspace } : {}), ...(opts.out ? { out: opts.out } : {}), ...(opts.domain ? { domain: opts.domain } : {}),
      ...(opts.images ? { images: opts.images } : {}), seed: opts.seed, ...(opts.threads ? { threads: opts.threads } : {}), ...(opts.force ? { force: true } : {}),
      onStage: (s) => process.stderr.write(process.stderr.isTTY ? `featurelens: ${s}…\n` : ""), onProgress: bars.onProgress,
    }).finally(() => bars.stop());
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ ...r.comparison, neighbors: r.neighbors, folder: r.folder, files: r.files, copies: r.copies, seconds: r.seconds }, (_, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 1)}\n`);
      return;
    }
    process.stdout.write(`${formatComparison(r.comparison)}\nwrote ${r.files.length} files to ${r.folder}${r.copies.length ? ` and copied them to ${opts.out}` : ""} in ${r.seconds.toFixed(1)} s\n`);
  });
}

function positiveIntOrZero(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`--seed takes a whole number, got '${v}'`);
  return n;
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const signed = (v: number, digits = 2) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(digits)}`;

/** The comparison as text: headline numbers, agreement, per-class recall, and the layers' zeros and CKA. */
export function formatComparison(c: Comparison): string {
  const A = c.a.id;
  const B = c.b.id;
  const w = Math.max(A.length, B.length, 8);
  const lines = [
    `${A} against ${B} on ${c.note}`,
    "",
    `${"".padEnd(18)}${A.padStart(w)}  ${B.padStart(w)}  B − A`,
    `${"accuracy".padEnd(18)}${pct(c.a.accuracy).padStart(w)}  ${pct(c.b.accuracy).padStart(w)}  ${signed(100 * (c.b.accuracy - c.a.accuracy))} points`,
    `${"macro F1".padEnd(18)}${c.a.macro_f1.toFixed(4).padStart(w)}  ${c.b.macro_f1.toFixed(4).padStart(w)}  ${signed(c.b.macro_f1 - c.a.macro_f1, 4)}`,
    `${"log loss".padEnd(18)}${c.a.log_loss.toFixed(4).padStart(w)}  ${c.b.log_loss.toFixed(4).padStart(w)}  ${signed(c.b.log_loss - c.a.log_loss, 4)}`,
    `${"ROC AUC (macro)".padEnd(18)}${c.a.roc_auc_macro.toFixed(4).padStart(w)}  ${c.b.roc_auc_macro.toFixed(4).padStart(w)}  ${signed(c.b.roc_auc_macro - c.a.roc_auc_macro, 4)}`,
    `${"mean confidence".padEnd(18)}${pct(c.a.mean_confidence).padStart(w)}  ${pct(c.b.mean_confidence).padStart(w)}`,
    "",
    `agreement: both right ${c.agreement.counts.both_right}, only ${A} ${c.agreement.counts.only_a}, only ${B} ${c.agreement.counts.only_b}, both wrong ${c.agreement.counts.both_wrong}` +
      ` (same prediction on ${pct(c.agreement.samePrediction)}; McNemar χ² ${c.agreement.mcnemar.chi2.toFixed(1)}, p ${c.agreement.mcnemar.p < 1e-4 ? "< 0.0001" : c.agreement.mcnemar.p.toFixed(4)})`,
    "",
    "recall per class (B − A, points):",
    ...c.per_class.map((p) => `  ${p.class.padEnd(14)} ${pct(p.recall[0]).padStart(7)} → ${pct(p.recall[1]).padStart(7)}  ${signed(100 * (p.recall[1] - p.recall[0]))}`),
  ];
  const act = c.activations;
  if (act) {
    const inB = new Map(act.b.map((l) => [l.name, l]));
    lines.push("", `layers on ${act.images} images: share exactly 0 (${A} | ${B}) and CKA of the same layer`);
    act.a.forEach((l) => {
      const lb = inB.get(l.name) ?? null;
      const i = act.cka_a.indexOf(l.name);
      const j = act.cka_b.indexOf(l.name);
      const cka = i >= 0 && j >= 0 ? act.cka[i * act.cka_b.length + j] : null;
      lines.push(`  ${shortLayer(l.name).padEnd(20)} ${pct(l.profile.zeros).padStart(7)} | ${lb ? pct(lb.profile.zeros).padStart(7) : "      —"}   CKA ${cka == null || !Number.isFinite(cka) ? "—" : cka.toFixed(3)}`);
    });
  } else if (c.activations_missing) {
    lines.push("", `no activations: ${c.activations_missing}`);
  }
  return `${lines.join("\n")}\n`;
}

import type { Command } from "commander";
import { EXPORT_FORMATS, type ExportFormat, exportRun } from "../../workflows/export.js";
import { progressByLabel } from "../progress.js";
import { addWorkspaceOption } from "../workspace.js";

interface ExportCliOptions {
  workspace?: string;
  run: string;
  domain?: string;
  format: ExportFormat;
  out: string;
  force?: boolean;
  json?: boolean;
}

/** `featurelens export`: a run as TensorBoard Embedding Projector files, or as one Parquet/CSV table of predictions and map coordinates. */
export function registerExport(program: Command): void {
  const cmd = program
    .command("export")
    .description("a run as files for other tools: TensorBoard's Embedding Projector, or one Parquet/CSV table of predictions and map coordinates")
    .requiredOption("--run <run>", "the run: an id in the workspace or a folder")
    .option("--domain <name>", "a domain of the run (as featurelens runs lists it, or its --data spec) instead of the run's own images")
    .requiredOption("--format <format>", `${EXPORT_FORMATS.join(", ")}`)
    .requiredOption("--out <dir>", "the folder to write: new, empty, or holding only files featurelens wrote")
    .option("--force", "write into a folder that holds other files (files of the same names are replaced)")
    .option("--json", "print what was written as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  featurelens export --run seed --format projector --out seed-projector   # then: tensorboard --logdir seed-projector\n" +
        "  featurelens export --run seed --format parquet --out seed-tables          # map.parquet: predictions + tsne_x, tsne_y, pca_x, pca_y\n" +
        "  featurelens export --run seed --domain sample:train --format csv --out seed-train-csv",
    );
  addWorkspaceOption(cmd).action(async (opts: ExportCliOptions) => {
    const bars = progressByLabel();
    const r = await exportRun({
      ...(opts.workspace ? { workspace: opts.workspace } : {}), run: opts.run, ...(opts.domain !== undefined ? { domain: opts.domain } : {}),
      format: opts.format, out: opts.out, ...(opts.force ? { force: true } : {}), onProgress: bars.onProgress,
    }).finally(() => bars.stop());
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(r, null, 1)}\n`);
      return;
    }
    const where = r.domain === null ? `run ${r.run}` : `run ${r.run}, domain ${r.domain}`;
    const width = Math.max(...r.files.map((f) => f.file.length));
    process.stdout.write(
      [`exported ${where} (${r.data}, ${r.n} images) as ${r.format} to ${r.out}`, ...r.files.map((f) => `  ${f.file.padEnd(width)}  ${formatBytes(f.bytes)}`), ...r.notes, ""].join("\n"),
    );
  });
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} kB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}

import type { Command } from "commander";
import { formatRuns } from "../../report/runText.js";
import { listRuns, openWorkspace, removeRun } from "../../store/workspace.js";
import { addWorkspaceOption } from "../workspace.js";

interface RunsCliOptions {
  workspace?: string;
  json?: boolean;
}

/** `featurelens runs`: the workspace's runs as a table; `runs rm ID` removes one. */
export function registerRuns(program: Command): void {
  const runs = program
    .command("runs")
    .description("the runs of a workspace: id, model, data, accuracy, status, created (runs rm ID removes one)")
    .option("--json", "print the runs' records as JSON")
    .addHelpText("after", "\nExamples:\n  featurelens runs\n  featurelens runs --workspace featurelens-demo --json\n  featurelens runs rm seed-test");
  addWorkspaceOption(runs).action((opts: RunsCliOptions) => {
    const ws = openWorkspace(opts.workspace);
    const listed = listRuns(ws);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(listed.map((r) => ({ id: r.id, dir: r.dir, problems: r.problems, ...(r.record ?? {}) })), null, 1)}\n`);
    } else {
      process.stdout.write(formatRuns(listed, ws.root));
    }
  });
  const rm = runs
    .command("rm <run>")
    .description("remove a run (its folder and everything in it)")
    .addHelpText("after", "\nExample:\n  featurelens runs rm seed-test");
  addWorkspaceOption(rm).action((ref: string, opts: RunsCliOptions) => {
    const dir = removeRun(openWorkspace(opts.workspace ?? runs.opts<RunsCliOptions>().workspace), ref);
    process.stdout.write(`removed ${dir}\n`);
  });
}

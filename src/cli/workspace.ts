import type { Command } from "commander";

/** --workspace: the folder of runs (default: the current folder). */
export function addWorkspaceOption(cmd: Command): Command {
  return cmd.option("--workspace <dir>", "the workspace: a folder whose runs/ holds the runs (default: the current folder)");
}

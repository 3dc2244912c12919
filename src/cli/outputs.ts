import type { Command } from "commander";
import { specPaths } from "../data/spec.js";
import { modelPath } from "../nn/open.js";
import { checkOutputs, type CommandInput, type PlannedOutput, recordOutputs } from "../util/outputs.js";

/**
 * The CLI's side of output safety (util/outputs.ts): --force, and the inputs a command's flags name.
 */

export function addForceOption(cmd: Command): Command {
  return cmd.option("--force", "replace output files featurelens did not write (never the command's own inputs)");
}

/** The inputs named by --data, --model and other file flags, for {@link checkOutputs}. */
export function inputsOf(o: { data?: string | undefined; model?: string | undefined; files?: [string | undefined, string][] }): CommandInput[] {
  const out: CommandInput[] = [];
  if (o.data) for (const p of specPaths(o.data)) out.push({ path: p, flag: "--data" });
  if (o.model) {
    try {
      out.push({ path: modelPath(o.model), flag: "--model" });
    } catch {
      // a model that cannot be found is reported when it is opened
    }
  }
  for (const [path, flag] of o.files ?? []) if (path) out.push({ path, flag });
  return out;
}

/** Checks the outputs before any work (see util/outputs.ts). */
export function guardOutputs(command: string, outputs: (PlannedOutput | null | undefined)[], inputs: CommandInput[], force?: boolean): void {
  checkOutputs(outputs.filter((o): o is PlannedOutput => !!o), inputs, { command, ...(force ? { force: true } : {}) });
}

export { recordOutputs };

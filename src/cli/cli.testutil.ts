import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "featurelens.js");

/** Runs the installed command as a user would (needs dist/, which `npm install` builds), offline. */
export function runCli(args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, FEATURELENS_OFFLINE: "1", ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

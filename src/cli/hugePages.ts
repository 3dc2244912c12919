import { spawn } from "node:child_process";
import { constants } from "node:os";

/**
 * Large arrays on transparent huge pages. Linux maps fresh memory 4 KB at a time, and on a VM each
 * first touch of a page is a fault: on the 2-core VM of BENCHMARKS.md, reading a 220 MB .npy and
 * one pass over it took 0.95 s, 0.39 s with 2 MB pages (numpy asks for them with madvise; Node
 * cannot from JavaScript). glibc's malloc asks for them when the process starts with
 * GLIBC_TUNABLES=glibc.malloc.hugetlb=1, so a command that works on large arrays runs itself once
 * more with it set. musl and other systems ignore the variable. Not for the light commands: a
 * second Node start costs ~0.1 s.
 */

const TUNABLE = "glibc.malloc.hugetlb";

/** Commands that hold large arrays (images, features, graphs, models in training). */
export const LARGE_MEMORY_COMMANDS: ReadonlySet<string> = new Set([
  "demo", "dataset", "predict", "evaluate", "extract", "inspect", "train", "transfer", "embed", "neighbors",
  "diagnose", "shift", "analyze", "assemble", "label-issues", "compare", "serve",
]);

/** Whether `featurelens <argv>` should run again with huge pages (Linux, a large-memory command, not yet set, not turned off). */
export function wantsHugePages(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, platform: string = process.platform): boolean {
  if (platform !== "linux" || env.FEATURELENS_HUGE_PAGES === "0" || env.GLIBC_TUNABLES?.includes(TUNABLE)) return false;
  const word = argv.slice(2).find((a) => !a.startsWith("-"));
  return word !== undefined && LARGE_MEMORY_COMMANDS.has(word) && !argv.includes("--help") && !argv.includes("-h");
}

/**
 * Runs `script` again in a child Node with huge pages, the same arguments, standard streams and
 * exit code; signals sent to this process go on to the child. Resolves with the exit code.
 */
export function relaunchWithHugePages(script: string, argv: readonly string[]): Promise<number> {
  const tunables = [process.env.GLIBC_TUNABLES, `${TUNABLE}=1`].filter(Boolean).join(":");
  const child = spawn(process.execPath, [...process.execArgv, script, ...argv.slice(2)], { stdio: "inherit", env: { ...process.env, GLIBC_TUNABLES: tunables } });
  const forward = (signal: NodeJS.Signals) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const handlers = signals.map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      // A child killed by a signal: the shell sees the usual 128 + signal number.
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

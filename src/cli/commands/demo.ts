import type { Command } from "commander";
import { serveUntilStopped, serveWorkspace } from "../../server/serveWorkspace.js";
import { DEMO_DEFAULTS, runDemo } from "../../workflows/demo.js";
import { progressByLabel } from "../progress.js";

interface DemoCliOptions {
  out: string;
  serve: boolean;
}

/** `featurelens demo`: the tour on the embedded Fashion-MNIST sample, leaving a workspace and its report. */
export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("the whole tour on the embedded Fashion-MNIST sample (works offline): leaves a workspace with the run and its report")
    .option("--out <dir>", "the workspace to leave the results in", DEMO_DEFAULTS.out)
    .option("--no-serve", "end after the report (without it, the demo serves the web app when run at a terminal)")
    .addHelpText("after", "\nExample:\n  featurelens demo --out /tmp/tour --no-serve")
    .action(async (opts: DemoCliOptions) => {
      const bars = progressByLabel();
      const result = await runDemo({ out: opts.out, say: (s) => process.stdout.write(s), onProgress: bars.onProgress }).finally(() => bars.stop());
      process.stdout.write(
        `Done. The workspace is ${result.workspace}:\n  the run       ${result.run}\n  the report    ${result.report}\n` +
          `Next: featurelens runs --workspace ${result.workspace}; featurelens samples --run ${result.run} --wrong --top 20 --grid wrong.png\n`,
      );
      // The web app only for a person at a terminal: in a script or CI the demo ends with its report.
      if (!opts.serve || !process.stdout.isTTY) return;
      const { server, appUrl } = await serveWorkspace({ workspace: result.workspace });
      process.stdout.write(`\n7. The web app: the map, neighbours, images and layers of the run, at\n  ${appUrl}\nPress Ctrl-C to stop.\n`);
      await serveUntilStopped(server);
    });
}

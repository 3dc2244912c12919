import type { Command } from "commander";
import { resolve } from "node:path";
import { exposureNote, openInBrowser, serveUntilStopped, serveWorkspace } from "../../server/serveWorkspace.js";
import { integer } from "../options.js";
import { addWorkspaceOption } from "../workspace.js";

interface ServeCliOptions {
  workspace?: string;
  host: string;
  port?: number;
  token?: string;
  open?: boolean;
}

/** `featurelens serve`: the web app over a workspace, until Ctrl-C. */
export function registerServe(program: Command): void {
  const cmd = program
    .command("serve")
    .description("the web app over a workspace's runs: maps, neighbours, images, layers, metrics (until Ctrl-C)")
    .option("--host <address>", "the interface to listen on; anything but 127.0.0.1/localhost needs a token (one is made and printed)", "127.0.0.1")
    .option("--port <n>", "the port (default: 8765, or any free one when it is taken)", integer("--port"))
    .option("--token <token>", "the token every request must carry (default: $FEATURELENS_TOKEN; made up when the host is not loopback)")
    .option("--open", "open the app in the desktop's browser")
    .addHelpText("after", "\nExamples:\n  featurelens serve --workspace featurelens-demo\n  featurelens serve --host 0.0.0.0 --port 8800      # reachable from other machines, with a token");
  addWorkspaceOption(cmd).action(async (opts: ServeCliOptions) => {
    const token = opts.token ?? (process.env.FEATURELENS_TOKEN || undefined);
    const { server, appUrl, remoteUrl } = await serveWorkspace({
      workspace: opts.workspace ?? process.cwd(), host: opts.host, ...(opts.port !== undefined ? { port: opts.port } : {}), ...(token !== undefined ? { token } : {}),
    });
    const note = exposureNote(server);
    if (note) process.stderr.write(`${note}\n`);
    process.stdout.write(`featurelens is serving ${resolve(opts.workspace ?? ".")} at\n  ${appUrl}\n${remoteUrl ? `  ${remoteUrl}   (from other machines)\n` : ""}Press Ctrl-C to stop.\n`);
    if (opts.open) openInBrowser(appUrl);
    await serveUntilStopped(server);
    process.stdout.write("featurelens serve: stopped\n");
  });
}

import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { closeQueryEngine } from "../store/query.js";
import { listRuns, openWorkspace } from "../store/workspace.js";
import { UsageError } from "../util/errors.js";
import { isLoopback } from "./security.js";
import { type RunningServer, type ServerOptions, startServer } from "./server.js";

/**
 * What `featurelens serve` and the end of `featurelens demo` share: start the server on the
 * usual port (8765, else any free one), work out the URL that opens the newest run's map, and keep
 * serving until Ctrl-C.
 */

export const SERVE_DEFAULTS = { port: 8765 } as const;

/** The map the app opens first, in this order of preference. */
const MAP_ORDER = ["tsne", "umap", "pca"];

export interface Serving {
  server: RunningServer;
  /** The URL that opens the newest run's map (with the token): http://127.0.0.1:8765/?token=…#/map/seed?map=tsne */
  appUrl: string;
  /** For a server bound to all interfaces: the URL by this machine's name, for other machines. */
  remoteUrl: string | null;
}

/**
 * Starts serving a workspace. `port` undefined or 0: 8765 when free, else any free port.
 * @example const { appUrl } = await serveWorkspace({ workspace: "featurelens-demo" }) // "http://127.0.0.1:8765/#/map/seed-cnn?map=tsne"
 */
export async function serveWorkspace(o: ServerOptions): Promise<Serving> {
  let server: RunningServer;
  if (o.port) {
    server = await startServer(o);
  } else {
    try {
      server = await startServer({ ...o, port: SERVE_DEFAULTS.port });
    } catch (err) {
      if (!(err instanceof UsageError && /in use/.test(err.message))) throw err;
      server = await startServer({ ...o, port: 0 });
    }
  }
  const view = firstView(o.workspace);
  if (view) warm(server, view);
  const fragment = view ? `#/map/${encodeURIComponent(view.run)}?map=${encodeURIComponent(view.map)}` : "";
  const wildcard = server.host === "0.0.0.0" || server.host === "::";
  const remoteUrl = wildcard ? server.url.replace(/^http:\/\/[^/]+/, `http://${hostname()}:${server.port}`) + fragment : null;
  return { server, appUrl: server.url + fragment, remoteUrl };
}

/** The newest complete run with a map, and the map the app opens first; null when there is none. */
function firstView(workspace: string): { run: string; map: string } | null {
  const runs = listRuns(openWorkspace(workspace)).filter((r) => r.record?.status === "complete" && Object.keys(r.record.maps).length > 0);
  const newest = runs.at(-1);
  if (!newest?.record) return null;
  const maps = Object.keys(newest.record.maps);
  return { run: newest.id, map: MAP_ORDER.find((m) => maps.includes(m)) ?? maps[0] };
}

/**
 * Loads what the first view shows (the run's detail, its images and predictions, the map's
 * points) in the background, by asking the server itself, so the page the printed URL opens gets
 * it from the cache. Failures are the page's to report, not this.
 */
function warm(server: RunningServer, view: { run: string; map: string }): void {
  const headers: Record<string, string> = server.token ? { authorization: `Bearer ${server.token}` } : {};
  const api = (path: string) => fetch(new URL(`api/runs/${encodeURIComponent(view.run)}${path}`, server.url), { headers }).then((r) => r.arrayBuffer());
  void api("").then(() => api(`/points?map=${encodeURIComponent(view.map)}`)).catch(() => {});
}

/** Opens `url` in the desktop's browser (xdg-open, or open on macOS); does nothing where there is none. */
export function openInBrowser(url: string): void {
  const command = process.platform === "darwin" ? "open" : process.platform === "win32" ? null : "xdg-open";
  if (!command) return;
  try {
    const child = spawn(command, [url], { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    // no browser opener: the URL is printed anyway
  }
}

/**
 * Serves until SIGINT or SIGTERM, then closes the server and the query engine. A second signal
 * while it closes (Ctrl-C reaches both the launcher of bin/featurelens.js and this process) is
 * absorbed, not a hard kill.
 */
export function serveUntilStopped(server: RunningServer): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      const done = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      void server
        .close()
        .then(() => closeQueryEngine())
        .then(done, done);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** A note when the server is reachable from other machines. */
export function exposureNote(server: RunningServer): string | null {
  if (isLoopback(server.host)) return null;
  return `featurelens serve: bound to ${server.host}: anyone who can reach this machine and has the token can read the workspace's runs`;
}

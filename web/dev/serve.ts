/**
 * Serves the app on a workspace for trying it by hand: `node --import tsx web/dev/serve.ts [DIR]`
 * makes the test workspace (web/workspace.testutil.ts) in DIR (default /tmp/featurelens-app-ws)
 * unless it is there, and serves it with the built app (npm run build) on port 8731 — which is
 * also where `npx vite --config web/vite.config.ts` sends /api for development.
 */
import { mkdirSync } from "node:fs";
import { startServer } from "../../src/server/server.js";
import { makeAppWorkspace } from "../workspace.testutil.js";

const dir = process.argv[2] ?? "/tmp/featurelens-app-ws";
mkdirSync(dir, { recursive: true });
const ws = await makeAppWorkspace(dir);
const server = await startServer({ workspace: ws.workspace, port: Number(process.env.PORT ?? 8731) });
console.log(`${server.url}#/map/${ws.run}?map=tsne  (domain ${ws.domain}, second run ${ws.other})`);

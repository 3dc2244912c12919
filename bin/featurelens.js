#!/usr/bin/env node
// The featurelens command: runs the compiled CLI in dist/ (built by `npm install` / `npm run build`).
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("featurelens: error: dist/ is missing; run `npm install` (or `npm run build`) in the featurelens folder first\n");
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);

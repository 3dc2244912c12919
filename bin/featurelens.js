#!/usr/bin/env node
// The featurelens command: runs the compiled CLI in dist/ (built by `npm install` / `npm run build`).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("featurelens: error: dist/ is missing; run `npm install` (or `npm run build`) in the featurelens folder first\n");
  process.exit(1);
}
// Commands that hold large arrays run once more with glibc's malloc on huge pages (src/cli/hugePages.ts).
const { wantsHugePages, relaunchWithHugePages } = await import(new URL("../dist/cli/hugePages.js", import.meta.url).href);
if (wantsHugePages(process.argv)) {
  process.exitCode = await relaunchWithHugePages(fileURLToPath(import.meta.url), process.argv);
} else {
  const { main } = await import(entry.href);
  process.exitCode = await main(process.argv);
}
